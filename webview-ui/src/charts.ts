// chart.js, with only the pieces the panel uses registered (a smaller bundle), coloured from VS Code's
// theme variables. Two kinds of chart: lines over time (x = seconds) and histograms (bars per bin).

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
} from 'chart.js';
import type { Point } from './model/decimate';
import type { HistogramBar } from './model/histogram-bars';
import { formatCount, formatValue } from './model/format';

Chart.register(LineController, LineElement, PointElement, LinearScale, BarController, BarElement, CategoryScale, Tooltip, Legend, Decimation);

/** Colours from the theme (`--vscode-charts-*`), re-read when the theme changes. */
interface Palette {
  series: string[];
  foreground: string;
  grid: string;
  background: string;
}

const SERIES_VARIABLES = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

function readPalette(): Palette {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    series: SERIES_VARIABLES.map((name, i) => v(name, FALLBACK[i])),
    foreground: v('--vscode-foreground', '#616161'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    background: v('--vscode-editor-background', '#ffffff'),
  };
}

let palette: Palette | null = null;
const charts = new Set<Chart>();

/** Call when the theme changes: every chart is recoloured. */
export function refreshTheme(): void {
  palette = readPalette();
  // What the charts are drawn with, on the page (canvas colours are not in the DOM; tests read this).
  document.body.dataset.chartForeground = palette.foreground;
  document.body.dataset.chartSeries = palette.series.join(' ');
  for (const chart of charts) {
    applyPalette(chart);
    chart.update('none');
  }
}

function currentPalette(): Palette {
  if (!palette) refreshTheme();
  return palette!;
}

function applyPalette(chart: Chart): void {
  const p = currentPalette();
  chart.data.datasets.forEach((d, i) => {
    const colour = p.series[i % p.series.length];
    d.borderColor = colour;
    d.backgroundColor = (chart.config as { type?: string }).type === 'bar' ? withAlpha(colour, 0.6) : colour;
  });
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

/** Exported PNGs get the editor's background instead of transparency. */
const backgroundPlugin: Plugin = {
  id: 'perflabBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = currentPalette().background;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export interface LineSeries {
  label: string;
  points: Point[];
  /** Dashed line (e.g. a target rate). */
  dashed?: boolean;
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
      elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5 } },
      scales: {
        x: { type: 'linear', title: { display: true, text: xTitle }, ticks: { maxTicksLimit: 8 } },
        // Counts (requests) have whole-number ticks only.
        y: { type: 'linear', beginAtZero: true, ticks: { maxTicksLimit: 6, precision: unit === 'requests' ? 0 : undefined, callback: (v) => formatValue(Number(v), unit) } },
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
    return dataset;
  });
  const relabelled = datasets.length !== chart.data.datasets.length || datasets.some((d, i) => d !== chart.data.datasets[i]);
  chart.data.datasets = datasets;
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
        y: { type: 'linear', beginAtZero: true, title: { display: true, text: yTitle }, ticks: { maxTicksLimit: 6, precision: 0, callback: (v) => formatCount(Number(v)) } },
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

function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour);
  if (!hex) return colour;
  const n = parseInt(hex[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
