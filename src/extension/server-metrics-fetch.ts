// The editor's Azure Monitor fetch for a run folder (src/engine/server-metrics/azure-fetch.ts), with the
// Entra token of VS Code's Microsoft account: which runs still wait for Azure's data, the scope the
// token is asked for (the ARM endpoint of the target's cloud), one fetch per folder at a time, and what
// the user is told. The token goes to the ARM endpoint only (arm-client.ts refuses any other host).
// No 'vscode' here: the account is passed in as `getSession` (server-metrics-command.ts), so this is
// unit-tested against a local ARM stand-in.

import * as path from 'node:path';
import type { ProxyConfig } from '../engine/proxy';
import type { TokenProvider } from '../engine/server-metrics/arm-client';
import { AzureFetchError, fetchAzureServerMetrics, type AzureTargetResult } from '../engine/server-metrics/azure-fetch';
import { DEFAULT_ARM_ENDPOINT } from '../engine/server-metrics/azure-metrics';
import type { RunSummary } from '../engine/summary';

/** VS Code's `authentication.getSession('microsoft', scopes, …)`, reduced to what is used. `silent`:
 *  never ask (undefined when not signed in); otherwise sign in if needed. */
export type MicrosoftSession = (scopes: string[], mode: 'silent' | 'ask') => Promise<{ accessToken: string } | undefined>;

/** The scope of a token for an ARM endpoint: `https://management.azure.com/.default`. */
export function armScope(armEndpoint: string): string {
  return `${new URL(armEndpoint).origin}/.default`;
}

/** The ARM endpoints a run's Azure Monitor fetch calls (one per cloud its targets are in). */
export function armEndpointsOf(summary: RunSummary): string[] {
  const endpoints = summary.scenario.targets
    .filter((t) => t.server_metrics?.azure_monitor)
    .map((t) => t.server_metrics!.azure_monitor!.arm_endpoint ?? DEFAULT_ARM_ENDPOINT);
  return [...new Set(endpoints)];
}

/** Whether Azure may have more for this run: a target's Azure Monitor block is not fetched yet, or was
 *  fetched before Azure had published every minute. (An error waits for the user to fetch again.) */
export function azureFetchWanted(summary: RunSummary | null): boolean {
  if (!summary || summary.stopped_by === 'error') return false;
  return summary.targets.some((t) => t.server?.azure_monitor?.status === 'pending' || t.server?.azure_monitor?.status === 'incomplete');
}

/** A token provider from the Microsoft account: `ask` signs in when needed; `silent` fails when not signed in. */
export function microsoftTokenProvider(getSession: MicrosoftSession, mode: 'silent' | 'ask'): TokenProvider {
  return async (armEndpoint) => {
    const session = await getSession([armScope(armEndpoint)], mode);
    if (!session)
      throw new Error(
        `not signed in to a Microsoft account in VS Code for ${new URL(armEndpoint).origin} — run "LLM Perf Lab: Fetch Server Metrics (Azure Monitor)" to sign in`,
      );
    return session.accessToken;
  };
}

/** Whether the account has a token for every ARM endpoint the run needs, without asking anything. */
export async function signedInFor(summary: RunSummary, getSession: MicrosoftSession): Promise<boolean> {
  for (const arm of armEndpointsOf(summary)) if (!(await getSession([armScope(arm)], 'silent'))) return false;
  return true;
}

export interface FetchOutcome {
  runDir: string;
  results: AzureTargetResult[];
  /** Some target's fetch failed (no role, unknown resource, no token). */
  failed: boolean;
  /** Every target has every minute of the run. */
  complete: boolean;
  /** `Azure Monitor metrics of "x": aoai complete (12 new data points)`. */
  text: string;
}

/** Fetches one run folder's Azure Monitor metrics; a second call for the same folder while one is under
 *  way gets the same fetch (the Run panel and the command may ask at once). */
export class ServerMetricsFetcher {
  private readonly running = new Map<string, Promise<FetchOutcome>>();

  constructor(private readonly proxy: () => ProxyConfig | undefined = () => undefined) {}

  fetch(runDir: string, scenarioName: string, tokenProvider: TokenProvider): Promise<FetchOutcome> {
    const key = path.resolve(runDir);
    let p = this.running.get(key);
    if (!p) {
      p = fetchRun(runDir, scenarioName, tokenProvider, this.proxy()).finally(() => this.running.delete(key));
      this.running.set(key, p);
    }
    return p;
  }

  /** Is a fetch of this folder under way? */
  busy(runDir: string): boolean {
    return this.running.has(path.resolve(runDir));
  }
}

async function fetchRun(runDir: string, scenarioName: string, tokenProvider: TokenProvider, proxy: ProxyConfig | undefined): Promise<FetchOutcome> {
  const results = await fetchAzureServerMetrics(runDir, { tokenProvider, ...(proxy && { proxy }) });
  return {
    runDir,
    results,
    failed: results.some((r) => r.status === 'error'),
    complete: results.every((r) => r.status === 'complete'),
    text: outcomeText(scenarioName, results),
  };
}

/** What the user is told after a fetch: each target's status, what it added, and why when it failed. */
export function outcomeText(scenarioName: string, results: readonly AzureTargetResult[]): string {
  const parts = results.map((r) => {
    const added = `${r.added} new data point${r.added === 1 ? '' : 's'}`;
    const why = r.status === 'complete' || !r.message ? '' : ` — ${r.message}`;
    return `${r.target}: ${r.status} (${added})${why}`;
  });
  return `Azure Monitor metrics of "${scenarioName}": ${parts.join('; ')}`;
}

export { AzureFetchError };
