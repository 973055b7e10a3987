// Editor support for scenario files (`*.perf.yaml`) from the one schema: diagnostics (the same
// validation the CLI runs, with positions), completion of keys, enum values and model names, hover
// docs, and the quick fix for a misspelled key. Pure: no LSP types, no 'vscode'.

import { BUILT_IN_PLACEHOLDERS, PLACEHOLDER_DOCS } from '../engine/http-target/template';
import { closestMatch } from '../engine/scenario/errors';
import { validateScenarioText } from '../engine/scenario/load';
import { perfSchema } from '../engine/scenario/schema';
import { lookupModel, MODEL_CATALOG, PRICE_OVERRIDE_HINT, priceBasis, ratesText, suggestModel, type ModelOverrides } from '../tokens';

type PathSegment = string | number;

/** A JSON-schema node as perfSchema writes them (plain objects, no $ref). */
interface SchemaNode {
  type?: string | string[];
  description?: string;
  enum?: string[];
  enumDescriptions?: string[];
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

const ROOT = perfSchema as unknown as SchemaNode;

export interface ScenarioDiagnostic {
  /** 0-based. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning';
  message: string;
  /** A key to put in place of the misspelled one (the quick fix). */
  replacement?: string;
}

export interface ScenarioCompletion {
  label: string;
  kind: 'property' | 'value' | 'model';
  detail?: string;
  documentation?: string;
  /** Text to insert (keys get `key: `). */
  insertText: string;
}

/** The problems of a scenario: the engine's own validation (schema + semantics + missing files), plus
 *  unknown model names (a warning: the run still works, but tokens and prices are guesses). */
export function scenarioDiagnostics(text: string, fileName: string, overrides?: ModelOverrides): ScenarioDiagnostic[] {
  const { problems } = validateScenarioText(text, fileName, { checkFiles: true });
  const out: ScenarioDiagnostic[] = problems.map((p) => {
    const unknownKey = /^unknown property "([^"]+)"/.exec(p.message)?.[1];
    const replacement = unknownKey && p.allowed ? closestMatch(unknownKey, p.allowed) : undefined;
    const line = p.line - 1;
    const column = p.column - 1;
    return {
      line,
      column,
      endLine: (p.endLine ?? p.line) - 1,
      endColumn: p.endColumn !== undefined ? p.endColumn - 1 : column + (unknownKey?.length ?? 1),
      severity: 'error' as const,
      message: `${p.path ? `${p.path}: ` : ''}${p.message}`,
      ...(replacement ? { replacement } : {}),
    };
  });
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    const m = /^(\s*(?:-\s+)?model\s*:\s*)(["']?)([^"'#\s][^"'#]*?)\2\s*(?:#.*)?$/.exec(l);
    if (!m || lookupModel(m[3], overrides)) return;
    const suggestions = suggestModel(m[3], 3, overrides);
    out.push({
      line: i,
      column: m[1].length + m[2].length,
      endLine: i,
      endColumn: m[1].length + m[2].length + m[3].length,
      severity: 'warning',
      message: `model "${m[3]}" is not in the model catalog: tokens are counted with o200k_base and no cost is estimated${suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : ' (set `pricing:` for its price)'}`,
    });
  });
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Where the cursor is in the YAML: the path of the mapping it is in, and whether on a key or a value. */
export interface YamlContext {
  /** Path of the mapping that holds the key at the cursor (list items as index 0). */
  parent: PathSegment[];
  /** The key on this line, if the cursor is on it or after its colon. */
  key?: string;
  at: 'key' | 'value';
  /** What is typed of the key or value up to the cursor. */
  prefix: string;
  /** The word under the cursor (for hover). */
  word: string;
}

/**
 * Line-based, so it works on a half-typed file that YAML cannot parse: the parent path comes from the
 * nearest less-indented `key:` lines above, a `- ` item counting as a list index.
 */
export function yamlContext(text: string, line: number, character: number): YamlContext {
  const lines = text.split(/\r?\n/);
  const current = lines[line] ?? '';
  const before = current.slice(0, character);
  const item = /^(\s*)-\s+/.exec(current);
  const keyStart = item ? item[0].length : current.length - current.trimStart().length;
  const parent = parentPath(lines, line, item ? item[1].length : keyStart, Boolean(item));
  const keyMatch = /^\s*(?:-\s+)?([\w.-]+)\s*:/.exec(current);
  const word = wordAt(current, character);
  if (keyMatch && before.length > keyMatch[0].length - 1) {
    return { parent, key: keyMatch[1], at: 'value', prefix: before.slice(keyMatch[0].length).trim().replace(/^["']/, ''), word };
  }
  return { parent, key: keyMatch?.[1], at: 'key', prefix: before.slice(keyStart).trim(), word };
}

function parentPath(lines: string[], line: number, indent: number, startsItem: boolean): PathSegment[] {
  const path: PathSegment[] = startsItem ? [0] : [];
  let limit = indent;
  for (let i = line - 1; i >= 0 && limit > 0; i--) {
    const l = lines[i];
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    const lead = l.length - l.trimStart().length;
    const item = /^(\s*)-\s+/.exec(l);
    if (item) {
      const keyIndent = item[0].length;
      // A sibling key inside the same list item, or a list item that encloses this line.
      if (keyIndent === limit || lead < limit) {
        path.unshift(0);
        limit = lead;
      }
      continue;
    }
    const key = /^\s*([\w.-]+)\s*:/.exec(l);
    if (key && lead < limit) {
      path.unshift(key[1]);
      limit = lead;
    }
  }
  // A list index right under the root belongs to no key: drop leading indexes.
  while (typeof path[0] === 'number') path.shift();
  return path;
}

/** The schema node at a path (object keys, list items, `anyOf` branches). */
export function schemaAt(path: readonly PathSegment[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = ROOT;
  for (const seg of path) {
    if (!node) return undefined;
    node = typeof seg === 'number' ? itemsOf(node) : propertyOf(node, seg);
  }
  return node;
}

function branches(node: SchemaNode): SchemaNode[] {
  return [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])];
}

function itemsOf(node: SchemaNode): SchemaNode | undefined {
  return branches(node).find((b) => b.items)?.items;
}

function propertyOf(node: SchemaNode, key: string): SchemaNode | undefined {
  for (const b of branches(node)) {
    if (b.properties?.[key]) return b.properties[key];
  }
  for (const b of branches(node)) {
    if (typeof b.additionalProperties === 'object') return b.additionalProperties;
  }
  return undefined;
}

function propertiesOf(node: SchemaNode): [string, SchemaNode][] {
  return branches(node).flatMap((b) => Object.entries(b.properties ?? {}));
}

function enumOf(node: SchemaNode): { value: string; description?: string }[] {
  return branches(node).flatMap((b) => (b.enum ?? []).map((value, i) => ({ value, description: b.enumDescriptions?.[i] })));
}

export function scenarioCompletions(text: string, line: number, character: number, overrides?: ModelOverrides): ScenarioCompletion[] {
  const placeholder = openPlaceholder(text.split(/\r?\n/)[line] ?? '', character);
  if (placeholder !== null) {
    // Inside `{{…` of an HTTP target's template: the names a request is filled from.
    return BUILT_IN_PLACEHOLDERS.filter((name) => name.startsWith(placeholder.typed)).map((name) => ({
      label: name,
      kind: 'value',
      detail: 'placeholder',
      documentation: `${PLACEHOLDER_DOCS[name]} Any field of a dataset line works too.`,
      insertText: placeholder.closed ? name : `${name}}}`,
    }));
  }
  const ctx = yamlContext(text, line, character);
  if (ctx.at === 'key') {
    const node = schemaAt(ctx.parent);
    if (!node) return [];
    const present = siblingKeys(text.split(/\r?\n/), line);
    return propertiesOf(node)
      .filter(([name]) => !present.has(name) || name === ctx.key)
      .map(([name, child]) => ({ label: name, kind: 'property', detail: typeLabel(child), documentation: describe(child), insertText: `${name}: ` }));
  }
  const path = [...ctx.parent, ctx.key!];
  if (ctx.key === 'model') {
    const models = new Set([...MODEL_CATALOG.map((m) => m.name), ...Object.keys(overrides ?? {})]);
    return [...models].map((name) => {
      const info = lookupModel(name, overrides);
      return { label: name, kind: 'model', detail: info ? modelDetail(info) : 'your model (perflab.pricing)', insertText: name };
    });
  }
  const node = schemaAt(path);
  if (!node) return [];
  const values = enumOf(node).map((e) => ({ label: e.value, kind: 'value' as const, documentation: e.description, insertText: e.value }));
  if (values.length) return values;
  const types = ([] as string[]).concat(node.type ?? []);
  if (types.includes('boolean')) return ['true', 'false'].map((v) => ({ label: v, kind: 'value' as const, insertText: v }));
  return (node.examples ?? []).filter((e): e is string => typeof e === 'string').map((e) => ({ label: e, kind: 'value' as const, insertText: e }));
}

/** A `{{` before the cursor on this line that is not closed before it: what is typed of the name, and
 *  whether `}}` already follows. Null when the cursor is not inside a placeholder. */
function openPlaceholder(lineText: string, character: number): { typed: string; closed: boolean } | null {
  const before = lineText.slice(0, character);
  const open = before.lastIndexOf('{{');
  if (open === -1 || before.indexOf('}}', open) !== -1) return null;
  const typed = before.slice(open + 2).trim();
  if (!/^[\w-]*$/.test(typed)) return null;
  return { typed, closed: /^[\w-]*\s*}}/.test(lineText.slice(character)) };
}

/** The placeholder `{{name}}` under the cursor, if any. */
function placeholderAt(lineText: string, character: number): string | null {
  for (const m of lineText.matchAll(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g)) {
    if (character >= m.index && character <= m.index + m[0].length) return m[1];
  }
  return null;
}

/** Markdown for the key, enum value, model name or placeholder under the cursor. */
export function scenarioHover(text: string, line: number, character: number, overrides?: ModelOverrides): string | undefined {
  const name = placeholderAt(text.split(/\r?\n/)[line] ?? '', character);
  if (name !== null) {
    const doc = (PLACEHOLDER_DOCS as Record<string, string>)[name];
    return `**{{${name}}}** — ${doc ?? 'a field of each dataset line (or prompt input), filled per request.'}`;
  }
  const ctx = yamlContext(text, line, character);
  if (!ctx.key) return undefined;
  const node = schemaAt([...ctx.parent, ctx.key]);
  if (ctx.at === 'key' || ctx.word === ctx.key) return node ? `**${ctx.key}** — ${typeLabel(node)}\n\n${describe(node)}` : undefined;
  if (ctx.key === 'model') {
    const value = valueOf(text, line);
    const info = value ? lookupModel(value, overrides) : undefined;
    // A list price is not what a contract or an Azure region pays: say where to set one's own.
    if (info)
      return `**${info.name}** — ${modelDetail(info)}${!info.price || info.price.origin === 'list' ? `\n\nCost estimates: ${PRICE_OVERRIDE_HINT}.` : ''}`;
    return value ? `**${value}** is not in the model catalog: no price; ${PRICE_OVERRIDE_HINT}.` : undefined;
  }
  const value = valueOf(text, line);
  const e = node ? enumOf(node).find((x) => x.value === value) : undefined;
  return e ? `**${e.value}** — ${e.description ?? ''}` : node ? `**${ctx.key}** — ${typeLabel(node)}\n\n${describe(node)}` : undefined;
}

function siblingKeys(lines: string[], line: number): Set<string> {
  const current = lines[line] ?? '';
  const indent = /^(\s*)(-\s+)?/.exec(current)?.[0].length ?? 0;
  const keys = new Set<string>();
  const collect = (step: number) => {
    for (let i = line + step; i >= 0 && i < lines.length; i += step) {
      const l = lines[i];
      if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
      const m = /^(\s*(?:-\s+)?)([\w.-]+)\s*:/.exec(l);
      const lead = l.length - l.trimStart().length;
      if (m && m[1].length === indent) {
        keys.add(m[2]);
        if (step < 0 && m[1].includes('-')) break; // the first key of this list item
      } else if (lead < indent && !(step > 0 && /^\s*-\s/.test(l) === false && lead >= indent)) break;
      if (step > 0 && m && m[1].includes('-')) break; // the next list item
    }
  };
  collect(-1);
  collect(1);
  return keys;
}

function valueOf(text: string, line: number): string | undefined {
  const m = /^\s*(?:-\s+)?[\w.-]+\s*:\s*(["']?)(.*?)\1\s*(?:#.*)?$/.exec(text.split(/\r?\n/)[line] ?? '');
  return m?.[2] || undefined;
}

function wordAt(line: string, character: number): string {
  const left = /[\w.-]*$/.exec(line.slice(0, character))?.[0] ?? '';
  const right = /^[\w.-]*/.exec(line.slice(character))?.[0] ?? '';
  return left + right;
}

function typeLabel(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' | ');
  const types = branches(node).flatMap((b) => ([] as string[]).concat(b.type ?? (b.enum ? 'string' : [])));
  return [...new Set(types)].join(' | ') || 'value';
}

function describe(node: SchemaNode): string {
  const parts = [node.description ?? ''];
  const values = enumOf(node);
  if (values.length) parts.push(values.map((v) => `- \`${v.value}\`${v.description ? ` — ${v.description}` : ''}`).join('\n'));
  return parts.filter(Boolean).join('\n\n');
}

function modelDetail(info: NonNullable<ReturnType<typeof lookupModel>>): string {
  const window = info.context_window ? `${info.context_window.toLocaleString('en-US')}-token context` : 'context window unknown';
  const price = info.price ? `${ratesText(info.price)}, ${priceBasis(info.price)}` : priceBasis(null, info.name);
  return `${info.encoding}, ${window}, ${price}`;
}
