// The Capacity panel and its HTML report: per target of a capacity search, the answer and what limits
// it, achieved against offered rate, latency against achieved rate with the SLO thresholds, and every
// step with its verdict and (in the editor) a button that opens its run. The numbers come from
// model/capacity.ts; this file builds the DOM and hands them to the charts. An update redraws the
// whole view: a search has a few dozen steps at most.

import { Chart, type ChartDataset, type LegendItem, type PointStyle, type TooltipItem } from 'chart.js';
import type { CapacityReport, CapacityStep, CapacityTarget } from '../../src/engine/capacity/types';
import type { CapacityCurrentStep, CapacityInitMessage, CapacityUpdateMessage } from '../../src/protocol/panel';
import { ChartCard, type TableData } from './chart-card';
import { createLineChart, currentPalette, destroyChart, setLineSeries } from './charts';
import { h, iconButton } from './dom';
import type { Host } from './host';
import { capacityView, currentStepText, type CapacityTargetView, type StepPoint } from './model/capacity';
import type { Point } from './model/decimate';
import { formatCount, formatDecimal, formatMs, formatValue } from './model/format';

/** Semantic colours of the capacity charts, from the panel's palette (charts.ts: theme colours made
 *  opaque and readable against the background). */
type Colour = 'pass' | 'fail' | 'muted' | 'ttft' | 'e2e';

/** How one series is drawn. Steps are points (a passing step a circle, a failing one a cross, so the
 *  verdict does not rest on colour alone); references, thresholds and markers are plain lines. */
interface Look {
  colour: Colour;
  /** Per point for step series, else one style. */
  pointStyle: PointStyle | PointStyle[];
  pointRadius: number | number[];
  showLine: boolean;
  borderWidth: number;
  dash: number[];
}

interface DrawnChart {
  chart: Chart<'line', Point[]>;
  looks: Look[];
}

const stepStyle = (p: StepPoint): PointStyle => (p.passed ? 'circle' : 'crossRot');
const lineLook = (colour: Colour, dash: number[], borderWidth = 1.5): Look => ({
  colour,
  pointStyle: 'line',
  pointRadius: 0,
  showLine: true,
  borderWidth,
  dash,
});
const markerLook = (kind: 'capacity' | 'knee'): Look => (kind === 'capacity' ? lineLook('pass', [], 2) : lineLook('fail', [4, 4], 2));

export class CapacityView {
  private readonly interactive: boolean;
  private readonly capacityId: string;
  private drawn: DrawnChart[] = [];
  private cards: ChartCard[] = [];

  constructor(
    private readonly host: Host,
    init: CapacityInitMessage,
    private readonly container: HTMLElement,
  ) {
    this.interactive = init.interactive;
    this.capacityId = init.capacityId;
    // The capacity folder, so VS Code can bring the panel back after a window reload.
    host.setState({ ...host.getState(), capacityId: init.capacityId });
    this.render(init.report, init.current, init.live);
  }

  update(message: CapacityUpdateMessage): void {
    this.render(message.report, message.current, message.live);
  }

  /** The theme changed: the chart colours are not CSS, so they are read again. */
  repaint(): void {
    const colours = readColours();
    for (const d of this.drawn) paint(d, colours);
  }

  dispose(): void {
    for (const card of this.cards.splice(0)) card.dispose();
    for (const d of this.drawn.splice(0)) destroyChart(d.chart);
  }

  private render(report: CapacityReport, current: CapacityCurrentStep | null, live: boolean): void {
    this.dispose();
    const views = capacityView(report);
    const openTables = this.host.getState().tables ?? [];
    const sections = views.map((view, i) => this.targetSection(view, report.targets[i], i, openTables));
    const root = h(
      'main',
      { class: 'capacity-view', 'aria-label': `Capacity of ${report.scenario.name}`, 'data-capacity-id': this.capacityId },
      h('header', { class: 'panel-header' }, h('h1', {}, `Capacity: ${report.scenario.name}`), status(report, live)),
      live ? liveBanner(report, current) : null,
      this.interactive
        ? h(
            'div',
            { class: 'toolbar', role: 'toolbar', 'aria-label': 'Capacity actions' },
            iconButton('file-code', 'Save HTML report', () => this.host.post({ type: 'exportHtml' }), { showLabel: true }),
          )
        : null,
      report.error ? h('p', { class: 'error', role: 'alert' }, `The search failed: ${report.error}`) : null,
      h(
        'p',
        { class: 'capacity-slos' },
        'Every step must hold ',
        ...report.slos.flatMap((slo, i) => [i > 0 ? ', ' : '', h('code', {}, slo)]),
        report.slos.length > 0 ? '; ' : '',
        'the schedule kept, the deployment keeping up, and this machine not the bottleneck.',
      ),
      ...sections,
    );
    // Attach first, then create the charts: a chart made on a detached canvas draws twice.
    this.container.replaceChildren(root);
    const colours = readColours();
    views.forEach((view, i) => {
      const [achievedCard, latencyCard] = this.cards.slice(i * 2, i * 2 + 2);
      this.drawAchieved(achievedCard, view, report.targets[i], colours);
      this.drawLatency(latencyCard, view, report.targets[i], colours);
    });
  }

  private targetSection(view: CapacityTargetView, target: CapacityTarget, index: number, openTables: string[]): HTMLElement {
    const id = `capacity-target-${index}`;
    const onTableToggled = (chartId: string, open: boolean) => {
      const tables = new Set(this.host.getState().tables ?? []);
      if (open) tables.add(chartId);
      else tables.delete(chartId);
      this.host.setState({ ...this.host.getState(), tables: [...tables] });
    };
    const card = (chartId: string, title: string, description: string) => {
      const c = new ChartCard({ id: chartId, title, description, onTableToggled, tableOpen: openTables.includes(chartId) });
      this.cards.push(c);
      return c.element;
    };
    return h(
      'section',
      { class: 'capacity-target', 'aria-labelledby': id, 'data-target': view.target },
      h('h2', { id }, `Target ${view.target}`),
      headline(view),
      h(
        'div',
        { class: 'chart-grid capacity-charts' },
        card(
          `capacity_${index}_achieved`,
          'Achieved vs offered RPM',
          'Requests sent per minute against the rate each step offered: a circle is a passing step, a cross a failing one; the dashed line is y = x, the vertical lines the capacity and the first failing rate.',
        ),
        card(
          `capacity_${index}_latency`,
          'Latency vs achieved RPM',
          'TTFT and E2E p50 and p95 of each step against the requests it sent per minute (a cross marks a failing step), with the SLO thresholds as dashed horizontal lines and the capacity and first failing rate as vertical lines.',
        ),
      ),
      stepsTable(view, target, this.interactive ? (runDir) => this.host.post({ type: 'openStepRun', runDir }) : null),
    );
  }

  private drawAchieved(card: ChartCard, view: CapacityTargetView, target: CapacityTarget, colours: Record<Colour, string>): void {
    const { passed, failed, reference, markers } = view.achieved;
    const series: { label: string; points: Point[]; look: Look }[] = [
      { label: 'Passed steps (●)', points: passed, look: { colour: 'pass', pointStyle: 'circle', pointRadius: 5, showLine: false, borderWidth: 2, dash: [] } },
      {
        label: 'Failed steps (✕)',
        points: failed,
        look: { colour: 'fail', pointStyle: 'crossRot', pointRadius: 6, showLine: false, borderWidth: 2, dash: [] },
      },
      ...(reference ? [{ label: reference.label, points: reference.points, look: lineLook('muted', [6, 4], 1) }] : []),
      ...markers.map((m) => ({ label: m.label, points: m.points, look: markerLook(m.kind) })),
    ];
    const chart = this.chart(card, 'rpm', 'offered RPM', series, colours, (item) => {
      const step = target.steps[(item.raw as StepPoint).step - 1];
      return `Step ${(item.raw as StepPoint).step}: offered ${formatCount(step.offered_rpm)} RPM, sent ${formatDecimal(step.achieved_rpm)}/min — ${verdict(step)}`;
    });
    card.chart = chart;
    card.setData(
      passed.length + failed.length,
      (): TableData => ({
        headers: ['Step', 'Offered RPM', 'Sent/min', 'Verdict'],
        rows: target.steps.map((s, i) => [i + 1, formatCount(s.offered_rpm), formatDecimal(s.achieved_rpm), verdict(s)]),
      }),
      'No step has finished yet.',
    );
  }

  private drawLatency(card: ChartCard, view: CapacityTargetView, target: CapacityTarget, colours: Record<Colour, string>): void {
    const { series: latency, slos, markers } = view.latency;
    const series: { label: string; points: Point[]; look: Look }[] = [
      ...latency.map((s) => {
        const p95 = s.id.endsWith('p95');
        return {
          label: s.label,
          points: s.points,
          look: {
            colour: s.id.startsWith('ttft') ? 'ttft' : 'e2e',
            pointStyle: s.points.map(stepStyle),
            pointRadius: s.points.map((p) => (p.passed ? (p95 ? 3.5 : 2.5) : 5)),
            showLine: true,
            borderWidth: p95 ? 2 : 1.5,
            dash: p95 ? [] : [2, 2],
          } satisfies Look,
        };
      }),
      ...slos.map((s) => ({ label: s.label, points: s.points, look: lineLook(s.metric, [8, 4]) })),
      ...markers.map((m) => ({ label: m.label, points: m.points, look: markerLook(m.kind) })),
    ];
    const chart = this.chart(card, 'ms', 'achieved RPM (sent/min)', series, colours, (item) => {
      const p = item.raw as StepPoint;
      return `${item.dataset.label}: ${formatMs(p.y)} at ${formatDecimal(p.x)} sent/min (step ${p.step}, ${verdict(target.steps[p.step - 1])})`;
    });
    card.chart = chart;
    const drawnSteps = new Set(latency.flatMap((s) => s.points.map((p) => p.step)));
    card.setData(
      drawnSteps.size,
      (): TableData => ({
        headers: ['Step', 'Sent/min', 'TTFT p50', 'TTFT p95', 'E2E p50', 'E2E p95'],
        rows: target.steps
          .map((s, i) => ({ s, i }))
          .sort((a, b) => a.s.achieved_rpm - b.s.achieved_rpm)
          .map(({ s, i }) => [
            i + 1,
            formatDecimal(s.achieved_rpm),
            formatMs(s.ttft_p50_ms),
            formatMs(s.ttft_p95_ms),
            formatMs(s.e2e_p50_ms),
            formatMs(s.e2e_p95_ms),
          ]),
      }),
      'No step has finished yet.',
    );
  }

  /** A line chart from the shared helpers, set up for steps as points: tooltips only on steps, a
   *  legend that shows each series' point style or dash, and the capacity colours. */
  private chart(
    card: ChartCard,
    unit: string,
    xTitle: string,
    series: { label: string; points: Point[]; look: Look }[],
    colours: Record<Colour, string>,
    tooltip: (item: TooltipItem<'line'>) => string,
  ): Chart<'line', Point[]> {
    const chart = createLineChart(card.canvas, unit, xTitle);
    // chart.options are chart.js's resolving proxies: set leaves in place, never spread them.
    const options = chart.options;
    // Step points are not in x order and markers are vertical: find the nearest point in both directions.
    if (options.interaction) {
      options.interaction.mode = 'nearest';
      options.interaction.axis = 'xy';
      options.interaction.intersect = true;
    }
    const x = options.scales?.x;
    if (x?.ticks) x.ticks.callback = (v) => formatCount(Number(v));
    const plugins = options.plugins;
    if (plugins?.tooltip) {
      plugins.tooltip.filter = (item) => isStepPoint(item.raw);
      if (plugins.tooltip.callbacks) plugins.tooltip.callbacks.label = tooltip;
    }
    const drawn: DrawnChart = { chart, looks: series.map((s) => s.look) };
    if (plugins?.legend?.labels) {
      plugins.legend.labels.usePointStyle = true;
      plugins.legend.labels.boxHeight = 9;
      plugins.legend.labels.generateLabels = () => legendItems(chart, drawn.looks);
    }
    setLineSeries(
      chart,
      series.map((s) => ({ label: s.label, points: s.points })),
    );
    paint(drawn, colours);
    this.drawn.push(drawn);
    return chart;
  }
}

/** The default legend items, each series shown as its point style (steps) or its line and dash. */
function legendItems(chart: Chart<'line', Point[]>, looks: Look[]): LegendItem[] {
  const items = Chart.defaults.plugins.legend.labels.generateLabels(chart as unknown as Chart);
  return items.map((item) => {
    const look = looks[item.datasetIndex ?? -1];
    if (!look) return item;
    const pointStyle = look.showLine || Array.isArray(look.pointStyle) ? 'line' : look.pointStyle;
    return { ...item, pointStyle, lineDash: look.dash, lineWidth: look.borderWidth };
  });
}

/** Applies the looks (over the shared palette the helpers set by series index). */
function paint(drawn: DrawnChart, colours: Record<Colour, string>): void {
  drawn.chart.data.datasets.forEach((dataset, i) => {
    const look = drawn.looks[i];
    if (!look) return;
    const colour = colours[look.colour];
    const d = dataset as ChartDataset<'line', Point[]>;
    d.borderColor = colour;
    d.backgroundColor = colour;
    d.pointBackgroundColor = colour;
    d.pointBorderColor = colour;
    d.pointStyle = look.pointStyle;
    d.pointRadius = look.pointRadius;
    d.pointHoverRadius = Array.isArray(look.pointRadius) ? look.pointRadius.map((r) => r + 1) : look.pointRadius === 0 ? 0 : look.pointRadius + 1;
    // Lines are not hovered: only steps have a tooltip.
    d.pointHitRadius = look.pointRadius === 0 ? 0 : 6;
    d.pointBorderWidth = look.showLine ? 1 : look.borderWidth;
    d.borderWidth = look.borderWidth;
    d.borderDash = look.dash;
    d.showLine = look.showLine;
    // chart.js keeps each dataset's resolved element options until its controller is configured again.
    drawn.chart.getDatasetMeta(i).controller.configure();
  });
  // A 'none' update would hand the points their previous shared options; the default mode (no
  // animation: the charts have none) gives them the new ones.
  drawn.chart.update();
}

function readColours(): Record<Colour, string> {
  const p = currentPalette();
  // Series order is SERIES_VARIABLES' (model/colours.ts): blue, orange, green, purple, …
  return { pass: p.pass, fail: p.fail, muted: p.foreground, ttft: p.series[0], e2e: p.series[3] };
}

function isStepPoint(raw: unknown): raw is StepPoint {
  return typeof raw === 'object' && raw !== null && typeof (raw as StepPoint).step === 'number';
}

function verdict(s: CapacityStep): string {
  return s.passed ? 'pass' : `FAIL ${s.limited_by ?? 'error'}`;
}

function status(report: CapacityReport, live: boolean): HTMLElement {
  const steps = `${formatCount(report.targets.reduce((n, t) => n + t.steps.length, 0))} steps`;
  const [state, text] = live
    ? ['live', `Live · searching · ${steps} so far`]
    : report.status === 'running'
      ? ['unfinished', `Not finished (still running elsewhere, or stopped before it could say so) · ${steps}`]
      : report.status === 'error'
        ? ['error', `Failed${report.error ? `: ${report.error}` : ''} · ${steps}`]
        : [report.status, `${report.status === 'stopped' ? 'Stopped early' : 'Completed'} · ${steps}`];
  return h('span', { class: 'status', role: 'status', 'data-state': state }, text);
}

function liveBanner(report: CapacityReport, current: CapacityCurrentStep | null): HTMLElement {
  const prefix = current && report.targets.length > 1 ? `${current.target}: ` : '';
  return h(
    'div',
    { class: 'capacity-live', role: 'status', 'aria-live': 'polite', 'data-step': current?.index, 'data-offered': current?.offered_rpm },
    h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }),
    ' ',
    current ? `${prefix}${currentStepText(current)}` : 'Searching: the next step is about to start',
  );
}

function headline(view: CapacityTargetView): HTMLElement {
  const hl = view.headline;
  return h(
    'div',
    {
      class: 'capacity-headline',
      'data-capacity': hl.capacity_rpm ?? '',
      'data-limited-by': hl.limited_by ?? '',
      'data-lower-bound': String(hl.lower_bound),
      'data-search': hl.search,
    },
    h(
      'p',
      { class: 'capacity-answer-line' },
      h('span', { class: 'capacity-answer' }, hl.answer),
      hl.lower_bound ? h('span', { class: 'capacity-badge', title: 'this machine or an early end limited the search' }, 'lower bound') : null,
      h('span', { class: 'capacity-limited' }, hl.limitedText),
    ),
    // While the search runs the sentence is only a placeholder; the status says it is searching.
    hl.search === 'running' ? null : h('p', { class: 'capacity-detail' }, hl.detail),
    h('p', { class: 'capacity-search' }, hl.searchText),
    h(
      'div',
      { class: 'cards', role: 'list', 'aria-label': 'Capacity figures' },
      ...hl.facts.map((f) =>
        h(
          'div',
          { class: 'card', role: 'listitem', 'data-fact-id': f.id },
          h('div', { class: 'card-label' }, f.label),
          h('div', { class: 'card-value' }, f.text),
          f.note ? h('div', { class: 'card-note' }, f.note) : null,
        ),
      ),
    ),
  );
}

/** The first reason in full; the others behind a disclosure, so a failing step keeps a short row. */
function reasons(list: string[]): Node | string {
  if (list.length === 0) return '–';
  if (list.length === 1) return list[0];
  return h('details', {}, h('summary', {}, `${list[0]} (+${list.length - 1} more)`), h('ul', {}, ...list.slice(1).map((reason) => h('li', {}, reason))));
}

const STEP_HEADERS = ['Step', 'Offered RPM', 'Sent/min', 'TTFT p50', 'TTFT p95', 'E2E p95', 'Errors', '429s', 'Goodput RPM', 'Verdict', 'Why', 'Run'];

/** Every step in the order it ran; `openRun` (in the editor) adds a button that opens the step's run. */
function stepsTable(view: CapacityTargetView, target: CapacityTarget, openRun: ((runDir: string) => void) | null): HTMLElement {
  const ratio = (v: number | null) => formatValue(v, 'ratio');
  const rows = view.steps.map((r) =>
    h(
      'tr',
      { 'data-step': r.step, 'data-offered': r.offered_rpm, 'data-passed': String(r.passed) },
      h('th', { scope: 'row' }, String(r.step)),
      h('td', {}, formatCount(r.offered_rpm)),
      h('td', {}, formatDecimal(r.achieved_rpm)),
      h('td', {}, formatMs(r.ttft_p50_ms)),
      h('td', {}, formatMs(r.ttft_p95_ms)),
      h('td', {}, formatMs(r.e2e_p95_ms)),
      h('td', {}, ratio(r.error_rate)),
      h('td', {}, ratio(r.throttled_rate)),
      h('td', {}, formatDecimal(r.goodput_rpm)),
      h(
        'td',
        { class: `capacity-verdict ${r.passed ? 'slo-pass' : 'slo-fail'}`, 'data-verdict': r.passed ? 'pass' : 'fail' },
        h('span', { class: `codicon codicon-${r.passed ? 'pass' : 'error'}`, 'aria-hidden': 'true' }),
        ' ',
        r.verdict,
      ),
      h('td', { class: 'capacity-reasons' }, reasons(r.reasons)),
      h(
        'td',
        { class: 'capacity-run' },
        openRun ? iconButton('go-to-file', 'Open run', () => openRun(r.run_dir), { showLabel: true }) : h('code', {}, r.run_dir),
      ),
    ),
  );
  // The button's accessible name says which step it opens.
  rows.forEach((row, i) =>
    row.querySelector('button')?.setAttribute('aria-label', `Open the run of step ${view.steps[i].step} (${formatCount(view.steps[i].offered_rpm)} RPM)`),
  );
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table capacity-steps', 'data-target': target.target },
      h('caption', {}, `Steps of ${target.target} in the order they ran (offered rate, what was sent, latency, errors, goodput and the verdict)`),
      h(
        'thead',
        {},
        h('tr', {}, ...STEP_HEADERS.map((text, i) => h('th', { scope: 'col', class: i >= STEP_HEADERS.length - 3 ? 'capacity-text' : undefined }, text))),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}
