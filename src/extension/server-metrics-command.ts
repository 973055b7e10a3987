// The editor's side of `server_metrics:` that needs VS Code: the Microsoft account's token for Azure
// Monitor (the command "Fetch Server Metrics (Azure Monitor)", and a silent fetch when a run whose Azure
// block is pending or incomplete is opened), and the question before a variable named in
// `server_metrics.auth` is sent to a metrics URL. The logic is in server-metrics-fetch.ts and
// server-metrics-token.ts; this file only asks and tells.

import * as vscode from 'vscode';
import type { Target } from '../engine/scenario/types';
import { readSummaryFile } from '../results/run-files';
import { azureFetchWanted, microsoftTokenProvider, signedInFor, type FetchOutcome, type MicrosoftSession, ServerMetricsFetcher } from './server-metrics-fetch';
import { MetricsTokenStore } from './server-metrics-token';
import { settings } from './settings';

export const FETCH_SERVER_METRICS_COMMAND = 'perflab.fetchServerMetrics';

/** VS Code's Microsoft account: `silent` never asks; `ask` signs in when needed. */
export const vscodeMicrosoftSession: MicrosoftSession = async (scopes, mode) =>
  mode === 'silent'
    ? vscode.authentication.getSession('microsoft', scopes, { silent: true })
    : vscode.authentication.getSession('microsoft', scopes, { createIfNone: true });

export class ServerMetricsCommands {
  private readonly fetcher = new ServerMetricsFetcher(() => settings.proxy());
  /** Run folders whose "sign in to fetch" question was asked already (once per window). */
  private readonly asked = new Set<string>();

  /** The Microsoft account; replaceable by tests (a test VS Code has no account to sign in to). */
  getSession: MicrosoftSession = vscodeMicrosoftSession;

  constructor(
    private readonly output: vscode.OutputChannel,
    /** Redraws the Run panels showing a run folder (after its files changed). */
    private readonly refresh: (runDir: string) => void,
  ) {}

  /** The command: fetch now, signing in if needed, and say what came of it. */
  async fetchNow(runDir: string): Promise<FetchOutcome | undefined> {
    let summary;
    try {
      summary = readSummaryFile(runDir);
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const name = summary?.scenario.name ?? runDir;
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `LLM Perf Lab: fetching the Azure Monitor metrics of "${name}"…` },
        () => this.fetcher.fetch(runDir, name, microsoftTokenProvider(this.getSession, 'ask')),
      );
      this.report(outcome, true);
      return outcome;
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      this.refresh(runDir);
    }
  }

  /** A run was opened: when Azure may have more for it, fetch without asking anything — or, when no
   *  Microsoft account is signed in, offer to sign in (once). */
  async fetchSilently(runDir: string): Promise<void> {
    let summary;
    try {
      summary = readSummaryFile(runDir);
    } catch {
      return; // the panel says what is wrong with the folder
    }
    if (!summary || !azureFetchWanted(summary) || this.fetcher.busy(runDir)) return;
    if (!(await signedInFor(summary, this.getSession))) {
      if (this.asked.has(runDir)) return;
      this.asked.add(runDir);
      const choice = await vscode.window.showInformationMessage(
        `LLM Perf Lab: the Azure Monitor metrics of "${summary.scenario.name}" are not fetched yet. Sign in with your Microsoft account to fetch them (the token goes to Azure Resource Manager only; the identity needs the Monitoring Reader role).`,
        'Fetch Now',
      );
      if (choice === 'Fetch Now') await this.fetchNow(runDir);
      return;
    }
    try {
      const outcome = await this.fetcher.fetch(runDir, summary.scenario.name, microsoftTokenProvider(this.getSession, 'silent'));
      this.report(outcome, false);
      this.refresh(runDir);
    } catch (error) {
      this.output.appendLine(`Azure Monitor fetch of ${runDir} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private report(outcome: FetchOutcome, tell: boolean): void {
    this.output.appendLine(`[${new Date().toISOString()}] ${outcome.text}`);
    if (!tell) return;
    if (outcome.failed) void vscode.window.showErrorMessage(`LLM Perf Lab: ${outcome.text}`);
    else if (!outcome.complete)
      void vscode.window.showInformationMessage(`LLM Perf Lab: ${outcome.text}. Azure publishes metrics a few minutes late: fetch again later.`);
    else void vscode.window.showInformationMessage(`LLM Perf Lab: ${outcome.text}.`);
  }
}

/** The token for a target's metrics URL: an allowed variable, null when it is not set; asks before a
 *  variable goes to a metrics URL for the first time, and throws when the user does not allow it. */
export function metricsTokenResolver(secrets: vscode.SecretStorage): (target: Target) => Promise<string | null> {
  const store = new MetricsTokenStore(secrets);
  return async (target) => {
    const found = await store.resolve(target);
    if ('value' in found) return found.value;
    if ('needsApproval' in found) {
      const choice = await vscode.window.showWarningMessage(
        `Send the value of environment variable ${found.needsApproval} as the token for the server metrics at ${found.origin} (target "${target.name}")?`,
        {
          modal: true,
          detail:
            'LLM Perf Lab sends it only to that address (server_metrics.prometheus), never to the model endpoint. You will be asked again if the address changes.',
        },
        'Allow',
      );
      if (choice !== 'Allow')
        throw new Error(
          `target "${target.name}": environment variable ${found.needsApproval} was not allowed for the server metrics at ${found.origin}; nothing was sent`,
        );
      await store.approve(target);
      const approved = await store.resolve(target);
      return 'value' in approved ? approved.value : null;
    }
    return null;
  };
}
