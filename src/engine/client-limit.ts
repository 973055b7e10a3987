// Is this machine distorting a target's numbers? A busy event loop holds events before they are
// stamped, so every latency grows by that wait and the deployment gets the blame. The rule flags a
// target whose client-side delay could exceed the measurement's resolution; its thresholds come from
// the calibration in docs/performance.md §9 (bench/self-check.ts: true error vs the simulator's log).

import type { ClientHealth } from './self-check';
import type { TargetSummary } from './summary';

export const CLIENT_LIMITS = {
  /** The measurement's resolution: a TTFT error below max(10 ms, 10% of the target's median TTFT) is
   *  small against what a user compares (a 10 ms wait matters on a 30 ms TTFT, not on a 2 s one). */
  resolutionMs: 10,
  resolutionShareOfTtft: 0.1,
  /** Flag when the estimated client delay's p95 passes this share of the resolution: the estimate's
   *  p95 read 0.94–1.47× the true error p95 where that was large (docs/performance.md §9); at 0.8 the
   *  20 calibration runs gave no miss and one false alarm (a 9.5 ms error against a 10 ms limit). */
  shareOfResolution: 0.8,
  /** The busiest second's CPU, as a fraction of one core (the engine's thread is one core): a second,
   *  independent reason that names the cause. With engine threads, the busiest engine thread's own
   *  CPU (each is one core; the process total counts them all, and the parent's thread stamps nothing). */
  cpuMax: 0.95,
};

/** Why this target's latencies may be inflated by the client, or [] when they can be trusted. */
export function clientLimitReasons(target: TargetSummary, client: ClientHealth): string[] {
  const reasons: string[] = [];
  const delayP95 = target.client_delay_ms?.p95 ?? null;
  const ttftP50 = target.latency_ms.ttft.p50;
  if (delayP95 !== null) {
    const resolution = Math.max(CLIENT_LIMITS.resolutionMs, ttftP50 !== null ? ttftP50 * CLIENT_LIMITS.resolutionShareOfTtft : 0);
    const limit = resolution * CLIENT_LIMITS.shareOfResolution;
    if (delayP95 > limit) {
      reasons.push(`the client's own delay added ≈ ${round(delayP95)} ms (p95) to first tokens, above ${round(limit)} ms`);
    }
  }
  const threads = client.threads ?? 1;
  const cpuMax = threads > 1 ? (client.thread_cpu_max ?? 0) : client.cpu_max;
  if (cpuMax >= CLIENT_LIMITS.cpuMax) {
    reasons.push(
      threads > 1
        ? `the busiest of the client's ${threads} engine threads reached ${(cpuMax * 100).toFixed(0)}% of a core`
        : `the client's CPU reached ${(cpuMax * 100).toFixed(0)}% of a core`,
    );
  }
  return reasons;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
