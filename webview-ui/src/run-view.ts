// The Run panel: headline cards, SLO verdicts, charts over time, distributions, and the prompt-token
// and cost section for one target at a time. Data arrives as host messages and goes through the
// view-model; this file only builds the DOM and hands numbers to the charts.

import type { Chart } from 'chart.js';
import type { Distribution } from '../../src/engine/distribution';
import type { HostToWebview, InitMessage } from '../../src/protocol/panel';
import { ChartCard } from './chart-card';
import { chartPng, createHistogram, createLineChart, destroyChart, setHistogram, setLineSeries } from './charts';
import { append, h, iconButton } from './dom';
import { formatCount, formatMs, formatValue } from './model/format';
import { histogramBars } from './model/histogram-bars';
import type { Host } from './host';
import { seriesTable } from './series-table';
import {
  RunViewModel,
  sloOutcome,
  type ChartId,
  type CostSection,
  type Headline,
  type Series,
  type ServerChart,
  type ServerSection,
  type SloCard,
} from './model/view-model';
import { VERDICT_LABEL } from '../../src/engine/summary';
import { priceNote, ratesText } from '../../src/tokens/pricing';

interface TimeChartDef {
  id: ChartId;
  title: string;
  unit: string;
  description: string;
}

const TIME_CHARTS: TimeChartDef[] = [
  {
    id: 'ttft',
    title: 'Time to first token (TTFT)',
    unit: 'ms',
    description: 'p50 and p95 per sliding window; role-only and content-filter chunks are not tokens.',
  },
  {
    id: 'ttfr',
    title: 'Time to first reasoning token (TTFR)',
    unit: 'ms',
    description: 'Reasoning models: p50 and p95 of the time to the first reasoning delta, per window; TTFT counts visible output only.',
  },
  {
    id: 'tbt',
    title: 'Time between tokens — per token',
    unit: 'ms',
    description: 'p50 and p95 of (last − first content chunk) / (completion tokens − 1), per window; for reasoning models also over all output tokens.',
  },
  {
    id: 'chunk_gap',
    title: 'Chunk gaps — per chunk, not per token',
    unit: 'ms',
    description: 'p50 and p95 of the gaps between content-bearing stream events; a chunk may carry several tokens.',
  },
  { id: 'e2e', title: 'End-to-end latency', unit: 'ms', description: 'p50 and p95 per window, from send to the end of the stream.' },
  {
    id: 'rpm',
    title: 'Requests per minute — achieved vs target',
    unit: 'rpm',
    description: 'Completed requests per minute over the window, and the scheduled rate.',
  },
  { id: 'tpm', title: 'Tokens per minute', unit: 'tpm', description: 'Prompt and generated tokens per minute over the window.' },
  { id: 'errors', title: 'Throttled and failed requests', unit: 'requests', description: 'HTTP 429 responses and failed requests in each window.' },
  { id: 'in_flight', title: 'In-flight requests', unit: 'requests', description: 'Requests sent and not yet finished.' },
  { id: 'utilization', title: 'Azure deployment utilization', unit: '%', description: 'The azure-openai-deployment-utilization header, averaged per window.' },
  {
    id: 'lag',
    title: 'Schedule lag (this machine)',
    unit: 'ms',
    description: 'How late requests were sent compared with the schedule; when it climbs, the client is the bottleneck.',
  },
];

interface HistogramDef {
  id: string;
  title: string;
  dist: 'ttft' | 'chunk_gap' | 'e2e' | 'prompt_tokens' | 'completion_tokens';
  unit: 'ms' | 'tokens';
  xTitle: string;
  yTitle: string;
  description: string;
  empty: string;
}

const DISTRIBUTION_CHARTS: HistogramDef[] = [
  {
    id: 'ttft_hist',
    title: 'TTFT distribution',
    dist: 'ttft',
    unit: 'ms',
    xTitle: 'TTFT',
    yTitle: 'requests',
    description: 'Requests per TTFT bin over the whole run.',
    empty: 'No request has produced a token yet.',
  },
  {
    id: 'chunk_gap_hist',
    title: 'Chunk-gap distribution — per chunk, not per token',
    dist: 'chunk_gap',
    unit: 'ms',
    xTitle: 'gap between content chunks',
    yTitle: 'chunk gaps',
    description: 'Gaps between consecutive content-bearing stream events over the whole run.',
    empty: 'No chunk gaps recorded yet.',
  },
  {
    id: 'e2e_hist',
    title: 'E2E distribution',
    dist: 'e2e',
    unit: 'ms',
    xTitle: 'end-to-end latency',
    yTitle: 'requests',
    description: 'Requests per end-to-end latency bin.',
    empty: 'No request has completed yet.',
  },
];

const TOKEN_CHARTS: HistogramDef[] = [
  {
    id: 'prompt_tokens_hist',
    title: 'Prompt tokens per request',
    dist: 'prompt_tokens',
    unit: 'tokens',
    xTitle: 'prompt tokens',
    yTitle: 'requests',
    description: 'Requests per prompt-size bin.',
    empty: 'No request sent yet.',
  },
  {
    id: 'completion_tokens_hist',
    title: 'Completion tokens per request',
    dist: 'completion_tokens',
    unit: 'tokens',
    xTitle: 'completion tokens',
    yTitle: 'requests',
    description: 'Requests per completion-size bin.',
    empty: 'No request has completed yet.',
  },
];

export class RunView {
  private vm: RunViewModel;
  private target: string;
  private readonly root: HTMLElement;
  private readonly cards = h('div', { class: 'cards', role: 'list', 'aria-label': 'Headline numbers' });
  private readonly slos = h('div', { class: 'slos', role: 'list', 'aria-label': 'SLO verdicts' });
  private readonly status = h('span', { class: 'status', role: 'status' });
  private readonly warnings = h('ul', { class: 'warnings' });
  /** What changes how every number reads (throttling, unmeasured requests), above the cards. */
  private readonly banners = h('div', { class: 'banners', role: 'status', 'aria-live': 'polite' });
  private readonly costCards = h('div', { class: 'cards', role: 'list', 'aria-label': 'Prompt tokens and cost' });
  private readonly timeCards = new Map<ChartId, ChartCard>();
  private readonly histCards = new Map<string, { def: HistogramDef; card: ChartCard }>();
  /** The Server section (`server_metrics:`): hidden for a target without it. */
  private readonly serverParts = {
    source: h('p', { class: 'server-source' }),
    messages: h('ul', { class: 'warnings server-messages' }),
    cards: h('div', { class: 'cards', role: 'list', 'aria-label': 'Server numbers' }),
    caveat: h('p', { class: 'server-caveat' }),
    azure: h('div', { class: 'server-azure' }),
    grid: h('div', { class: 'chart-grid' }),
  };
  private serverElement: HTMLElement | null = null;
  /** Inside the editor (not the HTML report): actions that need the host are offered. */
  private readonly interactive: boolean;
  /** Server charts by chart id, made when a target first has series for them. */
  private readonly serverCharts = new Map<string, ChartCard>();
  private makeCard: ((id: string, title: string, description: string) => ChartCard) | null = null;
  private renderPending = false;
  /** What changed since the last draw: only that is redrawn (a window does not touch the histograms). */
  private dirty = { time: true, cards: true, histograms: true, server: true };

  constructor(
    private readonly host: Host,
    init: InitMessage,
    container: HTMLElement,
  ) {
    this.vm = RunViewModel.fromInit(init);
    this.interactive = init.interactive;
    const state = host.getState();
    this.target = state.target && this.vm.targets.includes(state.target) ? state.target : (this.vm.targets[0] ?? '');
    // The run folder, so VS Code can bring the panel back after a window reload.
    host.setState({ ...state, runId: init.runId });
    this.root = this.build(init, state.tables ?? []);
    // Attach first, then create the charts: a chart made on a detached canvas draws twice.
    container.replaceChildren(this.root);
    for (const card of this.timeCards.values()) card.chart = createLineChart(card.canvas, TIME_CHARTS.find((d) => d.id === card.id)!.unit);
    for (const { def, card } of this.histCards.values()) card.chart = createHistogram(card.canvas, def.xTitle, def.yTitle);
    this.render();
  }

  /** Frees the charts (before a new `init` replaces this view). */
  dispose(): void {
    for (const card of [...this.timeCards.values(), ...[...this.histCards.values()].map((h) => h.card), ...this.serverCharts.values()]) {
      card.dispose();
      if (card.chart) destroyChart(card.chart);
      card.chart = null;
    }
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'windows':
        this.vm.addWindows(message.windows);
        // The server charts draw the client's series beside the server's.
        this.dirty.time = this.dirty.cards = this.dirty.server = true;
        break;
      case 'server':
        this.vm.addServer(message.series);
        this.dirty.server = true;
        break;
      case 'distributions':
        this.vm.setDistributions(message.distributions);
        this.dirty.histograms = this.dirty.cards = true;
        break;
      case 'summary':
        this.vm.setSummary(message.summary);
        this.dirty = { time: true, cards: true, histograms: true, server: true };
        break;
      default:
        return;
    }
    this.scheduleRender();
  }

  /** Several messages in one frame draw once. */
  private scheduleRender(): void {
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.render();
    });
  }

  private build(init: InitMessage, openTables: string[]): HTMLElement {
    const exportPng = init.interactive
      ? (chartId: string, chart: Chart) => this.host.post({ type: 'exportPng', chartId, dataUrl: chartPng(chart) })
      : undefined;
    const onTableToggled = (id: string, open: boolean) => {
      const tables = new Set(this.host.getState().tables ?? []);
      if (open) tables.add(id);
      else tables.delete(id);
      this.host.setState({ ...this.host.getState(), tables: [...tables] });
    };
    const card = (id: string, title: string, description: string) =>
      new ChartCard({ id, title, description, onExportPng: exportPng, onTableToggled, tableOpen: openTables.includes(id) });
    this.makeCard = card;

    const timeGrid = h('div', { class: 'chart-grid' });
    for (const def of TIME_CHARTS) {
      const c = card(def.id, def.title, def.description);
      this.timeCards.set(def.id, c);
      timeGrid.append(c.element);
    }
    const histogram = (def: HistogramDef) => {
      const c = card(def.id, def.title, def.description);
      this.histCards.set(def.id, { def, card: c });
      return c.element;
    };

    const p = this.serverParts;
    this.serverElement = section('Server', p.source, p.messages, p.cards, p.caveat, p.azure, p.grid);
    this.serverElement.dataset.section = 'server';
    return h(
      'main',
      { class: 'run-view', 'aria-label': `Run ${init.scenario.name}` },
      h('header', { class: 'panel-header' }, h('h1', {}, init.scenario.name), this.status, this.toolbar(init)),
      this.warnings,
      section('Headline', this.banners, this.cards, this.slos),
      section('Over time', timeGrid),
      this.serverElement,
      section('Distributions', h('div', { class: 'chart-grid' }, ...DISTRIBUTION_CHARTS.map(histogram))),
      section('Prompt tokens and cost', this.costCards, h('div', { class: 'chart-grid' }, ...TOKEN_CHARTS.map(histogram))),
    );
  }

  private toolbar(init: InitMessage): HTMLElement {
    const bar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Run actions' });
    if (this.vm.targets.length > 1) {
      const select = h(
        'select',
        { 'aria-label': 'Target', id: 'target-select' },
        ...this.vm.targets.map((t) => h('option', { value: t, selected: t === this.target }, t)),
      );
      select.addEventListener('change', () => {
        this.target = select.value;
        this.host.setState({ ...this.host.getState(), target: this.target });
        this.dirty = { time: true, cards: true, histograms: true, server: true };
        this.render();
      });
      append(bar, h('label', { class: 'target-label', for: 'target-select' }, 'Target'), select);
    }
    if (!init.interactive) return bar;
    const post = this.host.post.bind(this.host);
    if (this.vm.targets.length > 1)
      append(
        bar,
        iconButton('split-horizontal', 'Compare targets', () => post({ type: 'compareTargets' }), { showLabel: true }),
      );
    // Azure Monitor has server-side logs only for Azure OpenAI deployments.
    if (init.scenario.targets.some((t) => t.provider === 'azure')) {
      append(
        bar,
        iconButton('copy', 'Copy KQL query for Azure Monitor', () => post({ type: 'copyKql', target: this.target }), { showLabel: true }),
      );
    }
    append(
      bar,
      iconButton('file-code', 'Save HTML report', () => post({ type: 'exportHtml' }), { showLabel: true }),
      iconButton('table', 'Save windows as CSV', () => post({ type: 'exportData', format: 'csv', what: 'windows' })),
      iconButton('json', 'Save windows as JSON', () => post({ type: 'exportData', format: 'json', what: 'windows' })),
      iconButton('list-flat', 'Save requests as CSV', () => post({ type: 'exportData', format: 'csv', what: 'requests' })),
      iconButton('list-tree', 'Save requests as JSON', () => post({ type: 'exportData', format: 'json', what: 'requests' })),
    );
    return bar;
  }

  private render(): void {
    const target = this.target;
    const { time, cards, histograms, server } = this.dirty;
    this.dirty = { time: false, cards: false, histograms: false, server: false };
    if (cards) {
      this.renderStatus();
      this.renderWarnings();
      renderHeadline(this.banners, this.cards, this.slos, this.vm.headline(target));
      renderCost(this.costCards, this.vm.cost(target));
    }
    if (time) this.renderTimeCharts(this.vm.series(target));
    if (histograms) for (const { def, card } of this.histCards.values()) this.renderHistogram(def, card, this.vm.distributions(target)?.[def.dist] ?? null);
    if (server) {
      const section = this.vm.serverSection(target);
      // A target without server_metrics costs nothing more per update.
      this.renderServer(section, section ? this.vm.serverCharts(target) : []);
    }
  }

  private renderServer(section: ServerSection | null, charts: ServerChart[]): void {
    const el = this.serverElement!;
    el.hidden = section === null;
    if (!section) return;
    const p = this.serverParts;
    p.source.textContent = section.source ?? '';
    p.source.hidden = section.source === null;
    p.messages.replaceChildren(
      ...section.messages.map((text) => h('li', {}, h('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ' ', text)),
    );
    p.messages.hidden = section.messages.length === 0;
    p.cards.replaceChildren(
      ...section.cards.map((c) =>
        h(
          'div',
          { class: 'card', role: 'listitem', 'data-card-id': c.id, 'data-value': c.value ?? '', 'data-source': section.cardSource },
          h('div', { class: 'card-label' }, c.label),
          h('div', { class: 'card-value' }, formatValue(c.value, c.unit)),
          c.note ? h('div', { class: 'card-note' }, c.note) : null,
        ),
      ),
    );
    p.cards.hidden = section.cards.length === 0;
    p.caveat.textContent = section.caveat ?? '';
    p.caveat.hidden = section.caveat === null;
    const azure = section.azure;
    p.azure.hidden = azure === null;
    if (azure) {
      const fetch =
        azure.canFetch && this.interactive
          ? iconButton('cloud-download', 'Fetch Azure Monitor metrics', () => this.host.post({ type: 'fetchServerMetrics' }), { showLabel: true })
          : null;
      p.azure.replaceChildren(h('p', { 'data-status': azure.status }, azure.text), fetch ?? '');
    }
    const shown = new Set<string>();
    for (const chart of charts) {
      shown.add(chart.id);
      let card = this.serverCharts.get(chart.id);
      if (!card) {
        card = this.makeCard!(`server-${chart.id.replace(/[^A-Za-z0-9_-]+/g, '_')}`, chart.title, chart.description);
        card.element.dataset.serverChart = chart.id;
        this.serverCharts.set(chart.id, card);
        p.grid.append(card.element);
        card.chart = createLineChart(card.canvas, chart.unit);
      }
      const c = card;
      c.visible = true;
      c.draw(() =>
        setLineSeries(
          c.chart as never,
          chart.lines.map((l) => ({ label: l.label, points: l.points, stepped: l.stepped })),
        ),
      );
      c.setData(
        chart.lines.reduce((n, l) => n + (l.client ? 0 : l.points.filter((pt) => pt.y !== null).length), 0),
        () => seriesTable(chart.lines, chart.unit),
      );
    }
    for (const [id, card] of this.serverCharts) if (!shown.has(id)) card.visible = false;
  }

  private renderStatus(): void {
    const summary = this.vm.runSummary;
    const latest = this.vm.latest(this.target);
    if (summary) {
      const how = summary.error
        ? `Failed: ${summary.error}`
        : summary.stopped_by === 'completed'
          ? 'Finished'
          : summary.stopped_by === 'stop'
            ? 'Stopped'
            : 'Ended with an error';
      const outcome = sloOutcome(summary.slos);
      const slo = outcome === null ? '' : outcome === 'met' ? ' · all SLOs met' : outcome === 'failed' ? ' · SLOs failed' : ' · SLOs not all judged';
      // Sessions (workload.sessions): how many ran and how the prompt grew turn by turn.
      const sessions = summary.targets.find((t) => t.target === this.target)?.sessions;
      const grew = sessions?.prompt_tokens_by_turn.map((n) => (n === null ? '–' : formatCount(Math.round(n)))).join(' → ');
      const visits = sessions
        ? ` · ${formatCount(sessions.started)} sessions (${formatCount(sessions.completed)} complete), prompt tokens by turn ${grew}`
        : '';
      this.status.textContent = `${how}${slo}${visits}`;
      this.status.dataset.state = summary.error ? 'error' : summary.stopped_by;
    } else {
      this.status.textContent = latest
        ? `Live · ${Math.floor(latest.t)} s · ${formatCount(latest.requests)} sent · ${formatCount(latest.in_flight)} in flight`
        : 'Live · waiting for the first window';
      this.status.dataset.state = 'live';
    }
  }

  private renderWarnings(): void {
    const items: string[] = [];
    const summary = this.vm.runSummary;
    if (summary) {
      items.push(...(summary.targets.find((t) => t.target === this.target)?.warnings ?? []));
      if (summary.client.bottleneck) items.push(`This machine was the bottleneck: ${summary.client.reasons.join('; ')}`);
    } else {
      const latest = this.vm.latest(this.target);
      if (latest?.behind)
        items.push(`Behind schedule: the client cannot keep the target rate (${formatCount(latest.queued)} queued, lag p95 ${formatMs(latest.lag.p95)}).`);
    }
    this.warnings.replaceChildren(...items.map((text) => h('li', {}, h('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ' ', text)));
    this.warnings.hidden = items.length === 0;
  }

  private renderTimeCharts(series: Series[]): void {
    for (const def of TIME_CHARTS) {
      const card = this.timeCards.get(def.id)!;
      const mine = series.filter((s) => s.chart === def.id);
      // Series drawn only when reported (utilization, lag) leave their chart hidden until they are.
      card.visible = mine.length > 0;
      if (mine.length === 0) continue;
      card.draw(() =>
        setLineSeries(
          card.chart as never,
          mine.map((s) => ({ label: s.label, points: s.points, dashed: s.id === 'target_rpm' })),
        ),
      );
      card.setData(
        mine.reduce((n, s) => n + s.points.filter((p) => p.y !== null).length, 0),
        () => seriesTable(mine, def.unit),
      );
    }
  }

  private renderHistogram(def: HistogramDef, card: ChartCard, d: Distribution | null): void {
    const bars = histogramBars(d, def.unit);
    card.draw(() => setHistogram(card.chart as never, def.title, bars));
    card.setData(d?.count ?? 0, () => ({ headers: [def.xTitle, def.yTitle], rows: bars.map((b) => [b.label, b.count]) }), def.empty);
  }
}

function section(title: string, ...children: Node[]): HTMLElement {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function renderHeadline(banners: HTMLElement, cards: HTMLElement, slos: HTMLElement, headline: Headline): void {
  banners.replaceChildren(
    ...headline.banners.map((b) =>
      h('p', { class: 'banner', 'data-banner': b.id }, h('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), h('span', {}, b.text)),
    ),
  );
  banners.hidden = headline.banners.length === 0;
  cards.replaceChildren(
    ...headline.cards.map((c) => {
      const attrs: Record<string, string | number> = {
        class: c.tone ? `card card-${c.tone}` : 'card',
        role: 'listitem',
        'data-card-id': c.id,
        'data-value': c.value ?? '',
        'data-source': headline.source,
      };
      for (const [key, n] of Object.entries(c.counts ?? {})) attrs[`data-${key}`] = n;
      return h(
        'div',
        attrs,
        h('div', { class: 'card-label' }, c.label),
        h('div', { class: 'card-value' }, formatValue(c.value, c.unit)),
        c.note ? h('div', { class: 'card-note' }, c.note) : null,
        c.details?.length ? h('ul', { class: 'card-details' }, ...c.details.map((d) => h('li', {}, d))) : null,
      );
    }),
  );
  slos.replaceChildren(
    ...headline.slos.map((s) =>
      h(
        'div',
        { class: `slo slo-${s.status}`, role: 'listitem', 'data-slo': s.slo, 'data-status': s.status },
        h('span', { class: `codicon codicon-${SLO_ICON[s.status]}`, 'aria-hidden': 'true' }),
        h('span', { class: 'slo-text' }, s.slo),
        h('span', { class: 'slo-verdict' }, sloVerdictText(s)),
        s.note ? h('span', { class: 'slo-note' }, s.note) : null,
      ),
    ),
  );
}

const SLO_ICON: Record<SloCard['status'], string> = { pass: 'pass', fail: 'error', not_judged: 'circle-slash', incomplete: 'warning', pending: 'clock' };

/** `PASS · actual 175 ms · threshold 800 ms`; `NOT JUDGED`; `pending — judged on the whole run`. */
function sloVerdictText(s: SloCard): string {
  if (s.status === 'pending') return 'pending — judged on the whole run';
  const label = VERDICT_LABEL[s.status];
  // Nothing measured: no actual to show (never "FAIL (actual –)").
  if (s.status === 'not_judged' || s.actual === null) return label;
  return `${label} · actual ${formatValue(s.actual, s.unit)} · threshold ${formatValue(s.threshold, s.unit)}`;
}

function renderCost(container: HTMLElement, c: CostSection): void {
  // The rates and what they are (list price as of a date, or the user's own), with where to set one's own.
  const model = c.model ? ` (${c.model})` : '';
  const price =
    c.price === undefined
      ? `price not recorded in this run${model}`
      : c.price
        ? `${ratesText(c.price)}${model}; ${priceNote(c.price, c.model)}`
        : priceNote(null, c.model);
  const items: [id: string, label: string, value: number | null, unit: string, note?: string][] = [
    ['prompt_tokens_mean', 'Prompt tokens / request', c.prompt_tokens_mean, 'tokens', 'mean'],
    [
      'completion_tokens_mean',
      'Completion tokens / request',
      c.completion_tokens_mean,
      'tokens',
      c.estimated_records ? `mean; ${formatCount(c.estimated_records)} estimated by the tokenizer` : 'mean',
    ],
    ['cost_per_request', 'Cost / request', c.per_request, 'USD', price],
    ['cost_per_1k', 'Cost / 1,000 requests', c.per_1k_requests, 'USD'],
    [
      'cost_per_hour_target',
      'Cost / hour at target rate',
      c.per_hour_at_target_rate,
      'USD/h',
      c.target_rpm === null ? 'closed loop: no target rate' : `${formatCount(c.target_rpm)} RPM`,
    ],
  ];
  container.replaceChildren(
    ...items.map(([id, label, value, unit, note]) =>
      h(
        'div',
        { class: 'card', role: 'listitem', 'data-card-id': id, 'data-value': value ?? '', 'data-source': c.source },
        h('div', { class: 'card-label' }, label),
        h('div', { class: 'card-value' }, formatValue(value, unit)),
        note ? h('div', { class: 'card-note' }, note) : null,
      ),
    ),
  );
}
