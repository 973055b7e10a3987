// An http target's request templates as JMeter strings (src/export/jmeter.ts puts them in the plan).
// JMeter fills `${name}` references when it sends; the engine's `{{placeholder}}` rules
// (src/engine/http-target/template.ts) are applied here, at export, wherever the value is known:
//   - a prompt's values ({{prompt}}, {{messages}}, dataset fields) go into prompts-<target>.csv, one
//     column per placeholder and form (a JSON literal, text escaped for a JSON string, plain text, or
//     percent-encoded for the URL), read by a CSV Data Set;
//   - {{session_id}} and {{turn}} are counters the plan keeps (a session per thread-group iteration,
//     a turn per iteration of the session's loop);
//   - {{model}} is written in.
// JMeter's own syntax in the literal text (`\` and `$`) is escaped, so a body cannot call a function.

import { parseTemplate, type TemplateKind } from '../engine/http-target/template';
import type { HttpInput, TargetPlan } from './plan';

/** How a placeholder is filled where it stands (template.ts fill()). */
type Form = 'lit' | 'str' | 'text' | 'url';

type Segment = { text: string } | { ref: string };

export interface JmeterHttpRequest {
  /** Path and query of the URL (JMeter's HTTPSampler.path). */
  path: string;
  /** The raw body, or null. */
  body: string | null;
  /** The request's headers (the key is the plan's). */
  headers: [string, string][];
  /** CSV Data Set variable names, in column order; empty: no data set is needed. */
  columns: string[];
  /** The data set's text (tab-separated, every field quoted), or null. */
  csv: string | null;
}

export interface SessionVariables {
  /** The session counter's variable, or null without sessions ({{session_id}} is then ''). */
  session: string | null;
  /** The turn counter's variable, or null without sessions ({{turn}} is then 1). */
  turn: string | null;
  /** Azure Load Testing engines: with more than one, session ids carry the engine's host name. */
  engines: number;
}

export function sessionVariables(t: TargetPlan, sessions: boolean, engines: number): SessionVariables {
  return { session: sessions ? `session_${t.slug}` : null, turn: sessions ? `turn_${t.slug}` : null, engines };
}

export function jmeterHttpRequest(t: TargetPlan, vars: SessionVariables): JmeterHttpRequest {
  const http = t.http!;
  const columns = new Map<string, { name: string; form: Form }>();
  const fill = (name: string, form: Form): Segment[] => {
    if (name === 'model') return [{ text: filled(form, http.model) }];
    if (name === 'turn') return vars.turn ? [{ ref: vars.turn }] : [{ text: filled(form, 1) }];
    if (name === 'session_id') {
      if (!vars.session) return [{ text: filled(form, '') }];
      // `<target>-s<n>` as the engine names sessions (target-runner.ts), unique per engine instance.
      const head: Segment[] = [{ text: filled(form === 'lit' ? 'str' : form, `${t.name}-`) }];
      if (vars.engines > 1) head.push({ ref: '__machineName()' }, { text: '-' });
      const quote: Segment[] = form === 'lit' ? [{ text: '"' }] : [];
      return [...quote, ...head, { text: 's' }, { ref: vars.session }, ...quote];
    }
    const column = `${t.slug}_${name.replace(/\W/g, '_')}_${form}`;
    columns.set(column, { name, form });
    return [{ ref: column }];
  };
  const convert = (source: string, kind: TemplateKind): string => {
    const segments: Segment[] = [];
    for (const part of parseTemplate(source, kind).parts) {
      if ('name' in part) segments.push(...fill(part.name, formOf(kind, part.inString)));
      else segments.push({ text: part.text });
    }
    return jmeterString(segments);
  };
  const path = convert(t.path, 'url');
  const body = http.body === null ? null : convert(http.body, http.body_kind);
  const headers = Object.entries(t.headers).map(([name, value]): [string, string] => [name, convert(value, 'text')]);
  const names = [...columns.keys()];
  const csv =
    names.length === 0
      ? null
      : http.inputs.map((input) => names.map((c) => quoted(filled(columns.get(c)!.form, valueOf(columns.get(c)!.name, input)))).join('\t')).join('\n') + '\n';
  return { path, body, headers, columns: names, csv };
}

function formOf(kind: TemplateKind, inString: boolean): Form {
  if (kind === 'url') return 'url';
  if (kind === 'text') return 'text';
  return inString ? 'str' : 'lit';
}

/** A prompt's value for a placeholder: the built-ins over the dataset's fields (http-request.ts templateValues). */
function valueOf(name: string, input: HttpInput): unknown {
  if (name === 'messages') return input.messages;
  if (name === 'prompt') {
    const m = input.messages;
    const lastUser = [...m].reverse().find((x) => x.role === 'user') ?? m[m.length - 1];
    return lastUser?.content ?? '';
  }
  return input.fields[name];
}

/** template.ts fill(): the text a value takes in each form (undefined: '' as text, null as JSON). */
export function filled(form: Form, value: unknown): string {
  const asText = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  if (form === 'url') return encodeURIComponent(asText);
  if (form === 'text') return asText;
  if (form === 'str') return JSON.stringify(asText).slice(1, -1);
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** JMeter keeps a string as written unless it holds a `${…}`; then its function parser
 *  (FunctionParser.compileString) reads `\\` as `\` and `\$` as `$`: literal text is escaped only then. */
function jmeterString(segments: Segment[]): string {
  if (!segments.some((s) => 'ref' in s)) return segments.map((s) => (s as { text: string }).text).join('');
  return segments.map((s) => ('ref' in s ? `\${${s.ref}}` : s.text.replace(/[\\$]/g, (c) => `\\${c}`))).join('');
}

/** A CSV field JMeter reads with quoted data on: quotes doubled; tabs and line breaks kept. */
function quoted(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
