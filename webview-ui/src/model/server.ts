// The Run panel's Server section: the server's series (src/results/server-series.ts) kept per target and
// decimated like the client's, drawn on charts beside the client's matching series (in-flight beside the
// server's running batch and queue, client TTFT beside server TTFT, …), and the section's cards and
// messages — whole-run numbers from summary.json's `server` block once the run has ended, the latest
// sliding window while it runs. Pure TypeScript (no DOM, no chart library): unit-tested directly.

import type { WindowSnapshot } from '../../../src/engine/records';
import type { Target } from '../../../src/engine/scenario/types';
import type { ServerAzureSummary, ServerLatency, ServerSummary } from '../../../src/engine/server-metrics/types';
import type { TargetSummary } from '../../../src/engine/summary';
import { SERVER_CHARTS, shortResource, type ServerChartId, type ServerSeries, type ServerUnit } from '../../../src/results/server-series';
import { MinMaxDecimator, type Point } from './decimate';
import { formatMs, formatNumber, formatPercent } from './format';
import type { Series } from './series';

export interface ServerLine {
  label: string;
  points: Point[];
  /** Drawn as steps (Azure Monitor's 1-minute values). */
  stepped?: boolean;
  /** The client's own series, drawn beside the server's for comparison. */
  client?: boolean;
}

export interface ServerChart {
  id: string;
  title: string;
  unit: ServerUnit;
  description: string;
  lines: ServerLine[];
}

export interface ServerCard {
  id: 'server_ttft_p50' | 'server_ttft_p95' | 'outside_ttft_p50' | 'outside_ttft_p95' | 'server_running_max' | 'server_waiting_max' | 'server_kv_cache_max';
  label: string;
  value: number | null;
  unit: 'ms' | 'requests' | '%';
  note?: string;
}

export interface ServerAzureState {
  status: ServerAzureSummary['status'];
  /** `Azure Monitor (accounts/contoso): complete · fetched …` */
  text: string;
  /** The run has ended and Azure may have more: the editor offers to fetch (again). */
  canFetch: boolean;
}

export interface ServerSection {
  /** What is scraped: `vLLM · http://…/metrics · every 1 s · 32 scrapes`; null without Prometheus. */
  source: string | null;
  /** Failed scrapes and fetches (the summary's `server metrics:` warnings), and what is pending. */
  messages: string[];
  /** `summary`: whole-run numbers; `window`: the latest sliding window (live). */
  cardSource: 'summary' | 'window';
  cards: ServerCard[];
  /** The histogram buckets' resolution, and what client − server is. */
  caveat: string | null;
  azure: ServerAzureState | null;
}

/** Which of the client's series each role chart draws beside the server's, with the label it gets there. */
const CLIENT_LINES: Partial<Record<ServerChartId, [seriesId: string, label: string][]>> = {
  server_load: [['in_flight', 'Client: in flight (sent, not finished)']],
  server_ttft: [
    ['ttft_p50', 'Client TTFT p50'],
    ['ttft_p95', 'Client TTFT p95'],
  ],
  server_e2e: [
    ['e2e_p50', 'Client E2E p50'],
    ['e2e_p95', 'Client E2E p95'],
  ],
  server_itl: [
    ['tbt_p50', 'Client TBT p50 (per token)'],
    ['tbt_p95', 'Client TBT p95 (per token)'],
  ],
  server_tokens: [
    ['ctx_tpm', 'Client: prompt TPM'],
    ['gen_tpm', 'Client: generated TPM'],
  ],
  server_rpm: [['rpm', 'Client: achieved RPM (completed)']],
};

const DESCRIPTIONS: Record<ServerChartId, string> = {
  server_load:
    "The client's requests in flight beside the server's running batch and its queue, per scrape: requests the client counts in flight but the server neither runs nor queues are outside it (network, a gateway, a queue in front of it).",
  server_ttft: "p50 and p95 of the client's TTFT and of the server's own, over the same sliding window; client − server is time spent outside the server.",
  server_e2e: "p50 and p95 of the client's end-to-end latency and of the server's request latency, over the same sliding window.",
  server_itl: "The client's time between tokens (per token) beside the server's inter-token latency, over the same sliding window.",
  server_queue_time: "p50 and p95 of the time requests waited in the server's queue before it started them, over the sliding window.",
  server_kv_cache: "The share of the server's KV cache in use, per scrape (the fullest when it reports several).",
  server_tokens: 'Prompt and generated tokens per minute as the client counted them and as the server processed them, over the same sliding window.',
  server_rpm: 'Requests finished per minute as the client saw them complete and as the server counted them, over the same sliding window.',
};

interface Kept {
  def: Omit<ServerSeries, 'points'>;
  points: MinMaxDecimator;
  last: Point | null;
  max: number | null;
}

export class ServerModel {
  private readonly targets = new Map<string, Map<string, Kept>>();

  constructor(private readonly maxPoints = 2000) {}

  /** Adds series and points (an `init`'s whole series, or a live batch's new points). */
  add(batch: readonly ServerSeries[]): void {
    for (const s of batch) {
      let target = this.targets.get(s.target);
      if (!target) this.targets.set(s.target, (target = new Map()));
      let kept = target.get(s.id);
      if (!kept) {
        const { points: _points, ...def } = s;
        kept = { def, points: new MinMaxDecimator(this.maxPoints), last: null, max: null };
        target.set(s.id, kept);
      }
      for (const p of s.points) {
        kept.points.push(p.x, p.y);
        if (p.y !== null) {
          kept.last = p;
          kept.max = kept.max === null ? p.y : Math.max(kept.max, p.y);
        } else kept.last = null;
      }
    }
  }

  /** Has the target any server series yet? */
  has(target: string): boolean {
    return (this.targets.get(target)?.size ?? 0) > 0;
  }

  /** The target's series, decimated (for tests and tables). */
  series(target: string): ServerSeries[] {
    return [...(this.targets.get(target)?.values() ?? [])].map((k) => ({ ...k.def, points: k.points.points() }));
  }

  /** The latest value of a series (null after a gap), and its highest so far. */
  latest(target: string, id: string): { last: number | null; max: number | null } {
    const k = this.targets.get(target)?.get(id);
    return { last: k?.last?.y ?? null, max: k?.max ?? null };
  }

  /** The charts of the target: the roles' (with the client's series beside), other series by unit, then
   *  Azure Monitor's, each chart once, in that order. */
  charts(target: string, client: readonly Series[]): ServerChart[] {
    const kept = [...(this.targets.get(target)?.values() ?? [])].filter((k) => k.def.chart !== null);
    const byChart = new Map<string, Kept[]>();
    for (const k of kept) byChart.set(k.def.chart!, [...(byChart.get(k.def.chart!) ?? []), k]);
    const order = (id: string) => {
      const role = Object.keys(SERVER_CHARTS).indexOf(id);
      return role >= 0 ? role : id.startsWith('other:') ? 100 : 200;
    };
    return [...byChart.entries()]
      .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
      .map(([id, list]) => {
        const first = list[0].def;
        const clientLines = (CLIENT_LINES[id as ServerChartId] ?? []).flatMap(([sid, label]) => {
          const s = client.find((c) => c.id === sid);
          return s ? [{ label, points: s.points, client: true }] : [];
        });
        const server = list.map((k) => ({ label: k.def.label, points: k.points.points(), ...(k.def.stepped && { stepped: true }) }));
        return { id, title: first.chartTitle, unit: first.unit, description: describe(id, list), lines: [...clientLines, ...server] };
      });
  }
}

function describe(id: string, list: Kept[]): string {
  const metrics = [...new Set(list.map((k) => k.def.metric))].join(', ');
  if (id in DESCRIPTIONS) return `${DESCRIPTIONS[id as ServerChartId]} Server: ${metrics}.`;
  if (id.startsWith('azure:')) return `Azure Monitor's ${metrics} for each minute (its finest grain), drawn as steps: each value holds for its whole minute.`;
  return `Further series the server publishes (${metrics}); counters as a rate per second over the sliding window.`;
}

/** The Server section of one target: null when the scenario gave it no `server_metrics:`. */
export function serverSection(
  target: Target | undefined,
  summary: TargetSummary | null,
  model: ServerModel,
  latestWindow: WindowSnapshot | null,
  runEnded: boolean,
): ServerSection | null {
  const settings = target?.server_metrics;
  const server = summary?.server;
  if (!settings && !server) return null;
  const name = summary?.target ?? target!.name;
  const messages: string[] = [];
  if (summary) messages.push(...summary.warnings.filter((w) => w.startsWith('server metrics:')));
  const prometheus = server?.prometheus;
  let source: string | null = null;
  if (prometheus) {
    source = [
      prometheus.server ?? 'Prometheus',
      prometheus.url,
      `every ${formatNumber(prometheus.interval_s)} s`,
      `${prometheus.scrapes} ${prometheus.scrapes === 1 ? 'scrape' : 'scrapes'}${prometheus.failed ? `, ${prometheus.failed} failed` : ''}`,
    ].join(' · ');
  } else if (settings?.prometheus !== undefined) {
    source = `Prometheus · ${settings.prometheus === 'endpoint' ? "the endpoint's /metrics" : settings.prometheus} · every ${formatNumber(settings.interval_s)} s`;
    if (!runEnded && !model.has(name)) messages.push('Waiting for the first scrape of the server’s metrics…');
  }
  const fromSummary = server !== undefined && prometheus !== undefined;
  const cards = fromSummary
    ? summaryCards(server!)
    : prometheus === undefined && settings?.prometheus !== undefined
      ? windowCards(name, model, latestWindow)
      : [];
  const caveat = fromSummary ? summaryCaveat(server!) : cards.length ? windowCaveat(name, model) : null;
  const azure = azureState(server?.azure_monitor, settings?.azure_monitor !== undefined, runEnded);
  return { source, messages, cardSource: fromSummary ? 'summary' : 'window', cards, caveat, azure };
}

function summaryCards(s: ServerSummary): ServerCard[] {
  const ttft = s.latency_ms?.ttft;
  const out: ServerCard[] = [];
  if (ttft) {
    out.push(
      { id: 'server_ttft_p50', label: 'Server TTFT p50', value: ttft.p50, unit: 'ms', note: `client ${formatMs(ttft.client_p50)} · ${ttft.metric}` },
      { id: 'server_ttft_p95', label: 'Server TTFT p95', value: ttft.p95, unit: 'ms', note: `client ${formatMs(ttft.client_p95)}` },
      {
        id: 'outside_ttft_p50',
        label: 'Client − server TTFT p50',
        value: s.outside_server_ms?.ttft_p50 ?? null,
        unit: 'ms',
        note: outsideNote(s.outside_server_ms?.ttft_p50 ?? null, ttft.p50_resolution_ms),
      },
      {
        id: 'outside_ttft_p95',
        label: 'Client − server TTFT p95',
        value: s.outside_server_ms?.ttft_p95 ?? null,
        unit: 'ms',
        note: outsideNote(s.outside_server_ms?.ttft_p95 ?? null, null),
      },
    );
  }
  if (s.running)
    out.push({
      id: 'server_running_max',
      label: 'Server running max',
      value: s.running.max,
      unit: 'requests',
      note: `avg ${formatNumber(s.running.avg)} per scrape`,
    });
  if (s.waiting)
    out.push({
      id: 'server_waiting_max',
      label: 'Server queue max',
      value: s.waiting.max,
      unit: 'requests',
      note: `avg ${formatNumber(s.waiting.avg)} waiting per scrape`,
    });
  if (s.kv_cache)
    out.push({
      id: 'server_kv_cache_max',
      label: 'KV-cache usage max',
      value: s.kv_cache.max * 100,
      unit: '%',
      note: `avg ${formatPercent(s.kv_cache.avg * 100)}`,
    });
  return out;
}

/** While the run goes: the latest window's server TTFT beside the client's, the load so far. */
function windowCards(target: string, model: ServerModel, w: WindowSnapshot | null): ServerCard[] {
  const out: ServerCard[] = [];
  const p50 = model.latest(target, 'ttft_p50');
  const p95 = model.latest(target, 'ttft_p95');
  const windowNote = w ? `last ${formatNumber(w.window_s)} s` : 'sliding window';
  const diff = (client: number | null | undefined, server: number | null) =>
    client === null || client === undefined || server === null ? null : Math.round((client - server) * 100) / 100;
  if (p50.max !== null) {
    out.push(
      { id: 'server_ttft_p50', label: 'Server TTFT p50', value: p50.last, unit: 'ms', note: `client ${formatMs(w?.ttft.p50 ?? null)} · ${windowNote}` },
      { id: 'server_ttft_p95', label: 'Server TTFT p95', value: p95.last, unit: 'ms', note: `client ${formatMs(w?.ttft.p95 ?? null)} · ${windowNote}` },
      {
        id: 'outside_ttft_p50',
        label: 'Client − server TTFT p50',
        value: diff(w?.ttft.p50, p50.last),
        unit: 'ms',
        note: outsideNote(diff(w?.ttft.p50, p50.last), model.latest(target, 'ttft_p50_bucket').last),
      },
      {
        id: 'outside_ttft_p95',
        label: 'Client − server TTFT p95',
        value: diff(w?.ttft.p95, p95.last),
        unit: 'ms',
        note: `${outsideNote(diff(w?.ttft.p95, p95.last), null)} · ${windowNote}`,
      },
    );
  }
  const load: [ServerCard['id'], string, string, ServerCard['unit']][] = [
    ['server_running_max', 'running', 'Server running max', 'requests'],
    ['server_waiting_max', 'waiting', 'Server queue max', 'requests'],
    ['server_kv_cache_max', 'kv_cache', 'KV-cache usage max', '%'],
  ];
  for (const [id, series, label, unit] of load) {
    const v = model.latest(target, series);
    if (v.max === null) continue;
    out.push({ id, label, value: v.max, unit, note: `so far; now ${unit === '%' ? formatPercent(v.last) : formatNumber(v.last)}` });
  }
  return out;
}

/** A difference smaller than the bucket the server's percentile was interpolated in says nothing; one
 *  below zero (the server slower than its client) can only be that interpolation. */
function outsideNote(diff: number | null, width: number | null): string {
  if (diff !== null && width !== null && Math.abs(diff) < width)
    return `within the server's bucket width there (${formatMs(width)}): no difference can be read`;
  if (diff !== null && diff < 0) return "below zero: the server's percentile is interpolated within a histogram bucket, so no difference can be read";
  return 'time outside the server: network, gateway, a queue in front of it, this client';
}

function summaryCaveat(s: ServerSummary): string | null {
  const l = s.latency_ms?.ttft ?? s.latency_ms?.e2e;
  return l ? bucketCaveat(l) : null;
}

function windowCaveat(target: string, model: ServerModel): string {
  const width = model.latest(target, 'ttft_p50_bucket').last;
  return bucketCaveat({ p50_resolution_ms: width, metric: model.series(target).find((s) => s.id === 'ttft_p50')?.metric ?? "the server's histogram" });
}

function bucketCaveat(l: Pick<ServerLatency, 'p50_resolution_ms' | 'metric'>): string {
  const width = l.p50_resolution_ms === null ? '' : `: at p50 the bucket is ${formatMs(l.p50_resolution_ms)} wide`;
  return `Server percentiles are interpolated within the buckets of ${l.metric}${width}, so a client − server difference smaller than the bucket says nothing. Client − server is a difference of percentiles, not a percentile of differences.`;
}

function azureState(a: ServerAzureSummary | undefined, asked: boolean, runEnded: boolean): ServerAzureState | null {
  if (!a) return asked ? { status: 'pending', text: 'Azure Monitor: fetched after the run (it publishes metrics a few minutes late).', canFetch: false } : null;
  const where = a.resource_id ? ` (${shortResource(a.resource_id)})` : '';
  const fetched = a.fetched_at ? ` · fetched ${a.fetched_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` : '';
  const extra = (a.extra ?? []).map((e) => `; ${shortResource(e.resource_id)}: ${e.status}${e.message ? ` — ${e.message}` : ''}`).join('');
  const text = `Azure Monitor${where}: ${a.status}${fetched}${a.message ? ` — ${a.message}` : ''}${extra}`;
  return { status: a.status, text, canFetch: runEnded && a.status !== 'complete' };
}
