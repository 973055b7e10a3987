// The `server` block of a target's summary at the end of a run: the scraped series over the run, the
// server's running batch / queue / KV cache, and server-side latency percentiles from its histograms
// beside the client's — client TTFT − server TTFT is the time spent outside the server.

import type { LatencyStats } from '../records';
import type { TargetSummary } from '../summary';
import { bucketDelta, bucketWidthAt, histogramQuantile, sumBuckets, type Bucket } from './histogram-quantile';
import { KNOWN_SERIES, type SeriesRole } from './known-series';
import type { PrometheusScraper } from './prometheus-scraper';
import type { ServerLatency, ServerSummary } from './types';

const LATENCY_ROLES: { key: 'ttft' | 'e2e' | 'itl' | 'queue'; role: SeriesRole; client: (t: TargetSummary) => LatencyStats | undefined }[] = [
  { key: 'ttft', role: 'ttft', client: (t) => t.latency_ms.ttft },
  { key: 'e2e', role: 'e2e', client: (t) => t.latency_ms.e2e },
  // The server's inter-token latency is per token: the client's TBT per token is its match.
  { key: 'itl', role: 'itl', client: (t) => t.latency_ms.tbt },
  { key: 'queue', role: 'queue_time', client: () => undefined },
];

/** Fills in what the scraper measured: the Prometheus block, roles, latencies and time outside the server. */
export function addScrapeSummary(server: ServerSummary, scraper: PrometheusScraper, client: TargetSummary): void {
  server.prometheus = scraper.summary();
  Object.assign(server, scraper.roleStats());
  const latency: NonNullable<ServerSummary['latency_ms']> = {};
  const histograms = scraper.histogramNames();
  for (const { key, role, client: clientStats } of LATENCY_ROLES) {
    const source = KNOWN_SERIES.find((k) => k.role === role && k.kind === 'histogram' && histograms.has(k.name));
    if (!source) continue;
    const l = serverLatency(source.name, scraper, clientStats(client));
    if (l) latency[key] = l;
  }
  if (Object.keys(latency).length > 0) {
    server.latency_ms = latency;
    const diff = (c: number | null | undefined, s: number | null | undefined) =>
      c === null || c === undefined || s === null || s === undefined ? null : round2(c - s);
    server.outside_server_ms = {
      ttft_p50: diff(latency.ttft?.client_p50, latency.ttft?.p50),
      ttft_p95: diff(latency.ttft?.client_p95, latency.ttft?.p95),
      e2e_p50: diff(latency.e2e?.client_p50, latency.e2e?.p50),
    };
  }
}

/** Percentiles (ms) of what a histogram observed during the run, its label sets added up. */
function serverLatency(name: string, scraper: PrometheusScraper, client: LatencyStats | undefined): ServerLatency | null {
  const sets = scraper.histogramsOf(name);
  const deltas = sets.map((h) => bucketDelta(h.first, h.last)).filter((d): d is Bucket[] => d !== null);
  const buckets = sumBuckets(deltas) ?? deltas[0];
  if (!buckets) return null;
  const count = buckets.at(-1)!.count;
  if (!(count > 0)) return null;
  const sum = sets.reduce((a, h) => a + (h.last.at(-1)!.count >= h.first.at(-1)!.count ? h.lastSum - h.firstSum : h.lastSum), 0);
  const ms = (q: number) => {
    const v = histogramQuantile(q, buckets);
    return v === null ? null : round2(v * 1000);
  };
  const p50 = ms(0.5);
  const width = p50 === null ? null : bucketWidthAt(p50 / 1000, buckets);
  return {
    metric: name,
    count,
    avg: round2((sum / count) * 1000),
    p50,
    p90: ms(0.9),
    p95: ms(0.95),
    p99: ms(0.99),
    p50_resolution_ms: width === null || width === Infinity ? null : round2(width * 1000),
    client_p50: client?.p50 ?? null,
    client_p95: client?.p95 ?? null,
  };
}

/** Warnings for the target's summary: scrapes that failed, a page without the series asked for. */
export function scrapeWarnings(scraper: PrometheusScraper): string[] {
  const out: string[] = [];
  const url = scraper.resource;
  if (scraper.scrapes === 0 && scraper.failed > 0)
    out.push(`server metrics: could not scrape ${url}: ${scraper.firstError} (the client's numbers are unaffected)`);
  else if (scraper.failed > 0)
    out.push(`server metrics: ${scraper.failed} of ${scraper.failed + scraper.scrapes} scrapes of ${url} failed; the first: ${scraper.firstError}`);
  if (scraper.scrapes > 0 && scraper.nothingKnown) {
    out.push(`server metrics: ${url} has none of the series perflab knows (vLLM, TGI, llama.cpp, SGLang) — name the ones to record in server_metrics.series`);
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
