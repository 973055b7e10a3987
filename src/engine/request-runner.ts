// One logical request: attempts, retry semantics and the record written to requests.jsonl.
//
// Retry semantics change latency numbers, so they are explicit (README, "Retries and failures"):
// - `none`: one attempt. A 429 is the request's outcome: failed, error class `throttled`.
// - `exponential`: wait as the server asks (retry-after-ms, else retry-after), else an exponential
//   backoff with jitter, then send ONE attempt; latencies are measured from the first attempt, so they
//   include the wait. It gives up (class `throttled`) when the next wait would pass `max_retry_s` since
//   the first attempt, or when the run's schedule has ended: retries never outlive the run, and a
//   throttled deployment never gets more than one attempt per request per wait.
// Only 429 is retried: a 5xx is a failure the benchmark must show, not hide.

import type { BuiltRequest, ChatMessage } from './chat-request';
import { epochMs } from './clock';
import type { RequestRecord } from './records';
import type { RetryPolicy } from './scenario/types';
import { runAttempt, type AttemptControl, type AttemptResult, type Transport } from './stream-attempt';

export interface PreparedPrompt {
  request: BuiltRequest;
  /** Prompt tokens counted before sending (used when the server reports no usage). */
  promptTokens: number;
  /** The chat messages sent (a session carrying its history adds the answer to them). */
  messages?: ChatMessage[];
}

export interface RequestEnvironment {
  transport: Transport;
  retry: RetryPolicy;
  recordChunks: boolean;
  /** Counts completion tokens from text when the server reports no usage. */
  countTokens: (text: string) => number;
  /** Attempts in flight, watched by the engine for timeouts and cancelled on Stop. */
  active: Set<AttemptControl>;
  /** In-flight work must end now (abort, drain limit): waiting backoffs end early. */
  cancelled: () => boolean;
  /** The target's time is over (duration or Stop): no new retry attempt is sent. */
  ending: () => boolean;
  /** Removes every configured secret from text that is stored or shown (error bodies may echo a key). */
  redact: (text: string) => string;
  onThrottled: () => void;
  random: () => number;
  /** The engine's estimate of the delay its own event loop added to an event stamped now, at `t`
   *  (loop-probe.ts); absent where no probe runs. */
  clientDelayNow?: (t: number) => number | null;
}

export interface RequestOutcome {
  record: RequestRecord;
  /** performance.now() of each output event of the measured attempt (for chunk-gap statistics). */
  contentTimes: number[];
  /** The visible answer received (a session carrying its history sends it back next turn). */
  answer: string;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;

export async function executeRequest(
  env: RequestEnvironment,
  id: number,
  target: string,
  prompt: PreparedPrompt,
  scheduledAt: number | null,
): Promise<RequestOutcome> {
  let attempts = 0;
  let throttledAttempts = 0;
  let backoffMs = 0;
  let firstStart = 0;
  let result: AttemptResult;
  for (;;) {
    attempts++;
    const control: AttemptControl = {
      abort: () => {},
      startedAt: performance.now(),
      lastActivity: performance.now(),
      headersAt: null,
      delayNow: env.clientDelayNow,
    };
    env.active.add(control);
    try {
      result = await runAttempt(env.transport, prompt.request, control);
    } finally {
      env.active.delete(control);
    }
    if (attempts === 1) firstStart = result.startedAt;
    if (result.status !== 429) break;
    throttledAttempts++;
    env.onThrottled();
    result.error = 'throttled';
    const stopReason = retryStopReason(env, result, firstStart, throttledAttempts);
    if (stopReason !== null) {
      result.errorMessage = `${result.errorMessage ?? 'HTTP 429'} (${stopReason})`;
      break;
    }
    const wait = result.retryAfterMs !== null && result.retryAfterMs > 0 ? result.retryAfterMs : jitteredBackoff(throttledAttempts, env.random);
    backoffMs += await sleepUnless(wait, () => env.cancelled() || env.ending());
    if (env.cancelled() || env.ending()) {
      result.errorMessage = `${result.errorMessage ?? 'HTTP 429'} (still waiting to retry when the run ended)`;
      break;
    }
  }

  // Latencies are measured from the first attempt (see the header comment).
  if (result.errorMessage !== null) result.errorMessage = env.redact(result.errorMessage);
  const record = toRecord(env, id, target, prompt, result, firstStart, scheduledAt, firstStart);
  record.attempts = attempts;
  record.throttled_attempts = throttledAttempts;
  record.backoff_ms = round3(backoffMs);
  return { record, contentTimes: result.outputTimes, answer: result.text };
}

function toRecord(
  env: RequestEnvironment,
  id: number,
  target: string,
  prompt: PreparedPrompt,
  r: AttemptResult,
  start: number,
  scheduledAt: number | null,
  firstStart: number,
): RequestRecord {
  const ok = r.error === null;
  const since = (t: number | null) => (t === null ? null : round3(t - start));
  const tokens = tokenCounts(env, prompt, r);
  const streamedReasoning = r.reasoningEvents > 0;
  let tbt: number | null = null;
  let tbtAll: number | null = null;
  if (ok && tokens.completion !== null) {
    const visible = tokens.completion - (tokens.reasoning ?? 0);
    if (visible > 1 && r.firstVisibleAt !== null && r.lastVisibleAt !== null) {
      tbt = round3((r.lastVisibleAt - r.firstVisibleAt) / (visible - 1));
    }
    // Over all tokens only when every counted token was streamed: hidden reasoning has no times.
    const allStreamed = streamedReasoning || !tokens.reasoning;
    if (allStreamed && tokens.completion > 1 && r.outputTimes.length > 0) {
      tbtAll = round3((r.outputTimes[r.outputTimes.length - 1] - r.outputTimes[0]) / (tokens.completion - 1));
    }
  }
  const record: RequestRecord = {
    type: 'request',
    id,
    target,
    api: prompt.request.api,
    response_id: r.responseId,
    request_id: r.requestId,
    scheduled_ms: scheduledAt === null ? null : round3(epochMs(scheduledAt)),
    start_ms: round3(epochMs(start)),
    send_lag_ms: scheduledAt === null ? null : round3(firstStart - scheduledAt),
    ttfb_ms: since(r.headersAt),
    ttft_ms: since(r.firstVisibleAt),
    client_delay_ms: r.clientDelayMs,
    ttfr_ms: since(r.firstReasoningAt),
    e2e_ms: since(r.endedAt),
    tbt_ms: tbt,
    tbt_all_ms: tbtAll,
    content_chunks: r.outputTimes.length,
    reasoning_chunks: r.reasoningEvents,
    prompt_tokens: tokens.prompt,
    completion_tokens: tokens.completion,
    cached_tokens: r.usage?.cached_tokens ?? null,
    reasoning_tokens: tokens.reasoning,
    tokens_estimated: tokens.estimated,
    finish_reason: r.finishReason,
    status: r.status,
    attempts: 1,
    throttled_attempts: 0,
    backoff_ms: 0,
    error: r.error,
    error_message: r.errorMessage,
    utilization: r.utilization,
    ratelimit_remaining_requests: r.remainingRequests,
    ratelimit_remaining_tokens: r.remainingTokens,
    warmup: false, // decided by the target runner when the request completes
  };
  if (env.recordChunks) record.chunk_offsets_ms = r.outputTimes.map((t) => round3(t - start));
  return record;
}

interface TokenCounts {
  prompt: number | null;
  completion: number | null;
  reasoning: number | null;
  estimated: boolean;
}

/** Token counts from the server's usage when it reported them (the last one: with continuous usage
 *  every chunk repeats the cumulative count), else from the tokenizer, marked estimated. */
function tokenCounts(env: RequestEnvironment, prompt: PreparedPrompt, r: AttemptResult): TokenCounts {
  // Reasoning the server streamed but did not break down in usage: count its text.
  const countedReasoning = r.reasoningEvents > 0 ? env.countTokens(r.reasoningText) : null;
  if (r.usage !== null) {
    return {
      prompt: r.usage.prompt_tokens,
      completion: r.usage.completion_tokens,
      reasoning: r.usage.reasoning_tokens ?? countedReasoning,
      estimated: false,
    };
  }
  if (r.status !== 200) return { prompt: null, completion: null, reasoning: null, estimated: false };
  // No usage from the server (stream cut, or a server that ignores include_usage): count ourselves.
  return {
    prompt: prompt.promptTokens,
    completion: env.countTokens(r.text) + (countedReasoning ?? 0),
    reasoning: countedReasoning,
    estimated: true,
  };
}

/** Why a throttled request is not retried, or null to retry it. */
function retryStopReason(env: RequestEnvironment, result: AttemptResult, firstStart: number, throttledAttempts: number): string | null {
  if (env.retry.policy === 'none') return 'not retried: retry policy none';
  if (env.cancelled() || env.ending()) return 'not retried: the run ended';
  const wait = result.retryAfterMs !== null && result.retryAfterMs > 0 ? result.retryAfterMs : BACKOFF_BASE_MS * 2 ** (throttledAttempts - 1);
  const budgetLeftMs = env.retry.max_retry_s * 1000 - (performance.now() - firstStart);
  if (wait > budgetLeftMs) return `gave up: the next wait (${Math.round(wait)} ms) would pass the ${env.retry.max_retry_s} s retry budget`;
  return null;
}

/** 0.5 s · 2ⁿ⁻¹ capped at 8 s, with full jitter (the SDK's and most clients' default shape). */
function jitteredBackoff(n: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
  return ceiling * (0.5 + random() / 2);
}

/** Sleep, waking early (in 50 ms steps) when `stop` says so. Returns the time slept. */
async function sleepUnless(ms: number, stop: () => boolean): Promise<number> {
  const start = performance.now();
  while (!stop()) {
    const left = ms - (performance.now() - start);
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 50)));
  }
  return performance.now() - start;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
