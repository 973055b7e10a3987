// Host side of the UI smoke test: while ui-smoke.ts (Playwright) runs "LLM Perf Lab: Run Scenario…"
// from the command palette, this waits for the run it starts to finish and checks that the tree
// shows it — so the result comes from a click path a person would take. Then it checks what the
// browser's New Scenario… wrote, after giving it a scenario with a target that reads a key.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { validateScenarioText } from '../../../src/engine/scenario/load';
import type { PerfLabApi } from '../../../src/extension/extension';
import { countChatTokens } from '../../../src/tokens';
import { waitForMarker, writeMarker } from '../markers';
import { waitFor } from './wait';

/** An Azure deployment (its key is read: "Set API Key…" applies); its model is misspelled on purpose,
 *  so the language server's warning shows it has looked at scenario files. */
const KEYED = `name: keyed
targets:
  - name: prod
    provider: azure
    endpoint: https://contoso.openai.azure.com
    deployment: gpt-4o
    model: gpt-4o-mimi
workload:
  rate: 60
  duration: 10s
`;

describe('UI smoke: command palette → Run Scenario → the tree shows the run; Generate Test Dataset…', () => {
  it('finishes the run the UI started and lists it under its target', async function () {
    this.timeout(240_000);
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
    // The UI side then runs Generate Test Dataset… through its inputs: the dataset lands next to the
    // scenario, 12 distinct chats with the system message, each with its prompt-token count.
    const dataset = path.join(root, 'cloud-gpu-billing.jsonl');
    while (!fs.existsSync(dataset) && Date.now() < deadline + 60_000) await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(fs.existsSync(dataset), 'Generate Test Dataset… wrote cloud-gpu-billing.jsonl next to the scenario');
    const lines = fs
      .readFileSync(dataset, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; prompt_tokens: number });
    assert.equal(lines.length, 12);
    assert.equal(new Set(lines.map((l) => l.messages.at(-1)!.content)).size, 12, 'every message is different');
    for (const l of lines) {
      assert.deepEqual(l.messages[0], { role: 'system', content: 'You are the billing assistant.' });
      assert.equal(l.prompt_tokens, countChatTokens(l.messages, 'o200k_base').total);
    }
    const opened = Date.now() + 15_000;
    while (vscode.window.activeTextEditor?.document.uri.fsPath !== dataset && Date.now() < opened) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, dataset, 'the dataset is opened');
  });

  it('New Scenario… answered in the browser writes one valid scenario that starts without a warning', async function () {
    this.timeout(240_000);
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    fs.writeFileSync(path.join(root, 'keyed.perf.yaml'), KEYED);
    writeMarker(root, 'keyed-scenario');
    await waitForMarker(root, 'ui-done', 200_000);

    const file = path.join(root, 'gpt-4o-mini.perf.yaml');
    await waitFor(() => (fs.existsSync(file) ? true : undefined), 20_000, 'New Scenario… wrote gpt-4o-mini.perf.yaml');
    assert.deepEqual(
      fs
        .readdirSync(root)
        .filter((f) => /\.perf\.ya?ml/.test(f))
        .sort(),
      ['gpt-4o-mini.perf.yaml', 'keyed.perf.yaml', 'ui-smoke.perf.yaml'],
      'one .perf.yaml, not .perf.yaml.perf.yaml',
    );
    const { scenario, problems } = validateScenarioText(fs.readFileSync(file, 'utf8'), file);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      [scenario!.targets[0].provider, scenario!.targets[0].model, scenario!.workload.rate_rpm, scenario!.prompts.kind === 'shape' && scenario!.prompts.profile],
      ['simulator', 'gpt-4o-mini', 90, 'balanced'],
    );
    await waitFor(() => (vscode.window.activeTextEditor?.document.uri.fsPath === file ? true : undefined), 15_000, 'the new scenario is opened');

    // The language server looked (it warns about the misspelled model of keyed.perf.yaml, opened after
    // the new file) and has nothing to say about the new one.
    const keyed = await vscode.workspace.openTextDocument(path.join(root, 'keyed.perf.yaml'));
    await waitFor(
      () => (vscode.languages.getDiagnostics(keyed.uri).some((d) => /gpt-4o-mimi/.test(d.message)) ? true : undefined),
      60_000,
      'the model warning of keyed.perf.yaml',
    );
    assert.deepEqual(
      vscode.languages.getDiagnostics(vscode.Uri.file(file)).map((d) => d.message),
      [],
    );

    const perflab = await vscode.extensions.getExtension<PerfLabApi>('llm-perf-lab.llm-perf-lab')!.activate();
    const node = perflab.tree.getChildren().find((s) => s.kind === 'scenario' && s.file === file);
    assert.ok(node, 'the new scenario is in the tree');
  });
});
