// What "compare" compares, in one place for the Compare panel, `perflab compare` and the regression
// rules: the metrics (p50/p95/p99 of each latency, achieved RPM, errors, throttling, and the server's own
// TTFT and queue when every run compared scraped them), which direction
// is better, and the run/targets compared (the first is the baseline). Pure logic (no I/O, no DOM).

import type { LatencyStats } from '../engine/records';
import type { RunSummary, TargetSummary } from '../engine/summary';

export interface CompareEntry {
  /** Column heading; default `<scenario> <started_at> · <target>`. */
  label: string;
  target: TargetSummary;
  run: RunSummary;
}

type Better = 'lower' | 'higher';

/** Where no significance test applies (a summary without histograms, or TTFR), a relative difference
 *  below 1% is called the same: noise on a shared machine, not a result (compare.ts). */
export const SAME_WITHIN = 0.01;

interface MetricRow {
  name: string;
  unit: 'ms' | 'rpm' | '%' | 'requests';
  better: Better;
  value: (t: TargetSummary) => number | null;
  /** Shown only when some run has it (TTFR exists only for reasoning models that stream reasoning). */
  optional?: boolean;
  /** Shown only when every run has it: the server's own numbers (`server_metrics:`). */
  everyRun?: boolean;
}

const LATENCY: [string, 'ttft' | 'tbt' | 'chunk_gap' | 'e2e'][] = [
  ['TTFT', 'ttft'],
  ['TBT (per token)', 'tbt'],
  ['Chunk gap (per chunk)', 'chunk_gap'],
  ['E2E', 'e2e'],
];
const STATS: (keyof LatencyStats & ('p50' | 'p95' | 'p99'))[] = ['p50', 'p95', 'p99'];

export const COMPARE_METRICS: MetricRow[] = [
  ...LATENCY.flatMap(([name, key]) =>
    STATS.map((stat): MetricRow => ({ name: `${name} ${stat}`, unit: 'ms', better: 'lower', value: (t) => t.latency_ms[key]?.[stat] ?? null })),
  ),
  ...STATS.map((stat): MetricRow => ({
    name: `TTFR (first reasoning token) ${stat}`,
    unit: 'ms',
    better: 'lower',
    value: (t) => (t.reasoning_latency_ms?.ttfr.count ? t.reasoning_latency_ms.ttfr[stat] : null),
    optional: true,
  })),
  { name: 'Achieved RPM', unit: 'rpm', better: 'higher', value: (t) => t.schedule.achieved_rpm },
  { name: 'Errors', unit: '%', better: 'lower', value: errorPercent },
  { name: 'Throttled (HTTP 429)', unit: '%', better: 'lower', value: throttledPercent },
  // The server's side, from its histograms and gauges (src/engine/server-metrics/server-summary.ts).
  { name: 'Server TTFT p50', unit: 'ms', better: 'lower', value: (t) => t.server?.latency_ms?.ttft?.p50 ?? null, everyRun: true },
  { name: 'Server TTFT p95', unit: 'ms', better: 'lower', value: (t) => t.server?.latency_ms?.ttft?.p95 ?? null, everyRun: true },
  { name: 'Server queue max', unit: 'requests', better: 'lower', value: (t) => t.server?.waiting?.max ?? null, everyRun: true },
];

/** Share of attempts answered with HTTP 429, in percent; null when nothing was sent. */
export function throttledPercent(t: TargetSummary): number | null {
  return t.requests.attempts > 0 ? (t.requests.throttled_responses / t.requests.attempts) * 100 : null;
}

/** The metric rows worth showing for these targets: optional rows only when one of them has a value,
 *  the server's rows only when all of them have one. */
export function metricsFor(targets: TargetSummary[]): MetricRow[] {
  return COMPARE_METRICS.filter((m) => (m.everyRun ? targets.every((t) => m.value(t) !== null) : !m.optional || targets.some((t) => m.value(t) !== null)));
}

/** Failed share of the requests that count (warm-up excluded), in percent; null when none counted. */
export function errorPercent(t: TargetSummary): number | null {
  const counted = t.requests.completed - t.requests.warmup_excluded;
  return counted > 0 ? (t.requests.failed / counted) * 100 : null;
}

/** Every target of every run, in order: the first one is the baseline. */
export function compareEntries(runs: RunSummary[], labels?: string[]): CompareEntry[] {
  return runs.flatMap((run, i) =>
    run.targets.map((target) => {
      const base = labels?.[i] ?? `${run.scenario.name} ${run.started_at.replace(/\.\d+Z$/, 'Z')}`;
      return { label: run.targets.length > 1 || labels === undefined ? `${base} · ${target.target}` : base, target, run };
    }),
  );
}
