// The comparison of runs (or of one run's targets): each metric for every run/target, with the
// difference and ratio against the first (the baseline) and whether it is better, worse, or within the
// noise of the sample sizes (significance.ts). The Compare panel draws this table, `perflab compare`
// prints it (compare-text.ts) and writes it as JSON, so they cannot disagree. Metrics, labels and
// "better" directions come from compare-metrics.ts. Pure logic: the webview bundles it too.

import type { Distribution, DistributionId } from '../engine/distribution';
import type { RunSummary, SloVerdict, TargetSummary } from '../engine/summary';
import { compareEntries, metricsFor, SAME_WITHIN } from './compare-metrics';
import { ALPHA, minimumCount, percentileTest, proportionTest, rateTest, type TestResult } from './significance';

export interface CompareColumn {
  label: string;
  /** Index into the summaries passed in. */
  run: number;
  target: string;
}

/** `within-noise`: tested, and the difference is not significant at α = 0.05 for these sample sizes.
 *  `same`: exactly equal, or (without a test) less than 1% apart. */
export type CompareVerdict = 'baseline' | 'better' | 'worse' | 'within-noise' | 'same' | 'unknown';

/** How a cell's verdict was reached. `bootstrap`: exact bootstrap test of the percentile on the
 *  whole-run histograms; `fisher`: Fisher's exact test of the share; `poisson`: exact test of two
 *  Poisson rates; `one-percent`: no test possible (a summary without histograms, or a metric without
 *  one), the 1% rule. */
export type CompareMethod = 'bootstrap' | 'fisher' | 'poisson' | 'one-percent';

export interface CompareCell {
  value: number | null;
  /** value − baseline (exact; formatting is the view's job). Null when either is unknown. */
  difference: number | null;
  /** value / baseline. Null when either is unknown or the baseline is 0. */
  ratio: number | null;
  verdict: CompareVerdict;
  /** How the verdict was reached (absent for the baseline and unknown cells). */
  method?: CompareMethod;
  /** The test's two-sided p-value (absent without a test). */
  p?: number;
  /** Why, in words (the cell's tooltip). */
  why?: string;
}

export interface CompareRow {
  metric: string;
  unit: 'ms' | 'rpm' | '%' | 'requests';
  better: 'lower' | 'higher';
  /** One per column; the first is the baseline. */
  cells: CompareCell[];
}

export interface CompareSloRow {
  slo: string;
  /** One per column; null where that run/target has no such SLO. */
  verdicts: (SloVerdict | null)[];
}

export interface CompareTable {
  columns: CompareColumn[];
  rows: CompareRow[];
  slos: CompareSloRow[];
  /** Every method some cell used, for the table's footnote. */
  methods: CompareMethod[];
}

/** The latency rows a histogram can test: metric name → which histogram and which percentile. */
const PERCENTILE_ROWS = new Map<string, [DistributionId, number]>(
  (
    [
      ['TTFT', 'ttft'],
      ['TBT (per token)', 'tbt'],
      ['Chunk gap (per chunk)', 'chunk_gap'],
      ['E2E', 'e2e'],
    ] as const
  ).flatMap(([name, id]) => ([50, 95, 99] as const).map((p): [string, [DistributionId, number]] => [`${name} p${p}`, [id, p / 100]])),
);

/** What each method is, for the footnote and tooltips. */
export const METHOD_TEXT: Record<CompareMethod, string> = {
  bootstrap: `Percentiles: exact bootstrap test on the whole-run histograms (two-sided, α = ${ALPHA}); values in one histogram bin (~6% wide) count as tied.`,
  fisher: `Errors and throttling: Fisher's exact test on the counts (two-sided, α = ${ALPHA}).`,
  poisson: `Achieved RPM: exact test of two Poisson rates, requests sent over each run's duration (two-sided, α = ${ALPHA}).`,
  'one-percent': `No histogram to test (a run recorded before summaries carried them, TTFR, or the server's own numbers): better/worse by a flat 1% rule, not a significance test.`,
};

/** Every target of every summary becomes a column, in order; the first column is the baseline. */
export function compareRuns(summaries: readonly RunSummary[], labels?: string[]): CompareTable {
  const entries = compareEntries([...summaries], labels);
  // compareEntries walks runs then targets in order; walk them the same way for each column's run index.
  const runIndex = summaries.flatMap((s, i) => s.targets.map(() => i));
  const columns = entries.map((e, i) => ({ label: e.label, run: runIndex[i], target: e.target.target }));
  const histograms = entries.map((e) => e.run.distributions?.[e.target.target] ?? null);

  const rows = metricsFor(entries.map((e) => e.target)).map((m): CompareRow => {
    const values = entries.map((e) => m.value(e.target));
    return {
      metric: m.name,
      unit: m.unit,
      better: m.better,
      cells: values.map((value, i) =>
        i === 0
          ? baselineCell(value)
          : compareCell(
              m.name,
              m.better,
              values[0],
              value,
              { target: entries[0].target, histograms: histograms[0] },
              { target: entries[i].target, histograms: histograms[i] },
            ),
      ),
    };
  });

  // SLO texts in first-seen order, each with every column's verdict side by side.
  const texts = [...new Set(summaries.flatMap((s) => s.slos.map((v) => v.slo)))];
  const slos = texts.map((slo) => ({
    slo,
    verdicts: entries.map((e) => e.run.slos.find((v) => v.slo === slo && v.target === e.target.target) ?? null),
  }));
  const used = new Set(rows.flatMap((r) => r.cells.map((c) => c.method)));
  const methods = (Object.keys(METHOD_TEXT) as CompareMethod[]).filter((m) => used.has(m));
  return { columns, rows, slos, methods };
}

/** One side of a comparison: the target's summary and its histograms (null in older summaries). */
export interface CompareSide {
  target: TargetSummary;
  histograms: Partial<Record<DistributionId, Distribution>> | null;
}

/**
 * The verdict of `value` (side B) against the baseline `base` (side A) for the metric row `metric`:
 * better/worse only when the row's test finds the difference significant and in the direction of the
 * values; within noise otherwise; the 1% rule where no test applies. Exported for the tests that check
 * the panel against summary.json.
 */
export function compareCell(
  metric: string,
  better: 'lower' | 'higher',
  base: number | null,
  value: number | null,
  a: CompareSide,
  b: CompareSide,
): CompareCell {
  if (base === null || value === null) return { value, difference: null, ratio: null, verdict: 'unknown' };
  const difference = value - base;
  const ratio = base !== 0 ? value / base : null;
  const cell = { value, difference, ratio };
  const direction = difference > 0 ? 1 : -1;
  const verdictOf = () => ((better === 'lower') === difference < 0 ? 'better' : 'worse');
  const test = testFor(metric, a, b);
  if (!test) {
    // Under 1% apart is noise on a shared machine, not a result: call it the same.
    if (difference === 0 || Math.abs(difference) < Math.abs(base) * SAME_WITHIN)
      return { ...cell, verdict: 'same', method: 'one-percent', why: 'less than 1% apart (no histogram to test)' };
    return { ...cell, verdict: verdictOf(), method: 'one-percent', why: '1% or more apart (no histogram to test: not a significance test)' };
  }
  const { method, result } = test;
  const p = { p: result.p };
  if (difference === 0) return { ...cell, verdict: 'same', method, ...p, why: 'equal' };
  if (result.tooFew) {
    const q = PERCENTILE_ROWS.get(metric)?.[1] ?? 0.5;
    return { ...cell, verdict: 'within-noise', method, ...p, why: `too few requests to judge p${Math.round(q * 100)}: needs ${minimumCount(q)} on each side` };
  }
  // Significant, and the same way the reported values moved.
  if (result.direction === direction) return { ...cell, verdict: verdictOf(), method, ...p, why: `significant (${formatP(result.p)})` };
  if (result.direction === 0) return { ...cell, verdict: 'within-noise', method, ...p, why: `not significant (${formatP(result.p)})` };
  return { ...cell, verdict: 'within-noise', method, ...p, why: `the histograms differ the other way (${formatP(result.p)}): no verdict` };
}

function testFor(metric: string, a: CompareSide, b: CompareSide): { method: CompareMethod; result: TestResult } | null {
  const percentile = PERCENTILE_ROWS.get(metric);
  if (percentile) {
    const [id, q] = percentile;
    const [da, db] = [a.histograms?.[id], b.histograms?.[id]];
    const result = da && db ? percentileTest(da, db, q) : null;
    return result && { method: 'bootstrap', result };
  }
  const [ra, rb] = [a.target.requests, b.target.requests];
  let result: TestResult | null;
  let method: CompareMethod;
  switch (metric) {
    case 'Errors':
      method = 'fisher';
      result = proportionTest(ra.failed, ra.completed - ra.warmup_excluded, rb.failed, rb.completed - rb.warmup_excluded);
      break;
    case 'Throttled (HTTP 429)':
      method = 'fisher';
      result = proportionTest(ra.throttled_responses, ra.attempts, rb.throttled_responses, rb.attempts);
      break;
    case 'Achieved RPM':
      method = 'poisson';
      result = rateTest(a.target.schedule.sent, a.target.duration_s, b.target.schedule.sent, b.target.duration_s);
      break;
    default:
      return null;
  }
  return result && { method, result };
}

function baselineCell(value: number | null): CompareCell {
  return value === null ? { value, difference: null, ratio: null, verdict: 'unknown' } : { value, difference: 0, ratio: 1, verdict: 'baseline' };
}

/** `p = 0.012`, `p < 0.001`. */
export function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}
