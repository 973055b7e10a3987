// Host side of the panel suite (the browser side is test/integration/panel-ui.ts): a two-target run on
// the simulator opens the Run panel live; after it ends the browser checks the headline numbers
// against summary.json and saves the HTML report through the panel's button; then two runs of another
// scenario are compared in the Compare panel, and the two targets of the first run side by side; last,
// Find Capacity searches a simulated deployment with the Capacity panel following it, and a step opens
// its run in the Run panel.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/engine/summary';
import type { PerfLabApi } from '../../../src/extension/extension';
import { waitForMarker, writeMarker } from '../markers';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { capacityScenario, simulatorScenario, twoTargetScenario } from './fixtures';
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
    const summary = (await vscode.commands.executeCommand('perflab.runScenario', scenarioFile)) as RunSummary;
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
    await vscode.commands.executeCommand('perflab.openResults', runDir);
    await waitFor(() => (probe().ready && probe().messagesSent > sentBefore ? true : undefined), 30_000, 'the Run panel, shown again, received the run again');
    writeMarker(root, 'panel-reshown');
    await waitForMarker(root, 'reshown-checked', 60_000);
  });

  it('compares two runs in the Compare panel, and the targets of one run on one clock', async function () {
    this.timeout(240_000);
    const single = vscode.Uri.file(path.join(root, 'single.perf.yaml'));
    await vscode.commands.executeCommand('perflab.runScenario', single);
    await vscode.commands.executeCommand('perflab.runScenario', single);
    const runsRoot = path.join(root, '.perflab', 'runs');
    const singles = fs.readdirSync(runsRoot).filter((d) => d.endsWith('-single') || /-single-\d+$/.test(d)).map((d) => path.join(runsRoot, d)).sort();
    assert.equal(singles.length, 2, `two runs of "single" (${singles.join(', ')})`);
    // A clean editor area, so the Compare panel (and its screenshot for the README) has room.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('perflab.compareRuns', singles);
    assert.equal(perflab.compare.lastMessage?.alignment, 'start');
    writeMarker(root, 'compare-open', { runDirs: singles });
    await waitForMarker(root, 'compare-checked', 180_000);

    const { runDir } = await waitForMarker<{ runDir: string }>(root, 'run-done', 1000);
    await vscode.commands.executeCommand('perflab.compareTargets', runDir);
    const message = perflab.compare.lastMessage!;
    assert.equal(message.alignment, 'clock', 'parallel targets of one run share one clock');
    assert.deepEqual(message.runs.map((r) => r.summary.targets.map((t) => t.target)), [['fast', 'slow']]);
    writeMarker(root, 'targets-open', { runDir });
    await waitForMarker(root, 'targets-checked', 120_000);

    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    writeMarker(root, 'theme-dark');
    await waitForMarker(root, 'theme-checked', 60_000);
  });

  it('Find Capacity: the Capacity panel follows the search, equals capacity.json, and opens a step\'s run', async function () {
    this.timeout(240_000);
    const file = vscode.Uri.file(path.join(root, 'capacity.perf.yaml'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file);
    writeMarker(root, 'capacity-start');
    const report = (await vscode.commands.executeCommand('perflab.findCapacity', file)) as CapacityReport;
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
    const opened = await waitFor(() => perflab.panels.probes().find((p) => path.resolve(p.runDir) === path.resolve(dir, clicked)), 30_000, 'the step opened in the Run panel');
    assert.ok(opened);
    // "Save HTML report" of the Capacity panel: one offline file with the search in it.
    const html = await waitFor(() => saved.find((f) => f.endsWith('capacity.html') && fs.existsSync(f)), 20_000, 'capacity.html saved');
    const text = fs.readFileSync(html, 'utf8');
    assert.match(text, /"type":"capacityInit"/);
    assert.ok(text.includes(`"capacity_rpm":${t.capacity_rpm}`), 'the report embeds the answer');
    assert.doesNotMatch(text, /(src|href)="https?:/, 'the report loads nothing from the network');
  });
});
