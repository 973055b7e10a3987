// Contract of the built-in simulator: its options and the log of what it really did.
// Tests and benchmarks compare the engine's measurements against this log.

export interface SimulatorFaults {
  /** Share of requests answered with HTTP 500 (OpenAI error shape). */
  error_rate: number;
  /** Share of streams cut (socket destroyed) after about half the content chunks. */
  drop_rate: number;
  /** Share of streams that go silent for `stall_ms` after about half the content chunks. */
  stall_rate: number;
  stall_ms: number;
  /** Share of streams in which one content event carries invalid JSON. */
  malformed_rate: number;
}

export interface SimulatorOptions {
  host: string; // always a loopback address
  port: number; // 0 = any free port
  /** Base time to first content token, before prompt and load effects. */
  ttft_ms: number;
  /** Extra TTFT per 1,000 prompt tokens (prefill). */
  ttft_per_1k_prompt_ms: number;
  /** Time per output token (decode). */
  tpot_ms: number;
  /** Tokens per content chunk (Azure's default filter buffers several). */
  tokens_per_chunk: number;
  /** Relative jitter (0..1) applied to TTFT and each chunk gap, from a seeded RNG. */
  jitter: number;
  /** Completion length when the request names no max_tokens (otherwise exactly its max_tokens). */
  default_max_tokens: number;
  /** Quotas per minute, enforced over a sliding window of `quota_window_s`; 0 = unlimited. Exceeding
   *  one gives 429 + retry-after-ms. */
  rpm_limit: number;
  tpm_limit: number;
  /** Length of the quota window in seconds (default 60); a shorter one holds the per-minute limits
   *  scaled to its length (see quota.ts). */
  quota_window_s?: number;
  /** Serving slots: at most this many requests are generated at once; the others wait in a FIFO queue
   *  (headers and first token come after the wait). 0 = unlimited (default). */
  max_concurrency?: number;
  /** PTU-like capacity mode: capacity in tokens per minute (prompt + max_tokens, as Azure costs a
   *  provisioned request). 0 = off. Utilization and latency rise with load; above 100% → instant 429. */
  ptu_capacity_tpm: number;
  faults: SimulatorFaults;
  /** Send Azure's prompt_filter_results chunk first on Azure routes. */
  azure_prompt_filter: boolean;
  /** Azure routes (chat): asynchronous-filter annotation events (no delta) every 10 content chunks
   *  and one after the finish chunk. */
  azure_async_filter: boolean;
  /** Reasoning tokens written before the visible answer. They count in completion tokens, in
   *  usage's reasoning_tokens and within max tokens (reasoning is cut at the limit). */
  reasoning_tokens: number;
  /** Chat Completions: the delta field that streams reasoning, or `hidden` (counted, never streamed). */
  reasoning_field: 'reasoning_content' | 'reasoning' | 'hidden';
  /** Responses API: the event that streams reasoning, or `hidden`. */
  reasoning_event: 'summary' | 'text' | 'hidden';
  /** Chat Completions usage: as the request asks (`include_usage`, vLLM's `continuous_usage_stats`),
   *  always on every chunk, or never. */
  usage: 'requested' | 'continuous' | 'none';
  /** Output events put into one socket write (1 = each on its own). */
  coalesce_events: number;
  /** When set, requests must carry this key (api-key header or Bearer) or get 401. */
  api_key?: string;
  /** RNG seed for jitter and faults (reproducible runs). */
  seed: number;
  /** Keep the per-request log in memory (tests); off for long benchmarks. */
  keep_log: boolean;
  /** Append the log as JSON lines to this file. */
  log_file?: string;
  /** Outside PTU mode: latency factor = 1 + inflight_slowdown × requests in flight (default 0.0005,
   *  i.e. ×1.25 at 500 in flight). 0 = latency independent of load. */
  inflight_slowdown?: number;
  /** App route (/app/chat): time of the retrieval step before the model is asked, ms (default 150),
   *  with the simulator's jitter. */
  app_retrieval_ms?: number;
}

/** One line of the simulator's log: what it received and what it sent, with its own clock.
 *  All `*_ms` timestamps are epoch milliseconds with sub-ms precision
 *  (`performance.timeOrigin + performance.now()`), taken right after the write/receive. */
export interface SimulatorLogEntry {
  seq: number;
  /** `app`: the LLM app route (/app/chat, /api/chat), which wraps the chat model (app-handler.ts). */
  route: 'azure' | 'azure-v1' | 'openai' | 'app';
  api: 'chat' | 'responses';
  deployment?: string;
  model?: string;
  api_version?: string;
  /** Value of the `x-perflab-request-id` request header, to correlate with the engine's record. */
  client_request_id?: string;
  /** Which credential kind the request carried (never its value). */
  auth: 'api-key' | 'bearer' | 'none';
  stream: boolean;
  include_usage: boolean;
  received_ms: number; // request body fully received
  headers_ms?: number; // response headers written
  first_content_ms?: number; // first visible-content chunk written
  content_chunk_ms: number[]; // every visible-content event's write (one per SSE event)
  first_reasoning_ms?: number; // first reasoning event written
  reasoning_chunk_ms: number[]; // every reasoning event's write
  /** Socket writes that carried output events (fewer than the events when they are coalesced). */
  output_writes: number;
  end_ms: number; // response ended (or socket destroyed)
  status: number;
  response_id?: string;
  prompt_tokens: number;
  completion_tokens: number; // output tokens actually sent, reasoning included (hidden reasoning too)
  reasoning_tokens: number; // reasoning tokens among them
  tokens_per_chunk: number;
  fault: null | 'error_500' | 'throttled' | 'drop' | 'stall' | 'malformed' | 'unauthorized';
  retry_after_ms?: number;
  /** Time spent waiting for a serving slot (max_concurrency), ms; absent when it never waited. */
  queued_ms?: number;
  utilization?: number; // percent, PTU mode
  sent_prompt_filter: boolean;
  sent_usage: boolean;
  /** Usage rode on every chunk (vLLM continuous usage). */
  continuous_usage: boolean;
  /** Full generated text (only when keep_log, for token-count checks). */
  content?: string;
  /** Streamed reasoning text (only when keep_log). */
  reasoning_content?: string;
  /** Set when the response was cut short by the client closing the connection, or by close(). */
  interrupted?: 'client' | 'shutdown';
  /** Why generation ended, as the response says (accepted requests; /metrics counts by it). */
  finish_reason?: 'stop' | 'length';
  // App route only (route: 'app').
  /** The response kind asked by `?stream=`. */
  app_stream?: AppStreamKind;
  /** The retrieval step: ms from received_ms to its end (when the retrieval event was written). */
  retrieval_ms?: number;
  /** `session_id` and `turn` of the request body, when given. */
  session_id?: string;
  turn?: number;
  /** Chat messages received (1 for a `question` / `prompt`). */
  prompt_messages?: number;
}

/** Response kinds of the app route: SSE events, JSON lines, raw text, or one JSON body. */
export type AppStreamKind = 'sse' | 'ndjson' | 'text' | 'json';

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  options: SimulatorOptions;
  /** In-memory log (empty unless keep_log). */
  log: SimulatorLogEntry[];
  /** Requests being served right now (waiting for a serving slot included). */
  inFlight(): number;
  close(): Promise<void>;
}
