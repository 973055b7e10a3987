// Host side of the panel suite (the browser side is test/integration/panel-ui.ts): a two-target run on
// the simulator opens the Run panel live; after it ends the browser checks the headline numbers
// against summary.json and saves the HTML report through the panel's button; then two runs of another
// scenario are compared in the Compare panel (its one Run panel reused by the second run), and the two
// targets of the first run side by side; Find Capacity searches a simulated deployment with the
// Capacity panel following it, and a step opens its run in the Run panel. Then: the status bar's stop
// asks first (Cancel keeps the run going, Stop stops it); Compare Runs of two runs of one target of a
// two-target scenario compares two columns in the panels' own group; the output channel's end-of-run
// lines count throttled, cancelled and never-sent requests.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VERDICT_LABEL, verdictStatus, type RunSummary } from '../../../src/engine/summary';
import type { PerfLabApi } from '../../../src/extension/extension';
import { waitForMarker, writeMarker } from '../markers';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { capacityScenario, simulatorScenario, throttledScenario, twoTargetScenario } from './fixtures';
import { execute } from './execute';
import { waitFor } from './wait';

describe('Run and Compare panels in a real VS Code', () => {
  let perflab: PerfLabApi;
  let root: string;
  const saved: string[] = [];

  before(async () => {
    perflab = await vscode.extensions.getExtension<PerfLabApi>('llm-perf-lab.llm-perf-lab')!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // 20 s: on a loaded machine the browser may take several seconds to find the panel and see its
    // first points; the run must still be live then.
    fs.writeFileSync(path.join(root, 'two.perf.yaml'), twoTargetScenario('two-targets', '20s'));
    fs.writeFileSync(path.join(root, 'single.perf.yaml'), simulatorScenario('single', '4s'));
    fs.writeFileSync(path.join(root, 'capacity.perf.yaml'), capacityScenario('slots'));
    // A save dialog cannot be answered from a test: exports go to the workspace's exports/ folder.
    const exportsDir = path.join(root, 'exports');
    fs.mkdirSync(exportsDir, { recursive: true });
    perflab.panels.saveDialog = async (options) => {
      const file = path.join(exportsDir, path.basename(options.defaultUri!.fsPath));
      saved.push(file);
      return vscode.Uri.file(file);
    };
    perflab.capacityPanels.saveDialog = perflab.panels.saveDialog;
  });

  it('opens the Run panel when a run starts, feeds it live, and the browser checks it against summary.json', async function () {
    this.timeout(240_000);
    // As a user would: the scenario open in the editor, the panel opening beside it.
    const scenarioFile = vscode.Uri.file(path.join(root, 'two.perf.yaml'));
    await vscode.window.showTextDocument(scenarioFile);
    const summary = (await execute('perflab.runScenario', scenarioFile)) as RunSummary;
    assert.ok(summary, 'the run finished');
    const runDir = perflab.panels.probes().find((p) => p.live)?.runDir;
    assert.ok(runDir, 'a live Run panel was opened for the run');
    const live = perflab.panels.probes().find((p) => p.runDir === runDir)!;
    assert.ok(live.windowsSent >= 10, `windows were forwarded live (${live.windowsSent})`);
    writeMarker(root, 'run-done', { runDir });
    const checked = await waitForMarker<{ saved: boolean }>(root, 'run-checked', 180_000);
    assert.ok(checked.saved, 'the browser clicked "Save HTML report"');
    const report = saved.find((f) => f.endsWith('report.html'));
    assert.ok(report && fs.existsSync(report), `the HTML report was written (${saved.join(', ')})`);
    const html = fs.readFileSync(report, 'utf8');
    assert.match(html, /id="perflab-data"/);
    assert.doesNotMatch(html, /(src|href)="https?:/, 'the report loads nothing from the network');
    assert.ok(html.includes(`"ttft":{"count":${summary.targets[0].latency_ms.ttft.count}`), 'the report embeds the run summary');
    // The CSV of windows and the PNG of the TTFT chart, saved through the panel's buttons.
    const csv = await waitFor(() => saved.find((f) => f.endsWith('windows.csv') && fs.existsSync(f)), 20_000, 'windows.csv saved');
    const windowLines = fs.readFileSync(path.join(runDir, 'windows.jsonl'), 'utf8').trim().split('\n').length;
    const csvLines = fs.readFileSync(csv, 'utf8').trim().split('\r\n');
    assert.match(csvLines[0], /^target,t,time,window_s,/);
    assert.equal(csvLines.length - 1, windowLines, 'one CSV row per window');
    const png = await waitFor(() => saved.find((f) => f.endsWith('ttft.png') && fs.existsSync(f) && fs.statSync(f).size > 0), 20_000, 'ttft.png saved');
    assert.deepEqual([...fs.readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');

    // Hidden (another editor in front of it in its group) and shown again: the webview is rebuilt,
    // gets everything again, and restores the target the user had picked.
    const probe = () => perflab.panels.probes().find((p) => p.runDir === runDir)!;
    await vscode.window.showTextDocument(scenarioFile, { viewColumn: vscode.ViewColumn.Two, preview: false });
    await waitFor(() => (probe().ready ? undefined : true), 20_000, 'the hidden Run panel stops receiving updates');
    const sentBefore = probe().messagesSent;
    await execute('perflab.openResults', runDir);
    await waitFor(() => (probe().ready && probe().messagesSent > sentBefore ? true : undefined), 30_000, 'the Run panel, shown again, received the run again');
    writeMarker(root, 'panel-reshown');
    await waitForMarker(root, 'reshown-checked', 60_000);
  });

  it('compares two runs in the Compare panel, and the targets of one run on one clock', async function () {
    this.timeout(240_000);
    const single = vscode.Uri.file(path.join(root, 'single.perf.yaml'));
    const singlePanels = () => perflab.panels.probes().filter((p) => p.scenarioKey === single.fsPath);
    await execute('perflab.runScenario', single);
    const firstTitle = singlePanels()[0]?.title;
    await execute('perflab.runScenario', single);
    const runsRoot = path.join(root, '.perflab', 'runs');
    const singles = fs
      .readdirSync(runsRoot)
      .filter((d) => d.endsWith('-single') || /-single-\d+$/.test(d))
      .map((d) => path.join(runsRoot, d))
      .sort();
    assert.equal(singles.length, 2, `two runs of "single" (${singles.join(', ')})`);
    // One Run panel per scenario, like REST Client's response pane: the second run took over the
    // first one's panel, and its tab says when that run started.
    const reused = singlePanels();
    assert.equal(reused.length, 1, `one Run panel for "single" (${reused.map((p) => p.title).join(', ')})`);
    assert.equal(reused[0].runDir, singles[1], 'the panel shows the second run');
    assert.match(reused[0].title, /^Run: single · \d{2}:\d{2}:\d{2}$/);
    assert.match(firstTitle ?? '', /^Run: single · \d{2}:\d{2}:\d{2}$/);
    assert.notEqual(reused[0].title, firstTitle, 'the tab title changed with the run');
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('Run: single'));
    assert.deepEqual(
      tabs.map((t) => t.label),
      [reused[0].title],
      'one tab of it in the workbench',
    );
    await waitFor(
      () => (perflab.panels.probes().find((p) => p.runDir === singles[1] && p.ready && p.windowsSent > 0) ? true : undefined),
      30_000,
      'the reused panel received the second run',
    );
    // A clean editor area, so the Compare panel (and its screenshot for the README) has room.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await execute('perflab.compareRuns', singles);
    assert.equal(perflab.compare.lastMessage?.alignment, 'start');
    writeMarker(root, 'compare-open', { runDirs: singles });
    await waitForMarker(root, 'compare-checked', 180_000);

    const { runDir } = await waitForMarker<{ runDir: string }>(root, 'run-done', 1000);
    await execute('perflab.compareTargets', runDir);
    const message = perflab.compare.lastMessage!;
    assert.equal(message.alignment, 'clock', 'parallel targets of one run share one clock');
    assert.deepEqual(
      message.runs.map((r) => r.summary.targets.map((t) => t.target)),
      [['fast', 'slow']],
    );
    writeMarker(root, 'targets-open', { runDir });
    await waitForMarker(root, 'targets-checked', 120_000);

    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    writeMarker(root, 'theme-dark');
    await waitForMarker(root, 'theme-checked', 60_000);
  });

  it("Find Capacity: the Capacity panel follows the search, equals capacity.json, and opens a step's run", async function () {
    this.timeout(240_000);
    const file = vscode.Uri.file(path.join(root, 'capacity.perf.yaml'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file);
    writeMarker(root, 'capacity-start');
    const report = (await execute('perflab.findCapacity', file)) as CapacityReport;
    assert.ok(report, 'the search finished');
    const dir = perflab.capacityPanels.probes()[0]?.dir;
    assert.ok(dir && fs.existsSync(path.join(dir, 'capacity.json')), `a Capacity panel was opened for the search (${dir})`);
    assert.ok(dir.startsWith(path.join(root, '.perflab', 'capacity')), 'the search is kept beside the runs');
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'capacity.json'), 'utf8')) as CapacityReport;
    assert.deepEqual(onDisk, report);
    const t = report.targets[0];
    assert.equal(t.search, 'complete');
    assert.equal(t.limited_by, 'saturation', t.detail);
    assert.ok(perflab.capacityPanels.probes()[0].messagesSent >= 2, 'the panel got updates while the search ran');
    writeMarker(root, 'capacity-done', { dir });
    const { clicked } = await waitForMarker<{ clicked: string }>(root, 'capacity-checked', 120_000);
    // The browser clicked "Open run" of a step: its run folder is now in a Run panel.
    const opened = await waitFor(
      () => perflab.panels.probes().find((p) => path.resolve(p.runDir) === path.resolve(dir, clicked)),
      30_000,
      'the step opened in the Run panel',
    );
    assert.ok(opened);
    // "Save HTML report" of the Capacity panel: one offline file with the search in it.
    const html = await waitFor(() => saved.find((f) => f.endsWith('capacity.html') && fs.existsSync(f)), 20_000, 'capacity.html saved');
    const text = fs.readFileSync(html, 'utf8');
    assert.match(text, /"type":"capacityInit"/);
    assert.ok(text.includes(`"capacity_rpm":${t.capacity_rpm}`), 'the report embeds the answer');
    assert.doesNotMatch(text, /(src|href)="https?:/, 'the report loads nothing from the network');
  });

  it('the status bar item asks before it stops a run: Cancel keeps it going, Stop stops it', async function () {
    this.timeout(240_000);
    const file = vscode.Uri.file(path.join(root, 'stoppable.perf.yaml'));
    fs.writeFileSync(file.fsPath, simulatorScenario('stoppable', '90s'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file);
    // The workbench refuses modal dialogs while extension tests run: the question is answered here
    // (Cancel, then Stop); the browser clicks the real status bar item.
    const asked: string[] = [];
    const answers = [false, true];
    const ask = perflab.runs.askToStop;
    perflab.runs.askToStop = async (question, detail) => {
      asked.push(`${question}\n${detail}`);
      return answers.shift() ?? false;
    };
    try {
      let settled = false;
      const pending = (execute('perflab.runScenario', file) as Thenable<RunSummary>).then((summary) => {
        settled = true;
        return summary;
      });
      await waitFor(
        () => (perflab.runs.runs.length === 1 && /RPM/.test(perflab.runs.statusBarText) ? true : undefined),
        60_000,
        'the run shows its numbers in the status bar',
      );
      writeMarker(root, 'stop-ask');
      await waitFor(() => (asked.length === 1 ? true : undefined), 120_000, 'a click on the status bar item asked');
      assert.match(asked[0], /^Stop the run of "stoppable"\?\nIn-flight requests are drained.*\(setting perflab\.onStop\)/);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(settled, false, 'Cancel: the run goes on');
      assert.equal(perflab.runs.runs.length, 1, 'Cancel: the run goes on');
      writeMarker(root, 'stop-confirm');
      await waitFor(() => (asked.length === 2 ? true : undefined), 120_000, 'the second click asked again');
      const summary = await pending;
      assert.equal(summary.stopped_by, 'stop', 'Stop: the run was stopped');
      assert.ok(summary.targets[0].duration_s < 90, `stopped before its end (${summary.targets[0].duration_s} s)`);
      assert.equal(perflab.runs.runs.length, 0);
    } finally {
      perflab.runs.askToStop = ask;
    }
  });

  it("Compare Runs of two runs of one target of a two-target scenario: two columns, in the panels' group", async function () {
    this.timeout(240_000);
    const file = vscode.Uri.file(path.join(root, 'pair.perf.yaml'));
    fs.writeFileSync(file.fsPath, twoTargetScenario('pair', '3s'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file);
    await execute('perflab.runScenario', file);
    await execute('perflab.runScenario', file);
    const runPanel = perflab.panels.probes().find((p) => p.scenarioKey === file.fsPath);
    assert.ok(runPanel, 'the Run panel of "pair"');
    assert.equal(vscode.window.tabGroups.all.length, 2, 'the scenario and, beside it, its one Run panel');
    // As the Scenarios tree hands them over: both runs selected under the target "fast".
    perflab.tree.refresh();
    const scenario = perflab.tree.scenarios().find((s) => s.file === file.fsPath);
    const fast = scenario?.targets.find((t) => t.name === 'fast');
    const runs = fast?.runs ?? [];
    assert.equal(runs.length, 2, `two runs under "fast" (${runs.map((r) => r.dir).join(', ')})`);
    // The user was last in the Run panel (opening "Beside" it made a third group).
    await execute('perflab.openResults', runs[0].dir);
    await waitFor(
      () => (vscode.window.tabGroups.activeTabGroup.activeTab?.label.startsWith('Run: pair') ? true : undefined),
      20_000,
      'the Run panel is the active editor',
    );
    await execute('perflab.compareRuns', runs[0], runs);
    const message = perflab.compare.lastMessage!;
    assert.deepEqual(
      message.runs.map((r) => r.summary.targets.map((t) => t.target)),
      [['fast'], ['fast']],
      'only the target selected, of each run',
    );
    assert.ok(
      message.runs.every((r) => r.windows.every((w) => w.target === 'fast')),
      'only its windows',
    );
    assert.equal(message.alignment, 'start');
    const compare = perflab.compare.probes().find((p) => p.columns.length === 2 && p.title.startsWith('Compare: pair · fast · '));
    assert.ok(
      compare,
      `a Compare panel titled with the scenario, target and times (${perflab.compare
        .probes()
        .map((p) => p.title)
        .join(', ')})`,
    );
    assert.equal(vscode.window.tabGroups.all.length, 2, 'no third editor group');
    assert.equal(compare.viewColumn, perflab.panels.probes().find((p) => p.scenarioKey === file.fsPath)?.viewColumn, "in the Run panel's group");
    writeMarker(root, 'pair-compare', { runDirs: runs.map((r) => r.dir) });
    await waitForMarker(root, 'pair-checked', 120_000);
  });

  it("the end-of-run output lines count throttled, cancelled and never-sent requests and say each verdict's status", async function () {
    this.timeout(240_000);
    const file = vscode.Uri.file(path.join(root, 'throttled.perf.yaml'));
    fs.writeFileSync(file.fsPath, throttledScenario('throttled'));
    const summary = (await execute('perflab.runScenario', file)) as RunSummary;
    const t = summary.targets[0];
    assert.ok(t.requests.throttled_responses > 0 && (t.requests.errors.throttled ?? 0) > 0, `the run was throttled (${JSON.stringify(t.requests)})`);
    assert.ok(t.requests.cancelled > 0, `requests were cancelled at the end (${JSON.stringify(t.requests)})`);
    await execute('perflab.showOutput');
    const text = await waitFor(
      () => {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /LLM Perf Lab/.test(decodeURIComponent(d.uri.toString())));
        const content = doc?.getText() ?? '';
        return content.includes(`limited: ${t.requests.sent} sent`) ? content : undefined;
      },
      30_000,
      'the LLM Perf Lab output channel as a document',
    );
    const line = text.split('\n').find((l) => l.trim().startsWith(`limited: ${t.requests.sent} sent`));
    assert.ok(line, `the target's end-of-run line:\n${text.slice(-2000)}`);
    const r = t.requests;
    assert.ok(line.includes(`${r.failed} failed (${r.errors.throttled} ended throttled)`), line);
    assert.ok(line.includes(`${r.throttled_responses} throttled responses (HTTP 429) of ${r.attempts} attempts`), line);
    assert.ok(line.includes(`${r.cancelled} cancelled, ${t.schedule.unsent} never sent`), line);
    for (const v of summary.slos) {
      const label = VERDICT_LABEL[verdictStatus(v)];
      assert.ok(text.includes(`${label} limited: ${v.slo} (`), `verdict line "${label} limited: ${v.slo}"`);
    }
    const statuses = summary.slos.map((v) => ({ slo: v.slo, status: verdictStatus(v) }));
    const runsRoot = path.join(root, '.perflab', 'runs');
    const runDir = fs
      .readdirSync(runsRoot)
      .map((d) => path.join(runsRoot, d))
      .find((d) => d.endsWith('-throttled'));
    writeMarker(root, 'throttled-done', { name: 'throttled', runDir, throttled: r.throttled_responses, cancelled: r.cancelled, statuses });
    await waitForMarker(root, 'throttled-checked', 60_000);
  });
});
