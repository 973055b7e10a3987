// "▶ Run Scenario", "Find Capacity" and "Set API Key…" at the top of every *.perf.yaml.

import * as vscode from 'vscode';

export class ScenarioCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Run Scenario', command: 'perflab.runScenario', arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: '$(graph-line) Find Capacity', command: 'perflab.findCapacity', arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: '$(key) Set API Key…', command: 'perflab.setApiKey', arguments: [document.uri] }),
    ];
  }
}
