// The Capacity panel's host side: the capacity curve of a search (live while it runs, or a capacity
// folder on disk) in the same webview bundle as the Run panel. Each step opens its own run in the Run
// panel; the panel can be saved as one self-contained HTML report.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isCapacityFolder, readCapacityFile } from '../results/capacity-files';
import { htmlReport, readReportAssets } from '../shared/html-report';
import { isWebviewToHost, type CapacityInitMessage, type HostToWebview, type WebviewToHost } from '../protocol/panel';
import type { ActiveCapacity, CapacityController } from './capacity-controller';
import type { PanelGroup } from './panel-group';
import { panelHtml, webviewOptions } from './panel-html';
import type { SaveDialog } from './run-panel';

export const CAPACITY_PANEL_TYPE = 'perflab.capacity';

class CapacityPanel implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** For tests: messages posted so far. */
  messagesSent = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly dir: string,
    private search: ActiveCapacity | null,
    private readonly extensionUri: vscode.Uri,
    private readonly openRun: (runDir: string) => void,
    private readonly saveDialog: SaveDialog,
    onDisposed: () => void,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = panelHtml(panel.webview, extensionUri, panel.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.onMessage(m);
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false; // reloaded when shown again; it says `ready` then
      }),
      panel.onDidDispose(() => {
        this.dispose();
        onDisposed();
      }),
    );
  }

  /** The search moved on (or ended: the panel then reads the folder like any past search). */
  update(search: ActiveCapacity): void {
    if (!search.live) this.search = null;
    this.post({ type: 'capacityUpdate', report: search.report, current: search.current, live: search.live });
  }

  private init(): CapacityInitMessage {
    const s = this.search;
    return s
      ? { type: 'capacityInit', capacityId: this.dir, report: s.report, current: s.current, live: s.live, interactive: true }
      : { type: 'capacityInit', capacityId: this.dir, report: readCapacityFile(this.dir), current: null, live: false, interactive: true };
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          this.post(this.init());
          return;
        case 'openStepRun': {
          // Only a step folder inside this search's folder: the message comes from a webview.
          const runDir = path.resolve(this.dir, m.runDir);
          if (!runDir.startsWith(path.resolve(this.dir) + path.sep) || !fs.existsSync(runDir)) throw new Error(`no step run folder ${m.runDir} in ${this.dir}`);
          this.openRun(runDir);
          return;
        }
        case 'exportHtml': {
          const init = { ...this.init(), interactive: false };
          const assets = readReportAssets(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview').fsPath);
          const uri = await this.saveDialog({ defaultUri: vscode.Uri.file(path.join(this.dir, 'capacity.html')), filters: { HTML: ['html'] } });
          if (!uri) return;
          fs.writeFileSync(uri.fsPath, htmlReport(`Capacity of ${init.report.scenario.name} — LLM Perf Lab`, init, assets));
          void vscode.window.showInformationMessage(`LLM Perf Lab: saved ${path.basename(uri.fsPath)}.`);
          return;
        }
        default:
          return; // the Run panel's exports do not apply to a capacity search
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private post(message: HostToWebview): void {
    if (!this.ready) return;
    this.messagesSent++;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Every open Capacity panel, one per capacity folder. */
export class CapacityPanels implements vscode.Disposable {
  private readonly panels = new Map<string, CapacityPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Replaceable by tests (a real save dialog cannot be answered from a test). */
  saveDialog: SaveDialog = (options) => vscode.window.showSaveDialog(options);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly searches: CapacityController,
    private readonly group: PanelGroup,
    private readonly openRun: (runDir: string) => void,
  ) {
    this.disposables.push(
      searches.onDidStart((search) => this.show(search.outDir, search)),
      searches.onDidUpdate((search) => this.panels.get(path.resolve(search.outDir))?.update(search)),
      vscode.window.registerWebviewPanelSerializer(CAPACITY_PANEL_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const dir = (state as { capacityId?: unknown } | undefined)?.capacityId;
          if (typeof dir === 'string' && isCapacityFolder(dir)) this.adopt(panel, dir, null);
          else panel.dispose();
        },
      }),
    );
  }

  /** Opens (or reveals) the panel of a capacity folder; follows it live while its search runs. */
  open(dir: string): void {
    const live = this.searches.searches.find((s) => path.resolve(s.outDir) === path.resolve(dir)) ?? null;
    if (!live) readCapacityFile(dir); // a clear error before a panel opens on nothing
    this.show(dir, live);
  }

  /** For tests: the open panels' folders and how many messages each has sent. */
  probes(): { dir: string; messagesSent: number }[] {
    return [...this.panels.values()].map((p) => ({ dir: p.dir, messagesSent: p.messagesSent }));
  }

  private show(dir: string, search: ActiveCapacity | null): void {
    const existing = this.panels.get(path.resolve(dir));
    if (existing) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const name = search?.scenario.name ?? readCapacityFile(dir).scenario.name;
    // In the group of the extension's other panels, if any (panel-group.ts), not yet another group.
    const panel = vscode.window.createWebviewPanel(
      CAPACITY_PANEL_TYPE,
      `Capacity: ${name}`,
      { viewColumn: this.group.column(), preserveFocus: true },
      webviewOptions(this.extensionUri),
    );
    this.adopt(panel, dir, search);
  }

  private adopt(panel: vscode.WebviewPanel, dir: string, search: ActiveCapacity | null): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'perflab.svg');
    const key = path.resolve(dir);
    this.panels.set(
      key,
      new CapacityPanel(
        panel,
        dir,
        search,
        this.extensionUri,
        this.openRun,
        (o) => this.saveDialog(o),
        () => this.panels.delete(key),
      ),
    );
    this.group.track(panel);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
