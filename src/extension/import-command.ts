// "LLM Perf Lab: Import Distributed Run…": the editor's side of `perflab import locust|jmeter`
// (src/import/ does the work, as for the CLI). Pick the load engine, its result files and (JMeter: must;
// Locust: may) the scenario; the run is written into the workspace's runs folder, named by when it
// started, and opens in the Run panel; the Scenarios tree lists it under its scenario. Nothing is sent
// anywhere, so it works in an untrusted workspace too.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { importedLines, summaryText } from '../engine/report-text';
import { scenarioErrorText } from '../engine/scenario/load';
import { runFolderName, uniqueRunDir } from '../results/files';
import { ImportError, importJmeter, importLocust, type ImportOptions } from '../import/import-run';
import type { RunPanels } from './run-panel';
import type { ScenarioTreeProvider } from './scenario-tree';
import { scenarioFileFrom } from './scenario-picker';
import { settings } from './settings';

export interface ImportCommandDeps {
  output: vscode.OutputChannel;
  panels: RunPanels;
  tree: ScenarioTreeProvider;
}

export function registerImportCommands(deps: ImportCommandDeps): vscode.Disposable[] {
  return [vscode.commands.registerCommand('perflab.importRun', (arg?: unknown) => importRun(deps, arg))];
}

type Engine = 'locust' | 'jmeter';

/** What to import, given instead of picked (a test, a task, another extension). */
export interface ImportRequest {
  engine: Engine;
  files: string[];
  scenario?: string;
}

function isImportRequest(arg: unknown): arg is ImportRequest {
  const r = arg as Partial<ImportRequest> | undefined;
  return (r?.engine === 'locust' || r?.engine === 'jmeter') && Array.isArray(r.files) && r.files.every((f) => typeof f === 'string');
}

/** Returns the run folder written, or undefined when cancelled or failed. */
async function importRun(deps: ImportCommandDeps, arg: unknown): Promise<string | undefined> {
  const given = isImportRequest(arg) ? arg : null;
  const engine = given?.engine ?? (await pickEngine());
  if (!engine) return undefined;
  const sources = given?.files ?? (await pickSources(engine));
  if (!sources) return undefined;
  const scenarioFile = given ? given.scenario : await pickScenario(engine, arg);
  if (scenarioFile === null) return undefined;
  const root = workspaceRoot(scenarioFile ?? sources[0]);
  const options: ImportOptions = {
    scenarioFile,
    modelOverrides: settings.pricingOverrides(),
    // Beside the workspace's own runs, named by when the distributed run started.
    out: (scenario, startedAt) =>
      uniqueRunDir(path.join(scenarioFile ? settings.runsFolder(scenarioFile) : settings.workspaceRunsFolder(root), runFolderName(scenario.name, startedAt))),
  };
  try {
    const { summary, outDir } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LLM Perf Lab: importing the ${engine === 'locust' ? 'Locust' : 'JMeter'} run…` },
      () => (engine === 'locust' ? importLocust(sources, options) : importJmeter(sources, options)),
    );
    deps.output.appendLine(summaryText(summary, outDir));
    deps.tree.refresh();
    deps.panels.open(outDir);
    const headline = summary.imported ? importedLines(summary.imported)[0] : '';
    const show = summary.imported?.coverage.complete === false ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`LLM Perf Lab: ${headline}`, 'Show Log').then((choice) => choice && deps.output.show(true));
    return outDir;
  } catch (error) {
    const message = error instanceof ImportError ? error.message : scenarioErrorText(error);
    deps.output.appendLine(`Import failed:\n${message}`);
    void vscode.window
      .showErrorMessage(`LLM Perf Lab: cannot import — ${message.split('\n')[0]}`, 'Show Log')
      .then((choice) => choice && deps.output.show(true));
    return undefined;
  }
}

async function pickEngine(): Promise<Engine | undefined> {
  const items: (vscode.QuickPickItem & { engine: Engine })[] = [
    {
      label: 'Locust',
      description: 'perflab-records-*.jsonl the exported locustfile wrote',
      detail: "A folder holding the workers' files (and perflab-locust-master.json), or the files themselves",
      engine: 'locust',
    },
    {
      label: 'JMeter',
      description: 'results .jtl / .csv (one per engine)',
      detail: 'Azure Load Testing: az load test-run download-files --result, then the unzipped CSV files',
      engine: 'jmeter',
    },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'Import Distributed Run: which load engine ran it?' }))?.engine;
}

async function pickSources(engine: Engine): Promise<string[] | undefined> {
  const picked = await vscode.window.showOpenDialog(
    engine === 'locust'
      ? {
          title: "Import Distributed Run: the folder with the Locust workers' records",
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: true,
          openLabel: 'Import',
        }
      : {
          title: 'Import Distributed Run: JMeter results',
          canSelectFiles: true,
          canSelectMany: true,
          filters: { 'JMeter results': ['jtl', 'csv'], 'All files': ['*'] },
          openLabel: 'Import',
        },
  );
  return picked && picked.length > 0 ? picked.map((u) => u.fsPath) : undefined;
}

/** The scenario file: JMeter needs one; Locust's records carry theirs unless another is picked.
 *  undefined: none (Locust), null: cancelled. */
async function pickScenario(engine: Engine, arg: unknown): Promise<string | undefined | null> {
  const pickFile = () =>
    scenarioFileFrom(arg, {
      title: 'Import Distributed Run: the scenario that was run',
      whenNone: () =>
        vscode.window.showWarningMessage(
          'LLM Perf Lab: JMeter results need the scenario that was run (its targets, SLOs and models), and this workspace has no *.perf.yaml.',
        ),
    });
  if (engine === 'jmeter') return (await pickFile()) ?? null;
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'The scenario in the records', description: 'as the locustfile was exported', own: true },
      { label: 'A scenario file…', description: 'judge the run against its SLOs and prices', own: false },
    ],
    { title: 'Import Distributed Run: which scenario?' },
  );
  if (!choice) return null;
  if (choice.own) return undefined;
  return (await pickFile()) ?? null;
}

function workspaceRoot(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.fsPath ?? path.dirname(file);
}
