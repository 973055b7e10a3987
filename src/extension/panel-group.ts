// The editor group the extension's panels (Run, Compare, Capacity) share. The first panel opens beside
// the active editor; every later one opens in the group of the panels already open, so each action does
// not split off another group (opening "Beside" each time piles groups up).

import * as vscode from 'vscode';

export class PanelGroup implements vscode.Disposable {
  private readonly panels = new Map<vscode.WebviewPanel, vscode.Disposable[]>();
  /** The group a panel of ours was last active in. */
  private lastColumn: vscode.ViewColumn | undefined;

  /** Follows `panel` (where it is, and when it closes). */
  track(panel: vscode.WebviewPanel): void {
    if (this.panels.has(panel)) return;
    this.remember(panel);
    this.panels.set(panel, [
      panel.onDidChangeViewState(() => this.remember(panel)),
      panel.onDidDispose(() => {
        for (const d of this.panels.get(panel) ?? []) d.dispose();
        this.panels.delete(panel);
      }),
    ]);
  }

  /** Where a new panel opens: the group of our open panels, else beside the active editor. */
  column(): vscode.ViewColumn {
    const open = [...this.panels.keys()].map((p) => p.viewColumn).filter((c): c is vscode.ViewColumn => c !== undefined);
    if (this.lastColumn !== undefined && open.includes(this.lastColumn)) return this.lastColumn;
    return open[0] ?? vscode.ViewColumn.Beside;
  }

  private remember(panel: vscode.WebviewPanel): void {
    if (panel.viewColumn !== undefined && (panel.active || this.lastColumn === undefined)) this.lastColumn = panel.viewColumn;
  }

  dispose(): void {
    for (const list of this.panels.values()) for (const d of list) d.dispose();
    this.panels.clear();
  }
}
