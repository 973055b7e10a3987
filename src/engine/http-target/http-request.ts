// Builds each request of an HTTP target from its templates (`request:` in the scenario): the URL
// joined to the endpoint, literal headers, the body filled with the prompt, the session and the
// dataset's fields; the key (from `auth`, never from the file) in the header `auth.header` names.

import type { BuiltRequest, Credential } from '../chat-request';
import { joinUrl } from '../chat-request';
import type { ChatMessage } from '../chat-request';
import type { Target } from '../scenario/types';
import { compileResponse, type CompiledResponse } from './http-reader';
import { bodyKind, parseTemplate, renderTemplate, type Template, type TemplateValues } from './template';

/** What one request of an HTTP target is filled from. */
export interface HttpRequestInput {
  messages: ChatMessage[];
  /** The dataset line's (or prompt inputs') fields. */
  fields: Readonly<Record<string, unknown>>;
  sessionId: string | null;
  turn: number | null;
}

/** The target's templates parsed once; `build` fills them per request. */
export interface HttpRequestFactory {
  response: CompiledResponse;
  /** Whether the templates send the prompt ({{prompt}} or {{messages}}); if not, what is sent is the
   *  body as written, and that is what a prompt-token estimate must count. */
  sendsPrompt: boolean;
  build(input: HttpRequestInput): BuiltRequest;
}

export function httpRequestFactory(target: Target, baseUrl: string, credential: Credential | null): HttpRequestFactory {
  const spec = target.http;
  if (!spec) throw new Error(`target "${target.name}" is not an http target`);
  const url = parseTemplate(spec.request.url, 'url');
  const headers: [string, Template][] = Object.entries(spec.request.headers).map(([name, value]) => [name, parseTemplate(value, 'text')]);
  const body = spec.request.body !== undefined ? parseTemplate(spec.request.body, bodyKind(spec.request.body)) : null;
  const response = compileResponse(spec.response);
  const keyHeaders = httpCredentialHeaders(target, credential);
  const accept = ACCEPT[spec.response.stream];
  const used = [url, ...headers.map(([, t]) => t), ...(body ? [body] : [])].flatMap((t) => t.names);
  return {
    response,
    sendsPrompt: used.includes('prompt') || used.includes('messages'),
    build: (input) => {
      const values = templateValues(target, input);
      const path = renderTemplate(url, values);
      const out: Record<string, string> = { accept };
      if (body?.kind === 'json') out['content-type'] = 'application/json';
      else if (body) out['content-type'] = 'text/plain; charset=utf-8';
      for (const [name, template] of headers) out[name] = renderTemplate(template, values);
      Object.assign(out, keyHeaders);
      return {
        api: 'http',
        method: spec.request.method,
        url: /^https?:\/\//i.test(path) ? new URL(path) : joinPath(baseUrl, path),
        headers: out,
        body: body ? renderTemplate(body, values) : '',
        http: response,
      };
    },
  };
}

const ACCEPT: Record<string, string> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
  text: 'text/plain',
  json: 'application/json',
};

/** `{{prompt}}` is the last user message: the question a user of the app would type. */
export function templateValues(target: Target, input: HttpRequestInput): TemplateValues {
  const lastUser = [...input.messages].reverse().find((m) => m.role === 'user') ?? input.messages[input.messages.length - 1];
  return {
    ...input.fields,
    prompt: lastUser?.content ?? '',
    messages: input.messages,
    session_id: input.sessionId ?? '',
    turn: input.turn ?? 1,
    model: target.model ?? '',
  };
}

/** The key of an http target: `api-key` type in the header `auth.header` names (default api-key),
 *  bearer as `Authorization: Bearer`. */
export function httpCredentialHeaders(target: Target, credential: Credential | null): Record<string, string> {
  if (!credential) return {};
  if (credential.header === 'authorization') return { authorization: `Bearer ${credential.value}` };
  const name = target.auth.type === 'api-key' && target.auth.header ? target.auth.header : 'api-key';
  return { [name]: credential.value };
}

/** `/api/chat?x=1` on `http://host:8080/base` → `http://host:8080/base/api/chat?x=1`. */
function joinPath(baseUrl: string, pathAndQuery: string): URL {
  const q = pathAndQuery.indexOf('?');
  const pathPart = (q === -1 ? pathAndQuery : pathAndQuery.slice(0, q)).replace(/^\/+/, '');
  const url = joinUrl(baseUrl, pathPart);
  if (q !== -1) {
    for (const [name, value] of new URLSearchParams(pathAndQuery.slice(q + 1))) url.searchParams.append(name, value);
  }
  return url;
}
