// The Compare panel: two or more runs (or the targets of one run) side by side — a table of
// p50/p95/p99 per metric with difference, ratio and whether it is better, worse or within noise (with
// the test that decided it); SLO verdicts side by side; and the same metrics on one timeline (parallel
// targets) or aligned from each start (sequential runs).

import type { Chart } from 'chart.js';
import type { WindowSnapshot } from '../../src/engine/records';
import { VERDICT_LABEL, verdictStatus } from '../../src/engine/summary';
import type { CompareInitMessage } from '../../src/protocol/panel';
import { ChartCard } from './chart-card';
import { chartPng, createLineChart, destroyChart, setLineSeries } from './charts';
import { h, iconButton } from './dom';
import { formatDifference, formatRatio, formatValue } from './model/format';
import type { Host } from './host';
import { seriesTable } from './series-table';
import { alignFromStart, alignOnClock, seriesFromWindows } from './model/view-model';
import { compareRuns, METHOD_TEXT, type CompareCell, type CompareTable } from '../../src/results/compare';

/** Which series of each column the overlay charts draw. */
const OVERLAYS = [
  { id: 'ttft_p95', title: 'TTFT p95', unit: 'ms' },
  { id: 'tbt_p95', title: 'TBT p95 (per token)', unit: 'ms' },
  { id: 'chunk_gap_p95', title: 'Chunk gap p95 (per chunk, not per token)', unit: 'ms' },
  { id: 'e2e_p95', title: 'E2E p95', unit: 'ms' },
  { id: 'rpm', title: 'Achieved RPM (completed)', unit: 'rpm' },
  { id: 'throttled', title: 'Throttled responses (HTTP 429)', unit: 'requests' },
] as const;

/** Draws the Compare panel; returns a function that frees its charts (before the next `init`). */
export function renderCompare(host: Host, message: CompareInitMessage, container: HTMLElement): () => void {
  const charts: Chart[] = [];
  const chartCards: ChartCard[] = [];
  // The run folders, so VS Code can bring the panel back after a window reload.
  host.setState({ ...host.getState(), runIds: message.runIds });
  const table = compareRuns(
    message.runs.map((r) => r.summary),
    message.runs.map((r) => r.label),
  );
  // One window list per column (each target of each run), aligned as the host asked.
  const perColumn = table.columns.map((c) => message.runs[c.run].windows.filter((w) => w.target === c.target));
  const aligned: WindowSnapshot[][] = message.alignment === 'clock' ? alignOnClock(...perColumn) : alignFromStart(...perColumn);
  const xTitle = message.alignment === 'clock' ? 'seconds (one clock for all)' : 'seconds since each start';

  const exportPng = message.interactive ? (chartId: string, chart: Chart) => host.post({ type: 'exportPng', chartId, dataUrl: chartPng(chart) }) : undefined;
  const cards = OVERLAYS.map((o) => {
    const card = new ChartCard({ id: `compare_${o.id}`, title: o.title, description: `${o.title} of each column over time.`, onExportPng: exportPng });
    const chart = createLineChart(card.canvas, o.unit, xTitle);
    card.chart = chart;
    const series = table.columns.map((c, i) => ({ label: c.label, points: seriesFromWindows(aligned[i], c.target).find((s) => s.id === o.id)?.points ?? [] }));
    setLineSeries(chart, series);
    card.setData(
      series.reduce((n, s) => n + s.points.filter((p) => p.y !== null).length, 0),
      () => seriesTable(series, o.unit),
    );
    charts.push(chart);
    chartCards.push(card);
    return card.element;
  });

  container.replaceChildren(
    h(
      'main',
      { class: 'compare-view', 'aria-label': 'Compare runs' },
      h(
        'header',
        { class: 'panel-header' },
        h('h1', {}, `Compare ${table.columns.length} ${message.alignment === 'clock' ? 'targets' : 'runs'}`),
        h(
          'span',
          { class: 'status' },
          `baseline: ${table.columns[0]?.label ?? '–'} · ${message.alignment === 'clock' ? 'one clock' : 'aligned from each start'}`,
        ),
        message.interactive
          ? h(
              'div',
              { class: 'toolbar', role: 'toolbar', 'aria-label': 'Compare actions' },
              iconButton('file-code', 'Save HTML report', () => host.post({ type: 'exportHtml' }), { showLabel: true }),
            )
          : null,
      ),
      h('section', { 'aria-labelledby': 'compare-table-title' }, h('h2', { id: 'compare-table-title' }, 'Metrics'), compareTable(table), methodsNote(table)),
      table.slos.length > 0
        ? h('section', { 'aria-labelledby': 'compare-slo-title' }, h('h2', { id: 'compare-slo-title' }, 'SLO verdicts'), sloTable(table))
        : null,
      h(
        'section',
        { 'aria-labelledby': 'compare-charts-title' },
        h('h2', { id: 'compare-charts-title' }, 'Over time'),
        h('div', { class: 'chart-grid' }, ...cards),
      ),
    ),
  );
  return () => {
    chartCards.splice(0).forEach((c) => c.dispose());
    charts.splice(0).forEach(destroyChart);
  };
}

function compareTable(table: CompareTable): HTMLTableElement {
  return h(
    'table',
    { class: 'data-table compare-table' },
    h(
      'caption',
      {},
      'Each column against the first (the baseline): value, difference, ratio, and whether it is better, worse or within noise (hover a cell for the test).',
    ),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Metric'), ...table.columns.map((c, i) => h('th', { scope: 'col' }, i === 0 ? `${c.label} (baseline)` : c.label))),
    ),
    h(
      'tbody',
      {},
      ...table.rows.map((row) =>
        h(
          'tr',
          { 'data-metric': row.metric },
          h('th', { scope: 'row' }, row.metric, h('span', { class: 'better-hint' }, row.better === 'lower' ? ' (lower is better)' : ' (higher is better)')),
          ...row.cells.map((cell, i) =>
            h(
              'td',
              {
                class: `verdict-${cell.verdict}`,
                'data-value': cell.value ?? '',
                'data-verdict': cell.verdict,
                'data-method': cell.method,
                'data-p': cell.p,
                title: cell.method ? `${cell.why ?? ''}. ${METHOD_TEXT[cell.method]}` : undefined,
              },
              h('span', { class: 'cell-value' }, formatValue(cell.value, row.unit)),
              i === 0 || cell.verdict === 'unknown'
                ? null
                : h(
                    'span',
                    { class: 'cell-diff' },
                    `${formatDifference(cell.difference, row.unit)} · ${formatRatio(cell.ratio)} · `,
                    h('span', { class: 'cell-verdict' }, verdictText(cell)),
                  ),
            ),
          ),
        ),
      ),
    ),
  );
}

function verdictText(cell: CompareCell): string {
  const text = cell.verdict === 'within-noise' ? 'within noise' : cell.verdict;
  // The 1% rule is no test: say so where it decided.
  return cell.method === 'one-percent' && cell.verdict !== 'same' ? `${text} (1% rule)` : text;
}

/** Which tests decided the verdicts, under the table. */
function methodsNote(table: CompareTable): HTMLElement | null {
  if (table.methods.length === 0) return null;
  return h(
    'div',
    { class: 'compare-methods', 'data-methods': table.methods.join(' ') },
    h(
      'p',
      {},
      'Better or worse only when the difference is significant for the sample sizes; otherwise within noise. Requests are taken as independent samples.',
    ),
    h('ul', {}, ...table.methods.map((m) => h('li', { 'data-method': m }, METHOD_TEXT[m]))),
  );
}

function sloTable(table: CompareTable): HTMLTableElement {
  return h(
    'table',
    { class: 'data-table slo-table' },
    h('caption', {}, 'SLO verdicts of each column.'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'SLO'), ...table.columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h(
      'tbody',
      {},
      ...table.slos.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, row.slo),
          ...row.verdicts.map((v) => {
            if (v === null) return h('td', {}, '–');
            const status = verdictStatus(v);
            const actual = status === 'not_judged' || v.actual === null ? '' : ` · ${formatValue(v.actual, v.unit)}`;
            return h('td', { class: `slo-${status}`, 'data-status': status, title: v.note }, `${VERDICT_LABEL[status]}${actual}`);
          }),
        ),
      ),
    ),
  );
}
