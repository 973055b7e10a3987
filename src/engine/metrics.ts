// Statistics for one target: the whole run (for the summary) and a sliding window (for live lines and
// windows.jsonl). The window is a ring of one-second slots; when a slot expires it is subtracted from
// the running window totals, so memory stays flat however long the run.

import { SessionTally } from './session-tally';
import { addRecordToDistributions, emptyTargetDistributions, type TargetDistributions } from './distribution';
import { LatencyHistogram } from './histogram';
import type { LatencyStats, RequestRecord, WindowSnapshot } from './records';

const LATENCY_KEYS = ['ttft', 'ttfr', 'ttfb', 'tbt', 'tbt_all', 'e2e', 'chunk_gap', 'lag', 'util'] as const;
type LatencyKey = (typeof LATENCY_KEYS)[number];

class Slot {
  completed = 0;
  failures = 0;
  throttled = 0;
  promptTokens = 0;
  completionTokens = 0;
  reasoningTokens = 0;
  readonly hist: Record<LatencyKey, LatencyHistogram>;
  constructor() {
    this.hist = {} as Record<LatencyKey, LatencyHistogram>;
    for (const key of LATENCY_KEYS) this.hist[key] = new LatencyHistogram('window');
  }
  add(other: Slot, sign: 1 | -1): void {
    this.completed += sign * other.completed;
    this.failures += sign * other.failures;
    this.throttled += sign * other.throttled;
    this.promptTokens += sign * other.promptTokens;
    this.completionTokens += sign * other.completionTokens;
    this.reasoningTokens += sign * other.reasoningTokens;
    for (const key of LATENCY_KEYS) {
      if (other.hist[key].count === 0) continue;
      if (sign === 1) this.hist[key].add(other.hist[key]);
      else this.hist[key].subtract(other.hist[key]);
    }
  }
  reset(): void {
    this.completed = this.failures = this.throttled = this.promptTokens = this.completionTokens = this.reasoningTokens = 0;
    for (const key of LATENCY_KEYS) this.hist[key].reset();
  }
}

const MAX_DISTINCT_MESSAGES = 200;

export interface ErrorMessageCount {
  error: string;
  message: string;
  count: number;
}

export interface RunTotals {
  sent: number;
  completed: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  warmup: number;
  throttledResponses: number;
  attempts: number;
  retriedRequests: number;
  backoffMs: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Reasoning tokens (part of completionTokens) and the requests that reported or streamed any. */
  reasoningTokens: number;
  reasoningRecords: number;
  estimatedTokenRecords: number;
  contentChunks: number;
  /** Streamed tokens of requests whose chunks were counted (for tokens per chunk): completion tokens
   *  less reasoning the server counted but never streamed. */
  chunkedTokens: number;
  errors: Record<string, number>;
}

export class TargetMetrics {
  readonly totals: RunTotals = {
    sent: 0,
    completed: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    warmup: 0,
    throttledResponses: 0,
    attempts: 0,
    retriedRequests: 0,
    backoffMs: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    reasoningRecords: 0,
    estimatedTokenRecords: 0,
    contentChunks: 0,
    chunkedTokens: 0,
    errors: {},
  };
  /** Successful requests whose reasoning tokens were counted in usage but never streamed. */
  hiddenReasoningRecords = 0;
  /** How often each distinct failure message occurred (bounded: a server that puts a request id in
   *  every message must not grow this without limit). */
  private readonly errorMessages = new Map<string, ErrorMessageCount>();
  /** The engine's own estimated delay on each successful request's first token (warm-up excluded). */
  readonly clientDelay = new LatencyHistogram('run');
  /** Whole-run distributions (warm-up excluded). */
  readonly run: Record<LatencyKey, LatencyHistogram>;
  /** Whole-run histograms in fixed bins, for the Run panel and summary.json (same exclusions). */
  readonly distributions: TargetDistributions = emptyTargetDistributions();

  private readonly slots: Slot[];
  private readonly windowTotal = new Slot();
  /** Reused for each snapshot so a long run does not allocate histograms every second. */
  private readonly scratch = new Slot();
  private current = 0;
  private slotsFilled = 1;

  constructor(
    readonly target: string,
    readonly windowSeconds: number,
  ) {
    this.run = {} as Record<LatencyKey, LatencyHistogram>;
    for (const key of LATENCY_KEYS) this.run[key] = new LatencyHistogram('run');
    this.slots = Array.from({ length: Math.max(1, Math.round(windowSeconds)) }, () => new Slot());
  }

  /** A request left for the server; `lagMs` is its send time minus its scheduled time (open loop). */
  onSent(lagMs: number | null): void {
    this.totals.sent++;
    if (lagMs !== null) this.record('lag', lagMs);
  }

  /** An attempt was answered with HTTP 429 (counted per response, as the Azure tool does). */
  onThrottled(): void {
    this.totals.throttledResponses++;
    this.slots[this.current].throttled++;
  }

  /** `workload.sessions`: what the sessions did (set by the engine when sessions are configured). */
  sessions: SessionTally | null = null;

  /** A request finished; `contentTimes` are its content events' performance.now() stamps. */
  onRecord(record: RequestRecord, contentTimes: readonly number[]): void {
    this.sessions?.add(record);
    const gaps: number[] = [];
    for (let i = 1; i < contentTimes.length; i++) gaps.push(contentTimes[i] - contentTimes[i - 1]);
    addRecordToDistributions(this.distributions, record, gaps);
    const t = this.totals;
    t.attempts += record.attempts;
    t.backoffMs += record.backoff_ms;
    if (record.attempts > 1) t.retriedRequests++;
    if (record.error === 'cancelled') {
      t.cancelled++;
      return;
    }
    t.completed++;
    if (record.warmup) {
      t.warmup++;
      return;
    }
    const slot = this.slots[this.current];
    slot.completed++;
    if (record.error) {
      t.failed++;
      slot.failures++;
      t.errors[record.error] = (t.errors[record.error] ?? 0) + 1;
      this.countMessage(record.error, record.error_message ?? record.error);
    } else {
      t.succeeded++;
    }
    if (record.prompt_tokens !== null) {
      t.promptTokens += record.prompt_tokens;
      slot.promptTokens += record.prompt_tokens;
    }
    if (record.completion_tokens !== null) {
      t.completionTokens += record.completion_tokens;
      slot.completionTokens += record.completion_tokens;
    }
    if (record.cached_tokens) t.cachedTokens += record.cached_tokens;
    if (record.reasoning_tokens) {
      t.reasoningTokens += record.reasoning_tokens;
      t.reasoningRecords++;
      slot.reasoningTokens += record.reasoning_tokens;
    }
    if (record.tokens_estimated) t.estimatedTokenRecords++;
    if (record.utilization !== null) this.record('util', record.utilization);
    if (record.error) return; // latencies of failed requests would mix two populations
    if (record.ttfb_ms !== null) this.record('ttfb', record.ttfb_ms);
    if (record.ttft_ms !== null) this.record('ttft', record.ttft_ms);
    if (record.client_delay_ms != null) this.clientDelay.record(record.client_delay_ms);
    if (record.ttfr_ms != null) this.record('ttfr', record.ttfr_ms);
    if (record.e2e_ms !== null) this.record('e2e', record.e2e_ms);
    if (record.tbt_ms !== null) this.record('tbt', record.tbt_ms);
    if (record.tbt_all_ms != null) this.record('tbt_all', record.tbt_all_ms);
    for (const gap of gaps) this.record('chunk_gap', gap);
    if (record.completion_tokens !== null && record.content_chunks > 0) {
      const hiddenReasoning = record.reasoning_chunks ? 0 : (record.reasoning_tokens ?? 0);
      if (hiddenReasoning > 0) this.hiddenReasoningRecords++;
      t.contentChunks += record.content_chunks;
      t.chunkedTokens += record.completion_tokens - hiddenReasoning;
    }
  }

  private countMessage(error: string, message: string): void {
    const key = `${error}\u0000${message}`;
    const known = this.errorMessages.get(key);
    if (known) known.count++;
    else if (this.errorMessages.size < MAX_DISTINCT_MESSAGES) this.errorMessages.set(key, { error, message, count: 1 });
    else {
      const other = `${error}\u0000(other messages)`;
      const entry = this.errorMessages.get(other) ?? { error, message: '(other messages)', count: 0 };
      entry.count++;
      this.errorMessages.set(other, entry);
    }
  }

  /** The most frequent failure messages, up to `perClass` for each error class, most frequent first. */
  topErrorMessages(perClass = 3): ErrorMessageCount[] {
    const sorted = [...this.errorMessages.values()].sort((a, b) => b.count - a.count);
    const taken = new Map<string, number>();
    return sorted
      .filter((m) => {
        const n = taken.get(m.error) ?? 0;
        taken.set(m.error, n + 1);
        return n < perClass;
      })
      .map((m) => ({ ...m }));
  }

  private record(key: LatencyKey, ms: number): void {
    this.run[key].record(ms);
    this.slots[this.current].hist[key].record(ms);
  }

  /** Close the current one-second slot: called once per second by the engine's tick. */
  rotate(): void {
    this.windowTotal.add(this.slots[this.current], 1);
    this.current = (this.current + 1) % this.slots.length;
    const expiring = this.slots[this.current];
    if (this.slotsFilled === this.slots.length) this.windowTotal.add(expiring, -1);
    else this.slotsFilled++;
    expiring.reset();
  }

  /** The sliding window up to now (closed slots plus the one being filled). */
  snapshot(elapsedS: number, inFlight: number, queued: number, targetRpm: number | null, behind: boolean): WindowSnapshot {
    const w = this.scratch;
    w.reset();
    w.add(this.windowTotal, 1);
    w.add(this.slots[this.current], 1);
    const spanS = Math.max(1e-3, Math.min(this.windowSeconds, elapsedS));
    const perMinute = 60 / spanS;
    const stats = (key: LatencyKey): LatencyStats => w.hist[key].stats();
    return {
      type: 'window',
      target: this.target,
      t: Math.round(elapsedS * 1000) / 1000,
      time: new Date().toISOString(),
      window_s: this.windowSeconds,
      target_rpm: targetRpm,
      rpm: round1(w.completed * perMinute),
      requests: this.totals.sent,
      completed: this.totals.completed,
      in_flight: inFlight,
      queued,
      failures: w.failures,
      throttled: w.throttled,
      ctx_tpm: Math.round(w.promptTokens * perMinute),
      gen_tpm: Math.round(w.completionTokens * perMinute),
      reasoning_tpm: Math.round(w.reasoningTokens * perMinute),
      ttft: stats('ttft'),
      ttfr: stats('ttfr'),
      tbt: stats('tbt'),
      tbt_all: stats('tbt_all'),
      e2e: stats('e2e'),
      chunk_gap: stats('chunk_gap'),
      lag: stats('lag'),
      util: stats('util'),
      behind,
      totals: {
        succeeded: this.totals.succeeded,
        failed: this.totals.failed,
        cancelled: this.totals.cancelled,
        throttled_responses: this.totals.throttledResponses,
        prompt_tokens: this.totals.promptTokens,
        completion_tokens: this.totals.completionTokens,
        cached_tokens: this.totals.cachedTokens,
        reasoning_tokens: this.totals.reasoningTokens,
      },
    };
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
