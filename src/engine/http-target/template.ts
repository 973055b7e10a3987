// The `{{placeholder}}` templates of an HTTP target (body, header values, URL). Parsed once when the
// scenario is loaded, so a bad template is a `file:line:col` error before anything is sent, and
// rendered per request by concatenating prepared parts (no regular expressions on the hot path).
//
// A body whose first non-space character is `{` or `[` is JSON, and a placeholder is filled as JSON
// wants it: inside a string literal ("{{prompt}}") with the value's text escaped, outside one
// ({{messages}}) with the value as a JSON literal. So one template serves both
// `"question": "{{prompt}}"` and `"messages": {{messages}}`, and no prompt text can break the JSON.

/** Placeholders every HTTP request can use; dataset fields come on top (prompt-builder.ts). */
export const BUILT_IN_PLACEHOLDERS = ['prompt', 'messages', 'session_id', 'turn', 'model'] as const;

/** What each placeholder is filled with (the editor's completion and hover say it). */
export const PLACEHOLDER_DOCS: Record<(typeof BUILT_IN_PLACEHOLDERS)[number], string> = {
  prompt: 'The text of the last user message: the question a user of the app types.',
  messages: 'The chat messages of the request (`[{"role": …, "content": …}]`); with `sessions.carry_history`, the conversation so far.',
  session_id: "The virtual user's session (`<target>-s<n>`) with `workload.sessions`; empty without.",
  turn: 'The turn of this request in its session, 1, 2, …; 1 without sessions.',
  model: "The target's `model`.",
};

export type TemplateKind = 'json' | 'text' | 'url';

interface Literal {
  text: string;
  /** Offset of this text in the template. */
  offset: number;
}

interface Placeholder {
  name: string;
  /** Offset of its `{{` in the template. */
  offset: number;
  /** JSON templates: inside a string literal. */
  inString: boolean;
}

export interface Template {
  kind: TemplateKind;
  source: string;
  parts: (Literal | Placeholder)[];
  /** Names used, in order of first use. */
  names: string[];
}

export class TemplateError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the template text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A body is JSON when it starts like JSON (after spaces). */
export function bodyKind(text: string): TemplateKind {
  return /^\s*[[{]/.test(text) ? 'json' : 'text';
}

export function parseTemplate(source: string, kind: TemplateKind): Template {
  const parts: (Literal | Placeholder)[] = [];
  const names: string[] = [];
  let inString = false;
  let literalStart = 0;
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('{{', i)) {
      const close = source.indexOf('}}', i + 2);
      const inner = close === -1 ? '' : source.slice(i + 2, close);
      // A placeholder is short and on one line: a `}}` after another `{{` or a line break closes something else.
      if (close === -1 || inner.includes('{{') || inner.includes('\n')) throw new TemplateError('"{{" is not closed by "}}"', i);
      const name = source.slice(i + 2, close).trim();
      if (!/^[A-Za-z_][\w-]*$/.test(name)) {
        throw new TemplateError(`"{{${source.slice(i + 2, close)}}}" is not a placeholder: expected a name such as {{prompt}} or {{messages}}`, i);
      }
      if (i > literalStart) parts.push({ text: source.slice(literalStart, i), offset: literalStart });
      parts.push({ name, offset: i, inString: kind === 'json' && inString });
      if (!names.includes(name)) names.push(name);
      i = close + 2;
      literalStart = i;
      continue;
    }
    if (kind === 'json') {
      const c = source[i];
      if (inString && c === '\\') {
        i += 2;
        continue;
      }
      if (c === '"') inString = !inString;
    }
    i++;
  }
  if (literalStart < source.length) parts.push({ text: source.slice(literalStart), offset: literalStart });
  return { kind, source, parts, names };
}

/** The first placeholder whose name is not allowed, or null. */
export function unknownPlaceholder(template: Template, allowed: ReadonlySet<string>): Placeholder | null {
  for (const part of template.parts) if ('name' in part && !allowed.has(part.name)) return part;
  return null;
}

export type TemplateValues = Readonly<Record<string, unknown>>;

export function renderTemplate(template: Template, values: TemplateValues): string {
  let out = '';
  for (const part of template.parts) out += 'name' in part ? fill(template.kind, part, values[part.name]) : part.text;
  return out;
}

/** Renders, and maps an offset of the result back to the template (for JSON errors after filling). */
export function renderWithMap(template: Template, values: TemplateValues): { text: string; templateOffset: (rendered: number) => number } {
  const starts: { rendered: number; part: Literal | Placeholder }[] = [];
  let text = '';
  for (const part of template.parts) {
    starts.push({ rendered: text.length, part });
    text += 'name' in part ? fill(template.kind, part, values[part.name]) : part.text;
  }
  const templateOffset = (rendered: number): number => {
    let found = starts[0];
    for (const s of starts) if (s.rendered <= rendered) found = s;
    if (!found) return 0;
    return 'name' in found.part ? found.part.offset : found.part.offset + (rendered - found.rendered);
  };
  return { text, templateOffset };
}

function fill(kind: TemplateKind, part: Placeholder, value: unknown): string {
  const asText = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  if (kind === 'url') return encodeURIComponent(asText);
  if (kind === 'text') return asText;
  if (part.inString) return JSON.stringify(asText).slice(1, -1);
  return value === undefined ? 'null' : JSON.stringify(value);
}
