// `server_metrics:` of a target, from the raw scenario value to ServerMetricsSettings: defaults, and
// the rules the schema cannot state (a metrics URL without a password in it, a token only where it can
// go, an Azure resource that can be found). Findings go to normalize.ts's report, with their path.
// No Node imports: the language server checks scenarios with this too.

import { LIMITS, type Limit } from '../scenario/limits';
import type { PathSegment } from '../scenario/locate';
import { list, obj, str, type Obj } from '../scenario/raw-values';
import type { AzureMonitorSettings, ServerMetricsSettings } from '../scenario/types';
import { azureAccountName } from './azure-names';

type Report = (path: PathSegment[], at: 'key' | 'value', message: string) => void;
type Seconds = (at: PathSegment[], value: unknown, limit: Limit, opts?: { positive?: boolean }) => number | undefined;

export const DEFAULT_SCRAPE_INTERVAL_S = 1;
export const MIN_SCRAPE_INTERVAL_S = 0.1;

export function serverMetricsSettings(
  value: unknown,
  at: PathSegment[],
  endpoint: string | undefined,
  report: Report,
  seconds: Seconds,
): ServerMetricsSettings | undefined {
  const o = obj(value);
  let prometheus: ServerMetricsSettings['prometheus'];
  if (o.prometheus === true) prometheus = 'endpoint';
  else if (typeof o.prometheus === 'string') {
    const problem = metricsUrlProblem(o.prometheus);
    if (problem) report([...at, 'prometheus'], 'value', problem);
    prometheus = o.prometheus;
  }
  let interval = seconds([...at, 'interval'], o.interval, LIMITS.scrape_interval, { positive: true }) ?? DEFAULT_SCRAPE_INTERVAL_S;
  if (interval < MIN_SCRAPE_INTERVAL_S) {
    report([...at, 'interval'], 'value', `must be at least ${MIN_SCRAPE_INTERVAL_S * 1000}ms: scraping faster loads the server being measured`);
    interval = MIN_SCRAPE_INTERVAL_S;
  }
  const series = list(o.series).filter((x): x is string => typeof x === 'string');
  const env = str(obj(o.auth).env);
  if (o.auth !== undefined && prometheus === undefined)
    report([...at, 'auth'], 'key', 'only applies with prometheus (the token is sent to the metrics URL, nowhere else)');
  if (o.series !== undefined && prometheus === undefined) report([...at, 'series'], 'key', 'only applies with prometheus');
  if (o.interval !== undefined && prometheus === undefined) report([...at, 'interval'], 'key', 'only applies with prometheus');
  const azure = o.azure_monitor === undefined ? undefined : azureSettings(obj(o.azure_monitor), [...at, 'azure_monitor'], endpoint, report);
  if (prometheus === undefined && azure === undefined) return undefined;
  return {
    ...(prometheus !== undefined && { prometheus }),
    interval_s: interval,
    series,
    ...(env !== undefined && prometheus !== undefined && { auth: { env } }),
    ...(azure && { azure_monitor: azure }),
  };
}

function azureSettings(a: Obj, at: PathSegment[], endpoint: string | undefined, report: Report): AzureMonitorSettings {
  const resourceId = str(a.resource_id);
  if (resourceId === undefined && endpoint !== undefined && endpoint !== '' && azureAccountName(endpoint) === null) {
    report(
      at,
      'key',
      `needs resource_id: the endpoint's host is not an Azure OpenAI resource's (a gateway or a custom domain?), so the resource cannot be looked up by its name`,
    );
  }
  const metrics = strings(a.metrics);
  const extra = list(a.extra_resources)
    .map((e) => obj(e))
    .filter((e) => typeof e.resource_id === 'string')
    .map((e) => ({ resource_id: e.resource_id as string, ...(strings(e.metrics) && { metrics: strings(e.metrics)! }) }));
  const arm = str(a.arm_endpoint);
  return {
    ...(resourceId !== undefined && { resource_id: resourceId.replace(/\/$/, '') }),
    ...(metrics && { metrics }),
    ...(extra.length > 0 && { extra_resources: extra }),
    ...(arm !== undefined && { arm_endpoint: arm.replace(/\/+$/, '') }),
  };
}

/** Why a metrics URL cannot be used, never repeating it (it may carry a password). */
function metricsUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (parsed.username || parsed.password) return 'carries a user name/password; remove it and name the variable holding a token in server_metrics.auth';
  return undefined;
}

function strings(v: unknown): string[] | undefined {
  const out = list(v).filter((x): x is string => typeof x === 'string');
  return out.length > 0 ? out : undefined;
}
