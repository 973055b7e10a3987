// One request of a parsed `.http` file → what perflab sends: `{{var}}` file variables substituted,
// credentials turned into the target's `auth:` (a reference to an environment variable, never a
// value), and every literal secret left out — reported, never copied.
//
// System variables are never resolved into text: `{{$processEnv NAME}}` / `{{$dotenv NAME}}` only
// become `auth: { env: NAME }` when they are a whole credential header (`Authorization: Bearer …`, or
// a key header such as `x-api-key: …`); anywhere else they, and every other `{{$…}}`, are an error.
// `{{prompt}}`, `{{messages}}`, `{{session_id}}`, `{{turn}}` and `{{model}}` that are not file
// variables are kept for perflab to fill per request (src/engine/http-target/template.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILT_IN_PLACEHOLDERS } from '../engine/http-target/template';
import type { TargetAuth } from '../engine/scenario/types';
import { requestLabel, type HttpRequestBlock, type Located, type ParsedHttpFile } from './parse';

/** A problem with a position in the `.http` file; the caller names the file. */
export class HttpFileProblemError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

export interface ResolvedRequest {
  block: HttpRequestBlock;
  label: string;
  method: string;
  /** Absolute http(s) URL; placeholders perflab fills may remain. */
  url: string;
  /** Headers kept (no secret among them), in file order. */
  headers: [string, string][];
  body?: string;
  auth: TargetAuth;
  /** Where `auth` came from (`Authorization: Bearer {{$processEnv APP_TOKEN}}`), for a comment. */
  authFrom?: string;
  /** What was left out and why: said in the scenario's comments and in the CLI's or editor's message. */
  dropped: string[];
  /** Other things worth saying (a `$dotenv` variable read from the environment). */
  notes: string[];
}

/** Methods a perflab HTTP target can send (src/engine/scenario/schema.ts). */
const SENDABLE_METHODS = ['POST', 'PUT', 'PATCH', 'GET'];

/** Header names whose literal value is a secret: never copied into a scenario. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    ['authorization', 'proxy-authorization', 'cookie', 'api-key', 'x-api-key', 'ocp-apim-subscription-key'].includes(n) ||
    /token|secret|password|api-?key|apikey/.test(n)
  );
}

/** Query parameters whose value is a secret (a key in the URL, an Azure Functions `code`). */
function isSecretQueryParameter(name: string): boolean {
  const n = name.toLowerCase();
  return ['key', 'code', 'sig', 'apikey', 'api_key', 'api-key', 'subscription-key', 'access_token'].includes(n) || /token|secret|password/.test(n);
}

/** Headers the HTTP client sets itself. */
const CLIENT_HEADERS = ['content-length', 'host', 'connection', 'transfer-encoding'];

const PLACEHOLDER = /\{\{(.*?)\}\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `{{$processEnv NAME}}` / `{{$dotenv NAME}}`, as kept in substituted text. */
const ENV_REFERENCE = /\{\{\s*\$(processEnv|dotenv)\s+(\S*)\s*\}\}/;

interface Substituted {
  text: string;
  /** Where each system variable kept in `text` was written (the use site). */
  systemAt: { line: number; col: number }[];
}

export function resolveRequest(parsed: ParsedHttpFile, block: HttpRequestBlock, httpFile: string): ResolvedRequest {
  const first = block.problems[0];
  if (first) throw new HttpFileProblemError(first.message, first.line, first.col);
  const vars = new Variables(parsed);
  const dropped: string[] = [];
  const notes: string[] = [];

  if (!SENDABLE_METHODS.includes(block.method))
    throw new HttpFileProblemError(
      `${block.method} requests cannot be load-tested here: an HTTP target sends ${SENDABLE_METHODS.join(', ')}`,
      block.line,
      block.col,
    );

  // URL: no system variable may end up in it (the scenario could not carry it).
  const urlParts = block.url.map((u) => vars.substitute(u));
  const urlSystem = urlParts.flatMap((p) => p.systemAt)[0];
  if (urlSystem)
    throw new HttpFileProblemError('an environment variable cannot go into the URL of a scenario; write the URL out', urlSystem.line, urlSystem.col);
  let url = urlParts.map((p) => p.text).join('');

  const headers: [string, string][] = [];
  let auth: TargetAuth = { type: 'none' };
  let authFrom: string | undefined;
  let authLine = 0;
  for (const h of block.headers) {
    const value = vars.substitute(h.value);
    const lower = h.name.toLowerCase();
    if (value.systemAt.length > 0) {
      const credential = credentialOf(h.name, value.text);
      const at = value.systemAt[0];
      if (!credential) throw new HttpFileProblemError(`header ${h.name}: ${whyNoCredential(lower)}`, at.line, at.col);
      if (authLine > 0)
        throw new HttpFileProblemError(`header ${h.name}: a target takes one credential, and line ${authLine} already gives one`, h.line, h.col);
      if (!ENV_NAME.test(credential.env))
        throw new HttpFileProblemError(`"${credential.env}" is not an environment variable name (letters, digits and _)`, at.line, at.col);
      auth = credential.auth;
      authFrom = `${h.name}: ${value.text}`;
      authLine = h.line;
      if (credential.dotenv) notes.push(`$dotenv ${credential.env}: perflab reads ${credential.env} from the environment, not from a .env file`);
      continue;
    }
    if (isSecretHeader(h.name)) {
      dropped.push(`header ${h.name} (line ${h.line}): it holds a secret, and a scenario never does (a key goes in auth:)`);
      continue;
    }
    if (CLIENT_HEADERS.includes(lower)) {
      // REST Client's relative request line with a Host header: the URL's origin comes from it.
      if (lower === 'host' && url.startsWith('/')) {
        const port = value.text.split(':')[1];
        url = `${port === '443' || port === '8443' ? 'https' : 'http'}://${value.text}${url}`;
      }
      dropped.push(`header ${h.name} (line ${h.line}): the HTTP client sets it`);
      continue;
    }
    headers.push([h.name, value.text]);
  }

  let body: string | undefined;
  if (block.body) {
    const text = bodyText(block.body, httpFile, vars);
    const at = text.systemAt[0];
    if (at) throw new HttpFileProblemError('an environment variable cannot go into the body of a scenario; write the value out', at.line, at.col);
    body = text.text;
    if (block.method === 'GET') throw new HttpFileProblemError('a GET request with a body cannot be load-tested; use POST', block.body[0].line, 1);
  }

  url = absoluteUrl(url, block.url[0]);
  url = withoutSecretParameters(url, dropped);
  return { block, label: requestLabel(block), method: block.method, url, headers, body, auth, authFrom, dropped, notes };
}

/** A credential header whose value is an environment variable → the target's auth. */
function credentialOf(name: string, value: string): { auth: TargetAuth; env: string; dotenv: boolean } | undefined {
  const lower = name.toLowerCase();
  if (lower === 'authorization') {
    const m = new RegExp(`^Bearer\\s+${ENV_REFERENCE.source}\\s*$`, 'i').exec(value);
    return m ? { auth: { type: 'bearer', env: m[2] }, env: m[2], dotenv: m[1] === 'dotenv' } : undefined;
  }
  if (!isSecretHeader(name) || lower === 'cookie' || lower === 'proxy-authorization') return undefined;
  const m = new RegExp(`^${ENV_REFERENCE.source}$`).exec(value.trim());
  return m ? { auth: { type: 'api-key', header: lower, env: m[2] }, env: m[2], dotenv: m[1] === 'dotenv' } : undefined;
}

/** Why a header holding an environment variable cannot become the target's key. */
function whyNoCredential(lower: string): string {
  if (lower === 'authorization') return `an environment variable becomes the target's key only as "Authorization: Bearer {{$processEnv NAME}}"`;
  if (lower === 'cookie' || lower === 'proxy-authorization')
    return `it cannot carry the target's key: use "Authorization: Bearer {{$processEnv NAME}}" or a key header such as "x-api-key: {{$processEnv NAME}}"`;
  if (isSecretHeader(lower)) return `an environment variable becomes the target's key only as the whole value: "${lower}: {{$processEnv NAME}}"`;
  return 'environment variables are read only for a key or token header (Authorization: Bearer …, api-key, x-api-key); write this value out';
}

/** The body's text: its lines, or the file a `< path` line names (`<@ path`: with variables). */
function bodyText(lines: Located[], httpFile: string, vars: Variables): Substituted {
  const fileLine = /^<(@)?(?:\w+)?\s+(.+?)\s*$/.exec(lines[0].text);
  if (lines.length === 1 && fileLine) {
    const file = path.resolve(path.dirname(httpFile), fileLine[2]);
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new HttpFileProblemError(
        `cannot read the body file ${fileLine[2]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        lines[0].line,
        1,
      );
    }
    // Positions inside that file are not this file's: problems point at the `<@` line.
    if (fileLine[1]) return vars.substitute({ text: content, line: lines[0].line, col: 1 }, true);
    // Sent as it is, a `{{name}}` in it would be read as one of perflab's placeholders.
    for (const m of content.matchAll(PLACEHOLDER))
      if (!(BUILT_IN_PLACEHOLDERS as readonly string[]).includes(m[1].trim()))
        throw new HttpFileProblemError(
          `the body file ${fileLine[2]} holds ${m[0]}, which is sent as it is with "<" (use "<@" to fill in file variables)`,
          lines[0].line,
          1,
        );
    return { text: content, systemAt: [] };
  }
  const parts = lines.map((l) => vars.substitute(l));
  return { text: parts.map((p) => p.text).join('\n'), systemAt: parts.flatMap((p) => p.systemAt) };
}

/** REST Client sends `example.com/x` as http://example.com/x; a URL must name its origin. */
function absoluteUrl(url: string, at: Located): string {
  const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : url.startsWith('/') ? url : `http://${url}`;
  if (full.startsWith('/')) throw new HttpFileProblemError('a relative URL needs a Host header (or write the whole URL: http://host/path)', at.line, at.col);
  let parsed: URL;
  try {
    // Placeholders perflab fills are not part of the origin; check the URL with them filled.
    parsed = new URL(full.replace(PLACEHOLDER, 'x'));
  } catch {
    throw new HttpFileProblemError(`"${full}" is not a valid URL`, at.line, at.col);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new HttpFileProblemError(`only http:// and https:// URLs can be load-tested (got ${parsed.protocol})`, at.line, at.col);
  return full.replace(/#.*$/, '');
}

/** Drops query parameters that carry a secret (kept as written otherwise). */
function withoutSecretParameters(url: string, dropped: string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((pair) => {
      const name = safeDecode(pair.split('=')[0]);
      if (!isSecretQueryParameter(name) || !pair.includes('=')) return true;
      dropped.push(`query parameter ${name} of the URL: it holds a secret, and a scenario never does`);
      return false;
    });
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** File variables, each resolved once (values may use other variables; a cycle is an error). */
class Variables {
  private readonly resolved = new Map<string, Substituted>();
  private readonly resolving = new Set<string>();

  constructor(private readonly parsed: ParsedHttpFile) {}

  /** `{{name}}` → its value; system variables and perflab's own placeholders are kept as written.
   *  `indirect`: the text comes from another file, so every position is `at`'s. */
  substitute(at: Located, indirect = false): Substituted {
    const systemAt: { line: number; col: number }[] = [];
    const positionOf = (offset: number) => {
      if (indirect) return { line: at.line, col: at.col };
      const before = at.text.slice(0, offset);
      const newlines = before.split('\n').length - 1;
      return newlines === 0 ? { line: at.line, col: at.col + offset } : { line: at.line + newlines, col: offset - before.lastIndexOf('\n') };
    };
    const text = at.text.replace(PLACEHOLDER, (whole, inner: string, offset: number) => {
      const name = inner.trim();
      const pos = positionOf(offset);
      if (name.startsWith('$')) {
        if (!/^\$(processEnv|dotenv)\s/.test(name))
          throw new HttpFileProblemError(
            `{{${name}}}: REST Client's system variables are not filled in by perflab; only {{$processEnv NAME}} (or $dotenv) as a key header's value is read`,
            pos.line,
            pos.col,
          );
        systemAt.push(pos);
        return whole;
      }
      const variable = this.parsed.variables.get(name);
      if (variable) {
        const value = this.value(name, pos);
        if (value.systemAt.length > 0) systemAt.push(pos);
        return value.text;
      }
      if ((BUILT_IN_PLACEHOLDERS as readonly string[]).includes(name)) return `{{${name}}}`;
      throw new HttpFileProblemError(
        name.includes('.')
          ? `{{${name}}}: a request variable (another request's response) cannot be filled in a load test; write the value out or define @${name.split('.')[0]}…`
          : `{{${name}}} is not a file variable of this file (define it with "@${name} = value"; REST Client's environments from settings are not read)`,
        pos.line,
        pos.col,
      );
    });
    return { text, systemAt };
  }

  private value(name: string, usedAt: { line: number; col: number }): Substituted {
    const done = this.resolved.get(name);
    if (done) return done;
    const variable = this.parsed.variables.get(name)!;
    if (this.resolving.has(name))
      throw new HttpFileProblemError(`file variable @${name} refers to itself (through ${[...this.resolving].join(' → ')})`, usedAt.line, usedAt.col);
    this.resolving.add(name);
    const value = this.substitute(variable.value);
    this.resolving.delete(name);
    this.resolved.set(name, value);
    return value;
  }
}
