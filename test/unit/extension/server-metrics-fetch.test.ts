// The editor's side of server_metrics, without VS Code: the built engine worker (dist/engine-worker.js)
// running a REAL run on the simulator posts its scrapes in whole batches, and the series the host builds
// from them are those Open Results builds from server-metrics.jsonl; the Azure Monitor fetch of that run
// with the Microsoft account's token against a local ARM stand-in (the scope asked for, the token on
// every ARM request, one fetch per folder at a time, complete / incomplete / 403 and what the user is
// told); and the token for a metrics URL, sent only after the user allowed it for that URL's origin.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseScenario } from '../../../src/engine/scenario/load';
import type { Target } from '../../../src/engine/scenario/types';
import type { RunSummary } from '../../../src/engine/summary';
import { readRunFiles, readSummaryFile } from '../../../src/results/run-files';
import { ServerSeriesBuilder, type ServerSeries } from '../../../src/results/server-series';
import type { SecretBackend } from '../../../src/extension/key-binding';
import {
  armEndpointsOf,
  armScope,
  azureFetchWanted,
  microsoftTokenProvider,
  ServerMetricsFetcher,
  signedInFor,
  type MicrosoftSession,
} from '../../../src/extension/server-metrics-fetch';
import { metricsOrigin, MetricsTokenStore } from '../../../src/extension/server-metrics-token';
import type { WorkerStart, WorkerToHost } from '../../../src/protocol/worker';
import { ARM_TOKEN, armStandIn, RESOURCE_ID, type ArmStandIn } from '../shared/arm-stand-in';
import { tempDir } from './helpers';

const REPO = path.resolve(__dirname, '../../..');
const WORKER = path.join(REPO, 'dist', 'engine-worker.js');

/** Runs a scenario in the built engine worker, as RunController does, collecting its messages. */
async function runInWorker(start: WorkerStart): Promise<WorkerToHost[]> {
  if (!fs.existsSync(WORKER)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  const worker = new Worker(WORKER, { workerData: start });
  const messages: WorkerToHost[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToHost) => {
        messages.push(m);
        if (m.type === 'done') resolve();
        if (m.type === 'failed') reject(new Error(m.message));
      });
      worker.on('error', reject);
    });
  } finally {
    await worker.terminate();
  }
  return messages;
}

/** The Microsoft account as VS Code would answer, recording what it was asked for. */
function account(signedIn: boolean): MicrosoftSession & { asked: [string[], string][] } {
  const asked: [string[], string][] = [];
  const session = (async (scopes: string[], mode: 'silent' | 'ask') => {
    asked.push([scopes, mode]);
    return signedIn || mode === 'ask' ? { accessToken: ARM_TOKEN } : undefined;
  }) as MicrosoftSession & { asked: [string[], string][] };
  session.asked = asked;
  return session;
}

describe('server metrics in the editor', function () {
  this.timeout(120_000);
  let arm: ArmStandIn;
  let runDir: string;
  let messages: WorkerToHost[];

  before(async () => {
    arm = await armStandIn();
    const dir = tempDir('perflab-server-editor-');
    const scenario = parseScenario(
      `name: editor-server
targets:
  - name: fast
    endpoint: simulator
    model: gpt-5-mini
    simulator: { ttft_ms: 200, tpot_ms: 2, max_concurrency: 2 }
    server_metrics:
      prometheus: true
      interval: 300ms
      azure_monitor: { resource_id: ${RESOURCE_ID}, arm_endpoint: "${arm.url}" }
workload: { rate: 600, clients: 10, duration: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
aggregation_window: 1s
`,
      path.join(dir, 'editor-server.perf.yaml'),
    );
    runDir = path.join(dir, 'run');
    messages = await runInWorker({ scenario, outDir: runDir, credentials: {} });
  });

  after(async () => {
    await arm?.close();
  });

  it('the worker posts whole scrapes; the host’s live series are those Open Results reads from the file', async () => {
    const batches = messages.filter((m): m is Extract<WorkerToHost, { type: 'serverSamples' }> => m.type === 'serverSamples');
    assert.ok(batches.length >= 5, `${batches.length} batches`);
    // One scrape per batch: every sample of a batch has the same time.
    for (const b of batches) assert.equal(new Set(b.samples.map((s) => s.t)).size, 1, JSON.stringify(b.samples.map((s) => s.t)));
    // The last scrape (when the target finished) arrives before the summary.
    const done = messages.findIndex((m) => m.type === 'done');
    assert.ok(messages.findLastIndex((m) => m.type === 'serverSamples') < done);

    // What RunController does with each batch, and what RunPanel sends: each series' new points.
    const builder = new ServerSeriesBuilder(1);
    const live = new Map<string, ServerSeries>();
    for (const b of batches) {
      for (const s of b.samples) builder.add(s);
      for (const s of builder.flush()) {
        const kept = live.get(s.id);
        if (kept) kept.points.push(...s.points);
        else live.set(s.id, { ...s, points: [...s.points] });
      }
    }
    const files = await readRunFiles(runDir);
    assert.deepEqual([...live.values()], files.server);
    const running = files.server.find((s) => s.id === 'running')!;
    assert.ok(
      running.points.some((p) => (p.y ?? 0) > 0),
      'the server was seen running requests',
    );
    assert.equal(files.unreadableLines, 0);
  });

  it('fetches Azure Monitor with the Microsoft account’s token for the ARM endpoint, one fetch per folder at a time', async () => {
    const summary = readSummaryFile(runDir)!;
    assert.equal(summary.targets[0].server!.azure_monitor!.status, 'pending');
    assert.equal(azureFetchWanted(summary), true);
    assert.deepEqual(armEndpointsOf(summary), [arm.url]);

    // Not signed in: the silent check says so without asking, and a silent token fails with what to do.
    const signedOut = account(false);
    assert.equal(await signedInFor(summary, signedOut), false);
    assert.deepEqual(signedOut.asked, [[[`${arm.url}/.default`], 'silent']]);
    await assert.rejects(
      microsoftTokenProvider(signedOut, 'silent')(arm.url),
      /not signed in to a Microsoft account in VS Code for http:\/\/127\.0\.0\.1:\d+ — run "LLM Perf Lab: Fetch Server Metrics \(Azure Monitor\)" to sign in/,
    );
    assert.equal(arm.seen.length, 0, 'nothing was sent');

    const me = account(true);
    const fetcher = new ServerMetricsFetcher();
    const first = fetcher.fetch(runDir, summary.scenario.name, microsoftTokenProvider(me, 'ask'));
    const second = fetcher.fetch(runDir, summary.scenario.name, microsoftTokenProvider(me, 'ask'));
    assert.equal(first, second, 'the same fetch');
    assert.equal(fetcher.busy(runDir), true);
    const outcome = await first;
    assert.equal(fetcher.busy(runDir), false);
    assert.deepEqual(me.asked, [[[`${arm.url}/.default`], 'ask']], 'one token, for the ARM endpoint');
    // One request per default metric, each with the token; none twice.
    assert.equal(arm.seen.length, 6);
    for (const r of arm.seen) {
      assert.equal(r.headers.authorization, `Bearer ${ARM_TOKEN}`);
      assert.equal(r.path, `${RESOURCE_ID}/providers/Microsoft.Insights/metrics`);
      assert.equal(r.query.get('$filter'), "ModelDeploymentName eq 'gpt-5-mini'");
    }
    assert.equal(outcome.failed, false);
    assert.equal(outcome.complete, true);
    const added = outcome.results[0].added;
    assert.ok(added > 0);
    assert.match(outcome.text, new RegExp(`^Azure Monitor metrics of "editor-server": fast: complete \\(${added} new data points\\)$`));
    const after = readSummaryFile(runDir)!;
    assert.equal(after.targets[0].server!.azure_monitor!.status, 'complete');
    assert.equal(azureFetchWanted(after), false, 'nothing more to fetch');
    // Open Results now draws Azure's minutes as steps.
    const requests = (await readRunFiles(runDir)).server.find((s) => s.metric === 'AzureOpenAIRequests')!;
    assert.equal(requests.stepped, true);
  });

  it('says when Azure has not published every minute yet, and when the identity lacks Monitoring Reader', async () => {
    const summary = readSummaryFile(runDir)!;
    const fetcher = new ServerMetricsFetcher();
    arm.publishedUntil = Date.parse(summary.targets[0].server!.window.end) - 120_000;
    const late = await fetcher.fetch(runDir, 'editor-server', microsoftTokenProvider(account(true), 'silent'));
    assert.equal(late.complete, false);
    assert.equal(late.failed, false);
    assert.match(late.text, /fast: incomplete \(0 new data points\) — .*Azure Monitor has not published every minute of the run yet/);
    assert.equal(azureFetchWanted(readSummaryFile(runDir)), true, 'fetched again on the next Open Results');

    arm.publishedUntil = Infinity;
    arm.forbidden.add(RESOURCE_ID);
    const denied = await fetcher.fetch(runDir, 'editor-server', microsoftTokenProvider(account(true), 'silent'));
    assert.equal(denied.failed, true);
    assert.match(
      denied.text,
      /fast: error \(0 new data points\) — HTTP 403 AuthorizationFailed: this identity may not read the metrics of .*accounts\/contoso — it needs the Monitoring Reader role/,
    );
    arm.forbidden.clear();
  });

  it('asks for a token for the ARM endpoint of the target’s cloud; waits only for pending or incomplete Azure blocks', () => {
    assert.equal(armScope('https://management.azure.com'), 'https://management.azure.com/.default');
    assert.equal(armScope('https://management.usgovcloudapi.net/'), 'https://management.usgovcloudapi.net/.default');
    const summary = (status: 'pending' | 'complete' | 'incomplete' | 'error', stopped: RunSummary['stopped_by'] = 'completed') =>
      ({ stopped_by: stopped, targets: [{ server: { azure_monitor: { status } } }] }) as unknown as RunSummary;
    assert.deepEqual(
      (['pending', 'incomplete', 'complete', 'error'] as const).map((s) => azureFetchWanted(summary(s))),
      [true, true, false, false],
    );
    assert.equal(azureFetchWanted(summary('pending', 'error')), false, 'a run that failed as a whole');
    assert.equal(azureFetchWanted(null), false);
  });
});

/** SecretStorage stand-in. */
class MemorySecrets implements SecretBackend {
  readonly data = new Map<string, string>();
  async get(k: string) {
    return this.data.get(k);
  }
  async store(k: string, v: string) {
    this.data.set(k, v);
  }
  async delete(k: string) {
    this.data.delete(k);
  }
}

describe('server_metrics.auth token in the editor', () => {
  const target = (prometheus: string, env?: string, endpoint = 'https://llm.example.com/v1'): Pick<Target, 'endpoint' | 'server_metrics'> => ({
    endpoint,
    server_metrics: { prometheus, interval_s: 1, series: [], ...(env && { auth: { env } }) },
  });

  it('sends a variable only after it was allowed for the metrics URL’s origin, and asks again when that changes', async () => {
    const secrets = new MemorySecrets();
    const store = new MetricsTokenStore(secrets, { METRICS_TOKEN: 'tok-123' });
    const t = target('https://gpu.example.com:9100/metrics', 'METRICS_TOKEN');
    assert.deepEqual(await store.resolve(t), { needsApproval: 'METRICS_TOKEN', origin: 'https://gpu.example.com:9100' });
    await store.approve(t);
    assert.deepEqual(await store.resolve(t), { value: 'tok-123', env: 'METRICS_TOKEN', origin: 'https://gpu.example.com:9100' });
    // The approval names the variable and the origin, never the value.
    assert.deepEqual([...secrets.data.entries()], [['perflab.metrics-env-approved:METRICS_TOKEN@https://gpu.example.com:9100', 'approved']]);
    // Another host, or the same host's other port: asked again.
    assert.ok('needsApproval' in (await store.resolve(target('https://gpu2.example.com:9100/metrics', 'METRICS_TOKEN'))));
    assert.ok('needsApproval' in (await store.resolve(target('https://gpu.example.com:9200/metrics', 'METRICS_TOKEN'))));
    // `prometheus: true` scrapes the endpoint's origin: that is what the approval is for.
    const onEndpoint = target('endpoint', 'METRICS_TOKEN');
    assert.equal(metricsOrigin(onEndpoint), 'https://llm.example.com');
    assert.deepEqual(await store.resolve(onEndpoint), { needsApproval: 'METRICS_TOKEN', origin: 'https://llm.example.com' });
  });

  it('no token asked for, none for the simulator, and an unset variable is left to the run to report', async () => {
    const store = new MetricsTokenStore(new MemorySecrets(), {});
    assert.deepEqual(await store.resolve(target('https://gpu.example.com/metrics')), { none: true });
    assert.deepEqual(await store.resolve(target('endpoint', 'METRICS_TOKEN', 'simulator')), { none: true });
    assert.deepEqual(await store.resolve(target('https://gpu.example.com/metrics', 'METRICS_TOKEN')), { unset: 'METRICS_TOKEN' });
    await assert.rejects(store.approve(target('https://gpu.example.com/metrics')), /sends no token/);
  });
});
