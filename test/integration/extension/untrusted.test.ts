// In an untrusted workspace scenarios are listed and validated, but nothing runs or is sent.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PerfLabApi } from '../../../src/extension/extension';

describe('LLM Perf Lab in an untrusted workspace', () => {
  it('lists scenarios but refuses to run them', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace is untrusted');
    const perflab = await vscode.extensions.getExtension<PerfLabApi>('llm-perf-lab.llm-perf-lab')!.activate();
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = path.join(root, 'quickstart.perf.yaml');
    assert.ok(
      perflab.tree.getChildren().some((s) => s.kind === 'scenario' && s.file === file),
      'the scenario is listed',
    );
    const result = await vscode.commands.executeCommand('perflab.runScenario', vscode.Uri.file(file));
    assert.equal(result, undefined, 'the run was refused');
    assert.equal(fs.existsSync(path.join(root, '.perflab')), false, 'no run folder was written');
  });
});
