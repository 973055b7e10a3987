// The comparison (compare.ts) as text for `perflab compare`: a markdown table padded to read as plain
// text, a row per metric and, for every run/target after the first, its value and how it differs from
// the first (the baseline) — better or worse only when the difference is significant, as the Compare
// panel says it; then what each column is and which tests decided.

import type { RunSummary } from '../engine/summary';
import { compareRuns, METHOD_TEXT, type CompareCell, type CompareRow } from './compare';
import { compareEntries } from './compare-metrics';

/** The comparison as a markdown table with its notes. Needs at least two run/targets. */
export function compareRunsText(runs: RunSummary[], labels?: string[]): string {
  const entries = compareEntries(runs, labels);
  if (entries.length < 2) throw new Error('pick at least two runs (or one run with two targets) to compare');
  const table = compareRuns(runs, labels);

  const header = ['Metric', `A: ${table.columns[0].label}`];
  table.columns.slice(1).forEach((c, i) => header.push(`${letter(i + 1)}: ${c.label}`, `${letter(i + 1)} vs A`));
  const rows = table.rows.map((row) => {
    const cells = [`${row.metric}${row.unit === 'ms' ? ' (ms)' : row.unit === '%' ? ' (%)' : ''}`, fmt(row.cells[0].value, row.unit)];
    for (const cell of row.cells.slice(1)) cells.push(fmt(cell.value, row.unit), versus(cell, row));
    return cells;
  });

  const lines = [
    `Compared with A (the first run). Lower latency and fewer errors are better; higher RPM is better. TBT is the per-token average.`,
    '',
    ...markdownTable(header, rows),
    '',
    ...entries.map(
      (e, i) => `${letter(i)}: ${e.run.scenario.name}, target ${e.target.target}, started ${e.run.started_at}, ${runOutcome(e.run, e.target.target)}`,
    ),
  ];
  if (table.methods.length > 0) {
    lines.push(
      '',
      'Better or worse only where the difference is significant for the sample sizes; otherwise within noise. Requests are taken as independent samples.',
    );
    for (const method of table.methods) lines.push(`- ${METHOD_TEXT[method]}`);
  }
  return lines.join('\n') + '\n';
}

/** `+50 ms (1.50×) worse`, `−3 ms (0.97×) within noise`, `same`; `–` when either side is unknown. */
function versus(cell: CompareCell, row: CompareRow): string {
  if (cell.verdict === 'unknown' || cell.difference === null) return '–';
  if (cell.verdict === 'same') return 'same';
  const size = fmt(Math.abs(cell.difference), row.unit);
  const sign = size === '0' ? '±' : cell.difference > 0 ? '+' : '−';
  const unit = row.unit === 'ms' ? ' ms' : row.unit === '%' ? ' pts' : row.unit === 'requests' ? ' requests' : ' RPM';
  const ratio = cell.ratio === null ? '' : ` (${cell.ratio.toFixed(2)}×)`;
  const verdict = cell.verdict === 'within-noise' ? 'within noise' : cell.verdict;
  // The 1% rule is no test: say so where it decided.
  return `${sign}${size}${unit}${ratio} ${verdict}${cell.method === 'one-percent' ? ' (1% rule)' : ''}`;
}

function fmt(v: number | null, unit: CompareRow['unit']): string {
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

/** The column letters: A is the baseline. */
export function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `#${i + 1}`;
}

function markdownTable(header: string[], rows: string[][]): string[] {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const all = [header, ...rows].map((r) => r.map(escape));
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(all[0]), rule, ...all.slice(1).map(line)];
}
