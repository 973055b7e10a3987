// Azure Monitor metrics against a local stand-in for Azure Resource Manager on 127.0.0.1: it checks the
// bearer token and every query (path, api-version, timespan, interval, metricnames, aggregation,
// $filter) and answers with the documented response schema and errors. The token must reach the ARM
// stand-in only — never the Prometheus endpoint scraped in the same run.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../../../src/engine/run';
import { parseScenario } from '../../../src/engine/scenario/load';
import type { Target } from '../../../src/engine/scenario/types';
import { ArmClient } from '../../../src/engine/server-metrics/arm-client';
import { fetchAzureServerMetrics, fetchTarget } from '../../../src/engine/server-metrics/azure-fetch';
import { DEFAULT_OPENAI_METRICS } from '../../../src/engine/server-metrics/azure-metrics';
import { readServerSamples } from '../../../src/engine/server-metrics/samples-file';
import { Transport } from '../../../src/engine/transport';
import { serverMetricsCommand } from '../../../src/cli/server-metrics-command';
import { startSimulator } from '../../../src/simulator/server';

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.stand-in-token.signature';
const TARGET_KEY = 'target-api-key-0123456789';
const RID = '/subscriptions/sub-2/resourceGroups/rg-llm/providers/Microsoft.CognitiveServices/accounts/contoso';
const MINUTE = 60_000;

interface Seen {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

interface Reply {
  status: number;
  body: unknown;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `handle`. */
async function standIn(handle: (req: Seen, base: string) => Reply | string): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const r: Seen = { path: url.pathname, query: url.searchParams, headers: req.headers };
    seen.push(r);
    const out = handle(r, base);
    if (typeof out === 'string') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(out);
      return;
    }
    res.writeHead(out.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const AGGREGATIONS: Record<string, string> = {
  AzureOpenAIRequests: 'total',
  ProcessedPromptTokens: 'total',
  GeneratedTokens: 'total',
  TokenTransaction: 'total',
  AzureOpenAIProvisionedManagedUtilizationV2: 'average,maximum',
  AzureOpenAITimeToResponse: 'average,maximum',
};

const UNITS: Record<string, string> = { AzureOpenAIProvisionedManagedUtilizationV2: 'Percent', AzureOpenAITimeToResponse: 'MilliSeconds' };

/** A documented Metrics - List answer: one time series for the deployment, a point per minute of the
 *  timespan, values only for minutes Azure has published (before `publishedUntil`). */
function metricsAnswer(q: URLSearchParams, publishedUntil: number, value: (metric: string, minute: number) => number): Reply {
  const metric = q.get('metricnames')!;
  const [from, to] = q
    .get('timespan')!
    .split('/')
    .map((s) => Date.parse(s));
  const data: Record<string, unknown>[] = [];
  for (let m = from; m < to; m += MINUTE) {
    const point: Record<string, unknown> = { timeStamp: new Date(m).toISOString().replace('.000Z', 'Z') };
    if (m < publishedUntil) for (const agg of q.get('aggregation')!.split(',')) point[agg] = value(metric, m);
    data.push(point);
  }
  return {
    status: 200,
    body: {
      cost: 0,
      timespan: q.get('timespan'),
      interval: 'PT1M',
      value: [
        {
          id: `${RID}/providers/Microsoft.Insights/metrics/${metric}`,
          type: 'Microsoft.Insights/metrics',
          name: { value: metric, localizedValue: metric },
          displayDescription: '',
          unit: UNITS[metric] ?? 'Count',
          timeseries: [{ metadatavalues: [{ name: { value: 'modeldeploymentname', localizedValue: 'ModelDeploymentName' }, value: 'gpt-4o' }], data }],
          errorCode: 'Success',
        },
      ],
      namespace: 'Microsoft.CognitiveServices/accounts',
      resourceregion: 'swedencentral',
    },
  };
}

function armError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

/** What every ARM request must carry: the stand-in answers 401 otherwise. */
function authorized(req: Seen): boolean {
  return req.headers.authorization === `Bearer ${TOKEN}`;
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-azure-monitor-'));
}

const VLLM_PAGE = fs.readFileSync(path.join(__dirname, 'fixtures', 'vllm.txt'), 'utf8');

/** The summary without the servers' blocks: what the client measured. */
function clientPart(summary: { targets: Record<string, unknown>[] }): unknown {
  return { ...summary, targets: summary.targets.map(({ server: _server, ...rest }) => rest) };
}

describe('server metrics: Azure Monitor', function () {
  this.timeout(60_000);

  it('fetches after a run: the documented request, the documented answer, the token to ARM only', async () => {
    const sim = await startSimulator({ api_key: TARGET_KEY, ttft_ms: 20, tpot_ms: 1 });
    const prom = await standIn(() => VLLM_PAGE);
    let publishedUntil = Infinity;
    let bump = 0;
    const arm = await standIn((req) => {
      if (!authorized(req)) return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
      if (req.path !== `${RID}/providers/Microsoft.Insights/metrics`) return armError(404, 'ResourceNotFound', 'no such path');
      if (req.query.get('metricnames') === 'AzureOpenAIProvisionedManagedUtilizationV2') {
        return armError(400, 'BadRequest', 'Metric: AzureOpenAIProvisionedManagedUtilizationV2 is not supported for this deployment type (Standard).');
      }
      return metricsAnswer(req.query, publishedUntil, (metric, minute) => (metric === 'AzureOpenAIRequests' ? 10 + bump * ((minute / MINUTE) % 2) : 100));
    });
    const dir = tmpDir();
    try {
      const scenario = parseScenario(
        `targets:
  - name: aoai
    provider: openai-compatible
    endpoint: ${sim.url}/v1
    model: gpt-4o
    auth: { type: api-key, env: TEST_TARGET_KEY }
    server_metrics:
      prometheus: ${prom.url}/metrics
      interval: 200ms
      azure_monitor: { resource_id: ${RID}, arm_endpoint: "${arm.url}" }
workload: { mode: closed, clients: 2, requests: 6 }
prompts: { shape: custom, context_tokens: 20, max_tokens: 5 }
`,
        path.join(dir, 'aoai.perf.yaml'),
      );
      const runDir = path.join(dir, 'run');
      const summary = await startRun(scenario, { outDir: runDir, resolveCredential: async () => ({ header: 'authorization', value: TARGET_KEY }) }).done;
      assert.equal(summary.targets[0].requests.succeeded, 6);
      const pending = summary.targets[0].server!.azure_monitor!;
      assert.equal(pending.status, 'pending');
      assert.match(pending.message!, new RegExp(`perflab server-metrics ${runDir.replace(/[\\/]/g, '.')}`));
      assert.equal(arm.seen.length, 0, 'nothing is fetched during the run');
      const before = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
      const promLines = readServerSamples(runDir).length;
      assert.ok(promLines > 0);

      const askedFor: string[] = [];
      const results = await fetchAzureServerMetrics(runDir, { tokenProvider: async (endpoint) => (askedFor.push(endpoint), TOKEN) });
      assert.deepEqual(askedFor, [arm.url], 'one token, for the configured ARM endpoint');
      assert.equal(results.length, 1);
      assert.equal(results[0].status, 'complete');
      assert.match(results[0].message!, /metric AzureOpenAIProvisionedManagedUtilizationV2 is not available for this resource .*Standard/);

      // The requests, one per metric, exactly as documented.
      const window = before.targets[0].server.window;
      const from = Math.floor(Date.parse(window.start) / MINUTE) * MINUTE - MINUTE;
      const to = Math.ceil(Date.parse(window.end) / MINUTE) * MINUTE + MINUTE;
      const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
      assert.deepEqual(
        arm.seen.map((r) => r.query.get('metricnames')),
        DEFAULT_OPENAI_METRICS,
      );
      for (const r of arm.seen) {
        assert.equal(r.path, `${RID}/providers/Microsoft.Insights/metrics`);
        assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
        assert.equal(r.query.get('api-version'), '2023-10-01');
        assert.equal(r.query.get('interval'), 'PT1M');
        assert.equal(r.query.get('timespan'), `${iso(from)}/${iso(to)}`);
        assert.equal(r.query.get('aggregation'), AGGREGATIONS[r.query.get('metricnames')!]);
        assert.equal(r.query.get('$filter'), "ModelDeploymentName eq 'gpt-4o'");
      }
      // Neither the Azure token nor the target's key ever reached the metrics URL.
      assert.ok(prom.seen.length >= 2);
      for (const r of prom.seen) {
        const headers = JSON.stringify(r.headers);
        assert.equal(r.headers.authorization, undefined);
        assert.equal(r.headers['api-key'], undefined);
        assert.ok(!headers.includes(TOKEN) && !headers.includes(TARGET_KEY), headers);
      }

      // Appended to server-metrics.jsonl beside the scrapes; the summary's server block updated.
      const samples = readServerSamples(runDir);
      assert.equal(samples.filter((s) => s.source === 'prometheus').length, promLines, 'the scrapes are untouched');
      const azure = samples.filter((s) => s.source === 'azure-monitor');
      const minutes = (to - from) / MINUTE;
      assert.equal(azure.length, minutes * (4 + 2), 'four totals and time to response average + maximum per minute');
      const requests = azure.filter((s) => s.name === 'AzureOpenAIRequests');
      assert.deepEqual(requests[0].labels, { modeldeploymentname: 'gpt-4o' });
      assert.equal(requests[0].aggregation, 'total');
      assert.equal(requests[0].unit, 'Count');
      assert.equal(requests[0].resource, RID);
      assert.equal(requests[0].t, (from - Date.parse(window.start)) / 1000, 'seconds since the target started');
      assert.equal(azure.find((s) => s.name === 'AzureOpenAITimeToResponse')!.unit, 'MilliSeconds');

      const after = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
      assert.deepEqual(clientPart(after), clientPart(before), "the client's data are untouched");
      const block = after.targets[0].server.azure_monitor;
      assert.equal(block.status, 'complete');
      assert.equal(block.resource_id, RID);
      const runMinutes = Math.ceil((Date.parse(window.end) - Math.floor(Date.parse(window.start) / MINUTE) * MINUTE) / MINUTE);
      const req = block.series.find((s: { name: string }) => s.name === 'AzureOpenAIRequests');
      assert.equal(req.increase, 10 * runMinutes, 'the sum over the minutes the run overlapped');
      assert.equal(req.samples, runMinutes);
      assert.deepEqual(after.targets[0].server.prometheus, before.targets[0].server.prometheus);

      // Fetching again adds only data points that changed (late data), and readers keep the latest.
      const again = await fetchAzureServerMetrics(runDir, { tokenProvider: async () => TOKEN });
      assert.equal(again[0].added, 0);
      bump = 5;
      const changed = await fetchAzureServerMetrics(runDir, { tokenProvider: async () => TOKEN });
      const odd = [...Array(minutes).keys()].map((i) => from + i * MINUTE).filter((m) => (m / MINUTE) % 2 === 1).length;
      assert.equal(changed[0].added, odd, 'the odd minutes changed');
      const latest = readServerSamples(runDir).filter((s) => s.source === 'azure-monitor' && s.name === 'AzureOpenAIRequests');
      assert.equal(latest.length, minutes, 'one value per minute, the latest');
      assert.ok(latest.some((s) => s.value === 15));

      // The command: not complete while Azure lags, fetching again until it is.
      publishedUntil = Math.floor(Date.parse(window.end) / MINUTE) * MINUTE; // the last minute not yet published
      const out: string[] = [];
      const write = process.stdout.write;
      process.env.PERFLAB_AZURE_TOKEN = TOKEN;
      let fetches = 0;
      try {
        process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
        assert.equal(await serverMetricsCommand(runDir, { every: '1s' }), 1, 'exit 1: not complete');
        const code = await serverMetricsCommand(runDir, { every: '1s', wait: '1m' }, async () => {
          fetches++;
          publishedUntil = Infinity;
        });
        assert.equal(code, 0);
      } finally {
        process.stdout.write = write;
        delete process.env.PERFLAB_AZURE_TOKEN;
      }
      assert.equal(fetches, 1, 'one wait, then complete');
      assert.match(
        out.join(''),
        /aoai: incomplete \(.*accounts\/contoso\), \d+ new data points? — .*Azure Monitor has not published every minute of the run yet/,
      );
      assert.match(out.join(''), /aoai: complete/);
    } finally {
      await Promise.all([sim.close(), prom.close(), arm.close()]);
    }
  });

  it('finds the resource from the endpoint (subscriptions, then resources by name), following nextLink on ARM only', async () => {
    const elsewhere = await standIn(() => ({ status: 200, body: { value: [] } }));
    let foreignNextLink = false;
    const arm = await standIn((req, base) => {
      if (!authorized(req)) return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
      if (req.path === '/subscriptions') {
        assert.equal(req.query.get('api-version'), '2022-12-01');
        if (foreignNextLink) return { status: 200, body: { value: [{ subscriptionId: 'sub-1' }], nextLink: `${elsewhere.url}/subscriptions?page=2` } };
        if (req.query.get('$skiptoken') === '2') return { status: 200, body: { value: [{ subscriptionId: 'sub-2' }] } };
        return { status: 200, body: { value: [{ subscriptionId: 'sub-1' }], nextLink: `${base}/subscriptions?api-version=2022-12-01&$skiptoken=2` } };
      }
      const m = /^\/subscriptions\/(sub-\d)\/resources$/.exec(req.path);
      if (m) {
        assert.equal(req.query.get('api-version'), '2021-04-01');
        assert.equal(req.query.get('$filter'), "name eq 'contoso'");
        // sub-1 has a storage account of the same name; sub-2 the Azure OpenAI account.
        const value =
          m[1] === 'sub-1'
            ? [{ id: '/subscriptions/sub-1/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/contoso', type: 'Microsoft.Storage/storageAccounts' }]
            : [{ id: RID, type: 'Microsoft.CognitiveServices/accounts' }];
        return { status: 200, body: { value } };
      }
      if (req.path === `${RID}/providers/Microsoft.Insights/metrics`) return metricsAnswer(req.query, Infinity, () => 1);
      return armError(404, 'ResourceNotFound', 'no such path');
    });
    const transport = new Transport(2);
    try {
      const target: Target = {
        name: 'aoai',
        provider: 'azure',
        endpoint: 'https://contoso.openai.azure.com',
        deployment: 'gpt-4o',
        auth: { type: 'api-key', env: 'X' },
        server_metrics: { interval_s: 1, series: [], azure_monitor: { metrics: ['AzureOpenAIRequests'], arm_endpoint: arm.url } },
      };
      const window = { start: new Date(Date.now() - 3 * MINUTE), end: new Date(Date.now() - 2 * MINUTE) };
      const client = new ArmClient(arm.url, async () => TOKEN, transport);
      const got = await fetchTarget(client, target, window);
      assert.equal(got.summary.resource_id, RID);
      assert.equal(got.summary.status, 'complete');
      assert.deepEqual(
        arm.seen.map((r) => r.path),
        ['/subscriptions', '/subscriptions', '/subscriptions/sub-1/resources', '/subscriptions/sub-2/resources', `${RID}/providers/Microsoft.Insights/metrics`],
      );

      foreignNextLink = true;
      const refused = await fetchTarget(new ArmClient(arm.url, async () => TOKEN, transport), target, window);
      assert.equal(refused.summary.status, 'error');
      assert.match(
        refused.summary.message!,
        /refused to send the Azure token to http:\/\/127\.0\.0\.1:\d+: only http:\/\/127\.0\.0\.1:\d+ \(the Azure Resource Manager endpoint\) gets it/,
      );
      assert.equal(elsewhere.seen.length, 0, 'the other host got no request at all');
    } finally {
      transport.destroy();
      await Promise.all([arm.close(), elsewhere.close()]);
    }
  });

  it('explains 401, 403 without Monitoring Reader, 404 and a metric the SKU lacks — and keeps the rest', async () => {
    let answer: (req: Seen) => Reply = () => ({ status: 500, body: {} });
    const arm = await standIn((req) => answer(req));
    const transport = new Transport(2);
    const target: Target = {
      name: 'aoai',
      provider: 'azure',
      endpoint: 'https://contoso.openai.azure.com',
      deployment: 'gpt-4o',
      auth: { type: 'api-key' },
      server_metrics: { interval_s: 1, series: [], azure_monitor: { resource_id: RID, arm_endpoint: arm.url } },
    };
    const window = { start: new Date(Date.now() - 4 * MINUTE), end: new Date(Date.now() - 3 * MINUTE) };
    const fetch = (token = TOKEN) => fetchTarget(new ArmClient(arm.url, async () => token, transport), target, window);
    try {
      answer = (req) =>
        authorized(req)
          ? metricsAnswer(req.query, Infinity, () => 1)
          : armError(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.');
      let got = await fetch('an-expired-token-value');
      assert.equal(got.summary.status, 'error');
      assert.match(
        got.summary.message!,
        /^HTTP 401 ExpiredAuthenticationToken: the token was refused \(expired, or for another tenant or cloud\) — get a new one for http:\/\/127\.0\.0\.1:\d+ .*Azure: The access token expiry/,
      );
      assert.equal(arm.seen.length, 1, 'a 401 stops at the first metric');

      answer = () =>
        armError(
          403,
          'AuthorizationFailed',
          `The client 'x' does not have authorization to perform action 'microsoft.insights/metrics/read' over scope '${RID}'.`,
        );
      got = await fetch();
      assert.equal(got.summary.status, 'error');
      assert.match(
        got.summary.message!,
        /HTTP 403 AuthorizationFailed: this identity may not read the metrics of .*accounts\/contoso — it needs the Monitoring Reader role \(or Reader\)/,
      );

      answer = () =>
        armError(404, 'ResourceNotFound', "The Resource 'Microsoft.CognitiveServices/accounts/contoso' under resource group 'rg-llm' was not found.");
      got = await fetch();
      assert.match(got.summary.message!, /HTTP 404 ResourceNotFound: no resource .*accounts\/contoso — check azure_monitor.resource_id/);

      answer = (req) =>
        req.query.get('metricnames') === 'AzureOpenAITimeToResponse'
          ? {
              status: 400,
              body: {
                code: 'BadRequest',
                message:
                  'Failed to find metric configuration for provider: Microsoft.CognitiveServices, resource Type: accounts, metric: AzureOpenAITimeToResponse',
              },
            }
          : metricsAnswer(req.query, Infinity, () => 2);
      got = await fetch();
      assert.equal(got.summary.status, 'complete', 'the other metrics were fetched');
      assert.match(got.summary.message!, /HTTP 400 BadRequest: metric AzureOpenAITimeToResponse is not available for this resource/);
      assert.ok(got.samples.some((s) => s.name === 'GeneratedTokens'));
      assert.ok(!got.samples.some((s) => s.name === 'AzureOpenAITimeToResponse'));
    } finally {
      transport.destroy();
      await arm.close();
    }
  });
});
