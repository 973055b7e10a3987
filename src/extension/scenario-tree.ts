// The Scenarios view: every scenario file in the workspace → its targets → their past runs (newest
// first, with status and headline numbers). The data comes from tree-model.ts (no VS Code there);
// this file only turns it into TreeItems.

import * as vscode from 'vscode';
import { demoScenarioFile } from './demo';
import type { RunController } from './run-controller';
import { settings } from './settings';
import { scanDemo, scanWorkspace, type RunNode, type ScenarioNode, type TargetNode } from './tree-model';

export type PerfNode = ScenarioNode | TargetNode | RunNode;

const isKind =
  <K extends PerfNode['kind']>(kind: K) =>
  (x: unknown): x is Extract<PerfNode, { kind: K }> =>
    typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === kind;
export const isScenarioNode = isKind('scenario');
export const isTargetNode = isKind('target');
export const isRunNode = isKind('run');

const RUN_ICONS: Record<RunNode['status'], [string, string]> = {
  pass: ['pass', 'testing.iconPassed'],
  fail: ['error', 'testing.iconFailed'],
  // Held on what was measured, but too much was cut off (cancelled, never sent) to call it a pass.
  incomplete: ['circle-slash', 'problemsWarningIcon.foreground'],
  'not-judged': ['question', 'problemsWarningIcon.foreground'],
  stopped: ['debug-stop', 'charts.yellow'],
  error: ['warning', 'problemsWarningIcon.foreground'],
  unfinished: ['circle-large-outline', 'disabledForeground'],
};

export class ScenarioTreeProvider implements vscode.TreeDataProvider<PerfNode> {
  private readonly changed = new vscode.EventEmitter<PerfNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** `demoFolder`: where "Run Demo on the Simulator" keeps its scenario (extension storage). */
  constructor(
    private readonly runs: RunController,
    private readonly demoFolder?: string,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** All scenarios of all workspace folders, then the demo once it has runs (also used by tests). */
  scenarios(): ScenarioNode[] {
    const workspace = (vscode.workspace.workspaceFolders ?? []).flatMap((folder) =>
      scanWorkspace(folder.uri.fsPath, settings.workspaceRunsFolder(folder.uri.fsPath)),
    );
    const demo =
      this.demoFolder === undefined ? undefined : scanDemo(demoScenarioFile(this.demoFolder), settings.runsFolder(demoScenarioFile(this.demoFolder)));
    return demo ? [...workspace, demo] : workspace;
  }

  getChildren(node?: PerfNode): PerfNode[] {
    if (!node) return this.scenarios();
    if (node.kind === 'scenario') return node.targets;
    if (node.kind === 'target') return node.runs;
    return [];
  }

  getTreeItem(node: PerfNode): vscode.TreeItem {
    if (node.kind === 'scenario') {
      const running = this.runs.runs.some((r) => r.scenarioFile === node.file);
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `scenario:${node.file}`;
      item.description = running ? `running… · ${node.description}` : node.description;
      item.tooltip = node.tooltip;
      item.contextValue = 'scenario';
      item.resourceUri = vscode.Uri.file(node.file);
      item.iconPath = new vscode.ThemeIcon(running ? 'loading~spin' : !node.valid ? 'warning' : node.demo ? 'play-circle' : 'beaker');
      item.command = { command: 'vscode.open', title: 'Open Scenario', arguments: [vscode.Uri.file(node.file)] };
      return item;
    }
    if (node.kind === 'target') {
      // Expanded when it has runs: the newest results are what people come to the view for.
      const item = new vscode.TreeItem(node.label, node.runs.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.id = `target:${node.scenarioFile}:${node.name}`;
      item.description = node.description;
      item.tooltip = node.tooltip;
      // `target-key`: "Set API Key…" is offered only where a key is read (not the simulator, auth none or entra).
      item.contextValue = node.needsKey ? 'target-key' : 'target';
      item.iconPath = new vscode.ThemeIcon('server-environment');
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${node.dir}:${node.target ?? '*'}`;
    item.description = node.description;
    item.tooltip = node.tooltip;
    // `run-<status>[-multi]`: menus match /^run/; Compare Targets needs a run with several targets.
    item.contextValue = `run-${node.status}${node.targetCount > 1 ? '-multi' : ''}`;
    const [icon, color] = RUN_ICONS[node.status];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.command = { command: 'perflab.openResults', title: 'Open Results', arguments: [node] };
    return item;
  }
}
