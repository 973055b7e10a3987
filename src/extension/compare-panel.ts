// The Compare panel's host side: reads the chosen run folders (or the targets of one run), keeps only
// the targets selected (compare-selection.ts), labels them, picks the alignment — one clock for the
// parallel targets of one run, each from its own start for separate runs or sequential targets — and
// hands everything to the webview in one message. Panels open in the group the extension's panels
// share (panel-group.ts); comparing the same selection again brings its panel forward.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { htmlReport, readReportAssets } from '../shared/html-report';
import { isWebviewToHost, type CompareInitMessage, type CompareRunData } from '../protocol/panel';
import { readRunFiles, readSummaryFile, RunFilesError } from '../results/run-files';
import { decideTargets, selectionOf, summaryOfTargets, windowsOfTargets, type CompareItem, type CompareSelection } from './compare-selection';
import type { PanelGroup } from './panel-group';
import { panelHtml, webviewOptions } from './panel-html';
import { compareTitle } from './panel-titles';
import type { SaveDialog } from './run-panel';

export const COMPARE_PANEL_TYPE = 'perflab.compare';

/** Where the targets picked per compared run are kept, so a panel restored after a reload shows them. */
const SELECTIONS_KEY = 'perflab.compareSelections';
const SELECTIONS_KEPT = 50;

/** The Compare message for run folders, each with the targets to compare (null: all of them). Every run
 *  must have finished (its summary is what is compared). */
export async function compareMessage(selection: readonly CompareSelection[]): Promise<CompareInitMessage> {
  const files = await Promise.all(selection.map((s) => readRunFiles(s.dir)));
  const unfinished = files.filter((f) => f.summary === null).map((f) => path.basename(f.dir));
  if (unfinished.length > 0) throw new RunFilesError(`not finished yet, so not comparable: ${unfinished.join(', ')}`);
  const runs: CompareRunData[] = files.map((f, i) => {
    const summary = f.summary!;
    const wanted = selection[i].targets ?? summary.targets.map((t) => t.target);
    const missing = wanted.filter((t) => !summary.targets.some((s) => s.target === t));
    if (missing.length > 0) throw new RunFilesError(`${path.basename(f.dir)} has no target ${missing.map((t) => `"${t}"`).join(', ')}`);
    const kept = summaryOfTargets(summary, wanted);
    // One target kept of several: the label says which (several kept are named per column anyway).
    const label =
      runLabel(summary.scenario.name, summary.started_at, files.length) + (summary.targets.length > 1 && wanted.length === 1 ? ` · ${wanted[0]}` : '');
    return { label, summary: kept, windows: windowsOfTargets(f.windows, wanted) };
  });
  const columns = runs.reduce((n, r) => n + r.summary.targets.length, 0);
  if (columns < 2) throw new RunFilesError('pick two or more runs, or a run with two or more targets, to compare');
  // The targets of one run that ran side by side share one clock; anything else is aligned from its start.
  const alignment = files.length === 1 && files[0].summary!.scenario.target_mode === 'parallel' ? 'clock' : 'start';
  return { type: 'compareInit', runIds: files.map((f) => f.dir), runs, alignment, interactive: true };
}

/** `quickstart 2026-11-28 10:02:13` (just the time when every run is the same scenario on one day). */
function runLabel(scenario: string, startedAt: string, runCount: number): string {
  const stamp = startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
  return runCount === 1 ? scenario : `${scenario} ${stamp}`;
}

export class ComparePanels implements vscode.Disposable {
  /** Open panels by what they compare (selectionKey), with what each shows. */
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; init: CompareInitMessage }>();
  private readonly disposables: vscode.Disposable[] = [];
  /** For tests: what the last Compare panel opened shows. */
  lastMessage: CompareInitMessage | null = null;
  /** Replaceable by tests (a real save dialog cannot be answered from a test). */
  saveDialog: SaveDialog = (options) => vscode.window.showSaveDialog(options);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly group: PanelGroup,
    private readonly memento: vscode.Memento,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const dirs = (state as { runIds?: unknown } | undefined)?.runIds;
          if (!Array.isArray(dirs) || !dirs.every((d) => typeof d === 'string' && fs.existsSync(d))) {
            panel.dispose();
            return;
          }
          const targets = this.savedSelections()[(dirs as string[]).join('\n')];
          const selection = (dirs as string[]).map((dir, i) => ({ dir, targets: targets?.[i] ?? null }));
          await this.adopt(panel, selection, await compareMessage(selection));
        },
      }),
    );
  }

  /**
   * Compares the selected runs: run folders (whole runs) or tree selections (a run under one target).
   * Whole runs of several targets compare the target they share, or the ones the user picks.
   */
  async open(items: readonly CompareItem[]): Promise<void> {
    const selection = selectionOf(items);
    const targetsOf = (dir: string) => readSummaryFile(dir)?.targets.map((t) => t.target) ?? [];
    let decision = decideTargets(selection, targetsOf);
    if (decision.kind === 'ask') {
      const picks = await vscode.window.showQuickPick(
        decision.choices.map((t) => ({ label: t, picked: false })),
        { title: 'Compare Runs: which target?', placeHolder: 'The runs share several targets; pick the one(s) to compare', canPickMany: true },
      );
      if (!picks || picks.length === 0) return;
      decision = decideTargets(
        selection,
        targetsOf,
        picks.map((p) => p.label),
      );
      if (decision.kind === 'ask') return;
    }
    const decided = decision.selection;
    const key = selectionKey(decided);
    const existing = this.panels.get(key);
    if (existing) {
      this.lastMessage = existing.init;
      existing.panel.reveal(existing.panel.viewColumn, false);
      return;
    }
    const message = await compareMessage(decided);
    const title = compareTitle(
      message.runs.map((r) => ({
        scenarioName: r.summary.scenario.name,
        startedAt: new Date(r.summary.started_at),
        targets: r.summary.targets.map((t) => t.target),
      })),
    );
    const panel = vscode.window.createWebviewPanel(
      COMPARE_PANEL_TYPE,
      title,
      { viewColumn: this.group.column(), preserveFocus: false },
      webviewOptions(this.extensionUri),
    );
    await this.saveSelection(decided);
    await this.adopt(panel, decided, message);
  }

  /** For tests: the open Compare panels' titles, groups and columns (run · target). */
  probes(): { title: string; viewColumn: vscode.ViewColumn | undefined; columns: string[] }[] {
    return [...this.panels.values()].map(({ panel, init }) => ({
      title: panel.title,
      viewColumn: panel.viewColumn,
      columns: init.runs.flatMap((r) => r.summary.targets.map((t) => `${r.summary.started_at} · ${t.target}`)),
    }));
  }

  private async adopt(panel: vscode.WebviewPanel, selection: readonly CompareSelection[], init: CompareInitMessage): Promise<void> {
    const runDirs = selection.map((s) => s.dir);
    this.lastMessage = init;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'perflab.svg');
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, panel.title);
    const key = selectionKey(selection);
    this.panels.set(key, { panel, init });
    this.group.track(panel);
    const subscription = panel.webview.onDidReceiveMessage(async (m: unknown) => {
      if (!isWebviewToHost(m)) return;
      if (m.type === 'ready') {
        await panel.webview.postMessage(init);
      } else if (m.type === 'exportPng') {
        const uri = await this.saveDialog({ defaultUri: vscode.Uri.file(path.join(runDirs[0], `${m.chartId}.png`)), filters: { 'PNG image': ['png'] } });
        if (uri) fs.writeFileSync(uri.fsPath, Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64'));
      } else if (m.type === 'exportHtml') {
        const uri = await this.saveDialog({ defaultUri: vscode.Uri.file(path.join(runDirs[0], 'compare.html')), filters: { HTML: ['html'] } });
        if (uri)
          fs.writeFileSync(uri.fsPath, htmlReport(panel.title, init, readReportAssets(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview').fsPath)));
      }
    });
    panel.onDidDispose(() => {
      subscription.dispose();
      if (this.panels.get(key)?.panel === panel) this.panels.delete(key);
    });
  }

  private savedSelections(): Record<string, (string[] | null)[]> {
    return this.memento.get<Record<string, (string[] | null)[]>>(SELECTIONS_KEY) ?? {};
  }

  /** Remembers the targets of a selection that left some out (the webview keeps only the folders). */
  private async saveSelection(selection: readonly CompareSelection[]): Promise<void> {
    const saved = this.savedSelections();
    const key = selection.map((s) => s.dir).join('\n');
    delete saved[key];
    saved[key] = selection.map((s) => s.targets);
    const entries = Object.entries(saved).slice(-SELECTIONS_KEPT);
    await this.memento.update(SELECTIONS_KEY, Object.fromEntries(entries));
  }

  dispose(): void {
    for (const { panel } of [...this.panels.values()]) panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The same runs with the same targets (in any order) are the same comparison. */
function selectionKey(selection: readonly CompareSelection[]): string {
  return JSON.stringify(selection.map((s) => [path.resolve(s.dir), s.targets === null ? null : [...s.targets].sort()]));
}
