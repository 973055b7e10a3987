// "▶ Run Scenario", "Find Capacity" and "Set API Key…" at the top of every scenario file. "Set API Key…"
// only where a target reads a key: a scenario on the simulator (or `auth: none` / `entra`) needs none.

import * as vscode from 'vscode';
import { scenarioNeedsKey } from './key-need';

export class ScenarioCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, { title: '$(play) Run Scenario', command: 'perflab.runScenario', arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: '$(graph-line) Find Capacity', command: 'perflab.findCapacity', arguments: [document.uri] }),
    ];
    if (scenarioNeedsKey(document.getText(), document.fileName)) {
      lenses.push(new vscode.CodeLens(top, { title: '$(key) Set API Key…', command: 'perflab.setApiKey', arguments: [document.uri] }));
    }
    return lenses;
  }
}
