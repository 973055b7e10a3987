// The server's side of a run, as stored: server-metrics.jsonl (one sample a line, appended as it is
// scraped or fetched) and the `server` block of each target in summary.json. Readers must cope with
// run folders that have neither (runs recorded before they existed, or without `server_metrics:`).

import type { SeriesRole } from './known-series';

/** server-metrics.jsonl, in the run folder (named with the run folder's other files). */
export { SERVER_METRICS_FILE } from '../../results/files';

/** One line of server-metrics.jsonl. */
export interface ServerSample {
  /** Seconds since the target started, on the engine's clock (the same `t` as windows.jsonl). A
   *  Prometheus sample is stamped when its scrape was sent; an Azure Monitor one at the start of its
   *  1-minute grain (so it can be negative for the minute the target started in). */
  t: number;
  /** ISO time of the same instant. */
  time: string;
  target: string;
  source: 'prometheus' | 'azure-monitor';
  /** The scraped URL (no query, no user information) or the Azure resource id. */
  resource: string;
  /** A Prometheus series name (a histogram's family name), or an Azure Monitor metric id. */
  name: string;
  labels: Record<string, string>;
  /** Gauges and counters: the value. Histograms: the cumulative count of observations. Azure: the
   *  value of `aggregation` over the grain. */
  value: number;
  /** Histograms: cumulative counts by upper bound as the server wrote it ("0.1", …, "+Inf"). */
  buckets?: [string, number][];
  /** Histograms: the cumulative sum of observations. */
  sum?: number;
  /** Azure Monitor: the aggregation of `value` (average, total, maximum, …), and the metric's unit. */
  aggregation?: string;
  unit?: string;
}

/** A series over the run, in the summary. */
export interface ServerSeriesStats {
  source: 'prometheus' | 'azure-monitor';
  name: string;
  labels: Record<string, string>;
  kind: 'gauge' | 'counter' | 'histogram';
  /** Known series: what it is (known-series.ts); Azure: the metric's unit. */
  label?: string;
  unit?: string;
  role?: SeriesRole;
  /** Azure Monitor: the aggregation these numbers are of. */
  aggregation?: string;
  /** Scrapes (or Azure grains) with a value. */
  samples: number;
  min: number | null;
  avg: number | null;
  max: number | null;
  last: number | null;
  /** Counters: the increase over the run (server restarts counted), and per second. Azure `total`:
   *  the sum over the window. */
  increase?: number;
  rate_per_s?: number | null;
  /** Histograms: observations during the run, their mean, and percentiles (in the series' unit). */
  count?: number;
  mean?: number | null;
  p50?: number | null;
  p90?: number | null;
  p95?: number | null;
  p99?: number | null;
}

/** Server-side latency from a histogram, in ms, with the client's number for the same metric beside. */
export interface ServerLatency {
  /** The histogram it comes from, e.g. vllm:time_to_first_token_seconds. */
  metric: string;
  count: number;
  avg: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** The width of the bucket p50 fell in: the percentiles' resolution. */
  p50_resolution_ms: number | null;
  /** The client's p50 / p95 of the matching metric (TTFT, E2E, TBT per token). */
  client_p50: number | null;
  client_p95: number | null;
}

export interface ServerPrometheusSummary {
  url: string;
  interval_s: number;
  scrapes: number;
  failed: number;
  /** The first failure, in words (what failed and what to do). */
  error?: string;
  /** The server the names say it is (vLLM, TGI, llama.cpp, SGLang), when known. */
  server?: string;
  series: ServerSeriesStats[];
}

export interface ServerAzureSummary {
  resource_id: string | null;
  /** pending: not fetched yet (Azure Monitor lags a few minutes: `perflab server-metrics <run>`);
   *  complete: every minute of the run has data; incomplete: fetched before Azure had all of it. */
  status: 'pending' | 'complete' | 'incomplete' | 'error';
  fetched_at?: string;
  /** What failed, or what is left to do, in words. */
  message?: string;
  series: ServerSeriesStats[];
  /** Other resources (App Service, API Management, Cosmos DB) named in `extra_resources`. */
  extra?: { resource_id: string; status: 'complete' | 'incomplete' | 'error'; message?: string; series: ServerSeriesStats[] }[];
}

/** `server` in a target's summary (summary.json). */
export interface ServerSummary {
  /** When the target ran (ISO): the window Azure Monitor is asked about. */
  window: { start: string; end: string };
  prometheus?: ServerPrometheusSummary;
  azure_monitor?: ServerAzureSummary;
  /** The server's own view of its load, from the known series of any server: requests in its running
   *  batch, waiting in its queue, and KV-cache usage (0..1), summed over its label sets per scrape. */
  running?: { avg: number; max: number };
  waiting?: { avg: number; max: number };
  kv_cache?: { avg: number; max: number };
  /** Server-side latencies from its histograms (ms): TTFT, E2E, inter-token (per token), queue time. */
  latency_ms?: { ttft?: ServerLatency; e2e?: ServerLatency; itl?: ServerLatency; queue?: ServerLatency };
  /** Client − server (ms): time spent outside the server — network, gateway, a queue in front of it,
   *  and this client. A difference of percentiles, not a percentile of differences. */
  outside_server_ms?: { ttft_p50: number | null; ttft_p95: number | null; e2e_p50: number | null };
}
