// `perflab server-metrics <run-dir>`: fetches the Azure Monitor metrics of a finished run's targets
// (`server_metrics.azure_monitor`) into its server-metrics.jsonl and summary.json. Azure publishes
// metrics a few minutes late: `--wait 10m` fetches again every `--every` until every minute of the run
// has data. Exit codes: 0 complete, 1 not complete yet, 2 bad input, 3 a fetch failed (no role on the
// resource, an unknown resource, no token).

import type { Command } from 'commander';
import { parseDurationMs } from '../engine/scenario/durations';
import { AzureFetchError, fetchAzureServerMetrics, type AzureTargetResult } from '../engine/server-metrics/azure-fetch';
import { EXIT_RUN_ERROR, EXIT_SLO_FAILED } from './execute';
import { CommandError, loadFinishedRun, withInputErrors, type RunCommand } from './report-command';
import { AZURE_TOKEN_ENV, cliAzureTokenProvider } from './azure-token';

export interface ServerMetricsFlags {
  wait?: string;
  every: string;
  json?: boolean;
}

export async function serverMetricsCommand(
  dir: string,
  flags: ServerMetricsFlags,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  loadFinishedRun(dir);
  const waitMs = flags.wait === undefined ? 0 : durationFlag('--wait', flags.wait);
  const everyMs = durationFlag('--every', flags.every);
  const deadline = Date.now() + waitMs;
  const tokenProvider = cliAzureTokenProvider();
  for (;;) {
    let results: AzureTargetResult[];
    try {
      results = await fetchAzureServerMetrics(dir, { tokenProvider });
    } catch (err) {
      if (err instanceof AzureFetchError) throw new CommandError(err.message);
      throw err;
    }
    const failed = results.some((r) => r.status === 'error');
    const complete = results.every((r) => r.status === 'complete');
    const last = failed || complete || Date.now() + everyMs > deadline;
    if (flags.json) {
      if (last) process.stdout.write(`${JSON.stringify({ run_dir: dir, targets: results }, null, 2)}\n`);
    } else {
      for (const r of results) process.stdout.write(`${resultLine(r)}\n`);
    }
    if (failed) return EXIT_RUN_ERROR;
    if (complete) return 0;
    if (last) return EXIT_SLO_FAILED;
    if (!flags.json) process.stdout.write(`perflab: not complete yet; fetching again in ${Math.round(everyMs / 1000)} s\n`);
    await sleep(everyMs);
  }
}

function resultLine(r: AzureTargetResult): string {
  return `${r.target}: ${r.status}${r.resource_id ? ` (${r.resource_id})` : ''}, ${r.added} new data point${r.added === 1 ? '' : 's'}${r.message ? ` — ${r.message}` : ''}`;
}

function durationFlag(flag: string, value: string): number {
  try {
    return parseDurationMs(value);
  } catch (err) {
    throw new CommandError(`${flag}: ${(err as Error).message}`);
  }
}

export function registerServerMetricsCommand(program: Command, run: RunCommand): void {
  program
    .command('server-metrics')
    .description('fetch the Azure Monitor metrics of a finished run (targets with server_metrics.azure_monitor) into its folder')
    .argument('<run-dir>', 'run folder')
    .option('--wait <duration>', 'fetch again until every minute of the run has data, at most this long (e.g. 10m)')
    .option('--every <duration>', 'with --wait: the pause between fetches', '60s')
    .option('--json', 'the result as JSON')
    .addHelpText(
      'after',
      `
The token: ${AZURE_TOKEN_ENV} when set, else the Azure CLI (az login). It goes only to the Azure Resource
Manager endpoint (server_metrics.azure_monitor.arm_endpoint, default https://management.azure.com) and
needs the Monitoring Reader role on the resource.

Exit codes: 0 complete, 1 Azure Monitor has not published every minute of the run yet, 2 bad input,
3 a fetch failed.
`,
    )
    .action(async (dir: string, flags: ServerMetricsFlags) => {
      await run(() => withInputErrors(() => serverMetricsCommand(dir, flags)));
    });
}
