// Scenario text → YAML document → plain value, with every hazard of hostile or broken text turned
// into a positioned problem instead of an exception or a hang: binary data, syntax errors, nesting
// deep enough to exhaust the stack, duplicate keys, undefined and circular aliases, and alias bombs
// ("billion laughs"). validate.ts checks the value against the schema afterwards.

import { Document, isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, Parser, type Node } from 'yaml';
import { MAX_NESTING } from './limits';
import { YamlLocator, type Span } from './locate';
import { shorten } from './errors';

export interface YamlProblem extends Span {
  message: string;
}

export interface YamlReading {
  locator: YamlLocator;
  problems: YamlProblem[];
  /** Lines with a syntax error: findings there are likely its consequences. */
  syntaxLines: Set<number>;
  /** The document as plain data; absent when the text could not be converted safely. */
  data?: unknown;
}

/** Expansions of aliases allowed before the text is taken for an alias bomb; real scenarios use a few. */
const MAX_ALIAS_COUNT = 100;

/** Characters YAML does not allow in a document (C0 and C1 controls except tab, line breaks and NEL). */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what is looked for
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;

export function readScenarioYaml(text: string): YamlReading {
  const lineCounter = linesOf(text);
  let doc: Document;
  try {
    // Duplicate keys are found in walk() below: the parser's own check compares every key with every
    // other key of its mapping, which takes seconds for a mapping of 20,000 keys.
    // logLevel: the library's warnings (e.g. on odd keys) would go to the console, not to problems.
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  } catch (err) {
    // The parser recurses per level of some constructs (`a: a: a: …` on one line) and may overflow.
    const locator = new YamlLocator(new Document(), lineCounter, text.length, text);
    const offset = failureOffset(text);
    const message =
      err instanceof RangeError
        ? `YAML nested too deeply to read; a scenario needs at most ${MAX_NESTING} levels`
        : `cannot read the YAML: ${(err as Error).message}`;
    return { locator, problems: [{ ...locator.span(offset, offset), message }], syntaxLines: new Set() };
  }
  const locator = new YamlLocator(doc, lineCounter, text.length, text);
  const problems: YamlProblem[] = [];
  const at = (start: number, end: number, message: string) => problems.push({ ...locator.span(start, end), message });

  // Binary data, or text in another encoding: one clear problem instead of a flood of syntax errors.
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    at(
      control.index,
      control.index + 1,
      `the file contains the control character U+${code}: it is binary data or not UTF-8 text (UTF-16?); a scenario is a UTF-8 text file`,
    );
    return { locator, problems, syntaxLines: new Set() };
  }
  const replacement = text.indexOf('\uFFFD');
  if (replacement >= 0) {
    at(replacement, replacement + 1, 'the file is not valid UTF-8: a byte sequence here could not be decoded (shown as U+FFFD); save the file as UTF-8');
  }

  // Syntax. The parser recovers, so validation still runs on what it understood.
  const syntaxLines = new Set<number>();
  for (const err of doc.errors) {
    const span = locator.span(err.pos[0], err.pos[1]);
    if (syntaxLines.has(span.line)) continue;
    syntaxLines.add(span.line);
    // The parser turns its own stack overflow into an error; say what it means.
    const message = /call stack/i.test(err.message)
      ? `YAML nested too deeply to read; a scenario needs at most ${MAX_NESTING} levels`
      : `YAML syntax error: ${err.message}`;
    problems.push({ ...span, message });
  }

  const structure = walk(doc.contents as Node | null);
  for (const f of structure.findings) {
    const [start, end] = f.node.range ?? [0, 0];
    at(start, end, f.message);
  }
  if (structure.tooDeep || structure.badAliases) return { locator, problems, syntaxLines };

  try {
    return { locator, problems, syntaxLines, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    const [start, end] = structure.firstAlias?.range ?? [0, 0];
    const message = /excessive alias/i.test((err as Error).message)
      ? `the aliases in this file expand to a huge document (more than ${MAX_ALIAS_COUNT} copies; an alias bomb?): write the values out`
      : `cannot read the YAML: ${(err as Error).message}`;
    at(start, end, message);
    return { locator, problems, syntaxLines };
  }
}

/** Where the nesting passes the limit: parsed again on its own, the parser's stack of open nodes
 *  at the failure holds the node at that level (else: where the parser was). */
function failureOffset(text: string): number {
  const parser = new Parser();
  try {
    for (const token of parser.parse(text)) void token;
  } catch {
    // Expected: the same failure as before.
  }
  const deep = parser.stack[MAX_NESTING] ?? parser.stack[parser.stack.length - 1];
  const offset = deep && 'offset' in deep ? deep.offset : parser.offset;
  return Math.max(0, Math.min(offset, text.length));
}

/** Line starts taken from the text itself: the parser's own count (its `lineCounter` option)
 *  drifts after some syntax errors, and positions must stay on the lines they name. */
function linesOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

interface Finding {
  node: Node;
  message: string;
}

interface Structure {
  findings: Finding[];
  tooDeep: boolean;
  /** An undefined or circular alias: the value cannot be converted. */
  badAliases: boolean;
  firstAlias?: Node;
}

/**
 * One pass over the syntax tree, in document order and without recursion (the tree may be
 * thousands of levels deep): nesting depth, duplicate keys, and aliases. An alias refers to the
 * last node anchored with its name before it (the YAML library's rule); it is circular when that
 * node contains the alias.
 */
function walk(root: Node | null): Structure {
  const out: Structure = { findings: [], tooDeep: false, badAliases: false };
  if (!root) return out;
  const anchors = new Map<string, Node>();
  const open = new Set<Node>(); // collections whose items are being walked: the alias' ancestors
  const stack: { node: unknown; depth: number; exit?: boolean }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth, exit } = stack.pop()!;
    if (exit) {
      open.delete(node as Node);
      continue;
    }
    if (isPair(node)) {
      // Key before value, in document order (the stack is last in, first out).
      stack.push({ node: node.value, depth }, { node: node.key, depth });
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const n = node as Node;
    if (n.anchor) anchors.set(n.anchor, n);
    if (isAlias(n)) {
      out.firstAlias ??= n;
      const target = anchors.get(n.source);
      if (target === undefined) {
        out.badAliases = true;
        out.findings.push({ node: n, message: `undefined alias *${shorten(n.source)}: no anchor &${shorten(n.source)} comes before it` });
      } else if (open.has(target)) {
        out.badAliases = true;
        out.findings.push({ node: n, message: `alias *${shorten(n.source)} is inside the value it refers to (a circular alias)` });
      }
      continue;
    }
    if (!isCollection(n)) continue;
    if (depth > MAX_NESTING) {
      out.tooDeep = true;
      out.findings.push({ node: n, message: `nested more than ${MAX_NESTING} levels deep; a scenario needs only a few` });
      return out;
    }
    if (isMap(n)) checkDuplicateKeys(n.items, out.findings);
    open.add(n);
    stack.push({ node: n, depth, exit: true });
    for (let i = n.items.length - 1; i >= 0; i--) stack.push({ node: n.items[i], depth: depth + 1 });
  }
  return out;
}

/** A key set twice in one mapping: YAML forbids it, and only one of the values would count. */
function checkDuplicateKeys(items: readonly unknown[], findings: Finding[]): void {
  const seen = new Set<string>();
  for (const item of items) {
    const key = isPair(item) ? item.key : undefined;
    if (!isScalar(key)) continue;
    const id = `${typeof key.value}:${String(key.value)}`;
    if (!seen.has(id)) seen.add(id);
    else findings.push({ node: key, message: `duplicate key ${shorten(JSON.stringify(String(key.value)))}: a key may appear only once in a mapping` });
  }
}
