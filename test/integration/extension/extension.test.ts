// The extension inside a real VS Code extension host: activation, the Scenarios tree, a run on the
// simulator through the command (engine in a worker), the run folder, the status bar, Stop, the demo
// (kept outside the workspace) listed and reopened, and keys bound to endpoint origin + deployment in
// SecretStorage — offered only where a key is read.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PerfLabApi } from '../../../src/extension/extension';
import type { RunSummary } from '../../../src/engine/summary';
import type { Target } from '../../../src/engine/scenario/types';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { capacityScenario, simulatorScenario as scenarioText } from './fixtures';
import { execute } from './execute';
import { waitFor } from './wait';

const EXTENSION_ID = 'llm-perf-lab.llm-perf-lab';

async function api(): Promise<PerfLabApi> {
  const extension = vscode.extensions.getExtension<PerfLabApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
  return extension.activate();
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

describe('LLM Perf Lab in a real VS Code', () => {
  let perflab: PerfLabApi;
  let root: string;

  before(async () => {
    perflab = await api();
    root = workspaceRoot();
    fs.writeFileSync(path.join(root, 'fast.perf.yaml'), scenarioText('fast', '3s'));
    fs.writeFileSync(path.join(root, 'long.perf.yaml'), scenarioText('long', '60s'));
  });

  it('activates and contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'perflab.runScenario',
      'perflab.runLast',
      'perflab.stopRun',
      'perflab.setApiKey',
      'perflab.estimateLoad',
      'perflab.newScenario',
      'perflab.openResults',
      'perflab.openSummaryText',
      'perflab.compareRuns',
      'perflab.compareTargets',
      'perflab.countTokensInSelection',
      'perflab.toggleTokenBoundaries',
      'perflab.pickPromptModel',
      'perflab.generateDataset',
      'perflab.datasetFromCsv',
    ]) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('lists every *.perf.yaml with its targets in the Scenarios tree, and Refresh re-reads it', async () => {
    const scenarios = perflab.tree.getChildren();
    const names = scenarios.map((s) => (s.kind === 'scenario' ? s.name : '')).sort();
    assert.ok(names.includes('fast') && names.includes('long'), `tree shows ${names.join(', ')}`);
    const fast = scenarios.find((s) => s.kind === 'scenario' && s.name === 'fast')!;
    const targets = perflab.tree.getChildren(fast);
    assert.deepEqual(
      targets.map((t) => t.label),
      ['sim'],
    );
    const item = perflab.tree.getTreeItem(fast);
    assert.equal(item.contextValue, 'scenario');
    assert.equal(perflab.tree.getTreeItem(targets[0]).description, 'simulator · gpt-5-mini', 'no word repeated');

    // Refresh Scenarios (the view's toolbar) tells the view to read the workspace again.
    let changed = 0;
    const listening = perflab.tree.onDidChangeTreeData(() => changed++);
    try {
      await execute('perflab.refresh');
    } finally {
      listening.dispose();
    }
    assert.ok(changed >= 1, 'the Scenarios view was told to refresh');
  });

  it('offers Set API Key… only where a key is read: tree item and CodeLens', async () => {
    const keyed = path.join(root, 'keyed.perf.yaml');
    fs.writeFileSync(
      keyed,
      'name: keyed\ntargets:\n  - { name: prod, provider: azure, endpoint: "https://contoso.openai.azure.com", deployment: gpt-4o }\nworkload: { rate: 60, duration: 10s }\n',
    );
    try {
      const contextOf = (name: string) => {
        const scenario = perflab.tree.getChildren().find((s) => s.kind === 'scenario' && s.name === name)!;
        return perflab.tree.getChildren(scenario).map((t) => perflab.tree.getTreeItem(t).contextValue);
      };
      // package.json shows Set API Key… for `viewItem == target-key` only.
      assert.deepEqual(contextOf('fast'), ['target']);
      assert.deepEqual(contextOf('keyed'), ['target-key']);
      const keyLens = async (file: string) => {
        // The workbench computes lenses for open documents only.
        const doc = await vscode.workspace.openTextDocument(file);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        assert.ok(
          lenses.some((l) => l.command?.command === 'perflab.runScenario'),
          'the scenario has its lenses',
        );
        return lenses.some((l) => l.command?.command === 'perflab.setApiKey');
      };
      assert.equal(await keyLens(path.join(root, 'fast.perf.yaml')), false, 'no Set API Key… lens on a simulator-only scenario');
      assert.equal(await keyLens(keyed), true);
    } finally {
      fs.rmSync(keyed);
    }
  });

  it('runs a scenario on the simulator through the command: summary, run folder, status bar, tree', async () => {
    const file = path.join(root, 'fast.perf.yaml');
    let statusSeen = '';
    const watcher = setInterval(() => {
      if (perflab.runs.runs.length) statusSeen = perflab.runs.statusBarText;
    }, 200);
    const summary = (await execute('perflab.runScenario', vscode.Uri.file(file))) as RunSummary;
    clearInterval(watcher);
    assert.ok(summary, 'the command returns the summary');
    assert.equal(summary.scenario.name, 'fast');
    const t = summary.targets[0];
    assert.equal(t.requests.failed, 0);
    assert.ok(t.requests.sent >= 25 && t.requests.sent <= 31, `about 30 requests in 3 s at 600 RPM, got ${t.requests.sent}`);
    assert.equal(summary.passed, true);
    assert.match(statusSeen, /\d\d:\d\d \/ 00:03 · \d+ RPM · p95 TTFT \d+ ms/, `status bar showed "${statusSeen}"`);

    const runsDir = path.join(root, '.perflab', 'runs');
    const runDirs = fs.readdirSync(runsDir).filter((d) => d.endsWith('-fast'));
    assert.equal(runDirs.length, 1);
    const dir = path.join(runsDir, runDirs[0]);
    const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, t.requests.sent);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')).targets[0].requests, t.requests);

    const fast = perflab.tree.getChildren().find((s) => s.kind === 'scenario' && s.name === 'fast')!;
    const [target] = perflab.tree.getChildren(fast);
    const runs = perflab.tree.getChildren(target);
    assert.equal(runs.length, 1, 'the new run appears under its target');
    assert.equal(runs[0].kind === 'run' && runs[0].status, 'pass');
    // A busy machine may have limited the client: the tree says so at the end (tree-model.ts).
    assert.match(String(runs[0].description), /^p95 TTFT [\d,.]+ m?s · \d+ RPM · 0 errors( · ⚠ client-limited)?$/);
  });

  it('Stop ends a running scenario and still writes its summary', async () => {
    const file = path.join(root, 'long.perf.yaml');
    const pending = execute('perflab.runScenario', vscode.Uri.file(file)) as Thenable<RunSummary>;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(perflab.runs.runs.length, 1, 'one run in progress');
    await execute('perflab.stopRun');
    const summary = await pending;
    assert.equal(summary.stopped_by, 'stop');
    assert.ok(summary.targets[0].duration_s < 20, `stopped early (${summary.targets[0].duration_s} s)`);
    assert.equal(perflab.runs.runs.length, 0);
  });

  it('Open Results shows the run in the Run panel (and as text); Compare opens the Compare panel for two runs', async () => {
    const runNodes = perflab.tree
      .getChildren()
      .flatMap((s) => perflab.tree.getChildren(s))
      .flatMap((t) => perflab.tree.getChildren(t))
      .filter((n) => n.kind === 'run');
    assert.ok(runNodes.length >= 2, `two runs in the tree (fast and long), got ${runNodes.length}`);
    await execute('perflab.openResults', runNodes[0]);
    // The panel's webview loads in the real browser and says `ready`; then the host sends the run.
    const probe = await waitFor(
      () => perflab.panels.probes().find((p) => p.runDir === runNodes[0].dir && p.ready && p.messagesSent > 0),
      30_000,
      'the Run panel of the opened run received its data',
    );
    assert.equal(probe.live, false);
    assert.ok(probe.windowsSent > 0, 'windows sent to the panel');

    await execute('perflab.openSummaryText', runNodes[0]);
    const summaryText = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(summaryText, /Summary of "(fast|long)"/);
    assert.match(summaryText, /TTFT \(first visible token\)/);

    await execute('perflab.compareRuns', runNodes[0], runNodes.slice(0, 2));
    const message = await waitFor(() => perflab.compare.lastMessage ?? undefined, 30_000, 'the Compare panel received the two runs');
    assert.deepEqual(
      message.runIds.slice().sort(),
      runNodes
        .slice(0, 2)
        .map((n) => n.dir)
        .sort(),
    );
    assert.equal(message.alignment, 'start', 'separate runs are aligned from their own start');
    assert.equal(message.runs.length, 2);
  });

  it('Run Demo: the demo run (in extension storage) is listed under "Demo", Open Results finds it after its panel closed, Reveal opens its summary', async function () {
    this.timeout(120_000);
    const summary = (await execute('perflab.runDemo')) as RunSummary;
    assert.equal(summary.scenario.name, 'demo');
    const demo = perflab.tree.getChildren().find((s) => s.kind === 'scenario' && s.demo);
    assert.ok(demo && demo.kind === 'scenario', 'a Demo node once the demo has run');
    assert.equal(perflab.tree.getTreeItem(demo).label, 'Demo');
    const [target] = perflab.tree.getChildren(demo);
    const demoRuns = perflab.tree.getChildren(target);
    assert.equal(demoRuns.length, 1);
    const run = demoRuns[0];
    assert.ok(run.kind === 'run' && run.status === 'pass', `the demo run passed (${run.kind === 'run' ? run.status : run.kind})`);
    assert.ok(!run.dir.startsWith(root), `the demo run lives outside the workspace (${run.dir})`);
    assert.equal(perflab.tree.getTreeItem(target).contextValue, 'target', 'the simulator needs no key');

    // Close its panel, then Open Results from the palette: the demo run is the newest, first in the pick.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(() => (perflab.panels.probes().some((p) => p.runDir === run.dir) ? undefined : true), 10_000, 'the demo panel closed');
    const opening = execute('perflab.openResults');
    let picked = false;
    void Promise.resolve(opening).then(() => (picked = true));
    await waitFor(
      async () => {
        if (!picked) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return picked ? true : undefined;
      },
      20_000,
      'the Open Results pick accepted',
    );
    await waitFor(() => perflab.panels.probes().find((p) => p.runDir === run.dir && p.ready && p.messagesSent > 0), 30_000, 'the Run panel shows the demo run');

    // Reveal Run Folder: outside the workspace the Explorer cannot show it, so its summary.json opens.
    await execute('perflab.revealRun', run);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(run.dir, 'summary.json'));
  });

  it('Stop Capacity Search keeps the finished steps; Open Capacity Results opens the search again', async function () {
    this.timeout(180_000);
    const file = path.join(root, 'capacity.perf.yaml');
    fs.writeFileSync(file, capacityScenario('slots'));
    const pending = execute<CapacityReport>('perflab.findCapacity', vscode.Uri.file(file));
    await waitFor(
      () => ((perflab.capacity.searches[0]?.report.targets[0]?.steps.length ?? 0) >= 1 ? true : undefined),
      120_000,
      'the first step of the search finished',
    );
    await execute('perflab.stopCapacity');
    const report = await pending;
    assert.equal(report.status, 'stopped');
    assert.equal(report.targets[0].search, 'stopped');
    assert.ok(report.targets[0].steps.length >= 1, 'the finished steps are kept');
    const capacityRoot = path.join(root, '.perflab', 'capacity');
    const [dir] = fs.readdirSync(capacityRoot).map((d) => path.join(capacityRoot, d));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'capacity.json'), 'utf8')), report, 'capacity.json holds the stopped search');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor(() => (perflab.capacityPanels.probes().length === 0 ? true : undefined), 10_000, 'the Capacity panel closed');
    await execute('perflab.openCapacity', dir);
    await waitFor(
      () => perflab.capacityPanels.probes().find((p) => path.resolve(p.dir) === path.resolve(dir) && p.messagesSent > 0),
      30_000,
      'the Capacity panel shows the search again',
    );
  });

  it('binds a saved key to its endpoint origin + deployment: another endpoint does not get it', async () => {
    const base: Target = { name: 'prod', provider: 'azure', endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt-4o', auth: { type: 'api-key' } };
    await perflab.credentials.keys.set(base, 'key-for-contoso');
    const same = await perflab.credentials.keys.resolve({ ...base, endpoint: 'https://contoso.openai.azure.com/openai/v1' });
    assert.ok('value' in same && same.value === 'key-for-contoso');
    for (const moved of [
      { ...base, endpoint: 'https://contoso.openai.azure.com.evil.example' },
      { ...base, endpoint: 'https://fabrikam.openai.azure.com' },
      { ...base, deployment: 'gpt-4o-mini' },
    ]) {
      const found = await perflab.credentials.keys.resolve(moved);
      assert.ok('missing' in found, `no key for ${moved.endpoint} / ${moved.deployment}`);
    }
    await perflab.credentials.keys.delete(base);
  });

  it('Import Distributed Run… makes a run of JMeter results in the workspace runs folder, opens it in the Run panel, lists it in the tree', async () => {
    const scenarioFile = path.join(root, 'jmeter.perf.yaml');
    fs.writeFileSync(
      scenarioFile,
      'name: jmeter\ntargets:\n  - { name: paygo, provider: azure, endpoint: "https://res.openai.azure.com", deployment: gpt-4o, model: gpt-4o }\nworkload: { rate: 60, clients: 2, duration: 3s }\nprompts: { shape: custom, context_tokens: 100, max_tokens: 50 }\nslos:\n  - e2e.p95 < 2s\n',
    );
    // JMeter's default CSV columns (test/unit/import/fixtures/README.md).
    const jtl = path.join(root, 'results.jtl');
    const url = 'https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
    fs.writeFileSync(
      jtl,
      [
        'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect',
        `1764921600012,1432,paygo chat stream,200,OK,paygo 1-1,text,true,,18234,1620,2,2,${url},212,0,38`,
        `1764921600520,1510,paygo chat stream,200,OK,paygo 1-2,text,true,,18377,1620,2,2,${url},240,0,41`,
        `1764921601203,87,paygo chat stream,429,Too Many Requests,paygo 1-1,text,false,,412,1620,2,2,${url},86,0,0`,
      ].join('\n') + '\n',
    );
    const runDir = await execute<string | undefined>('perflab.importRun', { engine: 'jmeter', files: [jtl], scenario: scenarioFile });
    assert.ok(runDir && path.dirname(runDir) === path.join(root, '.perflab', 'runs'), `written into the workspace runs folder: ${runDir}`);
    const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.imported?.engine, 'jmeter');
    assert.equal(summary.targets[0].requests.succeeded, 2);
    assert.equal(summary.targets[0].requests.errors.throttled, 1);
    await waitFor(
      () => perflab.panels.probes().find((p) => p.runDir === runDir && p.ready && p.messagesSent > 0),
      30_000,
      'the Run panel shows the imported run',
    );

    perflab.tree.refresh();
    const scenario = perflab.tree.getChildren().find((n) => n.kind === 'scenario' && n.name === 'jmeter');
    assert.ok(scenario, 'the scenario is in the tree');
    const [target] = perflab.tree.getChildren(scenario);
    const [run] = perflab.tree.getChildren(target);
    assert.equal(run?.kind === 'run' && run.dir, runDir);
    assert.match(String(run.description), /JMeter, 1 file$/);
  });
});
