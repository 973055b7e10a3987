// What a distributed load engine (Locust, JMeter) needs to reproduce a scenario: for each target the
// exact URL, headers and request bodies our engine would send (built by the engine's own request
// builders, prompts counted to the token by our tokenizer), and the workload as users, rates, ramp and
// run time. The generators in this folder only format this plan; every decision is made here once.
// `provider: http` targets (an app rather than a model) carry their request template, response spec and
// prompt inputs instead of ready bodies: placeholders such as {{session_id}} and {{turn}} are only
// known while the load runs, so the load engine fills them in (src/engine/http-target/template.ts's rules).

import * as path from 'node:path';
import { chatCompletionsUrl, chatRequestBody, usesDeploymentRoute, type ChatMessage } from '../engine/chat-request';
import { responsesRequestBody, responsesUrl } from '../engine/responses-request';
import { bodyKind, parseTemplate, TemplateError } from '../engine/http-target/template';
import { apiOf, type Api, type HttpStreamKind, type Scenario, type Target } from '../engine/scenario/types';
import { countChatTokens, encodingForModel, lookupModel, syntheticChat, type Encoding } from '../tokens';
import { loadPromptInputs, loadPromptMessages } from '../tokens/prompt-files';
import { defaultKeyEnv } from '../engine/secrets';

/** Stands for the random anti-cache prefix in exported prompts: twelve digits, always 4 tokens (digits
 *  group by three in both encodings), so any twelve digits put in its place keep the count exact.
 *  The same shape as the engine's randomCachePrefix(). */
export const PREFIX_PLACEHOLDER = '000000000000';
export const PREFIX_DIGITS = PREFIX_PLACEHOLDER.length;
/** The base URL assumed for `endpoint: simulator` targets: `perflab simulate`'s default port. */
export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8089';
/** `auth: entra` cannot sign in from a load engine: a token from this variable is sent as Bearer. */
export const ENTRA_TOKEN_ENV = 'AZURE_OPENAI_AD_TOKEN';

export interface PromptLine {
  /** The JSON request body, exactly as the engine builds it for this target. */
  body: Record<string, unknown>;
  /** Prompt tokens the server will count (usage.prompt_tokens), with the prefix when there is one. */
  prompt_tokens: number;
  /** Where the anti-cache prefix sits: the path of a string in `body` whose first 12 characters are
   *  PREFIX_PLACEHOLDER, to be replaced by 12 random digits per request. Null: send as it is. */
  prefix_at: (string | number)[] | null;
}

export interface KeyPlan {
  /** Environment variable holding the key or token (never its value). */
  env: string;
  /** Header it goes in (lower case), and what precedes it there. */
  header: string;
  scheme: '' | 'Bearer ';
  /** Compatible servers without an explicit `auth.env` run without a key when the variable is unset. */
  required: boolean;
}

/** One prompt of an http target: what its placeholders are filled with. */
export interface HttpInput {
  /** The chat messages ({{messages}}; {{prompt}} is the last user message's text). */
  messages: ChatMessage[];
  /** Their tokens by the target's tokenizer (the count the engine makes without usage). */
  prompt_tokens: number;
  /** A dataset line's other top-level fields, or a prompt file's input values. */
  fields: Record<string, unknown>;
}

/** `provider: http`: one call of the app, as templates, and how to read its answer. */
export interface HttpPlan {
  method: string;
  /** The absolute URL template (the endpoint joined with request.url); placeholders are filled
   *  percent-encoded. */
  url: string;
  /** The body template as written; null: no body. */
  body: string | null;
  /** `json`: placeholders are filled as JSON wants them (in or out of a string literal). */
  body_kind: 'json' | 'text';
  response: { stream: HttpStreamKind; text_path: string | null; done_when: string | null; usage_path: string | null };
  /** Placeholder names the URL, headers and body use, in order of first use. */
  placeholders: string[];
  /** `{{model}}`: the target's model, or ''. */
  model: string;
  inputs: HttpInput[];
}

export interface TargetPlan {
  name: string;
  /** Safe in file and class names. */
  slug: string;
  /** How the target is called: a model API, or an app's own route (`provider: http`). */
  api: Api | 'http';
  /** http targets: the URL template with its placeholders percent-encoded (for its origin only). */
  url: URL;
  /** scheme://host[:port] */
  origin: string;
  /** Path and query (`/openai/deployments/d/chat/completions?api-version=…`); http targets: the
   *  template, placeholders as written. */
  path: string;
  /** Headers besides the key; http targets: the literal headers of the request (templates). */
  headers: Record<string, string>;
  key: KeyPlan | null;
  /** Model targets: the bodies to send. Empty for http targets (see `http.inputs`). */
  prompts: PromptLine[];
  http: HttpPlan | null;
  model: string | undefined;
  encoding: Encoding;
}

/** `workload.sessions`: each virtual user runs `interactions` requests in turn. */
export interface SessionPlan {
  interactions: number;
  think_time_s: number;
  /** 0..1: each think time is uniform in think_time × (1 ± jitter). */
  think_time_jitter: number;
  carry_history: boolean;
  /** Open loop: sessions started per minute per target (rate ÷ interactions); closed loop: null. */
  rate_per_min: number | null;
}

export interface LoadPlan {
  mode: 'open' | 'closed';
  /** Open loop: requests per minute per target. */
  rate_rpm: number | null;
  arrival: 'constant' | 'poisson';
  /** Virtual users per target: the clients cap (open) or the clients (closed). */
  users: number;
  /** Users started per second (ramp-up); all within ~0.1 s without ramp-up. */
  spawn_rate: number;
  ramp_up_s: number;
  /** How long the load runs; null when only a request count stops it (closed loop). */
  run_time_s: number | null;
  /** Each user stops after this many requests (a scenario with `requests` in closed loop). */
  requests_per_user: number | null;
  requests: number | null;
  think_time_s: number;
  /** Each user's first N requests are sent but not reported (about warm_up_requests in total). */
  warm_up_per_user: number;
  /** drain: in-flight requests may finish for this long after the end; abort: 0. */
  stop_timeout_s: number;
  retry: { policy: 'none' | 'exponential'; max_retry_s: number };
  timeouts: { request_s: number; idle_s: number };
  /** Null: every request stands alone. With sessions, `rate_rpm` is still the request rate and
   *  `think_time_s` (closed loop) the pause between one session and the user's next. */
  sessions: SessionPlan | null;
}

export interface ExportPlan {
  scenario: string;
  /** Scenario file name, for comments. */
  source: string;
  targets: TargetPlan[];
  load: LoadPlan;
  prevent_server_caching: boolean;
  warnings: string[];
}

export interface PlanOptions {
  /** Only this target (by name). */
  target?: string;
  /** Base URL for every target (e.g. a `perflab simulate` address for `endpoint: simulator`). */
  endpoint?: string;
}

export class ExportError extends Error {}

export function buildExportPlan(scenario: Scenario, options: PlanOptions = {}): ExportPlan {
  const warnings: string[] = [];
  let targets = scenario.targets;
  if (options.target !== undefined) {
    targets = targets.filter((t) => t.name === options.target);
    if (targets.length === 0) {
      throw new ExportError(`no target named "${options.target}" (targets: ${scenario.targets.map((t) => t.name).join(', ')})`);
    }
  } else if (scenario.target_mode === 'sequential' && targets.length > 1) {
    throw new ExportError(
      `targets run one after another in this scenario (target_mode: sequential); a load engine runs them at the same time: export one with --target (${targets.map((t) => t.name).join(', ')})`,
    );
  }
  const slugs = new Set<string>();
  const plans = targets.map((t) => {
    const plan = targetPlan(scenario, t, options.endpoint, warnings);
    let slug = plan.slug;
    for (let i = 2; slugs.has(slug); i++) slug = `${plan.slug}_${i}`;
    slugs.add(slug);
    plan.slug = slug;
    return plan;
  });
  return {
    scenario: scenario.name,
    source: scenario.file ? path.basename(scenario.file) : `${scenario.name}.perf.yaml`,
    targets: plans,
    load: loadPlan(scenario, warnings),
    prevent_server_caching: scenario.prevent_server_caching,
    warnings,
  };
}

export function slugOf(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s === '' ? 'target' : /^[0-9]/.test(s) ? `t_${s}` : s;
}

function targetPlan(scenario: Scenario, target: Target, endpoint: string | undefined, warnings: string[]): TargetPlan {
  if (target.provider === 'http') return httpTargetPlan(scenario, target, endpoint, warnings);
  const base = baseUrl(target, endpoint, warnings);
  const api = apiOf(target);
  const url = api === 'responses' ? responsesUrl(target, base) : chatCompletionsUrl(target, base);
  const model = target.model ?? target.deployment;
  const encoding = lookupModel(model ?? '')?.encoding ?? encodingForModel(model ?? '');
  return {
    name: target.name,
    slug: slugOf(target.name),
    api,
    url,
    origin: url.origin,
    path: url.pathname + url.search,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    key: keyPlan(target, warnings),
    prompts: promptLines(scenario, target, encoding),
    http: null,
    model,
    encoding,
  };
}

/** The target's base URL: --endpoint, else its own; `simulator` is `perflab simulate`'s address. */
function baseUrl(target: Target, endpoint: string | undefined, warnings: string[]): string {
  let base = endpoint ?? target.endpoint;
  if (base === 'simulator') {
    base = DEFAULT_SIMULATOR_URL;
    warnings.push(
      `target "${target.name}" uses the in-process simulator; the export points at ${DEFAULT_SIMULATOR_URL} (start it with \`perflab simulate --port 8089\`, or give --endpoint URL)`,
    );
  }
  try {
    new URL(base);
  } catch {
    throw new ExportError(`--endpoint: not a URL: ${base}`);
  }
  return base;
}

const ABSOLUTE_URL = /^(https?:\/\/[^/?#]*)(.*)$/i;

function httpTargetPlan(scenario: Scenario, target: Target, endpoint: string | undefined, warnings: string[]): TargetPlan {
  const spec = target.http;
  if (!spec) throw new ExportError(`target "${target.name}": provider http needs request: and response:`);
  const r = spec.request;
  // An absolute request.url stands on its own, unless --endpoint moves the test elsewhere.
  const absolute = ABSOLUTE_URL.exec(r.url);
  const url = absolute && endpoint === undefined ? r.url : joinHttpUrl(baseUrl(target, endpoint, warnings), absolute ? absolute[2] : r.url);
  const [, origin, rest] = ABSOLUTE_URL.exec(url) ?? [];
  if (origin === undefined || origin.includes('{{')) {
    throw new ExportError(`target "${target.name}": request.url must name its host without placeholders (got ${url})`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ExportError(`target "${target.name}": request.url is not a URL once joined to the endpoint: ${url}`);
  }
  const templates = [
    { what: 'request.url', text: url, kind: 'url' as const },
    ...Object.entries(r.headers).map(([name, text]) => ({ what: `request.headers.${name}`, text, kind: 'text' as const })),
    ...(r.body !== undefined ? [{ what: 'request.body', text: r.body, kind: bodyKind(r.body) }] : []),
  ];
  const placeholders: string[] = [];
  for (const t of templates) {
    try {
      for (const name of parseTemplate(t.text, t.kind).names) if (!placeholders.includes(name)) placeholders.push(name);
    } catch (err) {
      if (err instanceof TemplateError) throw new ExportError(`target "${target.name}": ${t.what}: ${err.message}`);
      throw err;
    }
  }
  const model = target.model ?? target.deployment;
  const encoding = lookupModel(model ?? '')?.encoding ?? encodingForModel(model ?? '');
  const res = spec.response;
  return {
    name: target.name,
    slug: slugOf(target.name),
    api: 'http',
    url: parsed,
    origin: parsed.origin,
    path: rest === '' ? '/' : rest,
    // As the engine sends them (http-request.ts): accept and content type by default, then the request's own.
    headers: {
      accept: ACCEPT[spec.response.stream],
      ...(r.body !== undefined && { 'content-type': bodyKind(r.body) === 'json' ? 'application/json' : 'text/plain; charset=utf-8' }),
      ...r.headers,
    },
    key: keyPlan(target, warnings),
    prompts: [],
    http: {
      method: r.method,
      url,
      body: r.body ?? null,
      body_kind: r.body !== undefined && bodyKind(r.body) === 'json' ? 'json' : 'text',
      response: { stream: res.stream, text_path: res.text_path ?? null, done_when: res.done_when ?? null, usage_path: res.usage_path ?? null },
      placeholders,
      model: target.model ?? '',
      inputs: httpInputs(scenario, encoding),
    },
    model,
    encoding,
  };
}

const ACCEPT: Record<HttpStreamKind, string> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
  text: 'text/plain',
  json: 'application/json',
};

/** A path template joined to a base URL as the engine joins them (http-request.ts joinPath): the base's
 *  path, then the path; the base's query, then the path's. Text, so placeholders stay as written:
 *  `http://h:8080/api?code=x` + `/chat?stream=sse` → `http://h:8080/api/chat?code=x&stream=sse`. */
export function joinHttpUrl(base: string, rest: string): string {
  const b = new URL(base);
  const q = rest.indexOf('?');
  const pathPart = (q === -1 ? rest : rest.slice(0, q)).replace(/^\/+/, '');
  const basePath = b.pathname.endsWith('/') ? b.pathname.slice(0, -1) : b.pathname;
  const query = [b.search.slice(1), q === -1 ? '' : rest.slice(q + 1)].filter((x) => x !== '').join('&');
  return `${b.origin}${basePath}/${pathPart}${query ? `?${query}` : ''}`;
}

/** The header and variable a key goes by: the same rules as the CLI (src/cli/credentials.ts) and
 *  the engine's credentialHeaders(). */
function keyPlan(target: Target, warnings: string[]): KeyPlan | null {
  const auth = target.auth;
  if (auth.type === 'none' || target.endpoint === 'simulator') return null;
  if (auth.type === 'entra') {
    warnings.push(
      `target "${target.name}": Entra ID sign-in is not available to a load engine; the export sends a token from ${ENTRA_TOKEN_ENV} as Bearer (\`az account get-access-token --resource https://cognitiveservices.azure.com\`)`,
    );
    return { env: ENTRA_TOKEN_ENV, header: 'authorization', scheme: 'Bearer ', required: true };
  }
  const env = auth.env ?? defaultKeyEnv(target.provider);
  if (env === undefined) return null;
  const required = !(auth.env === undefined && target.provider === 'openai-compatible');
  if (auth.type === 'bearer') return { env, header: 'authorization', scheme: 'Bearer ', required };
  // An app's key goes in the header its auth names (src/engine/scenario/types.ts, TargetAuth).
  if (target.provider === 'http') return { env, header: (auth.header ?? 'api-key').toLowerCase(), scheme: '', required };
  const azureHeader = usesDeploymentRoute(target) || target.provider === 'azure';
  return azureHeader ? { env, header: 'api-key', scheme: '', required } : { env, header: 'authorization', scheme: 'Bearer ', required };
}

function promptLines(scenario: Scenario, target: Target, encoding: Encoding): PromptLine[] {
  const source = scenario.prompts;
  const responses = apiOf(target) === 'responses';
  const prefix = scenario.prevent_server_caching ? `${PREFIX_PLACEHOLDER}\n` : undefined;
  const line = (messages: ChatMessage[], maxTokens: number | undefined, promptTokens: number): PromptLine => {
    const body = responses
      ? responsesRequestBody(target, messages, scenario.request, maxTokens)
      : chatRequestBody(target, messages, scenario.request, maxTokens);
    return { body, prompt_tokens: promptTokens, prefix_at: prefix ? findPrefix(body) : null };
  };
  const maxTokens = scenario.request.max_tokens ?? source.max_tokens;
  if (source.kind === 'shape') {
    // As the engine does (prompt-builder.ts): the prefix is part of the exact count.
    const messages = syntheticChat(encoding, source.context_tokens, { prefix, seed: 1 });
    return [line(messages, maxTokens, source.context_tokens)];
  }
  const dir = scenario.file ? path.dirname(scenario.file) : process.cwd();
  const conversations = loadPromptMessages(source, dir);
  if (conversations.length === 0) throw new ExportError(`no prompts found in ${source.file}`);
  return conversations.map((base) => {
    const messages = prefix && base.length > 0 ? [{ ...base[0], content: `${prefix} ${base[0].content}` }, ...base.slice(1)] : base;
    return line(messages, maxTokens, countChatTokens(messages, encoding).total);
  });
}

/** An http target's prompts: the same messages the engine sends (prompt-builder.ts: as written, no
 *  anti-cache prefix, which would change the question an app's retrieval sees), their token count, and
 *  the fields its templates may name. */
function httpInputs(scenario: Scenario, encoding: Encoding): HttpInput[] {
  const source = scenario.prompts;
  if (source.kind === 'shape') {
    return [{ messages: syntheticChat(encoding, source.context_tokens, { seed: 1 }), prompt_tokens: source.context_tokens, fields: {} }];
  }
  const dir = scenario.file ? path.dirname(scenario.file) : process.cwd();
  const inputs = loadPromptInputs(source, dir);
  if (inputs.length === 0) throw new ExportError(`no prompts found in ${source.file}`);
  return inputs.map(({ messages, fields }) => ({ messages, prompt_tokens: countChatTokens(messages, encoding).total, fields }));
}

/** Path of the first string in `value` that starts with the placeholder. */
function findPrefix(value: unknown, at: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return value.startsWith(PREFIX_PLACEHOLDER) ? at : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findPrefix(value[i], [...at, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findPrefix(v, [...at, k]);
      if (found) return found;
    }
  }
  return null;
}

function loadPlan(scenario: Scenario, warnings: string[]): LoadPlan {
  const w = scenario.workload;
  const users = Math.max(1, w.clients);
  // Without ramp-up every user starts within ~0.1 s (a start spread over a whole second loses load).
  const spawn_rate = w.ramp_up_s > 0 ? round3(users / w.ramp_up_s) : users * 10;
  let run_time_s = w.duration_s ?? null;
  let requests_per_user: number | null = null;
  const rate = w.mode === 'open' ? (w.rate_rpm ?? 60) : null;
  if (w.requests !== undefined) {
    if (rate !== null) {
      // Open loop: the count arrives after requests / rate (plus half the ramp, when the rate grows).
      const byCount = Math.ceil((w.requests * 60) / rate + w.ramp_up_s / 2);
      run_time_s = run_time_s === null ? byCount : Math.min(run_time_s, byCount);
    } else {
      requests_per_user = Math.ceil(w.requests / users);
      if (requests_per_user * users !== w.requests) {
        warnings.push(`workload.requests ${w.requests} is shared by ${users} users: each sends ${requests_per_user} (${requests_per_user * users} in total)`);
      }
    }
  }
  if (rate !== null && users > 0 && w.arrival === 'constant' && !w.sessions) {
    // constant_throughput: a user never has two requests in flight.
    const periodS = (60 * users) / rate;
    if (periodS < 1)
      warnings.push(
        `each user must send a request every ${round3(periodS)} s (${users} users for ${rate} RPM); raise workload.clients if requests take longer`,
      );
  }
  return {
    mode: w.mode,
    rate_rpm: rate,
    arrival: w.arrival,
    users,
    spawn_rate,
    ramp_up_s: w.ramp_up_s,
    run_time_s,
    requests_per_user,
    requests: w.requests ?? null,
    think_time_s: w.mode === 'closed' ? w.think_time_ms / 1000 : 0,
    warm_up_per_user: w.warm_up_requests > 0 ? Math.ceil(w.warm_up_requests / users) : 0,
    stop_timeout_s: w.on_end === 'drain' ? w.drain_timeout_s : 0,
    retry: { policy: scenario.retry.policy, max_retry_s: scenario.retry.max_retry_s },
    timeouts: { request_s: scenario.timeouts.request_s, idle_s: scenario.timeouts.idle_s },
    sessions: sessionPlan(scenario, rate, users, warnings),
  };
}

function sessionPlan(scenario: Scenario, rate: number | null, users: number, warnings: string[]): SessionPlan | null {
  const s = scenario.workload.sessions;
  if (!s) return null;
  const think = s.think_time_ms / 1000;
  const ratePerMin = rate === null ? null : rate / s.interactions;
  if (ratePerMin !== null && ratePerMin > 0) {
    // Each user starts its next session once the last one ended: a session needs at least its think times.
    const periodS = (60 * users) / ratePerMin;
    const thinking = (s.interactions - 1) * think * (1 - s.think_time_jitter);
    if (periodS < thinking) {
      warnings.push(
        `each user must start a session every ${round3(periodS)} s (${users} users for ${round3(ratePerMin)} sessions/min), but a session thinks for at least ${round3(thinking)} s: raise workload.clients to about ${Math.ceil((thinking * ratePerMin) / 60) + 1} or the rate will not be reached`,
      );
    }
  }
  return {
    interactions: s.interactions,
    think_time_s: think,
    think_time_jitter: s.think_time_jitter,
    carry_history: s.carry_history,
    rate_per_min: ratePerMin === null ? null : round3(ratePerMin),
  };
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Seconds as Locust/ALT write them: 90 → "90s". */
export function secondsText(s: number): string {
  return `${Math.ceil(s)}s`;
}

/** One exported file: a name relative to the output folder, and its text. */
export interface ExportFile {
  name: string;
  text: string;
}
