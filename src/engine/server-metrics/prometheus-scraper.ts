// Scrapes one target's Prometheus /metrics page every `interval` while the target runs, on the
// engine's clock: a first scrape as the target starts (the baseline the run's counters and histograms
// are measured from), one every interval after it (a scrape still in flight skips its tick, so a slow
// server is never piled up), and a last one when the target has finished. Each kept series goes to
// server-metrics.jsonl as it arrives; a failed scrape is counted and explained, never fatal.

import { performance } from 'node:perf_hooks';
import { epochMs } from '../clock';
import type { Transport } from '../transport';
import { httpGet, HttpGetError } from './http-get';
import { knownSeries, seriesWanted, KNOWN_SERIES, type KnownSeries, type SeriesRole } from './known-series';
import { histogramSeries, labelKey, parsePrometheusText, PrometheusParseError, type PromFamily } from './prometheus-text';
import { bucketDelta, histogramQuantile, type Bucket } from './histogram-quantile';
import type { ServerPrometheusSummary, ServerSample, ServerSeriesStats } from './types';

export interface ScraperOptions {
  target: string;
  url: URL;
  intervalS: number;
  /** Series to record besides the known ones (exact names, or prefixes ending in `*`). */
  series: readonly string[];
  /** Headers for the metrics URL only (server_metrics.auth); none by default. */
  headers: Record<string, string>;
  transport: Transport;
  /** Seconds since the target started, for a performance.now() time (the engine's clock). */
  clock: (now: number) => number;
  /** Each sample as it is scraped (server-metrics.jsonl). */
  emit: (sample: ServerSample) => void;
}

/** What the scraper keeps of one series for the summary: first and last values, running stats. */
interface SeriesAcc {
  name: string;
  labels: Record<string, string>;
  kind: 'gauge' | 'counter' | 'histogram';
  known?: KnownSeries;
  samples: number;
  min: number;
  max: number;
  sum: number;
  first: number;
  last: number;
  /** Counters: the increase so far (a value below the previous one is a restart from 0). */
  increase: number;
  firstT: number;
  lastT: number;
  firstBuckets?: Bucket[];
  lastBuckets?: Bucket[];
  firstSum?: number;
  lastSum?: number;
}

/** A role's per-scrape total (running, waiting: summed over label sets; KV cache: the fullest). */
interface RoleAcc {
  samples: number;
  sum: number;
  max: number;
}

export const AGGREGATED_ROLES = ['running', 'waiting', 'kv_cache'] as const;
type AggregatedRole = (typeof AGGREGATED_ROLES)[number];

export class PrometheusScraper {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private startedAt = 0;
  private tick = 0;
  private stopped = false;
  scrapes = 0;
  failed = 0;
  /** The first failure, explained. */
  firstError: string | null = null;
  /** Some scrape held a series asked for. */
  private keptAny = false;
  private readonly series = new Map<string, SeriesAcc>();
  private readonly roles = new Map<AggregatedRole, RoleAcc>();
  /** The URL as stored and shown: no query (it may hold a key), no user information. */
  readonly resource: string;

  constructor(private readonly o: ScraperOptions) {
    this.resource = `${o.url.origin}${o.url.pathname}`;
  }

  /** Every scrape answered, but none held a series asked for. */
  get nothingKnown(): boolean {
    return this.scrapes > 0 && !this.keptAny;
  }

  start(): void {
    if (this.startedAt !== 0) return;
    this.startedAt = performance.now();
    this.scrapeNow();
    this.schedule();
  }

  /** Stops the ticks, waits for a scrape in flight, and takes the last one. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.startedAt === 0) return;
    await this.inFlight;
    await this.scrape();
  }

  /** Stops at once (the run is ending with an error): no last scrape. */
  cancel(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.tick++;
    const due = this.startedAt + this.tick * this.o.intervalS * 1000;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.stopped) return;
        if (!this.inFlight) this.scrapeNow();
        this.schedule();
      },
      Math.max(0, due - performance.now()),
    );
    this.timer.unref?.();
  }

  private scrapeNow(): void {
    const p = this.scrape().finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
  }

  private async scrape(): Promise<void> {
    const sentAt = performance.now();
    const timeoutMs = Math.min(10_000, Math.max(2_000, this.o.intervalS * 2000));
    let families: PromFamily[];
    try {
      const reply = await httpGet(this.o.transport, this.o.url, this.o.headers, timeoutMs);
      if (reply.status < 200 || reply.status > 299) throw new ScrapeError(httpProblem(reply.status));
      families = parsePrometheusText(reply.body);
      if (families.length === 0) throw new ScrapeError('the answer holds no metrics (an empty page, not the Prometheus text format)');
    } catch (err) {
      this.failed++;
      this.firstError ??= scrapeProblem(err);
      return;
    }
    this.scrapes++;
    this.record(families, sentAt);
  }

  private record(families: PromFamily[], sentAt: number): void {
    const t = round3(this.o.clock(sentAt));
    const time = new Date(epochMs(sentAt)).toISOString();
    const base = { t, time, target: this.o.target, source: 'prometheus' as const, resource: this.resource };
    const seen = new Map<string, { known?: KnownSeries; values: number[] }>();
    let kept = 0;
    for (const f of families) {
      if (f.type === 'histogram' && seriesWanted(f.name, this.o.series)) {
        for (const h of histogramSeries(f)) {
          const buckets = h.buckets.map((b) => ({ bound: b.bound, count: b.count }));
          this.o.emit({ ...base, name: f.name, labels: h.labels, value: h.count, sum: h.sum, buckets: h.buckets.map((b) => [b.le, b.count]) });
          this.observeHistogram(f.name, h.labels, t, h.count, h.sum, buckets);
          kept++;
        }
        continue;
      }
      for (const sample of f.samples) {
        if (!seriesWanted(sample.name, this.o.series) || Number.isNaN(sample.value)) continue;
        const kind = knownSeries(sample.name)?.kind ?? (f.type === 'counter' ? 'counter' : 'gauge');
        this.o.emit({ ...base, name: sample.name, labels: sample.labels, value: sample.value });
        this.observeValue(sample.name, sample.labels, kind === 'histogram' ? 'gauge' : kind, t, sample.value);
        const entry = seen.get(sample.name) ?? { known: knownSeries(sample.name), values: [] };
        entry.values.push(sample.value);
        seen.set(sample.name, entry);
        kept++;
      }
    }
    if (kept > 0) this.keptAny = true;
    this.observeRoles(seen);
  }

  private acc(name: string, labels: Record<string, string>, kind: SeriesAcc['kind'], t: number, value: number): SeriesAcc {
    const key = `${name}{${labelKey(labels)}}`;
    let a = this.series.get(key);
    if (!a) {
      const known = knownSeries(name);
      a = {
        name,
        labels,
        kind,
        ...(known && { known }),
        samples: 0,
        min: value,
        max: value,
        sum: 0,
        first: value,
        last: value,
        increase: 0,
        firstT: t,
        lastT: t,
      };
      this.series.set(key, a);
    }
    return a;
  }

  private observeValue(name: string, labels: Record<string, string>, kind: 'gauge' | 'counter', t: number, value: number): void {
    const a = this.acc(name, labels, kind, t, value);
    if (a.samples > 0 && kind === 'counter') a.increase += value >= a.last ? value - a.last : value;
    a.samples++;
    a.min = Math.min(a.min, value);
    a.max = Math.max(a.max, value);
    a.sum += value;
    a.last = value;
    a.lastT = t;
  }

  private observeHistogram(name: string, labels: Record<string, string>, t: number, count: number, sum: number, buckets: Bucket[]): void {
    const a = this.acc(name, labels, 'histogram', t, count);
    if (a.samples === 0) {
      a.firstBuckets = buckets;
      a.firstSum = sum;
    }
    a.samples++;
    a.last = count;
    a.lastT = t;
    a.lastBuckets = buckets;
    a.lastSum = sum;
  }

  /** Per scrape: the server's running batch and queue (summed over label sets) and KV cache (fullest),
   *  from the first known series of each role the page holds. */
  private observeRoles(seen: Map<string, { known?: KnownSeries; values: number[] }>): void {
    for (const role of AGGREGATED_ROLES) {
      const source = KNOWN_SERIES.find((k) => k.role === role && seen.has(k.name));
      if (!source) continue;
      const values = seen.get(source.name)!.values;
      const v = role === 'kv_cache' ? Math.max(...values) : values.reduce((x, y) => x + y, 0);
      const r = this.roles.get(role) ?? { samples: 0, sum: 0, max: -Infinity };
      r.samples++;
      r.sum += v;
      r.max = Math.max(r.max, v);
      this.roles.set(role, r);
    }
  }

  /** The aggregated roles over the run (running, waiting, KV cache). */
  roleStats(): Partial<Record<AggregatedRole, { avg: number; max: number }>> {
    const out: Partial<Record<AggregatedRole, { avg: number; max: number }>> = {};
    for (const [role, r] of this.roles) out[role] = { avg: round3(r.sum / r.samples), max: round3(r.max) };
    return out;
  }

  /** Histogram label sets of `name`: buckets of the first and the last scrape. */
  histogramsOf(name: string): { labels: Record<string, string>; first: Bucket[]; last: Bucket[]; firstSum: number; lastSum: number }[] {
    return [...this.series.values()]
      .filter((a) => a.kind === 'histogram' && a.name === name && a.lastBuckets)
      .map((a) => ({ labels: a.labels, first: a.firstBuckets!, last: a.lastBuckets!, firstSum: a.firstSum ?? 0, lastSum: a.lastSum ?? 0 }));
  }

  /** Names of the histograms seen, for choosing a role's source. */
  histogramNames(): Set<string> {
    return new Set([...this.series.values()].filter((a) => a.kind === 'histogram').map((a) => a.name));
  }

  summary(): ServerPrometheusSummary {
    const servers = new Set([...this.series.values()].map((a) => a.known?.server).filter((x): x is NonNullable<typeof x> => x !== undefined));
    return {
      url: this.resource,
      interval_s: this.o.intervalS,
      scrapes: this.scrapes,
      failed: this.failed,
      ...(this.firstError !== null && { error: this.firstError }),
      ...(servers.size > 0 && { server: [...servers].join(', ') }),
      series: [...this.series.values()].map((a) => seriesStats(a)),
    };
  }
}

function seriesStats(a: SeriesAcc): ServerSeriesStats {
  const base = {
    source: 'prometheus' as const,
    name: a.name,
    labels: a.labels,
    kind: a.kind,
    ...(a.known && { label: a.known.label, unit: a.known.unit }),
    ...(a.known?.role && { role: a.known.role as SeriesRole }),
    samples: a.samples,
  };
  if (a.kind === 'histogram') {
    // What was observed during the run: the last scrape's buckets minus the first's.
    const delta = a.lastBuckets ? bucketDelta(a.firstBuckets ?? null, a.lastBuckets) : null;
    const count = delta?.at(-1)?.count ?? 0;
    const reset = a.last < a.first;
    const sum = reset ? (a.lastSum ?? 0) : (a.lastSum ?? 0) - (a.firstSum ?? 0);
    const q = (x: number) => (delta && count > 0 ? roundSig(histogramQuantile(x, delta)) : null);
    return {
      ...base,
      min: null,
      avg: null,
      max: null,
      last: a.last,
      count,
      mean: count > 0 ? roundSig(sum / count) : null,
      p50: q(0.5),
      p90: q(0.9),
      p95: q(0.95),
      p99: q(0.99),
    };
  }
  const span = a.lastT - a.firstT;
  return {
    ...base,
    min: a.min,
    avg: round3(a.sum / a.samples),
    max: a.max,
    last: a.last,
    ...(a.kind === 'counter' && { increase: round3(a.increase), rate_per_s: span > 0 ? round3(a.increase / span) : null }),
  };
}

class ScrapeError extends Error {}

function httpProblem(status: number): string {
  if (status === 404)
    return 'HTTP 404: nothing at this URL — vLLM, SGLang and TGI serve /metrics on their API port; llama.cpp only when started with --metrics; or give server_metrics.prometheus the full URL';
  if (status === 401 || status === 403) return `HTTP ${status}: the metrics URL wants credentials — name the variable holding them in server_metrics.auth`;
  return `HTTP ${status} from the metrics URL`;
}

/** Why a scrape failed, in words that say what to do. */
export function scrapeProblem(err: unknown): string {
  if (err instanceof ScrapeError) return err.message;
  if (err instanceof PrometheusParseError) return `not the Prometheus text format (${err.message}) — is this the server's metrics URL?`;
  if (err instanceof HttpGetError) {
    if (err.code === 'ECONNREFUSED') return 'connection refused — is the server running, and does it serve metrics on this host and port?';
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `host not found (${err.code})`;
    if (err.code === 'timeout') return `the metrics URL did not answer in time (${err.message})`;
    return `${err.code}: ${err.message}`;
  }
  return (err as Error)?.message ?? String(err);
}

/** Six significant digits: histogram units run from seconds (0.0123) to tokens (40000). */
function roundSig(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? x : Number(x.toPrecision(6));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
