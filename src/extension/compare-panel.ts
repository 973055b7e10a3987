// The Compare panel's host side: reads the chosen run folders (or the targets of one run), labels
// them, picks the alignment — one clock for the parallel targets of one run, each from its own start
// for separate runs or sequential targets — and hands everything to the webview in one message.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { htmlReport, readReportAssets } from '../shared/html-report';
import { isWebviewToHost, type CompareInitMessage, type CompareRunData } from '../shared/panel-messages';
import { readRunFiles, RunFilesError } from '../shared/run-files';
import { panelHtml, webviewOptions } from './panel-html';
import type { SaveDialog } from './run-panel';

export const COMPARE_PANEL_TYPE = 'perflab.compare';

/** The Compare message for run folders. Every run must have finished (its summary is what is compared). */
export async function compareMessage(runDirs: string[]): Promise<CompareInitMessage> {
  const files = await Promise.all(runDirs.map((dir) => readRunFiles(dir)));
  const unfinished = files.filter((f) => f.summary === null).map((f) => path.basename(f.dir));
  if (unfinished.length > 0) throw new RunFilesError(`not finished yet, so not comparable: ${unfinished.join(', ')}`);
  const columns = files.reduce((n, f) => n + f.summary!.targets.length, 0);
  if (columns < 2) throw new RunFilesError('pick two or more runs, or a run with two or more targets, to compare');
  const runs: CompareRunData[] = files.map((f) => ({ label: runLabel(f.summary!.scenario.name, f.summary!.started_at, files.length), summary: f.summary!, windows: f.windows }));
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
  private readonly panels = new Set<vscode.WebviewPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /** For tests: what the last Compare panel opened shows. */
  lastMessage: CompareInitMessage | null = null;
  /** Replaceable by tests (a real save dialog cannot be answered from a test). */
  saveDialog: SaveDialog = (options) => vscode.window.showSaveDialog(options);

  constructor(private readonly extensionUri: vscode.Uri) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const dirs = (state as { runIds?: unknown } | undefined)?.runIds;
          if (Array.isArray(dirs) && dirs.every((d) => typeof d === 'string' && fs.existsSync(d))) await this.adopt(panel, dirs as string[]);
          else panel.dispose();
        },
      }),
    );
  }

  async open(runDirs: string[]): Promise<void> {
    const message = await compareMessage(runDirs);
    const title = message.alignment === 'clock' ? `Compare: ${message.runs[0].summary.scenario.name}` : `Compare ${message.runs.length} runs`;
    const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions(this.extensionUri));
    await this.adopt(panel, runDirs, message);
  }

  private async adopt(panel: vscode.WebviewPanel, runDirs: string[], message?: CompareInitMessage): Promise<void> {
    const init = message ?? (await compareMessage(runDirs));
    this.lastMessage = init;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'perflab.svg');
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, panel.title);
    this.panels.add(panel);
    const subscription = panel.webview.onDidReceiveMessage(async (m: unknown) => {
      if (!isWebviewToHost(m)) return;
      if (m.type === 'ready') {
        await panel.webview.postMessage(init);
      } else if (m.type === 'exportPng') {
        const uri = await this.saveDialog({ defaultUri: vscode.Uri.file(path.join(runDirs[0], `${m.chartId}.png`)), filters: { 'PNG image': ['png'] } });
        if (uri) fs.writeFileSync(uri.fsPath, Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64'));
      } else if (m.type === 'exportHtml') {
        const uri = await this.saveDialog({ defaultUri: vscode.Uri.file(path.join(runDirs[0], 'compare.html')), filters: { HTML: ['html'] } });
        if (uri) fs.writeFileSync(uri.fsPath, htmlReport(panel.title, init, readReportAssets(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview').fsPath)));
      }
    });
    panel.onDidDispose(() => {
      subscription.dispose();
      this.panels.delete(panel);
    });
  }

  dispose(): void {
    for (const p of this.panels) p.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
