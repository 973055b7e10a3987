// A local stand-in for Azure Resource Manager's Metrics - List on 127.0.0.1, for the views and the
// editor's fetch: it answers 401 without the expected bearer token, 403 for a resource the identity has
// no role on, and otherwise the documented answer (value[].name, unit, timeseries[].metadatavalues,
// data[].timeStamp and the asked aggregations) with a value for every minute Azure has "published".
// Every request is recorded (path, query, headers) so tests can check what reached it.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export const ARM_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.arm-stand-in.signature';
export const RESOURCE_ID = '/subscriptions/sub-1/resourceGroups/rg-llm/providers/Microsoft.CognitiveServices/accounts/contoso';
const MINUTE = 60_000;

export interface ArmRequest {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface ArmStandIn {
  url: string;
  seen: ArmRequest[];
  /** Minutes at or after this (epoch ms) have no value yet: Azure has not published them. */
  publishedUntil: number;
  /** Resources the identity may not read (403 AuthorizationFailed). */
  forbidden: Set<string>;
  close(): Promise<void>;
}

const UNITS: Record<string, string> = { AzureOpenAIProvisionedManagedUtilizationV2: 'Percent', AzureOpenAITimeToResponse: 'MilliSeconds' };

/** The value of a metric in a minute: requests 10 + the minute's index within the hour, others 100. */
export function standInValue(metric: string, minuteStart: number): number {
  return metric === 'AzureOpenAIRequests' ? 10 + new Date(minuteStart).getUTCMinutes() : metric === 'AzureOpenAITimeToResponse' ? 250 : 100;
}

export async function armStandIn(): Promise<ArmStandIn> {
  const state: Omit<ArmStandIn, 'url' | 'close'> = { seen: [], publishedUntil: Infinity, forbidden: new Set() };
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    state.seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${ARM_TOKEN}`)
      return reply(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
    const m = /^(.*)\/providers\/Microsoft\.Insights\/metrics$/.exec(url.pathname);
    if (!m) return reply(404, { error: { code: 'ResourceNotFound', message: 'no such path' } });
    if (state.forbidden.has(m[1])) {
      return reply(403, {
        error: {
          code: 'AuthorizationFailed',
          message: `The client does not have authorization to perform action 'microsoft.insights/metrics/read' over scope '${m[1]}'.`,
        },
      });
    }
    const metric = url.searchParams.get('metricnames')!;
    if (metric === 'AzureOpenAIProvisionedManagedUtilizationV2') {
      return reply(400, { error: { code: 'BadRequest', message: `Metric: ${metric} is not supported for this deployment type (Standard).` } });
    }
    const [from, to] = url.searchParams
      .get('timespan')!
      .split('/')
      .map((s) => Date.parse(s));
    const data: Record<string, unknown>[] = [];
    for (let minute = from; minute < to; minute += MINUTE) {
      const point: Record<string, unknown> = { timeStamp: new Date(minute).toISOString().replace('.000Z', 'Z') };
      if (minute < state.publishedUntil) for (const agg of url.searchParams.get('aggregation')!.split(',')) point[agg] = standInValue(metric, minute);
      data.push(point);
    }
    reply(200, {
      cost: 0,
      timespan: url.searchParams.get('timespan'),
      interval: 'PT1M',
      value: [
        {
          id: `${m[1]}/providers/Microsoft.Insights/metrics/${metric}`,
          type: 'Microsoft.Insights/metrics',
          name: { value: metric, localizedValue: metric },
          unit: UNITS[metric] ?? 'Count',
          timeseries: [{ metadatavalues: [{ name: { value: 'modeldeploymentname', localizedValue: 'ModelDeploymentName' }, value: 'gpt-5-mini' }], data }],
          errorCode: 'Success',
        },
      ],
      namespace: 'Microsoft.CognitiveServices/accounts',
      resourceregion: 'swedencentral',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const out = state as ArmStandIn;
  out.url = base;
  out.close = () => new Promise((resolve) => server.close(() => resolve()));
  return out;
}
