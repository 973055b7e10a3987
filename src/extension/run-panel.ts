// The Run panel's host side: opens a webview beside the editor when a run starts (or when a past run is
// opened), feeds it the run's windows, histograms and summary, and carries out what the webview asks
// (save PNG/CSV/JSON/HTML, copy KQL, compare targets). Updates are batched and sent at most
// `perflab.chartRefreshRate` times per second, so a long, busy run stays smooth.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WindowSnapshot } from '../engine/records';
import { exportRunData } from '../shared/export-data';
import { htmlReport, readReportAssets } from '../shared/html-report';
import { kqlForTarget } from '../shared/kql';
import { isWebviewToHost, type HostToWebview, type InitMessage, type WebviewToHost } from '../shared/panel-messages';
import { panelTargets } from '../shared/panel-targets';
import { readRunFiles } from '../shared/run-files';
import { panelHtml, webviewOptions } from './panel-html';
import type { ActiveRun, RunController, RunUpdate } from './run-controller';
import { settings } from './settings';

export const RUN_PANEL_TYPE = 'perflab.run';

/** What a Run panel shows: a run in progress (followed live) or a run folder on disk. */
type Source = { kind: 'live'; run: ActiveRun } | { kind: 'files'; runDir: string };

/** Where exports go: VS Code's save dialog (tests substitute a fixed path). */
export type SaveDialog = (options: vscode.SaveDialogOptions) => Thenable<vscode.Uri | undefined>;

/** For tests: what a panel has sent so far. */
export interface RunPanelProbe {
  runDir: string;
  live: boolean;
  ready: boolean;
  windowsSent: number;
  messagesSent: number;
}

class RunPanel implements vscode.Disposable {
  private ready = false;
  private pendingWindows: WindowSnapshot[] = [];
  private pendingDistributions = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly disposables: vscode.Disposable[] = [];
  readonly probe: RunPanelProbe;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private source: Source,
    private readonly extensionUri: vscode.Uri,
    private readonly onCompareTargets: (runDir: string) => void,
    private readonly saveDialog: SaveDialog,
    onDisposed: () => void,
  ) {
    this.probe = { runDir: this.runDir, live: source.kind === 'live', ready: false, windowsSent: 0, messagesSent: 0 };
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = panelHtml(panel.webview, extensionUri, panel.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.onMessage(m);
      }),
      // A hidden webview is torn down (we do not retain it); when shown again it loads afresh and says
      // `ready`, and gets everything again. Until then nothing is posted to it.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.setReady(false);
      }),
      vscode.window.onDidChangeActiveColorTheme((theme) => this.post({ type: 'theme', kind: themeKind(theme.kind) })),
      panel.onDidDispose(() => {
        this.dispose();
        onDisposed();
      }),
    );
  }

  get runDir(): string {
    return this.source.kind === 'live' ? this.source.run.runDir : this.source.runDir;
  }

  /** A live run's update: batched, then flushed at most chartRefreshRate times a second. */
  update(update: RunUpdate): void {
    if (!this.ready) return; // `init` on the next `ready` will carry it
    switch (update.kind) {
      case 'window':
        this.pendingWindows.push(update.snapshot);
        break;
      case 'distributions':
        this.pendingDistributions = true;
        break;
      case 'done':
        this.flush();
        this.post({ type: 'summary', summary: update.summary });
        return;
      case 'failed':
        this.flush();
        return;
    }
    this.scheduleFlush();
  }

  /** Show `source` (e.g. the live run ended and the user reopened it). */
  reset(source: Source): void {
    this.source = source;
    this.probe.live = source.kind === 'live';
    if (this.ready) void this.sendInit();
  }

  private setReady(ready: boolean): void {
    this.ready = ready;
    this.probe.ready = ready;
    if (!ready) {
      this.pendingWindows = [];
      this.pendingDistributions = false;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const interval = 1000 / settings.chartRefreshRate();
    const wait = Math.max(0, this.lastFlush + interval - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlush = Date.now();
    if (this.pendingWindows.length > 0) {
      this.post({ type: 'windows', windows: this.pendingWindows });
      this.probe.windowsSent += this.pendingWindows.length;
      this.pendingWindows = [];
    }
    if (this.pendingDistributions && this.source.kind === 'live') {
      this.post({ type: 'distributions', distributions: this.source.run.distributions });
      this.pendingDistributions = false;
    }
  }

  private async sendInit(): Promise<void> {
    const init = await this.initMessage();
    this.pendingWindows = [];
    this.pendingDistributions = false;
    this.post(init);
    this.probe.windowsSent = init.windows.length;
  }

  private async initMessage(): Promise<InitMessage> {
    const targets = (scenario: ActiveRun['scenario']) => panelTargets(scenario, settings.pricingOverrides());
    if (this.source.kind === 'live') {
      const run = this.source.run;
      return {
        type: 'init',
        runId: run.runDir,
        scenario: run.scenario,
        targets: targets(run.scenario),
        windows: [...run.windows],
        summary: run.summary,
        distributions: run.distributions,
        live: run.summary === null,
        interactive: true,
      };
    }
    const files = await readRunFiles(this.source.runDir);
    return {
      type: 'init',
      runId: files.dir,
      scenario: files.scenario,
      targets: targets(files.scenario),
      windows: files.windows,
      summary: files.summary,
      distributions: files.distributions,
      live: false,
      interactive: true,
    };
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.setReady(true);
          await this.sendInit();
          return;
        case 'exportPng':
          return await this.saveFile(`${m.chartId}.png`, { 'PNG image': ['png'] }, (file) => fs.writeFileSync(file, Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64')));
        case 'exportData':
          return await this.saveFile(`${m.what}.${m.format}`, m.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] }, (file) => exportRunData(this.runDir, m.what, m.format, file));
        case 'exportHtml': {
          const init = await this.initMessage();
          const assets = readReportAssets(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview').fsPath);
          return await this.saveFile('report.html', { HTML: ['html'] }, (file) => fs.writeFileSync(file, htmlReport(`${init.scenario.name} — LLM Perf Lab`, init, assets)));
        }
        case 'copyKql':
          return await this.copyKql(m.target);
        case 'compareTargets':
          this.onCompareTargets(this.runDir);
          return;
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async copyKql(target: string): Promise<void> {
    const live = this.source.kind === 'live' ? this.source.run : null;
    const summary = live?.summary ?? (live ? null : (await readRunFiles(this.runDir)).summary);
    const run = summary ?? (live ? { scenario: live.scenario, started_at: new Date(live.startedAt).toISOString(), ended_at: new Date().toISOString() } : null);
    const kql = run ? kqlForTarget(run, target) : null;
    if (!kql) {
      void vscode.window.showInformationMessage(`LLM Perf Lab: the KQL query is for Azure OpenAI targets; "${target}" is not one${run ? '' : ', or its run has no summary'}.`);
      return;
    }
    await vscode.env.clipboard.writeText(kql);
    void vscode.window.showInformationMessage(`LLM Perf Lab: KQL for "${target}" copied — paste it into your Log Analytics workspace.`);
  }

  /** Asks where to save (defaulting to the run folder) and writes there. */
  private async saveFile(name: string, filters: Record<string, string[]>, write: (file: string) => unknown): Promise<void> {
    const uri = await this.saveDialog({ defaultUri: vscode.Uri.file(path.join(this.runDir, name)), filters });
    if (!uri) return;
    await write(uri.fsPath);
    void vscode.window.showInformationMessage(`LLM Perf Lab: saved ${path.basename(uri.fsPath)}.`);
  }

  private post(message: HostToWebview): void {
    if (!this.ready) return;
    this.probe.messagesSent++;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Every open Run panel, one per run folder. */
export class RunPanels implements vscode.Disposable {
  private readonly panels = new Map<string, RunPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Replaceable by tests (a real save dialog cannot be answered from a test). */
  saveDialog: SaveDialog = (options) => vscode.window.showSaveDialog(options);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunController,
    private readonly onCompareTargets: (runDir: string) => void,
  ) {
    this.disposables.push(
      runs.onDidStartRun((run) => {
        if (settings.openPanelOnRun()) this.show({ kind: 'live', run }, true);
      }),
      runs.onDidUpdateRun((update) => this.panels.get(key(update.run.runDir))?.update(update)),
      // After a window reload, panels come back from their saved state (the run folder).
      vscode.window.registerWebviewPanelSerializer(RUN_PANEL_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const runDir = (state as { runId?: unknown } | undefined)?.runId;
          if (typeof runDir === 'string' && fs.existsSync(runDir)) this.adopt(panel, { kind: 'files', runDir });
          else panel.dispose();
        },
      }),
    );
  }

  /** Opens (or reveals) the panel of a run folder; follows it live if that run is still going. */
  open(runDir: string): void {
    const active = this.runs.runs.find((r) => key(r.runDir) === key(runDir));
    this.show(active ? { kind: 'live', run: active } : { kind: 'files', runDir }, false);
  }

  /** For tests. */
  probes(): RunPanelProbe[] {
    return [...this.panels.values()].map((p) => ({ ...p.probe }));
  }

  private show(source: Source, preserveFocus: boolean): void {
    const runDir = source.kind === 'live' ? source.run.runDir : source.runDir;
    const existing = this.panels.get(key(runDir));
    if (existing) {
      if (source.kind === 'files') existing.reset(source);
      existing.panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
      return;
    }
    const scenarioName = source.kind === 'live' ? source.run.scenario.name : path.basename(runDir);
    const panel = vscode.window.createWebviewPanel(RUN_PANEL_TYPE, `Run: ${scenarioName}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, webviewOptions(this.extensionUri));
    this.adopt(panel, source);
  }

  private adopt(panel: vscode.WebviewPanel, source: Source): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'perflab.svg');
    const runDir = source.kind === 'live' ? source.run.runDir : source.runDir;
    const runPanel = new RunPanel(panel, source, this.extensionUri, this.onCompareTargets, (options) => this.saveDialog(options), () => this.panels.delete(key(runDir)));
    this.panels.set(key(runDir), runPanel);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function key(runDir: string): string {
  return path.resolve(runDir);
}

function themeKind(kind: vscode.ColorThemeKind): 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' {
  switch (kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'high-contrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'high-contrast-light';
    default:
      return 'dark';
  }
}
