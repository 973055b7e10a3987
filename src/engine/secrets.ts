// Keeping keys where they belong: a key that cannot be sent is refused before anything is sent, and
// no configured secret ever reaches requests.jsonl, summary.json or a message (an error body may echo
// the key it was given; an endpoint URL may carry a password).

import type { Provider, Scenario, Target } from './scenario/types';

const REDACTED = '[redacted]';

/** The environment variable that holds a provider's key when a target names none (`auth.env`): the
 *  variables OpenAI's and Azure OpenAI's own SDKs read. Compatible servers often need no key. */
export function defaultKeyEnv(provider: Provider | undefined): string | undefined {
  if (provider === 'azure') return 'AZURE_OPENAI_API_KEY';
  if (provider === 'openai') return 'OPENAI_API_KEY';
  return undefined;
}

/** Why a key cannot go into an HTTP header, or null when it can. Names the position and the kind of
 *  character, never the key itself. Keys are printable ASCII (Azure's hex keys, `sk-…`, JWTs). */
export function credentialProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x21 && code <= 0x7e) continue;
    const where = i === value.length - 1 ? 'at its end' : i === 0 ? 'at its start' : `at position ${i + 1} of ${value.length}`;
    return `contains ${describeChar(code)} ${where}; a key is printable ASCII without spaces (check the variable for a stray newline or a pasted quote)`;
  }
  return null;
}

function describeChar(code: number): string {
  if (code === 0x0d) return 'a carriage return (\\r)';
  if (code === 0x0a) return 'a line feed (\\n)';
  if (code === 0x09) return 'a tab';
  if (code === 0x20) return 'a space';
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `a non-ASCII character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** A function that replaces every given secret in a text. Secrets shorter than 8 characters are
 *  ignored: replacing a common short string would garble messages and protect nothing. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const words = [...new Set(secrets.filter((s) => s.length >= 8))];
  if (words.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const word of words) if (out.includes(word)) out = out.split(word).join(REDACTED);
    return out;
  };
}

/** `https://user:pass@host/` → `https://[redacted]@host/`; other strings unchanged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, `$1${REDACTED}@`);
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, `$1${REDACTED}@`);
  }
}

/** An endpoint as stored and shown: no user information, and no query values (an Azure Functions
 *  `?code=` or an APIM `subscription-key` is a key). */
export function redactEndpoint(url: string): string {
  const withoutUser = redactUrl(url);
  const q = withoutUser.indexOf('?');
  if (q === -1) return withoutUser;
  const params = new URLSearchParams(withoutUser.slice(q + 1).split('#')[0]);
  const names = [...params.keys()].map((name) => `${encodeURIComponent(name)}=${REDACTED}`);
  return `${withoutUser.slice(0, q)}?${names.join('&')}`;
}

/** The scenario as stored in summary.json: endpoints and metrics URLs redacted (the validator refuses
 *  user information; query strings are allowed and may hold a key). */
export function redactScenario(scenario: Scenario): Scenario {
  const metricsUrl = (t: Target) => (t.server_metrics?.prometheus && t.server_metrics.prometheus !== 'endpoint' ? t.server_metrics.prometheus : null);
  const requestUrl = (t: Target) => t.http?.request.url ?? null;
  const changes = (t: Target) =>
    redactEndpoint(t.endpoint) !== t.endpoint ||
    (metricsUrl(t) !== null && redactEndpoint(metricsUrl(t)!) !== metricsUrl(t)) ||
    (requestUrl(t) !== null && redactEndpoint(requestUrl(t)!) !== requestUrl(t));
  if (!scenario.targets.some(changes)) return scenario;
  return {
    ...scenario,
    targets: scenario.targets.map((t) => {
      const url = metricsUrl(t);
      const http = t.http && { ...t.http, request: { ...t.http.request, url: redactEndpoint(t.http.request.url) } };
      return {
        ...t,
        endpoint: redactEndpoint(t.endpoint),
        ...(url !== null && { server_metrics: { ...t.server_metrics!, prometheus: redactEndpoint(url) } }),
        ...(http && { http }),
      };
    }),
  };
}
