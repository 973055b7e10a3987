// What a run produces: one record per request (requests.jsonl), one snapshot per target and second
// (windows.jsonl), and the summary (summary.json). These types are the result format (README, "What is measured, exactly").
// Fields added after the first release are optional in these types: run folders written before them
// lack them, and readers (run history, compare) must cope. This engine always writes them.

import type { Api } from './scenario/types';

/** Why a request failed. `throttled`: its last response was a 429 (not retried, out of retry budget,
 *  or still waiting to retry when the run ended). `timeout`: no complete response in time (request or
 *  idle timeout, or still running when the drain limit ended). `cancelled` is not a failure: the user
 *  stopped it, or the run ended with `on_end: abort`; it is excluded from failure rates and latency
 *  statistics. */
export type ErrorClass = 'throttled' | 'http_error' | 'timeout' | 'connection' | 'stream_dropped' | 'malformed_stream' | 'cancelled';

export interface RequestRecord {
  type: 'request';
  /** Sequence number within the run (all targets share one sequence). */
  id: number;
  target: string;
  /** The API the request went to (chat completions or responses), or `http` for an HTTP target. */
  api?: Api | 'http';
  /** The response's id: chat chunks' `id` (first non-empty one), or the Responses API's `response.id`. */
  response_id: string | null;
  /** Server request id (`apim-request-id` or `x-request-id`), for support tickets and log joins. */
  request_id: string | null;
  /** Open loop: when the schedule said this request should start (epoch ms). Null in closed loop. */
  scheduled_ms: number | null;
  /** Just before the first attempt was sent (epoch ms); latencies of retried requests include the waits. */
  start_ms: number;
  /** First attempt's actual send time minus its scheduled time (ms); null in closed loop. */
  send_lag_ms: number | null;
  ttfb_ms: number | null;
  /** Time to the first VISIBLE output (content, refusal or tool-call delta); reasoning does not count. */
  ttft_ms: number | null;
  /** The engine's estimate of how long its own busy event loop held the first visible token before it
   *  was stamped (src/engine/loop-probe.ts, calibrated in docs/performance.md §9); null without one. */
  client_delay_ms?: number | null;
  /** Time to the first reasoning delta (reasoning models that stream it); null when none was streamed. */
  ttfr_ms?: number | null;
  e2e_ms: number | null;
  /** Per visible token: (last visible − first visible) / (visible tokens − 1), where visible tokens =
   *  completion_tokens − reasoning_tokens (hidden reasoning must not shrink it). */
  tbt_ms: number | null;
  /** Per output token, reasoning included: (last output − first output) / (completion_tokens − 1).
   *  Null when the server counted reasoning tokens it did not stream (their times are unknown). */
  tbt_all_ms?: number | null;
  /** Offsets from start of each output-bearing SSE event, reasoning and visible (only with record_chunks). */
  chunk_offsets_ms?: number[];
  /** Number of output-bearing SSE events (reasoning and visible). */
  content_chunks: number;
  /** How many of content_chunks carried reasoning. */
  reasoning_chunks?: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cached_tokens: number | null;
  /** Reasoning tokens (part of completion_tokens): from usage (`completion_tokens_details` /
   *  `output_tokens_details`); else, when reasoning was streamed, its text counted with the tokenizer;
   *  null when unknown. */
  reasoning_tokens?: number | null;
  /** True when token counts come from the tokenizer because the server reported no usage. */
  tokens_estimated: boolean;
  finish_reason: string | null;
  /** Final HTTP status, or null when there was none (connection failure). */
  status: number | null;
  attempts: number;
  /** Number of attempts answered with HTTP 429. */
  throttled_attempts: number;
  /** Total time spent waiting between attempts (ms). */
  backoff_ms: number;
  error: ErrorClass | null;
  error_message: string | null;
  /** `azure-openai-deployment-utilization` header, percent. */
  utilization: number | null;
  /** `x-ratelimit-remaining-requests` / `x-ratelimit-remaining-tokens` of the final attempt. */
  ratelimit_remaining_requests: number | null;
  ratelimit_remaining_tokens: number | null;
  /** Completed during warm-up: kept in the file, excluded from statistics. */
  warmup: boolean;
  /** `workload.sessions`: the virtual user's session (`<target>-s<n>`) and this request's turn in it
   *  (1-based). Absent without sessions. */
  session_id?: string;
  turn?: number;
  /** The think time drawn before this turn (ms); 0 for a session's first turn. */
  think_ms?: number;
}

export interface LatencyStats {
  count: number;
  avg: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** A sliding-window snapshot for one target, emitted once per second. */
export interface WindowSnapshot {
  type: 'window';
  target: string;
  /** Seconds since this target started (sequential targets each start at 0). */
  t: number;
  time: string;
  window_s: number;
  /** Target rate right now (after ramp-up), RPM; null in closed loop. */
  target_rpm: number | null;
  /** Completed requests per minute over the window. */
  rpm: number;
  /** Requests sent so far / completed so far (whole run). */
  requests: number;
  completed: number;
  in_flight: number;
  /** Scheduled but not yet sent because all clients were busy. */
  queued: number;
  /** In the window: */
  failures: number;
  throttled: number;
  ctx_tpm: number;
  gen_tpm: number;
  /** Reasoning tokens per minute (part of gen_tpm). */
  reasoning_tpm?: number;
  /** Time to first visible token. */
  ttft: LatencyStats;
  /** Time to first reasoning token (count 0 unless reasoning is streamed). */
  ttfr?: LatencyStats;
  /** Per visible token. */
  tbt: LatencyStats;
  /** Per output token, reasoning included. */
  tbt_all?: LatencyStats;
  e2e: LatencyStats;
  /** Gaps between output chunks (per chunk, not per token). */
  chunk_gap: LatencyStats;
  /** Send time minus scheduled time (open loop). */
  lag: LatencyStats;
  util: LatencyStats;
  /** True while the engine cannot keep its schedule (requests queued or lag over threshold). */
  behind: boolean;
  /** Whole-run counts so far (not only the window), so a view never integrates rates back into
   *  totals. Absent in run folders recorded before windows carried them. */
  totals?: WindowTotals;
}

/** Running totals of one target up to a window; the same counts the summary reports at the end. */
export interface WindowTotals {
  /** Finished requests, warm-up excluded: succeeded + failed (cancelled ones are counted apart). */
  succeeded: number;
  failed: number;
  cancelled: number;
  /** HTTP 429 responses (each attempt counts, as in the summary). */
  throttled_responses: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
}
