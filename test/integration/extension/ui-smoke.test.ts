// Host side of the UI smoke test: while ui-smoke.ts (Playwright) runs "LLM Perf Lab: Run Scenario…"
// from the command palette, this waits for the run it starts to finish and checks that the tree
// shows it — so the result comes from a click path a person would take.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PerfLabApi } from '../../../src/extension/extension';

describe('UI smoke: command palette → Run Scenario → the tree shows the run', () => {
  it('finishes the run the UI started and lists it under its target', async function () {
    this.timeout(150_000);
    const perflab = await vscode.extensions.getExtension<PerfLabApi>('llm-perf-lab.llm-perf-lab')!.activate();
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runsDir = path.join(root, '.perflab', 'runs');
    const deadline = Date.now() + 140_000;
    let summaryFile: string | undefined;
    while (!summaryFile && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const dirs = fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [];
      summaryFile = dirs.map((d) => path.join(runsDir, d, 'summary.json')).find((f) => fs.existsSync(f));
    }
    assert.ok(summaryFile, 'the run started from the command palette wrote its summary');
    const scenario = perflab.tree.getChildren().find((s) => s.kind === 'scenario' && s.name === 'ui-smoke')!;
    const [target] = perflab.tree.getChildren(scenario);
    assert.equal(perflab.tree.getChildren(target).length, 1);
    // Give the UI side time to see the refreshed tree and take its screenshot.
    await new Promise((resolve) => setTimeout(resolve, 8000));
  });
});
