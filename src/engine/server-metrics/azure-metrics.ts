// Azure Monitor's metrics REST API (Microsoft.Insights/metrics, api-version 2023-10-01): the request
// for one metric of one resource over a run's window, and its documented answer —
// value[].name.value, unit, timeseries[].metadatavalues[] (the dimensions, e.g. ModelDeploymentName),
// timeseries[].data[] with timeStamp and the asked aggregations (average, total, maximum, …) — and its
// errors in words that say what to do.
//
// Default metrics: those the Azure OpenAI performance-testing guidance says to watch, by the names
// the REST API uses (Azure OpenAI monitoring data reference, "Supported metrics for
// Microsoft.CognitiveServices/accounts"); for other resources on the request path, those it names for
// App Service, API Management and Cosmos DB.

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const METRICS_API_VERSION = '2023-10-01';
/** Azure Monitor's finest grain for these metrics. */
export const GRAIN_MS = 60_000;

export type Aggregation = 'average' | 'total' | 'maximum' | 'minimum' | 'count';

export interface AzureMetricSpec {
  /** As the REST API spells it, e.g. AzureOpenAIRequests. */
  name: string;
  aggregations: Aggregation[];
}

/** Metrics perflab knows: their aggregations, and what they are in a few words. */
const KNOWN: Record<string, { aggregations: Aggregation[]; label: string }> = {
  AzureOpenAIRequests: { aggregations: ['total'], label: 'Azure OpenAI requests' },
  ProcessedPromptTokens: { aggregations: ['total'], label: 'processed prompt tokens' },
  GeneratedTokens: { aggregations: ['total'], label: 'generated completion tokens' },
  TokenTransaction: { aggregations: ['total'], label: 'processed inference tokens' },
  AzureOpenAIProvisionedManagedUtilizationV2: { aggregations: ['average', 'maximum'], label: 'provisioned-managed utilization V2' },
  AzureOpenAITimeToResponse: { aggregations: ['average', 'maximum'], label: 'time to response' },
  AzureOpenAITTLTInMS: { aggregations: ['average', 'maximum'], label: 'time to last byte' },
  AzureOpenAINormalizedTBTInMS: { aggregations: ['average', 'maximum'], label: 'time between tokens' },
  ActiveTokens: { aggregations: ['average', 'maximum'], label: 'active tokens' },
  // App Service plan, web app
  CpuPercentage: { aggregations: ['average', 'maximum'], label: 'CPU percentage' },
  MemoryPercentage: { aggregations: ['average', 'maximum'], label: 'memory percentage' },
  CpuTime: { aggregations: ['total'], label: 'CPU time' },
  MemoryWorkingSet: { aggregations: ['average', 'maximum'], label: 'memory working set' },
  Requests: { aggregations: ['total'], label: 'requests' },
  HttpResponseTime: { aggregations: ['average', 'maximum'], label: 'response time' },
  // API Management
  Capacity: { aggregations: ['average', 'maximum'], label: 'API Management capacity' },
  Duration: { aggregations: ['average', 'maximum'], label: 'gateway request duration' },
  BackendDuration: { aggregations: ['average', 'maximum'], label: 'backend request duration' },
  // Cosmos DB
  TotalRequestUnits: { aggregations: ['total'], label: 'request units consumed' },
  NormalizedRUConsumption: { aggregations: ['maximum'], label: 'normalized RU consumption' },
  TotalRequests: { aggregations: ['count'], label: 'requests' },
};

export const DEFAULT_OPENAI_METRICS = [
  'AzureOpenAIRequests',
  'ProcessedPromptTokens',
  'GeneratedTokens',
  'TokenTransaction',
  'AzureOpenAIProvisionedManagedUtilizationV2',
  'AzureOpenAITimeToResponse',
];

/** Default metrics by resource type (lower case), for `extra_resources`. */
const DEFAULT_BY_TYPE: Record<string, string[]> = {
  'microsoft.cognitiveservices/accounts': DEFAULT_OPENAI_METRICS,
  'microsoft.web/serverfarms': ['CpuPercentage', 'MemoryPercentage'],
  'microsoft.web/sites': ['CpuTime', 'MemoryWorkingSet', 'Requests', 'HttpResponseTime'],
  'microsoft.apimanagement/service': ['Capacity', 'Requests', 'Duration', 'BackendDuration'],
  'microsoft.documentdb/databaseaccounts': ['TotalRequestUnits', 'NormalizedRUConsumption', 'TotalRequests'],
};

/** `Microsoft.Web/serverfarms` of `/subscriptions/…/providers/Microsoft.Web/serverfarms/plan`. */
export function resourceType(resourceId: string): string {
  const m = /\/providers\/([^/]+)\/([^/]+)\/[^/]+/i.exec(resourceId);
  return m ? `${m[1]}/${m[2]}` : '';
}

/** The metrics for a resource: those asked for, else the defaults of its type (none for a type
 *  perflab has no defaults for). */
export function metricsFor(resourceId: string, asked: readonly string[] | undefined): AzureMetricSpec[] {
  const names = asked ?? DEFAULT_BY_TYPE[resourceType(resourceId).toLowerCase()] ?? [];
  return names.map(metricSpec);
}

/** `GeneratedTokens:total` → {GeneratedTokens, [total]}; without `:`, the known aggregations (or
 *  average and maximum for a metric perflab does not know). */
export function metricSpec(text: string): AzureMetricSpec {
  const [name, aggs] = text.split(':');
  const aggregations = aggs ? (aggs.split(',').map((a) => a.trim().toLowerCase()) as Aggregation[]) : (KNOWN[name]?.aggregations ?? ['average', 'maximum']);
  return { name: name.trim(), aggregations };
}

export function metricLabel(name: string): string | undefined {
  return KNOWN[name]?.label;
}

/** The run's window widened to whole minutes, plus a minute each side: Azure stamps a grain at its start. */
export function metricsTimespan(start: Date, end: Date): { from: Date; to: Date } {
  const from = Math.floor(start.getTime() / GRAIN_MS) * GRAIN_MS - GRAIN_MS;
  const to = Math.ceil(end.getTime() / GRAIN_MS) * GRAIN_MS + GRAIN_MS;
  return { from: new Date(from), to: new Date(to) };
}

/** `2026-01-01T10:00:00Z`: the form the API documents for timespans. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GET {arm}{resourceId}/providers/Microsoft.Insights/metrics?… for one metric over the window, filtered
 *  (and split) by the deployment when there is one. */
export function metricsRequestUrl(o: { armEndpoint: string; resourceId: string; metric: AzureMetricSpec; start: Date; end: Date; deployment?: string }): URL {
  const { from, to } = metricsTimespan(o.start, o.end);
  const url = new URL(`${o.armEndpoint.replace(/\/+$/, '')}${o.resourceId}/providers/Microsoft.Insights/metrics`);
  url.searchParams.set('api-version', METRICS_API_VERSION);
  url.searchParams.set('metricnames', o.metric.name);
  url.searchParams.set('timespan', `${isoSeconds(from)}/${isoSeconds(to)}`);
  url.searchParams.set('interval', 'PT1M');
  url.searchParams.set('aggregation', o.metric.aggregations.join(','));
  if (o.deployment !== undefined) url.searchParams.set('$filter', `ModelDeploymentName eq '${o.deployment.replace(/'/g, "''")}'`);
  return url;
}

/** One data point: its grain's start and the aggregations that have a value. */
export interface MetricPoint {
  time: string;
  values: Partial<Record<Aggregation, number>>;
}

export interface MetricSeries {
  metric: string;
  unit: string;
  /** The dimensions of this time series (metadatavalues), e.g. {ModelDeploymentName: "gpt-4o"}. */
  dimensions: Record<string, string>;
  points: MetricPoint[];
}

/** A metric answered with an error code of its own inside a 200 answer. */
export interface MetricProblem {
  metric: string;
  code: string;
  message: string;
}

/** The time series of a metrics answer (the documented schema); per-metric errors apart. */
export function parseMetricsResponse(body: unknown): { series: MetricSeries[]; problems: MetricProblem[] } {
  const series: MetricSeries[] = [];
  const problems: MetricProblem[] = [];
  const value = (body as { value?: unknown })?.value;
  if (!Array.isArray(value)) throw new Error('not an Azure Monitor metrics answer (no "value" list)');
  for (const m of value as Record<string, unknown>[]) {
    const metric = String((m.name as { value?: unknown })?.value ?? '');
    const code = typeof m.errorCode === 'string' ? m.errorCode : 'Success';
    if (code !== 'Success') {
      problems.push({ metric, code, message: typeof m.errorMessage === 'string' ? m.errorMessage : code });
      continue;
    }
    const unit = typeof m.unit === 'string' ? m.unit : '';
    for (const ts of Array.isArray(m.timeseries) ? (m.timeseries as Record<string, unknown>[]) : []) {
      const dimensions: Record<string, string> = {};
      for (const d of Array.isArray(ts.metadatavalues) ? (ts.metadatavalues as Record<string, unknown>[]) : []) {
        const name = (d.name as { value?: unknown })?.value;
        if (typeof name === 'string') dimensions[name] = String(d.value ?? '');
      }
      const points: MetricPoint[] = [];
      for (const p of Array.isArray(ts.data) ? (ts.data as Record<string, unknown>[]) : []) {
        if (typeof p.timeStamp !== 'string') continue;
        const values: MetricPoint['values'] = {};
        for (const agg of ['average', 'total', 'maximum', 'minimum', 'count'] as const) if (typeof p[agg] === 'number') values[agg] = p[agg] as number;
        points.push({ time: p.timeStamp, values });
      }
      series.push({ metric, unit, dimensions, points });
    }
  }
  return { series, problems };
}

/** A failed Azure Resource Manager call, explained. */
export class AzureMonitorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `{error: {code, message}}` (ARM) or `{code, message}` (Insights) of an error answer. */
export function armErrorOf(body: string): { code: string; message: string } {
  try {
    const json = JSON.parse(body) as { error?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown };
    const e = json.error ?? json;
    return { code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' };
  } catch {
    return { code: '', message: body.slice(0, 200) };
  }
}

/** What a failed metrics request means, and what to do about it. */
export function explainMetricsError(status: number, body: string, ctx: { resourceId: string; metric?: string; armEndpoint: string }): AzureMonitorError {
  const { code, message } = armErrorOf(body);
  const said = message ? ` (Azure: ${message.length > 300 ? `${message.slice(0, 297)}…` : message})` : '';
  const tag = `HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 401) {
    return new AzureMonitorError(
      status,
      code,
      `${tag}: the token was refused (expired, or for another tenant or cloud) — get a new one for ${ctx.armEndpoint} (az account get-access-token --resource ${ctx.armEndpoint}) or sign in again${said}`,
    );
  }
  if (status === 403) {
    return new AzureMonitorError(
      status,
      code,
      `${tag}: this identity may not read the metrics of ${ctx.resourceId} — it needs the Monitoring Reader role (or Reader) on the resource or its resource group${said}`,
    );
  }
  if (status === 404) {
    return new AzureMonitorError(
      status,
      code,
      `${tag}: no resource ${ctx.resourceId} — check azure_monitor.resource_id (subscription, resource group and name)${said}`,
    );
  }
  if (status === 400 && ctx.metric !== undefined) {
    return new AzureMonitorError(
      status,
      code,
      `${tag}: metric ${ctx.metric} is not available for this resource (not a metric of its type, or not for its SKU or deployment type) — check the name or leave it out of azure_monitor.metrics${said}`,
    );
  }
  if (status === 429) return new AzureMonitorError(status, code, `${tag}: Azure Resource Manager throttled the requests — try again in a minute${said}`);
  return new AzureMonitorError(status, code, `${tag} from Azure Resource Manager${said}`);
}
