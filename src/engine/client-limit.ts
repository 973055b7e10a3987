// Is this machine distorting a target's numbers? A busy event loop holds events before they are
// stamped, so every latency grows by that wait and the deployment gets the blame. The rule flags a
// target whose client-side delay could exceed the measurement's resolution; its thresholds come from
// the calibration in docs/performance.md §9 (bench/self-check.ts: true error vs the simulator's log).

import type { ClientHealth } from './self-check';
import type { TargetSummary } from './summary';

export const CLIENT_LIMITS = {
  /** Estimated client delay on first tokens (p95) above which TTFT error is no longer small. */
  clientDelayP95Ms: 10,
  /** …or above this share of the target's median TTFT (a 10 ms wait matters more on a 30 ms TTFT). */
  clientDelayShareOfTtft: 0.1,
  /** Event-loop delay p99 over the whole run. */
  eventLoopP99Ms: 50,
  /** The busiest second's CPU, as a fraction of one core (the engine's thread is one core). */
  cpuMax: 0.95,
};

/** Why this target's latencies may be inflated by the client, or [] when they can be trusted. */
export function clientLimitReasons(target: TargetSummary, client: ClientHealth): string[] {
  const reasons: string[] = [];
  const delayP95 = target.client_delay_ms?.p95 ?? null;
  const ttftP50 = target.latency_ms.ttft.p50;
  if (delayP95 !== null) {
    const limit = Math.max(CLIENT_LIMITS.clientDelayP95Ms, ttftP50 !== null ? ttftP50 * CLIENT_LIMITS.clientDelayShareOfTtft : 0);
    if (delayP95 > limit) {
      reasons.push(`the engine's own delay on first tokens was ${round(delayP95)} ms (p95), above ${round(limit)} ms`);
    }
  }
  if (client.event_loop_delay_ms.p99 > CLIENT_LIMITS.eventLoopP99Ms) {
    reasons.push(`the client's event loop was delayed ${round(client.event_loop_delay_ms.p99)} ms (p99)`);
  }
  if (client.cpu_max >= CLIENT_LIMITS.cpuMax) reasons.push(`the client's CPU reached ${(client.cpu_max * 100).toFixed(0)}% of a core`);
  return reasons;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
