// What a distributed load engine (Locust, JMeter) needs to reproduce a scenario: for each target the
// exact URL, headers and request bodies our engine would send (built by the engine's own request
// builders, prompts counted to the token by our tokenizer), and the workload as users, rates, ramp and
// run time. The generators in this folder only format this plan; every decision is made here once.

import * as path from 'node:path';
import { chatCompletionsUrl, chatRequestBody, usesDeploymentRoute, type ChatMessage } from '../engine/chat-request';
import { responsesRequestBody, responsesUrl } from '../engine/responses-request';
import { apiOf, type Api, type Scenario, type Target } from '../engine/scenario/types';
import { countChatTokens, encodingForModel, lookupModel, syntheticChat, type Encoding } from '../tokens';
import { loadPromptMessages } from '../tokens/prompt-files';
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
  /** Header it goes in, and what precedes it there. */
  header: 'api-key' | 'authorization';
  scheme: '' | 'Bearer ';
  /** Compatible servers without an explicit `auth.env` run without a key when the variable is unset. */
  required: boolean;
}

export interface TargetPlan {
  name: string;
  /** Safe in file and class names. */
  slug: string;
  api: Api;
  url: URL;
  /** scheme://host[:port] */
  origin: string;
  /** Path and query (`/openai/deployments/d/chat/completions?api-version=…`). */
  path: string;
  /** Headers besides the key. */
  headers: Record<string, string>;
  key: KeyPlan | null;
  prompts: PromptLine[];
  model: string | undefined;
  encoding: Encoding;
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
    model,
    encoding,
  };
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
  if (rate !== null && users > 0 && w.arrival === 'constant') {
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
