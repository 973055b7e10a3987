// The production .vsix installed into VS Code (run-all.ts builds it with `npm run package` and the
// harness installs it before code-server starts): the extension that answers is the installed package,
// not this repository; it activates, runs a scenario on the simulator from its command with its own
// (minified) engine worker, starts its language server, and its Run panel's webview loads.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/engine/summary';
import type { PerfLabApi } from '../../../src/extension/extension';
import { execute } from './execute';
import { waitFor } from './wait';

const EXTENSION_ID = 'llm-perf-lab.llm-perf-lab';
/** This repository (the test bundle lives in out/integration/). */
const REPOSITORY = path.resolve(__dirname, '..', '..');

describe('The packaged extension (.vsix) installed into VS Code', () => {
  let perflab: PerfLabApi;
  let root: string;

  before(() => {
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  });

  it('is the installed package, not this repository, and activates', async () => {
    const extension = vscode.extensions.getExtension<PerfLabApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    const installed = extension.extensionPath;
    assert.ok(!path.resolve(installed).startsWith(REPOSITORY), `loaded from the installed package, not the repository (${installed})`);
    assert.match(path.basename(installed), /^llm-perf-lab\.llm-perf-lab-\d+\.\d+\.\d+/);
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'engine-worker.js')), 'the engine worker is in the package');
    assert.ok(!fs.existsSync(path.join(installed, 'src')) && !fs.existsSync(path.join(installed, 'node_modules')), 'no sources or node_modules');
    assert.doesNotMatch(
      fs.readFileSync(path.join(installed, 'dist', 'extension.js'), 'utf8').slice(-300),
      /sourceMappingURL/,
      'the production (minified) bundle',
    );
    perflab = await extension.activate();
    assert.equal(extension.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const command of (extension.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands) {
      assert.ok(commands.includes(command.command), `${command.command} is registered`);
    }
  });

  it('runs a scenario on the simulator from its command: a run folder with summary.json, drawn in the Run panel', async function () {
    this.timeout(120_000);
    const file = path.join(root, 'packaged.perf.yaml');
    assert.ok(
      perflab.tree.getChildren().some((s) => s.kind === 'scenario' && s.file === file),
      'the Scenarios tree lists the scenario',
    );
    const summary = await execute<RunSummary>('perflab.runScenario', vscode.Uri.file(file));
    assert.ok(summary, 'the run finished');
    const t = summary.targets[0];
    assert.equal(t.requests.failed, 0);
    assert.ok(t.requests.sent > 0);
    const runsDir = path.join(root, '.perflab', 'runs');
    const dirs = fs.readdirSync(runsDir).filter((d) => d.endsWith('-packaged'));
    assert.equal(dirs.length, 1, `one run folder (${dirs.join(', ')})`);
    const onDisk = JSON.parse(fs.readFileSync(path.join(runsDir, dirs[0], 'summary.json'), 'utf8')) as RunSummary;
    assert.deepEqual(onDisk.targets[0].requests, t.requests, 'summary.json holds the run');
    const lines = fs
      .readFileSync(path.join(runsDir, dirs[0], 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, t.requests.sent);
    await waitFor(
      () => perflab.panels.probes().find((p) => p.runDir === path.join(runsDir, dirs[0]) && p.ready && p.windowsSent > 0),
      60_000,
      'the Run panel of the packaged webview received the run',
    );
  });

  it('starts its language server: a prompt file gets its token counts', async function () {
    this.timeout(90_000);
    await perflab.promptsReady;
    const file = path.join(root, 'hello.prompty');
    fs.writeFileSync(file, '---\nmodel: gpt-4o\n---\nsystem:\nYou are brief.\n\nuser:\nSay hello.\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const lenses = await waitFor(
      async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return l?.some((x) => /^total \d+/.test(x.command?.title ?? '')) ? l : undefined;
      },
      60_000,
      'the token-count CodeLens from the packaged language server',
    );
    assert.ok(lenses.some((l) => /^system · \d+ tokens$/.test(l.command?.title ?? '')));
  });
});
