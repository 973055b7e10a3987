// Activation: wires the Scenarios tree, the run and capacity controllers (engine in workers), keys,
// CodeLens and the commands. Each piece lives in its own module; this file only connects them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SCENARIO_GLOB } from '../engine/scenario/files';
import { SUMMARY_FILE } from '../results/files';
import { CapacityController } from './capacity-controller';
import { CapacityPanels } from './capacity-panel';
import { ComparePanels } from './compare-panel';
import { CredentialService } from './credentials';
import { PanelGroup } from './panel-group';
import { PromptLanguageClient } from './language-client';
import { registerCommands } from './commands';
import { registerDatasetCommands } from './dataset-command';
import { registerImportCommands } from './import-command';
import { registerHttpFile } from './http-codelens';
import { RunController } from './run-controller';
import { RunPanels } from './run-panel';
import { ScenarioCodeLens } from './scenario-codelens';
import { ScenarioTreeProvider } from './scenario-tree';
import { metricsTokenResolver, ServerMetricsCommands } from './server-metrics-command';

/** What tests (and other extensions) can reach through `extension.exports`. */
export interface PerfLabApi {
  runs: RunController;
  tree: ScenarioTreeProvider;
  credentials: CredentialService;
  panels: RunPanels;
  compare: ComparePanels;
  capacity: CapacityController;
  capacityPanels: CapacityPanels;
  /** Azure Monitor metrics of runs (the Fetch Server Metrics command). */
  serverMetrics: ServerMetricsCommands;
  prompts: PromptLanguageClient;
  /** Resolves once the language server is up. */
  promptsReady: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): PerfLabApi {
  const output = vscode.window.createOutputChannel('LLM Perf Lab');
  const credentials = new CredentialService(context.secrets);
  const runs = new RunController(context.extensionUri, output, (target) => credentials.resolve(target), metricsTokenResolver(context.secrets));
  const demoFolder = path.join(context.globalStorageUri.fsPath, 'demo');
  const tree = new ScenarioTreeProvider(runs, demoFolder);
  // The Run, Compare and Capacity panels share one editor group.
  const group = new PanelGroup();
  const compare = new ComparePanels(context.extensionUri, group, context.workspaceState);
  const panels = new RunPanels(context.extensionUri, runs, group, (runDir) => {
    compare
      .open([runDir])
      .catch(
        (error: unknown) => void vscode.window.showErrorMessage(`LLM Perf Lab: cannot compare — ${error instanceof Error ? error.message : String(error)}`),
      );
  });
  // Azure Monitor metrics of a run: the command, and a silent fetch when a run still waiting for them is shown.
  const serverMetrics = new ServerMetricsCommands(output, (runDir) => panels.refresh(runDir));
  panels.onAzurePending = (runDir) => void serverMetrics.fetchSilently(runDir);
  const capacity = new CapacityController(context.extensionUri, output, (target) => credentials.resolve(target));
  const capacityPanels = new CapacityPanels(context.extensionUri, capacity, group, (runDir) => panels.open(runDir));
  const view = vscode.window.createTreeView('perflab.scenarios', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });

  // The tree follows scenario files and run folders as they change.
  const watchers = [vscode.workspace.createFileSystemWatcher(SCENARIO_GLOB), vscode.workspace.createFileSystemWatcher(`**/${SUMMARY_FILE}`)];
  for (const w of watchers) {
    w.onDidCreate(() => tree.refresh());
    w.onDidChange(() => tree.refresh());
    w.onDidDelete(() => tree.refresh());
  }
  runs.onDidChangeRuns(() => {
    void vscode.commands.executeCommand('setContext', 'perflab.running', runs.runs.length > 0);
    tree.refresh();
  });
  const capacityRunning = () => void vscode.commands.executeCommand('setContext', 'perflab.capacityRunning', capacity.searches.length > 0);
  capacity.onDidStart(capacityRunning);
  capacity.onDidUpdate(capacityRunning);
  vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh());

  const lastRun = context.workspaceState.get<string>('perflab.lastScenario');
  if (lastRun && fs.existsSync(lastRun)) runs.lastScenarioFile = lastRun;
  runs.onDidChangeRuns(() => {
    if (runs.lastScenarioFile) void context.workspaceState.update('perflab.lastScenario', runs.lastScenarioFile);
  });

  context.subscriptions.push(
    output,
    runs,
    group,
    panels,
    compare,
    capacity,
    capacityPanels,
    view,
    ...watchers,
    vscode.languages.registerCodeLensProvider({ pattern: SCENARIO_GLOB }, new ScenarioCodeLens()),
    ...registerCommands({ context, output, runs, tree, credentials, panels, compare, capacity, capacityPanels, serverMetrics, demoFolder }),
    ...registerDatasetCommands({ output, credentials }),
    ...registerImportCommands({ output, panels, tree }),
    // "Load test this request" in REST Client files (.http, .rest).
    ...registerHttpFile(output),
  );
  const prompts = new PromptLanguageClient(context);
  context.subscriptions.push(prompts);
  const promptsReady = prompts
    .start()
    .catch((error: unknown) => output.appendLine(`Language server did not start: ${error instanceof Error ? error.message : String(error)}`));
  return { runs, tree, credentials, panels, compare, capacity, capacityPanels, serverMetrics, prompts, promptsReady };
}

export function deactivate(): void {
  // Disposables (including active runs, which are aborted) are released through context.subscriptions.
}
