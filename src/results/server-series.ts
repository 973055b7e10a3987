// The server's series on the run's clock, from server-metrics.jsonl's samples (src/engine/server-metrics/
// types.ts): what the Run panel and the HTML report draw in their Server section. Each Prometheus scrape
// becomes one point per series — the server's running batch, its queue and KV cache (the roles of
// known-series.ts, summed over label sets as the summary does), its TTFT / E2E / inter-token / queue-time
// percentiles and its token and request rates over the same sliding window as the client's windows (so
// the two lines can be read against each other) — and each Azure Monitor metric one stepped series of
// 1-minute values (a later fetch's value for a minute replaces an earlier one).
// Built on the extension host while a run goes (fed by the engine worker) and from the file when a run
// is opened; pure logic (no I/O, no DOM): the webview bundles the types.

import type { ServerSample } from '../engine/server-metrics/types';
import { KNOWN_SERIES, knownSeries, type KnownSeries, type SeriesRole } from '../engine/server-metrics/known-series';
import { bucketDelta, bucketWidthAt, histogramQuantile, sumBuckets, type Bucket } from '../engine/server-metrics/histogram-quantile';
import { metricLabel } from '../engine/server-metrics/azure-metrics';

export interface ServerPoint {
  /** Seconds since the target started (the x of windows.jsonl). */
  x: number;
  /** Null draws a gap (no request finished on the server in that window). */
  y: number | null;
}

/** How a value reads: `per_s` is a rate per second, `number` a plain value (Azure's counts, averages). */
export type ServerUnit = 'requests' | '%' | 'ms' | 'tpm' | 'rpm' | 'per_s' | 'number';

/** One series of one target. A live batch carries only the points added since the last one. */
export interface ServerSeries {
  target: string;
  /** Unique within the target. */
  id: string;
  /** The chart it is drawn on (SERVER_CHARTS ids, `other:<unit>`, `azure:<resource>|<metric>`); null
   *  for a number the Server section's cards read but no chart draws (a bucket's width). */
  chart: string | null;
  chartTitle: string;
  label: string;
  unit: ServerUnit;
  source: 'prometheus' | 'azure-monitor';
  /** The metric it comes from (a Prometheus name, an Azure Monitor metric id). */
  metric: string;
  /** Azure Monitor's 1-minute values: each holds for its minute, drawn as steps. */
  stepped?: boolean;
  points: ServerPoint[];
}

/** The charts of the known roles, in the order the panel shows them. */
export const SERVER_CHARTS = {
  server_load: 'Requests in flight: client vs server',
  server_ttft: 'TTFT: client vs server',
  server_e2e: 'E2E: client vs server',
  server_itl: 'Time per token: client TBT vs server inter-token latency',
  server_queue_time: "Time in the server's queue",
  server_kv_cache: 'Server KV-cache usage',
  server_tokens: 'Tokens per minute: client vs server',
  server_rpm: 'Requests per minute: client vs server',
} as const;

export type ServerChartId = keyof typeof SERVER_CHARTS;

/** Roles drawn as a value per scrape. */
const GAUGE_ROLES: { role: SeriesRole; id: string; chart: ServerChartId; combine: 'sum' | 'max' }[] = [
  { role: 'running', id: 'running', chart: 'server_load', combine: 'sum' },
  { role: 'waiting', id: 'waiting', chart: 'server_load', combine: 'sum' },
  { role: 'kv_cache', id: 'kv_cache', chart: 'server_kv_cache', combine: 'max' },
];

/** Histogram roles drawn as p50 / p95 over the sliding window. */
const LATENCY_ROLES: { role: SeriesRole; id: string; chart: ServerChartId; what: string }[] = [
  { role: 'ttft', id: 'ttft', chart: 'server_ttft', what: 'TTFT' },
  { role: 'e2e', id: 'e2e', chart: 'server_e2e', what: 'E2E' },
  { role: 'itl', id: 'itl', chart: 'server_itl', what: 'inter-token latency' },
  { role: 'queue_time', id: 'queue_time', chart: 'server_queue_time', what: 'queue time' },
];

/** Counter roles drawn as a rate per minute over the sliding window. */
const RATE_ROLES: { role: SeriesRole; id: string; chart: ServerChartId; label: string; unit: 'tpm' | 'rpm' }[] = [
  { role: 'prompt_tokens', id: 'prompt_tpm', chart: 'server_tokens', label: 'Server: prompt TPM', unit: 'tpm' },
  { role: 'generation_tokens', id: 'generation_tpm', chart: 'server_tokens', label: 'Server: generated TPM', unit: 'tpm' },
  { role: 'requests', id: 'requests_rpm', chart: 'server_rpm', label: 'Server: requests finished per minute', unit: 'rpm' },
];

/** One scrape of one target, its label sets added up per name. */
interface Scrape {
  t: number;
  resource: string;
  gauges: Map<string, number[]>;
  counters: Map<string, number>;
  histograms: Map<string, Bucket[]>;
}

/** What the sliding window is measured from: restart-adjusted counter totals and histogram buckets. */
interface Snapshot {
  t: number;
  counters: Map<string, number>;
  histograms: Map<string, Bucket[]>;
}

class TargetSeries {
  private pending: { t: number; resource: string; samples: ServerSample[] } | null = null;
  private readonly history: Snapshot[] = [];
  /** Per counter: its last raw total and the total with restarts (a drop to a lower value) added back. */
  private readonly totals = new Map<string, { last: number; adjusted: number }>();
  readonly series = new Map<string, ServerSeries>();
  /** Per series: points already handed out by `flush()`. */
  private readonly sent = new Map<string, number>();
  /** Azure Monitor: per series, its value by grain time (a later line replaces an earlier one). */
  private readonly azure = new Map<string, { def: Omit<ServerSeries, 'points'>; grains: Map<string, { t: number; value: number }> }>();

  constructor(
    private readonly target: string,
    private readonly windowS: number,
  ) {}

  add(s: ServerSample): void {
    if (s.source === 'azure-monitor') {
      this.addAzure(s);
      return;
    }
    if (this.pending && (this.pending.t !== s.t || this.pending.resource !== s.resource)) this.endScrape();
    this.pending ??= { t: s.t, resource: s.resource, samples: [] };
    this.pending.samples.push(s);
  }

  /** The scrape being collected is complete. */
  endScrape(): void {
    const p = this.pending;
    this.pending = null;
    if (p) this.record(scrapeOf(p.t, p.resource, p.samples));
  }

  /** The points added since the last call, per series. */
  takeNew(): ServerSeries[] {
    const out: ServerSeries[] = [];
    for (const s of this.series.values()) {
      const from = this.sent.get(s.id) ?? 0;
      if (from >= s.points.length) continue;
      out.push({ ...s, points: s.points.slice(from) });
      this.sent.set(s.id, s.points.length);
    }
    return out;
  }

  all(): ServerSeries[] {
    return [...this.series.values(), ...this.azureSeries()];
  }

  private record(scrape: Scrape): void {
    const adjusted = new Map<string, number>();
    for (const [name, value] of scrape.counters) {
      const prev = this.totals.get(name);
      // A total below the previous one: the server restarted and counts from 0 again.
      const total = prev ? prev.adjusted + (value >= prev.last ? value - prev.last : value) : 0;
      this.totals.set(name, { last: value, adjusted: total });
      adjusted.set(name, total);
    }
    const now: Snapshot = { t: scrape.t, counters: adjusted, histograms: scrape.histograms };
    this.history.push(now);
    // Keep one snapshot at or before the window's start: the baseline the window is measured from.
    while (this.history.length > 2 && this.history[1].t <= scrape.t - this.windowS) this.history.shift();
    const base = this.history.length > 1 ? this.history[0] : null;
    const used = new Set<string>();

    for (const r of GAUGE_ROLES) {
      const k = firstOfRole(r.role, scrape.gauges);
      if (!k) continue;
      used.add(k.name);
      const values = scrape.gauges.get(k.name)!;
      const v = r.combine === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
      const kv = r.role === 'kv_cache';
      this.point({ id: r.id, chart: r.chart, label: `Server: ${k.label}`, unit: kv ? '%' : 'requests', metric: k.name }, scrape.t, kv ? round(v * 100, 4) : v);
    }

    for (const r of LATENCY_ROLES) {
      const k = firstOfRole(r.role, scrape.histograms);
      if (!k) continue;
      used.add(k.name);
      const window = base ? bucketDelta(base.histograms.get(k.name) ?? null, scrape.histograms.get(k.name)!) : null;
      const count = window?.at(-1)?.count ?? 0;
      const ms = (q: number) => {
        const v = window && count > 0 ? histogramQuantile(q, window) : null;
        return v === null ? null : round(v * 1000, 2);
      };
      const p50 = ms(0.5);
      this.point({ id: `${r.id}_p50`, chart: r.chart, label: `Server ${r.what} p50`, unit: 'ms', metric: k.name }, scrape.t, p50);
      this.point({ id: `${r.id}_p95`, chart: r.chart, label: `Server ${r.what} p95`, unit: 'ms', metric: k.name }, scrape.t, ms(0.95));
      if (r.role === 'ttft') {
        // How far the p50 can be from the truth: the width of the bucket it was interpolated in.
        const width = p50 === null || !window ? null : bucketWidthAt(p50 / 1000, window);
        this.point(
          { id: 'ttft_p50_bucket', chart: null, label: 'Server TTFT p50 bucket width', unit: 'ms', metric: k.name },
          scrape.t,
          width === null || width === Infinity ? null : round(width * 1000, 2),
        );
      }
    }

    for (const r of RATE_ROLES) {
      const k = firstOfRole(r.role, scrape.counters);
      if (!k) continue;
      used.add(k.name);
      this.point({ id: r.id, chart: r.chart, label: r.label, unit: r.unit, metric: k.name }, scrape.t, rate(base, now, k.name, 60));
    }

    // Everything else recorded (other known series, and those named in server_metrics.series).
    for (const [name, values] of scrape.gauges) {
      if (used.has(name)) continue;
      const k = knownSeries(name);
      const ratio = k?.unit === 'ratio';
      const v = ratio ? Math.max(...values) * 100 : values.reduce((a, b) => a + b, 0);
      const unit: ServerUnit = ratio ? '%' : k?.unit === 'requests' ? 'requests' : 'number';
      this.point({ id: `other:${name}`, chart: `other:${unit}`, label: k?.label ?? name, unit, metric: name }, scrape.t, round(v, 4));
    }
    for (const name of scrape.counters.keys()) {
      if (used.has(name)) continue;
      const k = knownSeries(name);
      this.point(
        { id: `other:${name}`, chart: 'other:per_s', label: `${k?.label ?? name} per second`, unit: 'per_s', metric: name },
        scrape.t,
        rate(base, now, name, 1),
      );
    }
  }

  private point(def: { id: string; chart: string | null; label: string; unit: ServerUnit; metric: string }, t: number, y: number | null): void {
    // The first scrape is sent as the target starts, a few ms before its clock reads 0: drawn at 0.
    const x = Math.max(0, t);
    let s = this.series.get(def.id);
    if (!s) {
      s = { target: this.target, ...def, chartTitle: chartTitle(def.chart, def.unit), source: 'prometheus', points: [] };
      this.series.set(def.id, s);
    }
    s.points.push({ x, y });
  }

  private addAzure(s: ServerSample): void {
    const labels = labelText(s.labels);
    const id = `azure:${s.resource}|${s.name}|${s.aggregation ?? ''}|${labels}`;
    let entry = this.azure.get(id);
    if (!entry) {
      const { unit, scale } = azureUnit(s.unit);
      const name = metricLabel(s.name) ?? s.name;
      entry = {
        def: {
          target: this.target,
          id,
          chart: `azure:${s.resource}|${s.name}`,
          chartTitle: `${capitalize(name)} — Azure Monitor, per minute${scale === 1 && s.unit && unit === 'number' && s.unit !== 'Count' ? ` (${s.unit})` : ''}`,
          label: `${capitalize(s.aggregation ?? 'value')}${labels ? ` (${labels})` : ''}`,
          unit,
          source: 'azure-monitor',
          metric: s.name,
          stepped: true,
        },
        grains: new Map(),
      };
      this.azure.set(id, entry);
    }
    entry.grains.set(s.time, { t: s.t, value: s.value * azureUnit(s.unit).scale });
  }

  /** Each minute's value from its start to the next minute; a missing minute is a gap. */
  private azureSeries(): ServerSeries[] {
    const resources = new Set([...this.azure.values()].map((e) => e.def.chart!.split('|')[0]));
    return [...this.azure.values()].map(({ def, grains }) => {
      const sorted = [...grains.values()].sort((a, b) => a.t - b.t);
      const points: ServerPoint[] = [];
      sorted.forEach((g, i) => {
        points.push({ x: g.t, y: g.value });
        const end = round(g.t + 60, 3);
        const next = sorted[i + 1];
        if (next && next.t <= end + 0.5) return;
        // The last minute, or one followed by a missing minute: close its step, then break the line.
        points.push({ x: end, y: g.value });
        if (next) points.push({ x: end, y: null });
      });
      // Several Azure resources (extra_resources): say whose metric a chart is.
      const chartTitle = resources.size > 1 ? `${def.chartTitle} · ${shortResource(def.chart!.slice('azure:'.length).split('|')[0])}` : def.chartTitle;
      return { ...def, chartTitle, points };
    });
  }
}

/** Every target's server series, fed sample by sample (scrapes arrive whole and in order). */
export class ServerSeriesBuilder {
  private readonly targets = new Map<string, TargetSeries>();

  /** `windowS`: the scenario's aggregation window, the span the client's windows cover. */
  constructor(private readonly windowS: number) {}

  add(sample: ServerSample): void {
    let t = this.targets.get(sample.target);
    if (!t) this.targets.set(sample.target, (t = new TargetSeries(sample.target, this.windowS)));
    t.add(sample);
  }

  /** Every scrape added is complete (the end of a batch from the engine, or of the file). */
  endScrapes(): void {
    for (const t of this.targets.values()) t.endScrape();
  }

  /** Completes the scrapes and returns the points added since the last call (a live batch). */
  flush(): ServerSeries[] {
    this.endScrapes();
    return [...this.targets.values()].flatMap((t) => t.takeNew());
  }

  /** Every series with every point, Azure Monitor's included. */
  series(): ServerSeries[] {
    this.endScrapes();
    return [...this.targets.values()].flatMap((t) => t.all());
  }
}

/** The series of a whole list of samples (tests, and files read at once). */
export function serverSeriesFromSamples(samples: Iterable<ServerSample>, windowS: number): ServerSeries[] {
  const b = new ServerSeriesBuilder(windowS);
  for (const s of samples) b.add(s);
  return b.series();
}

function scrapeOf(t: number, resource: string, samples: ServerSample[]): Scrape {
  const gauges = new Map<string, number[]>();
  const counters = new Map<string, number>();
  const byHistogram = new Map<string, Bucket[][]>();
  for (const s of samples) {
    if (s.buckets) {
      const buckets = s.buckets.map(([le, count]) => ({ bound: le === '+Inf' ? Infinity : Number(le), count }));
      byHistogram.set(s.name, [...(byHistogram.get(s.name) ?? []), buckets]);
    } else if (kindOf(s.name) === 'counter') counters.set(s.name, (counters.get(s.name) ?? 0) + s.value);
    else gauges.set(s.name, [...(gauges.get(s.name) ?? []), s.value]);
  }
  const histograms = new Map<string, Bucket[]>();
  // Label sets with different bucket layouts cannot be added up: the first one stands for the histogram.
  for (const [name, sets] of byHistogram) histograms.set(name, sumBuckets(sets) ?? sets[0]);
  return { t, resource, gauges, counters, histograms };
}

/** A known series' kind; others by Prometheus's naming rules (counters end in _total). */
function kindOf(name: string): 'gauge' | 'counter' | 'histogram' {
  return knownSeries(name)?.kind ?? (name.endsWith('_total') ? 'counter' : 'gauge');
}

/** The first known series of a role that the scrape holds (known-series.ts lists them by preference). */
function firstOfRole(role: SeriesRole, present: Map<string, unknown>): KnownSeries | undefined {
  return KNOWN_SERIES.find((k) => k.role === role && present.has(k.name));
}

/** A counter's increase over the window, per second × `per`; null for the first scrape. */
function rate(base: Snapshot | null, now: Snapshot, name: string, per: number): number | null {
  const from = base?.counters.get(name);
  const to = now.counters.get(name);
  if (!base || from === undefined || to === undefined || now.t <= base.t) return null;
  return round(((to - from) / (now.t - base.t)) * per, 3);
}

function chartTitle(chart: string | null, unit: ServerUnit): string {
  if (chart === null) return '';
  if (chart in SERVER_CHARTS) return SERVER_CHARTS[chart as ServerChartId];
  return `Other server series (${UNIT_WORDS[unit]})`;
}

const UNIT_WORDS: Record<ServerUnit, string> = {
  requests: 'requests',
  '%': 'percent',
  ms: 'ms',
  tpm: 'tokens per minute',
  rpm: 'requests per minute',
  per_s: 'per second',
  number: 'values',
};

/** Azure Monitor's units as the panel formats them (seconds shown in ms). */
function azureUnit(unit: string | undefined): { unit: ServerUnit; scale: number } {
  switch (unit) {
    case 'Percent':
      return { unit: '%', scale: 1 };
    case 'MilliSeconds':
      return { unit: 'ms', scale: 1 };
    case 'Seconds':
      return { unit: 'ms', scale: 1000 };
    case 'CountPerSecond':
      return { unit: 'per_s', scale: 1 };
    default:
      return { unit: 'number', scale: 1 };
  }
}

/** `modeldeploymentname=gpt-4o`; '' without labels. */
function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** `/subscriptions/…/providers/Microsoft.Web/serverfarms/plan` → `serverfarms/plan`. */
export function shortResource(id: string): string {
  return id.split('/').filter(Boolean).slice(-2).join('/');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
