// Host side of the server suite (the browser side is test/integration/server-panel-ui.ts): a run on the
// simulator with `server_metrics:` — its /metrics scraped during the run, and Azure Monitor metrics of
// a resource served by a local ARM stand-in on 127.0.0.1 — opens the Run panel, which draws the server's
// series live; after the run the browser checks the Server section against summary.json and clicks
// "Fetch Azure Monitor metrics", which fetches with the Microsoft account's token (a stand-in here: a
// test VS Code has no account) and redraws the panel; then the command "Fetch Server Metrics (Azure
// Monitor)" fetches again and finds nothing new.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/engine/summary';
import type { PerfLabApi } from '../../../src/extension/extension';
import type { FetchOutcome } from '../../../src/extension/server-metrics-fetch';
import { ARM_TOKEN, armStandIn, RESOURCE_ID, type ArmStandIn } from '../../unit/shared/arm-stand-in';
import { waitForMarker, writeMarker } from '../markers';
import { execute } from './execute';
import { waitFor } from './wait';

const scenario = (armUrl: string) => `name: server-side
targets:
  - name: vllm
    provider: simulator
    endpoint: simulator
    model: gpt-5-mini
    auth: { type: none }
    # Two serving slots: bursts wait in the server's queue.
    simulator: { ttft_ms: 120, tpot_ms: 4, max_concurrency: 2 }
    server_metrics:
      prometheus: true
      interval: 500ms
      azure_monitor: { resource_id: ${RESOURCE_ID}, arm_endpoint: "${armUrl}" }
workload:
  rate: 300
  arrival: poisson
  clients: 30
  duration: 15s
prompts:
  shape: custom
  context_tokens: 100
  max_tokens: 20
aggregation_window: 5s
`;

describe('the Server section in a real VS Code', () => {
  let perflab: PerfLabApi;
  let root: string;
  let arm: ArmStandIn;
  const asked: string[] = [];

  before(async () => {
    perflab = await vscode.extensions.getExtension<PerfLabApi>('llm-perf-lab.llm-perf-lab')!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    arm = await armStandIn();
    fs.writeFileSync(path.join(root, 'server.perf.yaml'), scenario(arm.url));
    // Not signed in until asked: the silent fetch at the end of the run finds no account and leaves the
    // Azure block pending; the button (and the command) sign in and get a token for the ARM endpoint.
    perflab.serverMetrics.getSession = async (scopes, mode) => {
      asked.push(`${mode} ${scopes.join(' ')}`);
      return mode === 'ask' ? { accessToken: ARM_TOKEN } : undefined;
    };
  });

  after(async () => {
    await arm?.close();
  });

  it('draws the server live, then fetches Azure Monitor from the panel and the command', async function () {
    this.timeout(300_000);
    const file = vscode.Uri.file(path.join(root, 'server.perf.yaml'));
    await vscode.window.showTextDocument(file);
    const summary = (await execute('perflab.runScenario', file)) as RunSummary;
    assert.ok(summary, 'the run finished');
    const probe = perflab.panels.probes().find((p) => p.runDir && fs.existsSync(path.join(p.runDir, 'server-metrics.jsonl')));
    assert.ok(probe, 'a Run panel shows the run');
    const runDir = probe.runDir;
    assert.ok(probe.serverPointsSent > 0, `server points were sent to the panel (${probe.serverPointsSent})`);
    const server = summary.targets[0].server!;
    assert.ok(server.prometheus!.scrapes >= 10 && server.prometheus!.failed === 0, JSON.stringify(server.prometheus));
    assert.equal(server.azure_monitor!.status, 'pending');
    writeMarker(root, 'run-done', { runDir });

    // The browser clicks "Fetch Azure Monitor metrics": a token for the stand-in ARM endpoint only.
    await waitFor(
      () =>
        (JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary).targets[0].server?.azure_monitor?.status === 'complete' ||
        undefined,
      60_000,
      'the panel’s button fetched Azure Monitor',
    );
    assert.ok(asked.includes(`ask ${arm.url}/.default`), asked.join('; '));
    assert.ok(arm.seen.length > 0 && arm.seen.every((r) => r.headers.authorization === `Bearer ${ARM_TOKEN}`));
    await waitForMarker(root, 'azure-checked', 120_000);

    // The command (the tree's context menu on a run): fetches again, nothing new.
    const before = arm.seen.length;
    const again = await execute<FetchOutcome | undefined>('perflab.fetchServerMetrics', runDir);
    assert.ok(again, 'the command fetched');
    assert.equal(again.complete, true);
    assert.equal(again.results[0].added, 0, 'no data point changed since the last fetch');
    assert.ok(arm.seen.length > before);
    assert.match(again.text, /^Azure Monitor metrics of "server-side": vllm: complete \(0 new data points\)$/);
  });
});
