// Azure Monitor metrics of a finished run: for each target with `server_metrics.azure_monitor`, the
// resource's metrics over the window the target ran in (1-minute grain, filtered by its deployment),
// appended to server-metrics.jsonl and summarized in the target's `server.azure_monitor` block of
// summary.json. Azure publishes metrics a few minutes late, so this runs after the run, and again
// until every minute of the run has data (`complete`). The client's data are never touched: only the
// `server` block of summary.json is rewritten, atomically.

import * as path from 'node:path';
import { readSummaryFile } from '../../results/run-files';
import { writeJsonAtomic } from '../../results/run-folder';
import { SUMMARY_FILE } from '../../results/files';
import type { ProxyConfig } from '../proxy';
import type { Target } from '../scenario/types';
import type { RunSummary } from '../summary';
import { Transport } from '../transport';
import { ArmClient, ArmHttpError, findAccountResourceId, type TokenProvider } from './arm-client';
import {
  AzureMonitorError,
  DEFAULT_ARM_ENDPOINT,
  DEFAULT_OPENAI_METRICS,
  explainMetricsError,
  GRAIN_MS,
  metricLabel,
  metricsFor,
  metricsRequestUrl,
  parseMetricsResponse,
  resourceType,
  type AzureMetricSpec,
} from './azure-metrics';
import { azureSampleKey, readServerSamples, ServerSamplesFile } from './samples-file';
import type { ServerAzureSummary, ServerSample, ServerSeriesStats, ServerSummary } from './types';

export interface AzureFetchOptions {
  tokenProvider: TokenProvider;
  proxy?: ProxyConfig;
}

export interface AzureTargetResult {
  target: string;
  resource_id: string | null;
  status: ServerAzureSummary['status'];
  message?: string;
  /** Lines appended to server-metrics.jsonl by this fetch (new or changed data points). */
  added: number;
}

export class AzureFetchError extends Error {}

/** Fetches what Azure Monitor has for the run in `dir` and updates its files. Throws AzureFetchError
 *  when the folder has no finished run or no target asks for Azure Monitor metrics. */
export async function fetchAzureServerMetrics(dir: string, o: AzureFetchOptions): Promise<AzureTargetResult[]> {
  const summary = readSummaryFile(dir);
  if (!summary) throw new AzureFetchError(`${dir}: no ${SUMMARY_FILE} — Azure Monitor metrics are fetched for a finished run`);
  const wanted = summary.scenario.targets.filter((t) => t.server_metrics?.azure_monitor);
  if (wanted.length === 0) throw new AzureFetchError(`${dir}: no target of this run has server_metrics.azure_monitor`);
  const transport = new Transport(4, o.proxy);
  const clients = new Map<string, ArmClient>();
  const seen = new Map<string, number>();
  for (const s of readServerSamples(dir)) if (s.source === 'azure-monitor') seen.set(azureSampleKey(s), s.value);
  const file = new ServerSamplesFile(dir, false);
  const results: AzureTargetResult[] = [];
  try {
    for (const target of wanted) {
      const arm = target.server_metrics!.azure_monitor!.arm_endpoint ?? DEFAULT_ARM_ENDPOINT;
      let client = clients.get(arm);
      if (!client) clients.set(arm, (client = new ArmClient(arm, o.tokenProvider, transport)));
      const summaryTarget = summary.targets.find((t) => t.target === target.name);
      const window = windowOf(summary, summaryTarget?.server);
      const fetched = await fetchTarget(client, target, window);
      let added = 0;
      for (const sample of fetched.samples) {
        const key = azureSampleKey(sample);
        if (seen.get(key) === sample.value) continue;
        seen.set(key, sample.value);
        file.append(sample);
        added++;
      }
      if (file.error) throw new AzureFetchError(`cannot write ${path.join(dir, 'server-metrics.jsonl')}: ${file.error.message}`);
      if (summaryTarget) {
        const server: ServerSummary = summaryTarget.server ?? { window: { start: window.start.toISOString(), end: window.end.toISOString() } };
        server.azure_monitor = fetched.summary;
        summaryTarget.server = server;
      }
      results.push({
        target: target.name,
        resource_id: fetched.summary.resource_id,
        status: fetched.summary.status,
        ...(fetched.summary.message && { message: fetched.summary.message }),
        added,
      });
    }
  } finally {
    file.close();
    transport.destroy();
  }
  writeJsonAtomic(path.join(dir, SUMMARY_FILE), summary);
  return results;
}

function windowOf(summary: RunSummary, server: ServerSummary | undefined): { start: Date; end: Date } {
  return { start: new Date(server?.window.start ?? summary.started_at), end: new Date(server?.window.end ?? summary.ended_at) };
}

interface TargetFetch {
  summary: ServerAzureSummary;
  samples: ServerSample[];
}

/** The target's account (and its extra resources) over the window. */
export async function fetchTarget(client: ArmClient, target: Target, window: { start: Date; end: Date }): Promise<TargetFetch> {
  const settings = target.server_metrics!.azure_monitor!;
  const fetchedAt = new Date().toISOString();
  let resourceId = settings.resource_id ?? null;
  if (resourceId === null) {
    try {
      resourceId = await findAccountResourceId(client, target.endpoint);
    } catch (err) {
      return { summary: { resource_id: null, status: 'error', fetched_at: fetchedAt, message: messageOf(err), series: [] }, samples: [] };
    }
  }
  const deployment = target.deployment ?? target.model;
  const main = await fetchResource(client, target.name, resourceId, metricsFor(resourceId, settings.metrics ?? DEFAULT_OPENAI_METRICS), window, deployment);
  const samples = [...main.samples];
  const extra: NonNullable<ServerAzureSummary['extra']> = [];
  for (const r of settings.extra_resources ?? []) {
    const specs = metricsFor(r.resource_id, r.metrics);
    if (specs.length === 0) {
      extra.push({
        resource_id: r.resource_id,
        status: 'error',
        message: `no default metrics for resource type ${resourceType(r.resource_id) || '(unknown)'}: name them in extra_resources[].metrics`,
        series: [],
      });
      continue;
    }
    const got = await fetchResource(client, target.name, r.resource_id, specs, window, undefined);
    samples.push(...got.samples);
    extra.push({ resource_id: r.resource_id, status: got.status, ...(got.message && { message: got.message }), series: got.series });
  }
  return {
    summary: {
      resource_id: resourceId,
      status: main.status,
      fetched_at: fetchedAt,
      ...(main.message && { message: main.message }),
      series: main.series,
      ...(extra.length > 0 && { extra }),
    },
    samples,
  };
}

interface ResourceFetch {
  status: 'complete' | 'incomplete' | 'error';
  message?: string;
  series: ServerSeriesStats[];
  samples: ServerSample[];
}

/** One resource's metrics, one request per metric (so a metric its SKU lacks fails alone). A 401, 403
 *  or 404 stops at the first metric: the others would fail the same way. */
async function fetchResource(
  client: ArmClient,
  target: string,
  resourceId: string,
  specs: AzureMetricSpec[],
  window: { start: Date; end: Date },
  deployment: string | undefined,
): Promise<ResourceFetch> {
  const samples: ServerSample[] = [];
  const problems: string[] = [];
  const filter = resourceType(resourceId).toLowerCase() === 'microsoft.cognitiveservices/accounts' ? deployment : undefined;
  const withData = new Map<string, Set<number>>();
  for (const spec of specs) {
    const url = metricsRequestUrl({ armEndpoint: client.endpoint, resourceId, metric: spec, start: window.start, end: window.end, deployment: filter });
    let body: unknown;
    try {
      body = await client.getJson(url);
    } catch (err) {
      const e = err instanceof ArmHttpError ? explainMetricsError(err.status, err.body, { resourceId, metric: spec.name, armEndpoint: client.endpoint }) : err;
      if (e instanceof AzureMonitorError && e.status !== 400 && e.status !== 429) return { status: 'error', message: e.message, series: [], samples };
      problems.push(messageOf(e));
      continue;
    }
    let parsed;
    try {
      parsed = parseMetricsResponse(body);
    } catch (err) {
      problems.push(`${spec.name}: ${messageOf(err)}`);
      continue;
    }
    for (const p of parsed.problems) problems.push(`metric ${p.metric}: ${p.code}${p.message !== p.code ? ` (${p.message})` : ''}`);
    for (const series of parsed.series) {
      for (const point of series.points) {
        const at = Date.parse(point.time);
        if (Number.isNaN(at)) continue;
        for (const [aggregation, value] of Object.entries(point.values)) {
          samples.push({
            t: Math.round(at - window.start.getTime()) / 1000,
            time: new Date(at).toISOString(),
            target,
            source: 'azure-monitor',
            resource: resourceId,
            name: series.metric || spec.name,
            labels: series.dimensions,
            value,
            aggregation,
            unit: series.unit,
          });
          const grains = withData.get(series.metric || spec.name) ?? new Set<number>();
          grains.add(at);
          withData.set(series.metric || spec.name, grains);
        }
      }
    }
  }
  const complete = isComplete(withData, specs, window);
  const series = seriesStats(samples, window);
  const message = [
    ...problems,
    ...(complete ? [] : [`Azure Monitor has not published every minute of the run yet (it lags a few minutes): fetch again later`]),
  ].join('; ');
  const status = specs.length > 0 && problems.length === specs.length ? 'error' : complete ? 'complete' : 'incomplete';
  return { status, ...(message && { message }), series, samples };
}

/** The run's grains: every minute that overlaps [start, end). */
function runGrains(window: { start: Date; end: Date }): number[] {
  const first = Math.floor(window.start.getTime() / GRAIN_MS) * GRAIN_MS;
  const grains: number[] = [];
  for (let g = first; g < window.end.getTime(); g += GRAIN_MS) grains.push(g);
  return grains;
}

/** Complete when the request count (else the first metric with data) has a value in the minute the
 *  run ended in: Azure publishes minutes in order, and the run sent requests until its end. */
function isComplete(withData: Map<string, Set<number>>, specs: AzureMetricSpec[], window: { start: Date; end: Date }): boolean {
  const last = runGrains(window).at(-1);
  if (last === undefined) return false;
  const check = specs.find((s) => s.name === 'AzureOpenAIRequests' && withData.has(s.name)) ?? specs.find((s) => withData.has(s.name));
  return check !== undefined && withData.get(check.name)!.has(last);
}

/** Per metric, dimensions and aggregation: min/avg/max over the grains that overlap the run, and the
 *  sum for `total`. */
function seriesStats(samples: ServerSample[], window: { start: Date; end: Date }): ServerSeriesStats[] {
  const from = Math.floor(window.start.getTime() / GRAIN_MS) * GRAIN_MS;
  const to = window.end.getTime();
  const groups = new Map<string, ServerSample[]>();
  for (const s of samples) {
    const at = Date.parse(s.time);
    if (at < from || at >= to) continue;
    const key = JSON.stringify([s.resource, s.name, s.aggregation, Object.entries(s.labels).sort()]);
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const values = list.map((s) => s.value);
    const total = values.reduce((a, b) => a + b, 0);
    const first = list[0];
    const label = metricLabel(first.name);
    return {
      source: 'azure-monitor' as const,
      name: first.name,
      labels: first.labels,
      kind: first.aggregation === 'total' || first.aggregation === 'count' ? ('counter' as const) : ('gauge' as const),
      ...(label && { label }),
      ...(first.unit && { unit: first.unit }),
      aggregation: first.aggregation,
      samples: values.length,
      min: Math.min(...values),
      avg: Math.round((total / values.length) * 1000) / 1000,
      max: Math.max(...values),
      last: values.at(-1)!,
      ...((first.aggregation === 'total' || first.aggregation === 'count') && { increase: total }),
    };
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
