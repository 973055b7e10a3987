// The extension's settings (contributed in package.json under `perflab.*`), read in one place.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProxyConfig } from '../engine/proxy';
import { DEFAULT_RUNS_FOLDER } from '../results/files';
import { withPricing, type ModelOverrides, type Rates } from '../tokens';

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('perflab');
}

export const settings = {
  /** Absolute runs folder for a scenario: `perflab.resultsFolder`, relative to its workspace folder. */
  runsFolder(scenarioFile: string): string {
    const workspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(scenarioFile));
    return this.workspaceRunsFolder(workspace?.uri.fsPath ?? path.dirname(scenarioFile));
  },
  /** The runs folder of a workspace folder (an absolute setting is the same for every folder). */
  workspaceRunsFolder(workspaceFolder: string): string {
    const folder = config().get<string>('resultsFolder') || DEFAULT_RUNS_FOLDER;
    return path.isAbsolute(folder) ? folder : path.join(workspaceFolder, folder);
  },
  /** Capacity searches go beside the runs folder: `<runs folder>/../capacity` (.perflab/capacity by default). */
  capacityFolder(scenarioFile: string): string {
    return path.join(path.dirname(this.runsFolder(scenarioFile)), 'capacity');
  },
  workspaceCapacityFolder(workspaceFolder: string): string {
    return path.join(path.dirname(this.workspaceRunsFolder(workspaceFolder)), 'capacity');
  },
  /** What Stop does with requests in flight. */
  onStop(): 'drain' | 'abort' {
    return config().get<'drain' | 'abort'>('onStop') ?? 'drain';
  },
  defaultProvider(): string {
    return config().get<string>('defaultProvider') ?? 'azure';
  },
  defaultApiVersion(): string {
    return config().get<string>('defaultApiVersion') ?? '2024-10-21';
  },
  /** Most updates per second sent to the Run panel (`perflab.chartRefreshRate`, 0.5–10). */
  chartRefreshRate(): number {
    const rate = config().get<number>('chartRefreshRate') ?? 4;
    return Math.min(10, Math.max(0.5, Number.isFinite(rate) ? rate : 4));
  },
  /** Open the Run panel beside the editor when a run starts. */
  openPanelOnRun(): boolean {
    return config().get<boolean>('openPanelOnRun') ?? true;
  },
  /** `perflab.pricing`: USD per 1M tokens by model, over the catalog's prices (src/tokens/pricing.ts). */
  pricingOverrides(): ModelOverrides {
    return withPricing({}, config().get<Record<string, Rates>>('pricing') ?? {}, 'setting');
  },
  /** VS Code's proxy settings, for the engine worker: VS Code's own proxy support does not reach
   *  worker threads. An empty `http.proxy` leaves the environment's HTTPS_PROXY / HTTP_PROXY. */
  proxy(): ProxyConfig {
    const http = vscode.workspace.getConfiguration('http');
    const noProxy = http.get<unknown>('noProxy'); // not in every VS Code version
    return {
      url: http.get<string>('proxy') || undefined,
      noProxy: Array.isArray(noProxy) ? noProxy.filter((s): s is string => typeof s === 'string') : undefined,
      strictSSL: http.get<boolean>('proxyStrictSSL') ?? true,
    };
  },
};
