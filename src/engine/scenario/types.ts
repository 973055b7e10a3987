// The validated, normalized form of a scenario (`*.perf.yaml` or CLI flags).
// Everything downstream (engine, CLI, extension, language server) reads this shape only.
// Durations are normalized to seconds (`*_s`) or milliseconds (`*_ms`), rates to requests per minute.

import type { SimulatorOptions } from '../../simulator/types';
import type { Rates } from '../../tokens/pricing';

export type Provider = 'azure' | 'openai' | 'openai-compatible' | 'simulator' | 'http';

/** How an HTTP target's answer arrives (`response.stream`). `json`: one body at the end, so only E2E
 *  (and TTFB) can be measured; the others stream and give TTFT, chunk gaps and TBT too. */
export type HttpStreamKind = 'sse' | 'ndjson' | 'text' | 'json';
export const HTTP_STREAM_KINDS: readonly HttpStreamKind[] = ['sse', 'ndjson', 'text', 'json'];

/** `request:` of an HTTP target: what one call of the app looks like. Secrets never appear here:
 *  they come from `auth` (src/engine/http-target/http-request.ts). */
export interface HttpRequestTemplate {
  /** Upper case; default POST. */
  method: string;
  /** An absolute http(s) URL, or a path joined to the target's endpoint (`/api/chat`). */
  url: string;
  /** Literal headers (placeholders allowed in values). */
  headers: Record<string, string>;
  /** The body template as written: JSON or text with `{{prompt}}`, `{{messages}}`, `{{session_id}}`,
   *  `{{turn}}`, `{{model}}` and dataset fields. Absent: no body. */
  body?: string;
}

/** `response:` of an HTTP target: how to find the answer's text in what the app sends back. */
export interface HttpResponseSpec {
  stream: HttpStreamKind;
  /** Where each event's text is (`choices[0].delta.content`, `delta.text`). Absent for `text`, and for
   *  `sse` whose `data:` is the text itself. */
  text_path?: string;
  /** An event that ends the answer: `<path>` (truthy) or `<path> == <JSON value>`. SSE's `[DONE]`
   *  always ends it; without either, the end of the body does. */
  done_when?: string;
  /** Where the token usage is (`usage`): an object with prompt_tokens/completion_tokens (or
   *  input_tokens/output_tokens). Without it token counts are the tokenizer's, marked estimated. */
  usage_path?: string;
}

export interface HttpTargetSpec {
  request: HttpRequestTemplate;
  response: HttpResponseSpec;
}

/** Which OpenAI API a target is called through: Chat Completions or Responses. */
export type Api = 'chat' | 'responses';
export const APIS: readonly Api[] = ['chat', 'responses'];

/** The API of a target; targets built by hand (tests, older callers) may leave it out: chat. */
export function apiOf(target: Target): Api {
  return target.api ?? 'chat';
}

/** How a target authenticates. Never the key itself: a reference to where it lives. */
export type TargetAuth =
  | { type: 'api-key'; env?: string; header?: string } // Azure `api-key` header (or Bearer for OpenAI-style providers); http targets: the header named by `header` (default `api-key`)
  | { type: 'bearer'; env?: string } // `Authorization: Bearer <value of env>` (e.g. an Entra ID token)
  | { type: 'entra' } // Microsoft Entra ID via a token provider (VS Code's Microsoft auth provider)
  | { type: 'none' };

export interface Target {
  name: string;
  provider: Provider;
  /** A base URL, or the literal `simulator` to start the built-in simulator in-process. */
  endpoint: string;
  /** Azure deployment name (Azure routes). */
  deployment?: string;
  /** Model name sent in the body (OpenAI / compatible) and used for the tokenizer and prices. */
  model?: string;
  /** Azure api-version query parameter. */
  api_version?: string;
  /** `chat` (POST …/chat/completions) or `responses` (POST …/responses). The normalizer always
   *  sets it; absent means chat. */
  api?: Api;
  auth: TargetAuth;
  /** Options for the in-process simulator when `endpoint: simulator`. */
  simulator?: Partial<SimulatorOptions>;
  /** `server_metrics:` — the server's own metrics beside the client's (src/engine/server-metrics/). */
  server_metrics?: ServerMetricsSettings;
  /** `provider: http` only: the request template and how to read the response. `model` then only picks
   *  the tokenizer and prices. */
  http?: HttpTargetSpec;
}

/** `workload.sessions:` — virtual users as the load model counts them: each session is N interactions
 *  with think time between them. Open loop: sessions start at `rate ÷ interactions` per minute; closed
 *  loop: each client runs sessions back to back. */
export interface SessionSettings {
  interactions: number;
  /** The pause between a response and the same user's next request. */
  think_time_ms: number;
  /** 0..1: each think time is drawn uniformly from think_time × (1 ± jitter). */
  think_time_jitter: number;
  /** Each turn sends the conversation so far (earlier questions and the answers received), so the
   *  prompt grows turn by turn. */
  carry_history: boolean;
}

/** `server_metrics:` of a target. */
export interface ServerMetricsSettings {
  /** The metrics URL to scrape during the run; `endpoint`: the target's endpoint origin + /metrics
   *  (resolved when the run starts: `endpoint: simulator` has its address only then). Absent: none. */
  prometheus?: string | 'endpoint';
  /** Seconds between scrapes. */
  interval_s: number;
  /** Series recorded besides the known ones (exact names, or prefixes ending in `*`). */
  series: string[];
  /** A bearer token for the metrics URL only, by the variable that holds it. */
  auth?: { env: string };
  azure_monitor?: AzureMonitorSettings;
}

/** `server_metrics.azure_monitor:` — metric names may carry `:aggregations` (e.g. `GeneratedTokens:total`). */
export interface AzureMonitorSettings {
  /** Absent: looked up by the endpoint's name when the metrics are fetched. */
  resource_id?: string;
  /** Absent: the defaults for an Azure OpenAI account (server-metrics/azure-metrics.ts). */
  metrics?: string[];
  extra_resources?: { resource_id: string; metrics?: string[] }[];
  /** Absent: https://management.azure.com. */
  arm_endpoint?: string;
}

export type ShapeProfile = 'balanced' | 'context' | 'generation' | 'custom';

export type PromptSource =
  | { kind: 'shape'; profile: ShapeProfile; context_tokens: number; max_tokens: number }
  | { kind: 'prompty'; file: string; inputs?: string; max_tokens?: number }
  | { kind: 'dataset'; file: string; max_tokens?: number };

export interface Workload {
  /** open: requests start on a schedule (rate); closed: `clients` loops back to back with think time. */
  mode: 'open' | 'closed';
  /** Target rate in requests per minute (open loop). */
  rate_rpm?: number;
  arrival: 'constant' | 'poisson';
  /** Open loop: the cap on requests in flight. Closed loop: the number of clients. */
  clients: number;
  duration_s?: number;
  requests?: number;
  /** The rate (or client count) grows linearly from 0 over this time. */
  ramp_up_s: number;
  /** Closed loop: pause between a client's requests. */
  think_time_ms: number;
  /** The first N completed requests of each target are recorded but excluded from statistics. */
  warm_up_requests: number;
  /** What happens to in-flight requests when the duration or count is reached. */
  on_end: 'drain' | 'abort';
  /** Drain: abort what is still in flight after this long. */
  drain_timeout_s: number;
  /** Absent: every request stands alone. */
  sessions?: SessionSettings;
}

/** Options copied into each request body. */
export interface RequestOptions {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  /** Reasoning models: `reasoning_effort` (chat) or `reasoning: {effort}` (responses). */
  reasoning_effort?: ReasoningEffort;
  /** Extra body fields, copied as they are. */
  extra_body?: Record<string, unknown>;
}

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

export interface RetryPolicy {
  /** none: one attempt; a 429 is the request's outcome (failed, class `throttled`).
   *  exponential: wait as retry-after-ms / retry-after says (else an exponential backoff), one attempt per
   *  wait, latency from the first attempt. */
  policy: 'none' | 'exponential';
  /** Give up retrying once this much time has passed since the first attempt. */
  max_retry_s: number;
}

export type SloMetric = 'ttft' | 'ttfr' | 'ttfb' | 'tbt' | 'tbt_all' | 'e2e' | 'chunk_gap' | 'failures' | 'throttled' | 'rpm';
export type SloStat = 'avg' | 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'rate';

/** One SLO, e.g. `ttft.p95 < 800ms` → {metric:'ttft', stat:'p95', op:'<', value:800, unit:'ms'}. */
export interface Slo {
  text: string;
  metric: SloMetric;
  stat: SloStat;
  op: '<' | '<=' | '>' | '>=';
  /** Normalized value: milliseconds for latencies, a fraction (0..1) for `%`, RPM for rpm. */
  value: number;
  unit: 'ms' | 'ratio' | 'rpm';
}

export interface Timeouts {
  /** Abort a request that has not finished after this long (per attempt). */
  request_s: number;
  /** Abort a stream that has been silent this long (stall detection). */
  idle_s: number;
}

/** `capacity:` — how `perflab capacity` searches the offered rate (src/engine/capacity/). */
export interface CapacitySettings {
  /** The search starts here and doubles up to `max_rpm` (requests per minute). */
  min_rpm: number;
  max_rpm: number;
  /** The search stops when the bracket (highest passing, lowest failing) is within this share of the answer. */
  precision: number;
  /** Each step is an open-loop run of this long at one offered rate. */
  step_duration_s: number;
  /** The first part of each step, excluded from its statistics (the deployment settles). */
  warm_up_s: number;
  /** The whole search stops before a step that would end after this long. */
  budget_s: number;
  /** Pause after a failing step, so its queues and quota windows drain before the next step. */
  cooldown_s: number;
  /** The least acceptable capacity (RPM): `perflab capacity` exits 1 below it (a CI gate). */
  require_rpm?: number;
  /** Azure provisioned deployments: the PTUs of the deployment, to report capacity per PTU and the
   *  PTUs needed for the scenario's rate. */
  ptus?: number;
}

export interface Scenario {
  name: string;
  /** Absolute path of the scenario file, when it came from one (relative prompt paths resolve against it). */
  file?: string;
  targets: Target[];
  /** parallel: all targets on one timeline; sequential: one after another. */
  target_mode: 'parallel' | 'sequential';
  workload: Workload;
  prompts: PromptSource;
  request: RequestOptions;
  retry: RetryPolicy;
  timeouts: Timeouts;
  aggregation_window_s: number;
  prevent_server_caching: boolean;
  record_chunks: boolean;
  slos: Slo[];
  /** Engine worker threads that run the clients (`engine.threads`, `auto` resolved); absent = 1, the
   *  single-thread engine. See src/engine/shard-protocol.ts. */
  engine_threads?: number;
  /** `capacity:` as written (absent: `perflab capacity` uses the defaults, normalize.ts). */
  capacity?: CapacitySettings;
  /** The user's prices (USD per 1M tokens) by model name, over the catalog's and the perflab.pricing
   *  setting's (src/tokens/pricing.ts). */
  pricing?: Record<string, Rates>;
}
