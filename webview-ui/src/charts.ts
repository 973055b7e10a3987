// chart.js, with only the pieces the panel uses registered (a smaller bundle), coloured from VS Code's
// theme variables made readable (model/colours.ts: opaque, ≥ 3:1 against the editor background).
// Two kinds of chart: lines over time (x = seconds) and histograms (bars per bin).

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type ScriptableContext,
} from 'chart.js';
import { themeKindOf, themePalette, type ThemePalette } from './model/colours';
import type { Point } from './model/decimate';
import { isLonePoint } from './model/series';
import type { HistogramBar } from './model/histogram-bars';
import { formatCount, formatValue } from './model/format';

Chart.register(LineController, LineElement, PointElement, LinearScale, BarController, BarElement, CategoryScale, Tooltip, Legend, Decimation);

/** The theme's colours as the page has them now. */
function readPalette(): ThemePalette {
  const style = getComputedStyle(document.body);
  return themePalette((name) => style.getPropertyValue(name), themeKindOf([...document.body.classList]));
}

let palette: ThemePalette | null = null;
const charts = new Set<Chart>();

/** Call when the theme changes: every chart is recoloured, and the verdict colours the stylesheet uses
 *  (--perflab-pass, --perflab-fail, --perflab-warning) are set again. */
export function refreshTheme(): void {
  palette = readPalette();
  // What the charts are drawn with, on the page (canvas colours are not in the DOM; tests read this).
  document.body.dataset.chartForeground = palette.foreground;
  document.body.dataset.chartSeries = palette.series.join(' ');
  document.body.dataset.chartBackground = palette.background;
  document.body.style.setProperty('--perflab-pass', palette.pass);
  document.body.style.setProperty('--perflab-fail', palette.fail);
  document.body.style.setProperty('--perflab-warning', palette.warning);
  for (const chart of charts) {
    applyPalette(chart);
    chart.update('none');
  }
}

/** The colours in use (read from the theme on first use). */
export function currentPalette(): ThemePalette {
  if (!palette) refreshTheme();
  return palette!;
}

function applyPalette(chart: Chart): void {
  const p = currentPalette();
  const colours = chart.data.datasets.map((d, i) => {
    const colour = p.series[i % p.series.length];
    d.borderColor = colour;
    // Bars filled opaque too: a translucent fill would fall below 3:1 again.
    d.backgroundColor = colour;
    return colour;
  });
  // The colours each dataset is drawn with, for tests that measure the canvas.
  chart.canvas.dataset.colours = colours.join(' ');
  // chart.options are chart.js's resolving proxies: set leaves in place, never spread them.
  for (const scale of Object.values(chart.options.scales ?? {})) {
    if (!scale) continue;
    if (scale.ticks) scale.ticks.color = p.foreground;
    if (scale.grid) scale.grid.color = p.grid;
    if ('title' in scale && scale.title) scale.title.color = p.foreground;
  }
  const legend = chart.options.plugins?.legend;
  if (legend?.labels) legend.labels.color = p.foreground;
}

const LONE_POINT_RADIUS = 3;
const loneRadius = (extra: number) => (ctx: ScriptableContext<'line'>) =>
  ctx.type === 'data' && isLonePoint(ctx.dataset.data as (Point | null)[], ctx.dataIndex) ? LONE_POINT_RADIUS + extra : 0;

/** Exported PNGs get the editor's background instead of transparency. The plot area (CSS pixels) is
 *  put on the canvas for tests that measure the drawn lines apart from the legend. */
const backgroundPlugin: Plugin = {
  id: 'perflabBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = currentPalette().background;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
  afterDraw(chart) {
    const { left, top, right, bottom } = chart.chartArea;
    chart.canvas.dataset.plotArea = [left, top, right, bottom].map((v) => Math.round(v)).join(' ');
  },
};

export interface LineSeries {
  label: string;
  points: Point[];
  /** Dashed line (e.g. a target rate). */
  dashed?: boolean;
  /** Steps: each value holds until the next point (Azure Monitor's 1-minute values). */
  stepped?: boolean;
}

/** A line chart over time; `unit` formats the y axis and tooltips. */
export function createLineChart(canvas: HTMLCanvasElement, unit: string, xTitle = 'seconds since start'): Chart<'line', Point[]> {
  const chart = new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      elements: { point: { radius: loneRadius(0), hoverRadius: loneRadius(1), hitRadius: 6 }, line: { borderWidth: 1.5 } },
      scales: {
        x: { type: 'linear', title: { display: true, text: xTitle }, ticks: { maxTicksLimit: 8 } },
        // Counts (requests) have whole-number ticks only.
        y: {
          type: 'linear',
          beginAtZero: true,
          ticks: { maxTicksLimit: 6, precision: unit === 'requests' ? 0 : undefined, callback: (v) => formatValue(Number(v), unit) },
        },
      },
      plugins: {
        // chart.js's own decimation keeps drawing cheap when the view-model's bounded series is still
        // wider than the canvas.
        decimation: { enabled: true, algorithm: 'min-max' },
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatValue(item.parsed.y, unit)}` } },
      },
    },
    plugins: [backgroundPlugin],
  });
  charts.add(chart);
  applyPalette(chart);
  return chart;
}

/** Replaces the chart's series (same labels keep their dataset object, so colours stay stable). */
export function setLineSeries(chart: Chart<'line', Point[]>, series: LineSeries[]): void {
  const datasets = series.map((s, i): ChartDataset<'line', Point[]> => {
    const existing = chart.data.datasets[i];
    const dataset = existing && existing.label === s.label ? existing : ({ label: s.label, data: [] } as ChartDataset<'line', Point[]>);
    // chart.js reads y: null as a gap; our Point allows null for exactly that.
    dataset.data = s.points;
    dataset.borderDash = s.dashed ? [6, 4] : undefined;
    dataset.stepped = s.stepped ? 'after' : false;
    return dataset;
  });
  const relabelled = datasets.length !== chart.data.datasets.length || datasets.some((d, i) => d !== chart.data.datasets[i]);
  chart.data.datasets = datasets;
  // Which datasets are drawn as steps, for tests that check how Azure Monitor's minutes are drawn.
  chart.canvas.dataset.stepped = series.map((s) => (s.stepped ? 'steps' : 'line')).join(' ');
  if (relabelled) applyPalette(chart);
  chart.update('none');
}

/** A histogram: one bar per non-empty stretch of bins, labelled with the bin's range. */
export function createHistogram(canvas: HTMLCanvasElement, xTitle: string, yTitle = 'requests'): Chart<'bar', number[], string> {
  const chart = new Chart<'bar', number[], string>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'category', title: { display: true, text: xTitle }, ticks: { maxTicksLimit: 10, maxRotation: 0 } },
        y: {
          type: 'linear',
          beginAtZero: true,
          title: { display: true, text: yTitle },
          ticks: { maxTicksLimit: 6, precision: 0, callback: (v) => formatCount(Number(v)) },
        },
      },
      plugins: { legend: { display: false } },
    },
    plugins: [backgroundPlugin],
  });
  charts.add(chart);
  applyPalette(chart);
  return chart;
}

export function setHistogram(chart: Chart<'bar', number[], string>, label: string, bars: HistogramBar[]): void {
  chart.data.labels = bars.map((b) => b.label);
  const dataset = chart.data.datasets[0];
  if (dataset) dataset.data = bars.map((b) => b.count);
  else {
    chart.data.datasets = [{ label, data: bars.map((b) => b.count) }];
    applyPalette(chart);
  }
  chart.update('none');
}

/** Frees a chart for good (its canvas, listeners and theme updates). */
export function destroyChart(chart: Chart): void {
  charts.delete(chart);
  chart.destroy();
}

/** PNG of a chart, for the host to save (the webview cannot write files). */
export function chartPng(chart: Chart): string {
  return chart.toBase64Image('image/png', 1);
}
