// The Compare panel's table: each metric for every run/target, with the difference and ratio against
// the first (the baseline) and which is better. Metrics, labels, and "better" directions come from
// compare-metrics.ts, so the webview and the markdown compare cannot disagree.

import { compareEntries, metricsFor, SAME_WITHIN } from '../../../src/shared/compare-metrics';

export { SAME_WITHIN };
import type { RunSummary, SloVerdict } from '../../../src/engine/summary';

export interface CompareColumn {
  label: string;
  /** Index into the summaries passed in. */
  run: number;
  target: string;
}

export type CompareVerdict = 'baseline' | 'better' | 'worse' | 'same' | 'unknown';

export interface CompareCell {
  value: number | null;
  /** value − baseline (exact; formatting is the view's job). Null when either is unknown. */
  difference: number | null;
  /** value / baseline. Null when either is unknown or the baseline is 0. */
  ratio: number | null;
  verdict: CompareVerdict;
}

export interface CompareRow {
  metric: string;
  unit: 'ms' | 'rpm' | '%';
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
}

/** Every target of every summary becomes a column, in order; the first column is the baseline. */
export function compareRuns(summaries: readonly RunSummary[], labels?: string[]): CompareTable {
  const entries = compareEntries([...summaries], labels);
  // compareEntries walks runs then targets in order; walk them the same way for each column's run index.
  const runIndex = summaries.flatMap((s, i) => s.targets.map(() => i));
  const columns = entries.map((e, i) => ({ label: e.label, run: runIndex[i], target: e.target.target }));

  const rows = metricsFor(entries.map((e) => e.target)).map((m): CompareRow => {
    const values = entries.map((e) => m.value(e.target));
    return {
      metric: m.name,
      unit: m.unit,
      better: m.better,
      cells: values.map((value, i) => (i === 0 ? baselineCell(value) : cell(values[0], value, m.better))),
    };
  });

  // SLO texts in first-seen order, each with every column's verdict side by side.
  const texts = [...new Set(summaries.flatMap((s) => s.slos.map((v) => v.slo)))];
  const slos = texts.map((slo) => ({
    slo,
    verdicts: entries.map((e) => e.run.slos.find((v) => v.slo === slo && v.target === e.target.target) ?? null),
  }));
  return { columns, rows, slos };
}

function baselineCell(value: number | null): CompareCell {
  return value === null ? { value, difference: null, ratio: null, verdict: 'unknown' } : { value, difference: 0, ratio: 1, verdict: 'baseline' };
}

function cell(base: number | null, value: number | null, better: 'lower' | 'higher'): CompareCell {
  if (base === null || value === null) return { value, difference: null, ratio: null, verdict: 'unknown' };
  const difference = value - base;
  const ratio = base !== 0 ? value / base : null;
  // Under 1% apart is noise on a shared machine, not a result: call it the same.
  if (difference === 0 || Math.abs(difference) < Math.abs(base) * SAME_WITHIN) return { value, difference, ratio, verdict: 'same' };
  const isBetter = better === 'lower' ? difference < 0 : difference > 0;
  return { value, difference, ratio, verdict: isBetter ? 'better' : 'worse' };
}
