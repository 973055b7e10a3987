// Prompt files, parsed (no token counting here):
//   .prompty   YAML front matter between `---` lines, then `system:` / `user:` / `assistant:` sections
//              with {{variable}} placeholders
//   .jsonl     one {"messages": [...]} chat per line
//   .md        a whole-file user message, or sections under `## system` / `## user` / … headings
//   other      the whole text as one user message
// Problems are collected with line numbers rather than thrown, so an editor can show them all.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { readTextFile, TextFileError } from './text-file';

export type PromptFormat = 'prompty' | 'jsonl' | 'markdown' | 'text';

export interface PromptMessage {
  role: string;
  content: string;
  name?: string;
}

export interface PromptSection {
  /** "system", "user", "line 3", ... */
  label: string;
  role?: string;
  /** 1-based line where the section starts (its heading, or the dataset line). */
  line: number;
  /** The chat messages this section contributes. */
  messages: PromptMessage[];
  text: string;
  /** Dataset lines: the line's other top-level fields (placeholders of HTTP targets' templates). */
  fields?: Record<string, unknown>;
}

export interface PromptProblem {
  line: number;
  column: number;
  message: string;
}

export interface ParsedPrompt {
  format: PromptFormat;
  sections: PromptSection[];
  problems: PromptProblem[];
  frontMatter?: Record<string, unknown>;
  /** `{{variable}}` names in order of first use. */
  variables: string[];
  /** The model named in the front matter (`model: gpt-4o` or `model.configuration.name`). */
  model?: string;
}

const CHAT_ROLES = ['system', 'user', 'assistant', 'developer', 'tool'];
const SECTION_ROLES = 'system|user|assistant';
const PROMPTY_HEADING = new RegExp(`^\\s*(?:#\\s*)?(${SECTION_ROLES})\\s*:\\s*$`, 'i');
const MARKDOWN_HEADING = new RegExp(`^ {0,3}#{1,6}\\s+(${SECTION_ROLES})\\s*:?\\s*#*\\s*$`, 'i');
const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

export function promptFormat(fileName: string): PromptFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.prompty')) return 'prompty';
  if (lower.endsWith('.jsonl')) return 'jsonl';
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'markdown';
  return 'text';
}

export function parsePromptFile(fileName: string, text: string): ParsedPrompt {
  const format = promptFormat(fileName);
  const source = text.replace(/^\uFEFF/, '');
  const lines = splitLines(source);
  if (format === 'jsonl') return { format, ...parseDataset(lines), variables: [] };

  const problems: PromptProblem[] = [];
  const front = format === 'text' ? { bodyStart: 0 } : parseFrontMatter(lines, problems);
  const body = bodyOf(source, lines, front.bodyStart);
  const sections =
    format === 'prompty'
      ? promptySections(body, front.bodyStart, problems)
      : format === 'markdown'
        ? markdownSections(body, front.bodyStart, problems)
        : wholeText(body, front.bodyStart);
  if (sections.length === 0) problems.push({ line: 1, column: 1, message: 'the prompt is empty' });
  const variables = format === 'text' ? [] : scanVariables(body.lines, front.bodyStart, problems);
  const model = front.frontMatter ? modelName(front.frontMatter) : undefined;
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    format,
    sections,
    problems,
    ...(front.frontMatter && { frontMatter: front.frontMatter }),
    variables,
    ...(model !== undefined && { model }),
  };
}

/** The lines of `text` without their \n or \r\n, as `text.split(/\r?\n/)` (which is ~5× slower per MB). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (text.includes('\r')) {
    // A \r right before a \n ends every line but the last (the last has no \n after it).
    for (let i = 0; i < lines.length - 1; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  }
  return lines;
}

/** The body's lines, and the text of a range of them joined by \n. */
interface Body {
  lines: string[];
  text(from: number, to: number): string;
}

/**
 * Without \r in the file, a range's text is a slice of the file's text (no copy of a large section);
 * with \r\n line ends, its lines joined by \n (sections are sent with \n line ends either way).
 */
function bodyOf(source: string, allLines: string[], bodyStart: number): Body {
  const lines = allLines.slice(bodyStart);
  if (source.includes('\r')) return { lines, text: (from, to) => lines.slice(from, to).join('\n') };
  const starts = new Array<number>(lines.length);
  let offset = 0;
  for (let i = 0; i < bodyStart; i++) offset += allLines[i].length + 1;
  for (let i = 0; i < lines.length; i++) {
    starts[i] = offset;
    offset += lines[i].length + 1;
  }
  return { lines, text: (from, to) => (from >= to ? '' : source.slice(starts[from], starts[to - 1] + lines[to - 1].length)) };
}

// ---------- front matter ----------

interface FrontMatter {
  bodyStart: number; // 0-based index of the first body line
  frontMatter?: Record<string, unknown>;
}

function parseFrontMatter(lines: string[], problems: PromptProblem[]): FrontMatter {
  if (lines[0]?.trim() !== '---') return { bodyStart: 0 };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) {
    problems.push({ line: 1, column: 1, message: 'front matter starts with --- but has no closing --- line' });
    return { bodyStart: 0 };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(lines.slice(1, end).join('\n'), { lineCounter, prettyErrors: false });
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ line: pos.line + 1, column: pos.col, message: `front matter: ${err.message}` });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { bodyStart: end + 1 };
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ line: 2, column: 1, message: 'front matter must be a YAML mapping (key: value)' });
    return { bodyStart: end + 1 };
  }
  return { bodyStart: end + 1, frontMatter: value as Record<string, unknown> };
}

/** `model: gpt-4o`, or Prompty's `model: { configuration: { name | azure_deployment } }`. */
function modelName(front: Record<string, unknown>): string | undefined {
  const model = front.model;
  if (typeof model === 'string') return model;
  const config = (model as { configuration?: Record<string, unknown> } | undefined)?.configuration;
  const name = config?.name ?? config?.model ?? config?.azure_deployment;
  return typeof name === 'string' ? name : undefined;
}

// ---------- sections ----------

/** Split body lines at headings; text before the first heading is handled by `preamble`. */
function splitSections(
  body: Body,
  offset: number,
  headingRole: (line: string, index: number) => string | undefined,
): { preamble: { line: number; text: string } | undefined; sections: PromptSection[] } {
  const sections: PromptSection[] = [];
  // The current section: its heading's role (none before the first heading), 1-based line, first body line.
  let current: { role?: string; line: number; from: number } = { line: offset + 1, from: 0 };
  let preamble: { line: number; text: string } | undefined;
  const close = (to: number) => {
    const text = trimBlankLines(body.text(current.from, to));
    if (current.role === undefined) {
      if (text) preamble = { line: current.line + leadingBlankLines(body.lines, current.from, to), text };
      return;
    }
    sections.push({
      label: current.role,
      role: current.role,
      line: current.line,
      messages: text ? [{ role: current.role, content: text }] : [],
      text,
    });
  };
  for (let i = 0; i < body.lines.length; i++) {
    const role = headingRole(body.lines[i], i);
    if (role === undefined) continue;
    close(i);
    current = { role, line: offset + i + 1, from: i + 1 };
  }
  close(body.lines.length);
  return { preamble, sections };
}

function promptySections(body: Body, offset: number, problems: PromptProblem[]): PromptSection[] {
  const { preamble, sections } = splitSections(body, offset, (line) => PROMPTY_HEADING.exec(line)?.[1].toLowerCase());
  // As in Prompty, text before any role marker is the system message.
  if (preamble) {
    sections.unshift({ label: 'system', role: 'system', line: preamble.line, messages: [{ role: 'system', content: preamble.text }], text: preamble.text });
  }
  reportEmpty(sections, problems);
  return sections;
}

function markdownSections(body: Body, offset: number, problems: PromptProblem[]): PromptSection[] {
  let inFence = false;
  const { preamble, sections } = splitSections(body, offset, (line) => {
    if (/^ {0,3}(```|~~~)/.test(line)) inFence = !inFence;
    return inFence ? undefined : MARKDOWN_HEADING.exec(line)?.[1].toLowerCase();
  });
  if (sections.length === 0) return wholeText(body, offset);
  if (preamble && !preamble.text.split('\n').every((l) => l.trim() === '' || /^ {0,3}#/.test(l))) {
    problems.push({ line: preamble.line, column: 1, message: 'text before the first role heading (## system, ## user, …) is not sent' });
  }
  reportEmpty(sections, problems);
  return sections;
}

function wholeText(body: Body, offset: number): PromptSection[] {
  const text = trimBlankLines(body.text(0, body.lines.length));
  if (!text) return [];
  const line = offset + 1 + leadingBlankLines(body.lines, 0, body.lines.length);
  return [{ label: 'user', role: 'user', line, messages: [{ role: 'user', content: text }], text }];
}

function reportEmpty(sections: PromptSection[], problems: PromptProblem[]): void {
  for (const s of sections) {
    if (!s.text) problems.push({ line: s.line, column: 1, message: `the ${s.label} section is empty` });
  }
}

/** Without the blank lines before the text and the whitespace after it. */
function trimBlankLines(text: string): string {
  // trimEnd, not /\s+$/: the same characters, but linear (the regex rescans every whitespace run).
  return text.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
}

/** Blank lines at the start of lines [from, to). */
function leadingBlankLines(lines: string[], from: number, to: number): number {
  for (let i = from; i < to; i++) if (lines[i].trim() !== '') return i - from;
  return 0;
}

// ---------- variables ----------

function scanVariables(body: string[], offset: number, problems: PromptProblem[]): string[] {
  const names: string[] = [];
  body.forEach((line, i) => {
    if (!line.includes('{')) return; // most lines have no template syntax: skip the regexes
    for (const m of line.matchAll(VARIABLE)) if (!names.includes(m[1])) names.push(m[1]);
    // Anything else in braces is a template feature we do not render: say so instead of sending it raw.
    const stripped = line.replace(VARIABLE, (m) => ' '.repeat(m.length));
    const other = /\{\{|\{%/.exec(stripped);
    if (other) {
      problems.push({
        line: offset + i + 1,
        column: other.index + 1,
        message:
          other[0] === '{%'
            ? 'template tags ({% ... %}) are not supported; only {{variable}} substitution'
            : 'only simple {{variable}} substitution is supported here',
      });
    }
  });
  return names;
}

export class PromptRenderError extends Error {}

/** The chat messages of a prompty or markdown prompt with `{{variables}}` filled from `vars`. */
export function renderPrompty(parsed: ParsedPrompt, vars: Record<string, unknown>): PromptMessage[] {
  const missing = parsed.variables.filter((name) => lookup(vars, name) === undefined);
  if (missing.length > 0) {
    const where = (name: string) => parsed.sections.find((s) => variablesIn(s.text).includes(name))?.line;
    const list = missing.map((n) => `"${n}"${where(n) ? ` (line ${where(n)})` : ''}`).join(', ');
    throw new PromptRenderError(`missing variable${missing.length > 1 ? 's' : ''} ${list}`);
  }
  return renderSections(parsed, vars).flatMap((messages) => messages ?? []);
}

/**
 * Each section's messages as they are sent: `{{variables}}` filled from `vars` in a prompty or markdown
 * prompt (a plain text or a dataset is sent as written); null for a section using a variable with no
 * value. One home for the substitution, shared by the engine (renderPrompty) and the editor's counts.
 */
export function renderSections(parsed: ParsedPrompt, vars: Record<string, unknown>): (PromptMessage[] | null)[] {
  if (parsed.format !== 'prompty' && parsed.format !== 'markdown') return parsed.sections.map((s) => s.messages);
  return parsed.sections.map((s) => {
    const names = variablesIn(s.text);
    if (names.length === 0) return s.messages;
    if (names.some((name) => lookup(vars, name) === undefined)) return null;
    return s.messages.map((m) => ({ ...m, content: m.content.replace(VARIABLE, (_, name: string) => stringify(lookup(vars, name))) }));
  });
}

/** Every `{{variable}}` of the prompt with the text that replaces it from `vars`, or null with no value. */
export function variableValues(parsed: ParsedPrompt, vars: Record<string, unknown>): { name: string; value: string | null }[] {
  return parsed.variables.map((name) => {
    const value = lookup(vars, name);
    return { name, value: value === undefined ? null : stringify(value) };
  });
}

/** The `{{variable}}` names a text uses, in order of first use. */
export function variablesIn(text: string): string[] {
  if (!text.includes('{{')) return [];
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]))];
}

/** Variable values a prompty file brings itself: its inputs' defaults, overridden by `sample`. */
export function promptDefaults(parsed: ParsedPrompt): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const inputs = parsed.frontMatter?.inputs;
  if (inputs && typeof inputs === 'object' && !Array.isArray(inputs)) {
    for (const [name, spec] of Object.entries(inputs)) {
      if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
        const s = spec as Record<string, unknown>;
        if (s.default !== undefined) values[name] = s.default;
        else if (s.sample !== undefined) values[name] = s.sample;
      } else if (spec !== null && spec !== undefined) {
        values[name] = spec;
      }
    }
  }
  const sample = parsed.frontMatter?.sample;
  if (sample && typeof sample === 'object' && !Array.isArray(sample)) Object.assign(values, sample);
  return values;
}

function lookup(vars: Record<string, unknown>, name: string): unknown {
  if (name in vars) return vars[name];
  let value: unknown = vars;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// ---------- jsonl ----------

interface JsonLine {
  line: number;
  value: unknown;
}

/** Parse JSON Lines: blank lines are skipped; a malformed line becomes a problem, not an exception. */
export function parseJsonLines(text: string): { values: JsonLine[]; problems: PromptProblem[] } {
  return parseJsonLineArray(splitLines(text.replace(/^\uFEFF/, '')));
}

function parseJsonLineArray(lines: string[]): { values: JsonLine[]; problems: PromptProblem[] } {
  const values: JsonLine[] = [];
  const problems: PromptProblem[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      values.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (err) {
      const message = (err as Error).message;
      const position = /at position (\d+)/.exec(message);
      const column = position ? Number(position[1]) + 1 : raw.length - raw.trimStart().length + 1;
      const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
      problems.push({ line: i + 1, column, message: `invalid JSON: ${reason}` });
    }
  });
  return { values, problems };
}

function parseDataset(lines: string[]): { sections: PromptSection[]; problems: PromptProblem[] } {
  const { values, problems } = parseJsonLineArray(lines);
  const sections: PromptSection[] = [];
  for (const { line, value } of values) {
    const problem = (message: string) => problems.push({ line, column: 1, message });
    const raw = (value as { messages?: unknown } | null)?.messages;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Array.isArray(raw)) {
      problem('expected an object with a "messages" list: {"messages": [{"role": "user", "content": "…"}]}');
      continue;
    }
    if (raw.length === 0) {
      problem('"messages" is empty');
      continue;
    }
    const messages: PromptMessage[] = [];
    raw.forEach((m, i) => {
      const msg = toMessage(m);
      if (typeof msg === 'string') problem(`messages[${i}]: ${msg}`);
      else messages.push(msg);
    });
    if (messages.length === raw.length) {
      const { messages: _messages, ...fields } = value as Record<string, unknown>;
      const text = messages.map((m) => m.content).join('\n');
      sections.push({ label: `line ${line}`, line, messages, text, ...(Object.keys(fields).length > 0 && { fields }) });
    }
  }
  return { sections, problems };
}

/** A chat message, or the reason it is not one. Text parts of multi-part content are joined. */
function toMessage(m: unknown): PromptMessage | string {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'must be an object with "role" and "content"';
  const { role, content, name } = m as Record<string, unknown>;
  if (typeof role !== 'string' || !CHAT_ROLES.includes(role)) {
    return `"role" must be one of ${CHAT_ROLES.join(', ')} (got ${JSON.stringify(role)})`;
  }
  let text: string;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content) && content.every((p) => typeof (p as { text?: unknown })?.text === 'string')) {
    text = content.map((p) => (p as { text: string }).text).join('');
  } else return '"content" must be a string or a list of text parts';
  if (name !== undefined && typeof name !== 'string') return '"name" must be a string';
  return name === undefined ? { role, content: text } : { role, content: text, name };
}

// ---------- loading for a run ----------

/** The file-based prompt sources of a scenario (engine's PromptSource without `shape`). */
export interface PromptFileSource {
  kind: 'prompty' | 'dataset';
  file: string;
  inputs?: string;
}

export class PromptFileError extends Error {}

/**
 * The conversations a run cycles through: one per dataset line, or one rendered prompt per line of
 * `inputs` (a single rendering from the file's own sample values without it). Relative paths resolve
 * against `scenarioDir`. Throws PromptFileError listing `file:line:col: message` for every problem.
 */
export function loadPromptMessages(source: PromptFileSource, scenarioDir: string): PromptMessage[][] {
  return loadPromptInputs(source, scenarioDir).map((input) => input.messages);
}

/** One prompt of a run with the values it came from: a dataset line's other fields, or a prompt
 *  file's input line (an HTTP target's body template may name them). */
export interface PromptInput {
  messages: PromptMessage[];
  fields: Record<string, unknown>;
}

/** The field names a run's prompts carry (dataset line fields, or a prompt file's variables and its
 *  inputs' fields), read from the first `headBytes` of the files only: the language server asks on
 *  every edit, and a dataset may be hundreds of megabytes. Throws when a file cannot be read. */
export function promptFieldNames(source: PromptFileSource, scenarioDir: string, headBytes = 256 * 1024): string[] {
  const names = new Set<string>();
  const addKeysOf = (file: string, skip: string) => {
    for (const line of headLines(path.resolve(scenarioDir, file), headBytes)) {
      try {
        const value: unknown = JSON.parse(line);
        if (value && typeof value === 'object' && !Array.isArray(value)) for (const key of Object.keys(value)) if (key !== skip) names.add(key);
      } catch {
        // a malformed line is the prompts' own problem, reported where they are checked
      }
    }
  };
  if (source.kind === 'dataset' || promptFormat(source.file) === 'jsonl') {
    addKeysOf(source.file, 'messages');
    return [...names];
  }
  const parsed = parsePromptFile(source.file, readText(source.file, scenarioDir));
  for (const name of [...parsed.variables, ...Object.keys(promptDefaults(parsed))]) names.add(name);
  if (source.inputs !== undefined) addKeysOf(source.inputs, '');
  return [...names];
}

/** The complete lines within the first `bytes` of a file. */
function headLines(file: string, bytes: number): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(fd, buffer, 0, bytes, 0);
    const text = buffer
      .subarray(0, read)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const lines = text.split(/\r?\n/);
    if (read === bytes) lines.pop(); // cut mid-line
    return lines.filter((l) => l.trim() !== '');
  } finally {
    fs.closeSync(fd);
  }
}

/** As loadPromptMessages, with each prompt's fields. */
export function loadPromptInputs(source: PromptFileSource, scenarioDir: string): PromptInput[] {
  const parsed = parsePromptFile(source.file, readText(source.file, scenarioDir));
  failOn(source.file, parsed.problems);
  if (source.kind === 'dataset' || parsed.format === 'jsonl') return parsed.sections.map((s) => ({ messages: s.messages, fields: s.fields ?? {} }));

  const defaults = promptDefaults(parsed);
  if (source.inputs === undefined) {
    return [{ messages: render(parsed, defaults, source.file, '; give it a value under `sample:` in the front matter, or use `inputs`'), fields: defaults }];
  }

  const { values, problems } = parseJsonLines(readText(source.inputs, scenarioDir));
  for (const { line, value } of values) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ line, column: 1, message: 'expected an object of variable values, e.g. {"question": "…"}' });
    }
  }
  failOn(source.inputs, problems);
  if (values.length === 0) failOn(source.inputs, [{ line: 1, column: 1, message: 'no input lines' }]);
  return values.map(({ line, value }) => {
    const fields = { ...defaults, ...(value as object) };
    return { messages: render(parsed, fields, `${source.inputs}:${line}`), fields };
  });
}

function render(parsed: ParsedPrompt, vars: Record<string, unknown>, where: string, hint = ''): PromptMessage[] {
  try {
    return renderPrompty(parsed, vars);
  } catch (err) {
    if (err instanceof PromptRenderError) throw new PromptFileError(`${where}: ${err.message}${hint}`);
    throw err;
  }
}

/** The text of a prompt file (./text-file: UTF-8 only); anything else a PromptFileError at file:line:col. */
function readText(file: string, dir: string): string {
  try {
    return readTextFile(file, dir);
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    // Relative names resolve against the scenario's folder: show where the file was looked for.
    const looked = err.reason === 'missing' || err.reason === 'directory' || err.reason === 'unreadable';
    throw new PromptFileError(looked ? `${err.message} (${path.resolve(dir, file)})` : err.message);
  }
}

function failOn(file: string, problems: PromptProblem[]): void {
  if (problems.length === 0) return;
  throw new PromptFileError(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
}
