// What "compare" compares, in one place for the Compare panel, the markdown table and the CLI: the
// metrics (p50/p95/p99 of each latency, achieved RPM, errors, throttling), which direction is better,
// and the markdown table with a row per metric and, for every run/target after the first, its value
// and how it differs from the first (the baseline). Pure logic (no 'vscode').

import type { LatencyStats } from '../engine/records';
import type { RunSummary, TargetSummary } from '../engine/summary';

export interface CompareEntry {
  /** Column heading; default `<scenario> <started_at> · <target>`. */
  label: string;
  target: TargetSummary;
  run: RunSummary;
}

type Better = 'lower' | 'higher';

/** Relative difference below which two values are called the same (1%): noise on a shared machine,
 *  not a result. The panel, the markdown table and `perflab compare` all use it. */
export const SAME_WITHIN = 0.01;

interface MetricRow {
  name: string;
  unit: 'ms' | 'rpm' | '%';
  better: Better;
  value: (t: TargetSummary) => number | null;
  /** Shown only when some run has it (TTFR exists only for reasoning models that stream reasoning). */
  optional?: boolean;
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
  ...STATS.map(
    (stat): MetricRow => ({
      name: `TTFR (first reasoning token) ${stat}`,
      unit: 'ms',
      better: 'lower',
      value: (t) => (t.reasoning_latency_ms?.ttfr.count ? t.reasoning_latency_ms.ttfr[stat] : null),
      optional: true,
    }),
  ),
  { name: 'Achieved RPM', unit: 'rpm', better: 'higher', value: (t) => t.schedule.achieved_rpm },
  { name: 'Errors', unit: '%', better: 'lower', value: errorPercent },
  { name: 'Throttled (HTTP 429)', unit: '%', better: 'lower', value: throttledPercent },
];

/** Share of attempts answered with HTTP 429, in percent; null when nothing was sent. */
export function throttledPercent(t: TargetSummary): number | null {
  return t.requests.attempts > 0 ? (t.requests.throttled_responses / t.requests.attempts) * 100 : null;
}

/** The metric rows worth showing for these targets: optional rows only when one of them has a value. */
export function metricsFor(targets: TargetSummary[]): MetricRow[] {
  return COMPARE_METRICS.filter((m) => !m.optional || targets.some((t) => m.value(t) !== null));
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

/** The comparison as a markdown table (padded to read as plain text). Needs at least two run/targets. */
export function compareRunsText(runs: RunSummary[], labels?: string[]): string {
  const entries = compareEntries(runs, labels);
  if (entries.length < 2) throw new Error('pick at least two runs (or one run with two targets) to compare');
  const [baseline, ...others] = entries;

  const header = ['Metric', `A: ${baseline.label}`];
  others.forEach((e, i) => header.push(`${letter(i + 1)}: ${e.label}`, `${letter(i + 1)} vs A`));
  const rows = metricsFor(entries.map((e) => e.target)).map((m) => {
    const a = m.value(baseline.target);
    const row = [`${m.name}${m.unit === 'ms' ? ' (ms)' : m.unit === '%' ? ' (%)' : ''}`, fmt(a, m.unit)];
    for (const e of others) {
      const b = m.value(e.target);
      row.push(fmt(b, m.unit), versus(a, b, m));
    }
    return row;
  });

  const lines = [
    `Compared with A (the first run). Lower latency and fewer errors are better; higher RPM is better. TBT is the per-token average.`,
    '',
    ...table(header, rows),
    '',
    ...entries.map((e, i) => `${letter(i)}: ${e.run.scenario.name}, target ${e.target.target}, started ${e.run.started_at}, ${runOutcome(e.run, e.target.target)}`),
  ];
  return lines.join('\n') + '\n';
}

/** `−30 ms (0.83×) better`; `same`; `–` when either side is unknown. */
function versus(a: number | null, b: number | null, m: MetricRow): string {
  if (a === null || b === null) return '–';
  if (fmt(a, m.unit) === fmt(b, m.unit) || Math.abs(b - a) < Math.abs(a) * SAME_WITHIN) return 'same';
  const diff = b - a;
  const sign = diff > 0 ? '+' : '−';
  const unit = m.unit === 'ms' ? ' ms' : m.unit === '%' ? ' pts' : ' RPM';
  const ratio = a !== 0 ? ` (${(b / a).toFixed(2)}×)` : '';
  const better = (m.better === 'lower') === diff < 0;
  return `${sign}${fmt(Math.abs(diff), m.unit)}${unit}${ratio} ${better ? 'better' : 'worse'}`;
}

function fmt(v: number | null, unit: MetricRow['unit']): string {
  if (v === null) return '–';
  if (unit === '%') return v.toFixed(2).replace(/\.?0+$/, '') || '0';
  if (unit === 'rpm') return (Math.round(v * 10) / 10).toString();
  return Math.round(v).toString();
}

function runOutcome(run: RunSummary, target: string): string {
  if (run.stopped_by === 'stop') return 'stopped by the user';
  if (run.stopped_by === 'error') return 'ended with an error';
  const verdicts = run.slos.filter((v) => v.target === target);
  if (verdicts.length === 0) return 'completed, no SLOs';
  const failed = verdicts.filter((v) => !v.pass).map((v) => v.slo);
  return failed.length === 0 ? `passed ${verdicts.length} ${verdicts.length === 1 ? 'SLO' : 'SLOs'}` : `failed ${failed.join(', ')}`;
}

function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `#${i + 1}`;
}

function table(header: string[], rows: string[][]): string[] {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const all = [header, ...rows].map((r) => r.map(escape));
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(all[0]), rule, ...all.slice(1).map(line)];
}

/** The same table, under the name the Compare command uses (the output is markdown). */
export const compareRunsMarkdown = compareRunsText;
