// The largest (and a few smallest) values a scenario may hold, each with the reason a user sees.
// Without them a typo such as `rate: 1e308` or `context_tokens: 1e9` passes validation and then
// exhausts memory, throws a RangeError or hangs the run. schema.ts puts each limit into the JSON
// Schema (`maximum` plus `maximumErrorMessage`, and the reason in the description); normalize.ts
// applies the duration limits to strings such as "99999h", which JSON Schema cannot compare.

export interface Limit {
  max: number;
  /** The whole error message, e.g. `must be at most 10,000: each client holds an open connection`. */
  message: string;
  /** For descriptions: `At most 10,000 (each client holds an open connection).` */
  note: string;
}

/** Counts shown with thousands separators, so 1000000 reads as 1,000,000. */
export function formatLimit(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function limit(max: number, unit: string, reason: string): Limit {
  const value = `${formatLimit(max)}${unit}`;
  return { max, message: `must be at most ${value}: ${reason}`, note: `At most ${value} (${reason}).` };
}

/** A duration limit in seconds, shown in the unit a person would use (7 days, 1 h, 10 min). */
function durationLimit(maxSeconds: number, shown: string, reason: string): Limit {
  return {
    max: maxSeconds,
    message: `must be at most ${shown} = ${formatLimit(maxSeconds)} s: ${reason}`,
    note: `At most ${shown} (${reason}).`,
  };
}

const HOUR = 3600;
const TOKENS = 2_000_000;
const TOKEN_REASON = "more than any model's context window";
const COUNT_REASON = 'every request is kept in the results';

export const LIMITS = {
  rate: limit(1_000_000, ' requests per minute', 'about 16,700 requests a second, more than one load generator can start'),
  clients: limit(10_000, '', 'each client holds an open connection'),
  requests: limit(100_000_000, '', COUNT_REASON),
  warm_up: limit(100_000_000, '', COUNT_REASON),
  tokens: limit(TOKENS, ' tokens', TOKEN_REASON),
  duration: durationLimit(7 * 24 * HOUR, '7 days', 'split longer soak tests into several runs'),
  ramp_up: durationLimit(7 * 24 * HOUR, '7 days', 'the longest run'),
  think_time: durationLimit(HOUR, '1 h', 'a longer pause is not a load test'),
  drain_timeout: durationLimit(HOUR, '1 h', 'the longest request timeout'),
  request_timeout: durationLimit(HOUR, '1 h', 'no streamed answer takes longer'),
  idle_timeout: durationLimit(HOUR, '1 h', 'a stream silent that long has stalled'),
  max_retry: durationLimit(HOUR, '1 h', 'a request retried that long is throttled, not slow'),
  aggregation_window: durationLimit(HOUR, '1 h', 'the window keeps one slot per second in memory'),
  scrape_interval: durationLimit(HOUR, '1 h', 'a server scraped less often says nothing about a run'),
  usd_per_million: limit(1_000_000, ' USD', 'no model costs more per 1M tokens'),
  // The built-in simulator's model.
  sim_ttft_ms: limit(600_000, ' ms', 'ten minutes, no server takes that long to start an answer'),
  sim_per_1k_ms: limit(60_000, ' ms', 'a minute per 1,000 prompt tokens is slower than any server'),
  sim_tpot_ms: limit(60_000, ' ms', 'a minute per token is slower than any server'),
  sim_stall_ms: limit(HOUR * 1000, ' ms', 'one hour, the longest idle timeout'),
  sim_tokens_per_chunk: limit(TOKENS, '', TOKEN_REASON),
  sim_reasoning_tokens: limit(TOKENS, ' tokens', TOKEN_REASON),
  sim_rpm: limit(1_000_000, ' requests per minute', 'the largest rate a scenario can send'),
  sim_tpm: limit(1_000_000_000, ' tokens per minute', "far beyond any deployment's quota"),
  quota_window: durationLimit(HOUR, '1 h', 'quotas are per minute; an hour-long window only delays every 429'),
  sim_coalesce_events: limit(10_000, '', 'more events than most answers have'),
  ptus: limit(100_000, ' PTUs', 'more than any provisioned deployment'),
  engine_threads: limit(64, ' threads', 'more threads than cores only add overhead'),
  seed: limit(Number.MAX_SAFE_INTEGER, '', 'larger integers lose precision'),
} as const satisfies Record<string, Limit>;

/** The slowest open-loop rate: the gap between requests must fit the timers that pace them (24 days). */
export const MIN_RATE = { min: 0.001, message: 'must be at least 0.001 requests per minute (one every 16.7 hours): slower schedules are not a load test' };

/** Deeper YAML than this is refused before it is converted or checked (both recurse). */
export const MAX_NESTING = 64;

/** At most this many problems are listed, then one "… and N more problems". */
export const MAX_PROBLEMS = 100;

/** Keys and values longer than this are cut in messages. */
export const MAX_SHOWN_CHARS = 80;
