// `provider: http` targets: the `request:` and `response:` blocks, normalized and checked here so a
// bad template or path is a `file:line:col` problem in the editor and the CLI before anything is
// sent. The engine renders and reads them (src/engine/http-target/).

import { parseDoneCondition, parsePath, PathSyntaxError } from '../http-target/json-path';
import {
  BUILT_IN_PLACEHOLDERS,
  bodyKind,
  parseTemplate,
  renderWithMap,
  TemplateError,
  unknownPlaceholder,
  type Template,
  type TemplateKind,
} from '../http-target/template';
import type { PathSegment } from './locate';
import type { Report } from './normalize';
import { obj, str, type Obj } from './raw-values';
import { HTTP_STREAM_KINDS, type HttpStreamKind, type HttpTargetSpec } from './types';

/** Header names that carry credentials: a literal value there would put a secret in the file. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|api-key|x-api-key|ocp-apim-subscription-key|cookie)$|token|secret|password|key$/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

/** The endpoint of an http target: as given, or the origin of an absolute `request.url`. */
export function httpEndpoint(t: Obj): string | undefined {
  const given = str(t.endpoint);
  if (given !== undefined) return given;
  const url = str(obj(t.request).url);
  if (url === undefined || !/^https?:\/\//i.test(url)) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function httpTargetSpec(t: Obj, at: PathSegment[], report: Report): HttpTargetSpec {
  const r = obj(t.request);
  const rs = obj(t.response);
  if (t.request === undefined) report([...at, 'request'], 'key', 'is required for provider http (method, url, headers and body of one call of your app)');
  if (t.response === undefined) report([...at, 'response'], 'key', 'is required for provider http (stream: sse, ndjson, text or json, and text_path)');

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(obj(r.headers))) {
    if (isCredentialHeader(name)) {
      report(
        [...at, 'request', 'headers', name],
        'key',
        `looks like a credential: a key never goes into the scenario file; use auth: { type: api-key, header: ${name}, env: VARIABLE } (or type: bearer for Authorization)`,
      );
    }
    if (value !== null && value !== undefined && typeof value !== 'object') headers[name.toLowerCase()] = String(value);
  }
  const stream = (HTTP_STREAM_KINDS as readonly string[]).includes(str(rs.stream) ?? '') ? (str(rs.stream) as HttpStreamKind) : 'sse';
  const textPath = str(rs.text_path);
  if (textPath === undefined && (stream === 'ndjson' || stream === 'json') && t.response !== undefined) {
    report([...at, 'response', 'text_path'], 'key', `is required with stream: ${stream} (where the text is, e.g. delta.text or answer)`);
  }
  if (textPath !== undefined && stream === 'text')
    report([...at, 'response', 'text_path'], 'key', 'does not apply to stream: text (every piece received is text)');
  for (const key of ['text_path', 'usage_path'] as const) {
    const text = str(rs[key]);
    if (text === undefined) continue;
    try {
      parsePath(text);
    } catch (err) {
      if (!(err instanceof PathSyntaxError)) throw err;
      report([...at, 'response', key], { textOffset: err.index }, `${err.message} (a path is keys and [n] indexes, e.g. choices[0].delta.content)`);
    }
  }
  const doneWhen = str(rs.done_when);
  if (doneWhen !== undefined) {
    try {
      parseDoneCondition(doneWhen);
    } catch (err) {
      if (!(err instanceof PathSyntaxError)) throw err;
      report([...at, 'response', 'done_when'], 'value', `${err.message} (e.g. done == true, or type == "end")`);
    }
  }
  const method = (str(r.method) ?? 'POST').toUpperCase();
  const body = str(r.body);
  if (method === 'GET' && body !== undefined) report([...at, 'request', 'body'], 'key', 'a GET request has no body (use POST)');
  return {
    request: { method, url: str(r.url) ?? '', headers, ...(body !== undefined && { body }) },
    response: {
      stream,
      ...(textPath !== undefined && { text_path: textPath }),
      ...(doneWhen !== undefined && { done_when: doneWhen }),
      ...(str(rs.usage_path) !== undefined && { usage_path: str(rs.usage_path) }),
    },
  };
}

/** Every template of an http target, where it is in the file and how it is filled. */
export function httpTemplates(spec: HttpTargetSpec, at: PathSegment[]): { path: PathSegment[]; source: string; kind: TemplateKind }[] {
  const r = spec.request;
  return [
    { path: [...at, 'request', 'url'], source: r.url, kind: 'url' as const },
    ...Object.entries(r.headers).map(([name, value]) => ({ path: [...at, 'request', 'headers', name], source: value, kind: 'text' as const })),
    ...(r.body !== undefined ? [{ path: [...at, 'request', 'body'], source: r.body, kind: bodyKind(r.body) }] : []),
  ];
}

/** Parses the target's templates and reports syntax errors and names that no prompt provides.
 *  `fields`: the dataset's (or inputs') field names, or null when they are not known (files not read). */
export function checkHttpTemplates(spec: HttpTargetSpec, at: PathSegment[], fields: readonly string[] | null, report: Report): void {
  const allowed = new Set<string>([...BUILT_IN_PLACEHOLDERS, ...(fields ?? [])]);
  for (const { path, source, kind } of httpTemplates(spec, at)) {
    let template: Template;
    try {
      template = parseTemplate(source, kind);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      report(path, { textOffset: err.offset }, err.message);
      continue;
    }
    const unknown = fields === null ? null : unknownPlaceholder(template, allowed);
    if (unknown && fields !== null) {
      const from = fields.length > 0 ? ` or a field of the prompts (${fields.join(', ')})` : '';
      report(
        path,
        { textOffset: unknown.offset },
        `unknown placeholder {{${unknown.name}}}: use ${BUILT_IN_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}${from}`,
      );
    }
    if (kind === 'json') checkJsonBody(template, path, report);
  }
}

/** A JSON body must still be JSON once filled: filled with sample values, parsed, and an error
 *  pointed back at the template's text. */
function checkJsonBody(template: Template, path: PathSegment[], report: Report): void {
  const sample: Record<string, unknown> = new Proxy(
    {},
    { get: (_t, name) => (name === 'turn' ? 1 : name === 'messages' ? [{ role: 'user', content: 'x' }] : 'x') },
  );
  const filled = renderWithMap(template, sample);
  try {
    JSON.parse(filled.text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const offset = position ? filled.templateOffset(Number(position[1])) : 0;
    report(
      path,
      { textOffset: offset },
      `the body is not valid JSON once its placeholders are filled: ${message.replace(/\s*in JSON at position \d+.*$/, '')}`,
    );
  }
}
