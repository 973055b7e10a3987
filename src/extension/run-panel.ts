// The Run panel's host side: opens a webview beside the editor when a run starts (or when a past run is
// opened), feeds it the run's windows, histograms and summary, and carries out what the webview asks
// (save PNG/CSV/JSON/HTML, copy KQL, compare targets, fetch Azure Monitor metrics). One panel per
// scenario, reused: a new run (or
// another past run) of a scenario switches that scenario's panel to it, and its tab says when the run
// started. Updates are batched and sent at most `perflab.chartRefreshRate` times per second, so a
// long, busy run stays smooth.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WindowSnapshot } from '../engine/records';
import type { RunSummary } from '../engine/summary';
import type { ServerSeries } from '../results/server-series';
import { exportRunData } from '../results/export-data';
import { htmlReport, readReportAssets } from '../shared/html-report';
import { kqlForTarget } from '../shared/kql';
import { isWebviewToHost, type HostToWebview, type InitMessage, type WebviewToHost } from '../protocol/panel';
import { panelTargets, runInitMessage } from '../shared/panel-targets';
import { readRunFiles } from '../results/run-files';
import type { PanelGroup } from './panel-group';
import { panelHtml, webviewOptions } from './panel-html';
import { runIdentity, runPanelTitle } from './panel-titles';
import type { ActiveRun, RunController, RunUpdate } from './run-controller';
import { FETCH_SERVER_METRICS_COMMAND } from './server-metrics-command';
import { settings } from './settings';

export const RUN_PANEL_TYPE = 'perflab.run';

/** What a Run panel shows: a run in progress (followed live) or a run folder on disk. */
type Source = { kind: 'live'; run: ActiveRun } | { kind: 'files'; runDir: string };

/** Where exports go: VS Code's save dialog (tests substitute a fixed path). */
export type SaveDialog = (options: vscode.SaveDialogOptions) => Thenable<vscode.Uri | undefined>;

/** For tests: what a panel shows and has sent so far. */
export interface RunPanelProbe {
  runDir: string;
  /** The scenario file the panel belongs to (the run folder when unknown). */
  scenarioKey: string;
  title: string;
  /** The editor group the panel is in. */
  viewColumn?: vscode.ViewColumn;
  live: boolean;
  ready: boolean;
  windowsSent: number;
  /** Server points sent (`server_metrics:`), in `init` and live batches. */
  serverPointsSent: number;
  messagesSent: number;
}

class RunPanel implements vscode.Disposable {
  private ready = false;
  private pendingWindows: WindowSnapshot[] = [];
  private pendingDistributions = false;
  /** The server's new points since the last flush, by target and series. */
  private pendingServer = new Map<string, ServerSeries>();
  /** The source whose Azure Monitor data was already asked for (once per run shown, not per redraw). */
  private autoFetched: Source | null = null;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly disposables: vscode.Disposable[] = [];
  readonly probe: RunPanelProbe;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly scenarioKey: string,
    private source: Source,
    private readonly extensionUri: vscode.Uri,
    private readonly onCompareTargets: (runDir: string) => void,
    private readonly saveDialog: SaveDialog,
    /** A finished run was shown whose Azure Monitor data may not all be in yet. */
    private readonly onAzurePending: (runDir: string) => void,
    onDisposed: () => void,
  ) {
    this.probe = {
      runDir: this.runDir,
      scenarioKey,
      title: panel.title,
      live: source.kind === 'live',
      ready: false,
      windowsSent: 0,
      serverPointsSent: 0,
      messagesSent: 0,
    };
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

  /** Following a run in progress (or one that ended while shown)? */
  get live(): boolean {
    return this.source.kind === 'live';
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
      case 'server':
        for (const s of update.series) {
          const key = `${s.target}\u0000${s.id}`;
          const pending = this.pendingServer.get(key);
          if (pending) pending.points.push(...s.points);
          else this.pendingServer.set(key, { ...s, points: [...s.points] });
        }
        break;
      case 'done':
        this.flush();
        this.post({ type: 'summary', summary: update.summary });
        this.askForAzure(update.summary);
        return;
      case 'failed':
        this.flush();
        return;
    }
    this.scheduleFlush();
  }

  /** Show `source`: another run of this scenario, or the live run ended and the user reopened it. */
  reset(source: Source, title: string): void {
    this.source = source;
    this.panel.title = title;
    // Updates batched for the run shown before belong to that run.
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pendingWindows = [];
    this.pendingDistributions = false;
    this.pendingServer.clear();
    Object.assign(this.probe, { runDir: this.runDir, title, live: source.kind === 'live', windowsSent: 0, serverPointsSent: 0 });
    if (this.ready) void this.sendInit();
  }

  /** The run folder's files changed (an Azure Monitor fetch): draw them again. A run still going is left
   *  alone; one that has ended is shown from its files from now on. */
  reload(): void {
    if (this.source.kind === 'live') {
      if (this.source.run.summary === null) return;
      const asked = this.autoFetched === this.source;
      this.source = { kind: 'files', runDir: this.source.run.runDir };
      // Its Azure Monitor data were asked for already (the fetch that changed the files).
      if (asked) this.autoFetched = this.source;
      this.probe.live = false;
    }
    if (this.ready) void this.sendInit();
  }

  /** Once per run shown: a finished run whose Azure Monitor block is pending or incomplete is fetched. */
  private askForAzure(summary: RunSummary | null): void {
    if (this.autoFetched === this.source || !summary?.targets.some((t) => t.server?.azure_monitor)) return;
    this.autoFetched = this.source;
    this.onAzurePending(this.runDir);
  }

  private setReady(ready: boolean): void {
    this.ready = ready;
    this.probe.ready = ready;
    if (!ready) {
      this.pendingWindows = [];
      this.pendingDistributions = false;
      this.pendingServer.clear();
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
    if (this.pendingServer.size > 0) {
      const series = [...this.pendingServer.values()];
      this.post({ type: 'server', series });
      this.probe.serverPointsSent += series.reduce((n, s) => n + s.points.length, 0);
      this.pendingServer.clear();
    }
    if (this.pendingDistributions && this.source.kind === 'live') {
      this.post({ type: 'distributions', distributions: this.source.run.distributions });
      this.pendingDistributions = false;
    }
  }

  private async sendInit(): Promise<void> {
    const source = this.source;
    const init = await this.initMessage();
    // Reading a run folder takes a moment: the panel may have switched to another run meanwhile.
    if (source !== this.source) return;
    this.pendingWindows = [];
    this.pendingDistributions = false;
    this.pendingServer.clear();
    this.post(init);
    this.probe.windowsSent = init.windows.length;
    this.probe.serverPointsSent = (init.server ?? []).reduce((n, s) => n + s.points.length, 0);
    if (!init.live) this.askForAzure(init.summary);
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
        server: run.server.series(),
        live: run.summary === null,
        interactive: true,
      };
    }
    const files = await readRunFiles(this.source.runDir);
    return runInitMessage(files, { interactive: true, targets: targets(files.scenario) });
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.setReady(true);
          await this.sendInit();
          return;
        case 'exportPng':
          return await this.saveFile(`${m.chartId}.png`, { 'PNG image': ['png'] }, (file) =>
            fs.writeFileSync(file, Buffer.from(m.dataUrl.slice(m.dataUrl.indexOf(',') + 1), 'base64')),
          );
        case 'exportData':
          return await this.saveFile(`${m.what}.${m.format}`, m.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] }, (file) =>
            exportRunData(this.runDir, m.what, m.format, file),
          );
        case 'exportHtml': {
          const init = await this.initMessage();
          const assets = readReportAssets(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview').fsPath);
          return await this.saveFile('report.html', { HTML: ['html'] }, (file) =>
            fs.writeFileSync(file, htmlReport(`${init.scenario.name} — LLM Perf Lab`, init, assets)),
          );
        }
        case 'copyKql':
          return await this.copyKql(m.target);
        case 'compareTargets':
          this.onCompareTargets(this.runDir);
          return;
        case 'fetchServerMetrics':
          await vscode.commands.executeCommand(FETCH_SERVER_METRICS_COMMAND, this.runDir);
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
      void vscode.window.showInformationMessage(
        `LLM Perf Lab: the KQL query is for Azure OpenAI targets; "${target}" is not one${run ? '' : ', or its run has no summary'}.`,
      );
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

/** Every open Run panel, one per scenario. */
export class RunPanels implements vscode.Disposable {
  private readonly panels = new Map<string, RunPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Replaceable by tests (a real save dialog cannot be answered from a test). */
  saveDialog: SaveDialog = (options) => vscode.window.showSaveDialog(options);
  /** A finished run was shown whose Azure Monitor data may not all be in yet (set on activation). */
  onAzurePending: (runDir: string) => void = () => undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunController,
    private readonly group: PanelGroup,
    private readonly onCompareTargets: (runDir: string) => void,
  ) {
    this.disposables.push(
      runs.onDidStartRun((run) => {
        if (settings.openPanelOnRun()) this.show({ kind: 'live', run }, true);
      }),
      runs.onDidUpdateRun((update) => {
        for (const p of this.panels.values()) if (key(p.runDir) === key(update.run.runDir)) p.update(update);
      }),
      // After a window reload, panels come back from their saved state (the run folder).
      vscode.window.registerWebviewPanelSerializer(RUN_PANEL_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const runDir = (state as { runId?: unknown } | undefined)?.runId;
          const source: Source | null = typeof runDir === 'string' && fs.existsSync(runDir) ? { kind: 'files', runDir } : null;
          // Two panels of one scenario restored (saved before panels were reused): keep the first.
          if (source && !this.panels.has(scenarioKey(source))) {
            panel.title = titleOf(source);
            this.adopt(panel, source);
          } else panel.dispose();
        },
      }),
    );
  }

  /** Opens (or reveals) the scenario's panel on a run folder; follows it live if that run is still going. */
  open(runDir: string): void {
    const active = this.runs.runs.find((r) => key(r.runDir) === key(runDir));
    this.show(active ? { kind: 'live', run: active } : { kind: 'files', runDir }, false);
  }

  /** Draws a run folder again in the panels showing it (its files changed). */
  refresh(runDir: string): void {
    for (const p of this.panels.values()) if (key(p.runDir) === key(runDir)) p.reload();
  }

  /** For tests. */
  probes(): RunPanelProbe[] {
    return [...this.panels.values()].map((p) => ({ ...p.probe, title: p.panel.title, viewColumn: p.panel.viewColumn }));
  }

  private show(source: Source, preserveFocus: boolean): void {
    const existing = this.panels.get(scenarioKey(source));
    if (existing) {
      // The same live run: just bring it forward. Anything else (another run, or a finished run
      // reopened from its files) replaces what the panel shows.
      const same = source.kind === 'live' && existing.live && key(existing.runDir) === key(source.run.runDir);
      if (!same) existing.reset(source, titleOf(source));
      existing.panel.reveal(existing.panel.viewColumn, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      RUN_PANEL_TYPE,
      titleOf(source),
      { viewColumn: this.group.column(), preserveFocus },
      webviewOptions(this.extensionUri),
    );
    this.adopt(panel, source);
  }

  private adopt(panel: vscode.WebviewPanel, source: Source): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'perflab.svg');
    const scenario = scenarioKey(source);
    const runPanel = new RunPanel(
      panel,
      scenario,
      source,
      this.extensionUri,
      this.onCompareTargets,
      (options) => this.saveDialog(options),
      (runDir) => this.onAzurePending(runDir),
      () => this.panels.delete(scenario),
    );
    this.panels.set(scenario, runPanel);
    this.group.track(panel);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Panels are one per scenario file; a run folder that names none has a panel of its own. */
function scenarioKey(source: Source): string {
  if (source.kind === 'live') return key(source.run.scenarioFile);
  const file = runIdentity(source.runDir).scenarioFile;
  return file ? key(file) : `run:${key(source.runDir)}`;
}

/** `Run: quickstart · 14:02:31`: the start time tells two runs' tabs apart. */
function titleOf(source: Source): string {
  if (source.kind === 'live') return runPanelTitle(source.run.scenario.name, new Date(source.run.startedAt));
  const id = runIdentity(source.runDir);
  return runPanelTitle(id.scenarioName, id.startedAt);
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
