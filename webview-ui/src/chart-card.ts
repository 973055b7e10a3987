// One chart on the panel: a titled figure with its canvas, a PNG export button and a data-table twin
// (the accessible view of the same numbers). Used for both time series and histograms.

import type { Chart } from 'chart.js';
import { dataTable, h, iconButton } from './dom';

export interface TableData {
  headers: string[];
  rows: (string | number)[][];
}

export interface ChartCardOptions {
  id: string;
  title: string;
  /** One sentence for screen readers and the figure's description. */
  description: string;
  /** Export buttons exist only inside VS Code (the HTML report has no host to save files). */
  onExportPng?: (id: string, chart: Chart) => void;
  onTableToggled?: (id: string, open: boolean) => void;
  tableOpen?: boolean;
}

export class ChartCard {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly tableWrap: HTMLElement;
  private readonly tableButton: HTMLButtonElement;
  private readonly emptyNote: HTMLElement;
  private tableOpen: boolean;
  /** Builds the table's rows; called only while the table is open (rows for an hour-long run are
   *  tens of thousands of formatted cells: not worth making on every update nobody reads). */
  private table: () => TableData = () => ({ headers: [], rows: [] });
  chart: Chart | null = null;
  /** Charts scrolled out of view are not redrawn on every update; the latest update waits until the
   *  chart comes back into view (most of a panel's charts are off screen at any time). */
  private onScreen = true;
  private pendingDraw: (() => void) | null = null;
  private readonly observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) this.onScreen = e.isIntersecting;
      if (this.onScreen && this.pendingDraw) {
        const draw = this.pendingDraw;
        this.pendingDraw = null;
        draw();
      }
    },
    { rootMargin: '200px' },
  );

  get id(): string {
    return this.options.id;
  }

  constructor(private readonly options: ChartCardOptions) {
    this.tableOpen = options.tableOpen ?? false;
    this.canvas = h('canvas', { role: 'img', 'aria-label': `${options.title}. ${options.description}` });
    this.tableWrap = h('div', { class: 'table-wrap', id: `table-${options.id}`, hidden: !this.tableOpen });
    this.emptyNote = h('p', { class: 'empty-note', hidden: true }, 'No data yet.');
    this.tableButton = iconButton('table', `Show ${options.title} as a table`, () => this.toggleTable());
    this.tableButton.setAttribute('aria-expanded', String(this.tableOpen));
    this.tableButton.setAttribute('aria-controls', `table-${options.id}`);
    const actions = h('div', { class: 'chart-actions' }, this.tableButton);
    if (options.onExportPng)
      actions.prepend(iconButton('file-media', `Save ${options.title} as PNG`, () => this.chart && options.onExportPng!(options.id, this.chart)));
    this.element = h(
      'figure',
      { class: 'chart-card', 'data-chart-id': options.id, 'data-points': 0 },
      h('figcaption', {}, h('span', { class: 'chart-title' }, options.title), actions),
      h('div', { class: 'canvas-wrap' }, this.canvas),
      this.emptyNote,
      this.tableWrap,
    );
    this.observer.observe(this.element);
  }

  /** Runs a chart update now when the chart is in view, else when it scrolls into view (latest wins). */
  draw(update: () => void): void {
    if (this.onScreen) update();
    else this.pendingDraw = update;
  }

  dispose(): void {
    this.observer.disconnect();
    this.pendingDraw = null;
  }

  /** Records what the chart shows, for tests and the table; redraws the table when it is open. */
  setData(points: number, table: () => TableData, emptyText?: string): void {
    this.element.dataset.points = String(points);
    this.emptyNote.hidden = points > 0;
    if (emptyText) this.emptyNote.textContent = emptyText;
    this.table = table;
    if (this.tableOpen) this.renderTable();
  }

  set visible(visible: boolean) {
    this.element.hidden = !visible;
  }

  private toggleTable(): void {
    this.tableOpen = !this.tableOpen;
    this.tableWrap.hidden = !this.tableOpen;
    this.tableButton.setAttribute('aria-expanded', String(this.tableOpen));
    if (this.tableOpen) this.renderTable();
    this.options.onTableToggled?.(this.options.id, this.tableOpen);
  }

  private renderTable(): void {
    const { headers, rows } = this.table();
    this.tableWrap.replaceChildren(dataTable(this.options.title, headers, rows));
  }
}
