// Reads a run folder back (its files: files.ts; their records: src/engine/records.ts): summary.json,
// run.json, windows.jsonl, and requests.jsonl streamed line by line. One reader for finished runs and
// for runs still going or crashed, used by the Run and Compare panels, the Scenarios tree, the HTML and
// markdown reports, exports and `perflab compare`. No 'vscode' here. server-metrics.jsonl (the server's
// side, when the scenario asked for it) is streamed too and handed out as the series the panels draw.
//
// A run that is still going, or that crashed, has no summary and may end in a half-written line:
// what is readable is shown and the rest is counted, never thrown away silently. Records written before
// a field was renamed are brought up to date as they are read (src/engine/record-upgrades.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DistributionTally, type TargetDistributions } from '../engine/distribution';
import { upgradeSummary, upgradeWindow } from '../engine/record-upgrades';
import type { RequestRecord, WindowSnapshot } from '../engine/records';
import { loadScenarioFile } from '../engine/scenario/load';
import type { Scenario } from '../engine/scenario/types';
import type { ServerSample } from '../engine/server-metrics/types';
import type { RunSummary } from '../engine/summary';
import { REQUESTS_FILE, RUN_META_FILE, SERVER_METRICS_FILE, SUMMARY_FILE, WINDOWS_FILE, type RunMeta } from './files';
import { linesOf, linesOfAsync, parseLine } from './jsonl';
import { ServerSeriesBuilder, type ServerSeries } from './server-series';

export interface RunFiles {
  dir: string;
  /** The scenario as it was run (from the summary), or as its file reads now for an unfinished run. */
  scenario: Scenario;
  summary: RunSummary | null;
  windows: WindowSnapshot[];
  distributions: Record<string, TargetDistributions>;
  /** The server's series from server-metrics.jsonl (none when the run has no such file). */
  server: ServerSeries[];
  /** Lines that could not be parsed (a half-written last line of a run still going, or damage). */
  unreadableLines: number;
}

/** A run folder that cannot be read as one: its message says which file and why. */
export class RunFilesError extends Error {}

/** Everything the panels draw for one run folder. */
export async function readRunFiles(dir: string): Promise<RunFiles> {
  if (!fs.existsSync(dir)) throw new RunFilesError(`${dir}: no such run folder`);
  const summary = readSummaryFile(dir);
  const { values: windows, unreadable } = readWindows(dir);
  const scenario = summary?.scenario ?? scenarioOfUnfinishedRun(dir, windows);
  // Runs recorded before summaries carried distributions: rebuild them from the requests.
  const rebuilt = summary?.distributions ? null : await distributionsFromRequests(dir);
  const distributions = summary?.distributions ?? rebuilt?.values ?? {};
  const server = new ServerSeriesBuilder(scenario.aggregation_window_s);
  const samples = await forEachServerSample(dir, (s) => server.add(s));
  return {
    dir,
    scenario,
    summary,
    windows,
    distributions,
    server: server.series(),
    unreadableLines: unreadable + (rebuilt?.unreadable ?? 0) + samples.unreadable,
  };
}

/** summary.json, or null when the run has not finished; a RunFilesError when it is damaged or not a summary. */
export function readSummaryFile(dir: string): RunSummary | null {
  const file = path.join(dir, SUMMARY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunFilesError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const summary = value as RunSummary;
  if (summary?.type !== 'summary' || !Array.isArray(summary.targets)) throw new RunFilesError(`${file}: not a run summary`);
  return upgradeSummary(summary);
}

/** run.json, or null when it is missing, damaged or does not name its scenario. */
export function readRunMeta(dir: string): RunMeta | null {
  let data: { scenario?: { name?: unknown; file?: unknown }; started_at?: unknown };
  try {
    data = JSON.parse(fs.readFileSync(path.join(dir, RUN_META_FILE), 'utf8'));
  } catch {
    return null;
  }
  const name = data?.scenario?.name;
  if (typeof name !== 'string') return null;
  const file = data.scenario?.file;
  return {
    scenario: { name, ...(typeof file === 'string' && { file }) },
    ...(typeof data.started_at === 'string' && { started_at: data.started_at }),
  };
}

/** windows.jsonl's windows in today's shape; lines that are not windows are counted. */
export function readWindows(dir: string): { values: WindowSnapshot[]; unreadable: number } {
  const values: WindowSnapshot[] = [];
  let unreadable = 0;
  for (const line of linesOf(path.join(dir, WINDOWS_FILE))) {
    const window = parseLine<WindowSnapshot>(line, (v) => v.type === 'window');
    if (window) values.push(upgradeWindow(window));
    else unreadable++;
  }
  return { values, unreadable };
}

/** Calls `onRecord` for each request record of the run, streaming; lines that are not records are counted. */
export async function forEachRequest(dir: string, onRecord: (record: RequestRecord) => void): Promise<{ unreadable: number }> {
  let unreadable = 0;
  for await (const line of linesOfAsync(path.join(dir, REQUESTS_FILE))) {
    const record = parseLine<RequestRecord>(line, (v) => v.type === 'request');
    if (record) onRecord(record);
    else unreadable++;
  }
  return { unreadable };
}

/**
 * Calls `onSample` for each sample of server-metrics.jsonl, streaming: the Prometheus scrapes in the
 * order they were written, then the Azure Monitor data points — one per minute, metric and resource,
 * the latest fetch's value (a later fetch appends what Azure filled in late). Lines that are not
 * samples are counted.
 */
export async function forEachServerSample(dir: string, onSample: (sample: ServerSample) => void): Promise<{ unreadable: number }> {
  let unreadable = 0;
  // Azure Monitor lines are few (one per minute and metric): held until the end, the last one kept.
  const azure = new Map<string, ServerSample>();
  for await (const line of linesOfAsync(path.join(dir, SERVER_METRICS_FILE))) {
    const sample = parseLine<ServerSample>(
      line,
      (v) => typeof v?.name === 'string' && typeof v.value === 'number' && typeof v.t === 'number' && typeof v.target === 'string',
    );
    if (!sample) unreadable++;
    else if (sample.source === 'azure-monitor') azure.set(azurePointKey(sample), sample);
    else onSample(sample);
  }
  for (const sample of azure.values()) onSample(sample);
  return { unreadable };
}

/** What identifies one Azure Monitor data point (src/engine/server-metrics/samples-file.ts keys it alike). */
function azurePointKey(s: ServerSample): string {
  return JSON.stringify([s.target, s.resource, s.name, s.aggregation ?? '', s.time, Object.entries(s.labels ?? {}).sort()]);
}

/**
 * Lines in requests.jsonl, streamed: all of them under '*', and per target name. A line cut off by a
 * crash still counts as recorded under '*'; it just names no target.
 */
export function countRequests(dir: string): Map<string, number> {
  const counts = new Map<string, number>([['*', 0]]);
  for (const line of linesOf(path.join(dir, REQUESTS_FILE))) {
    counts.set('*', counts.get('*')! + 1);
    const target = parseLine<{ target?: unknown }>(line, (v) => typeof v?.target === 'string')?.target as string | undefined;
    if (target !== undefined) counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return counts;
}

async function distributionsFromRequests(dir: string): Promise<{ values: Record<string, TargetDistributions>; unreadable: number }> {
  const tally = new DistributionTally();
  const { unreadable } = await forEachRequest(dir, (r) => tally.add(r));
  return { values: tally.toJSON(), unreadable };
}

/**
 * An unfinished run has no summary to say what was run: read its scenario file (named in run.json)
 * as it is now, or failing that describe it from its windows (target names only).
 */
function scenarioOfUnfinishedRun(dir: string, windows: WindowSnapshot[]): Scenario {
  const meta = readRunMeta(dir);
  if (meta?.scenario.file && fs.existsSync(meta.scenario.file)) {
    try {
      return loadScenarioFile(meta.scenario.file);
    } catch {
      // The file changed since and no longer validates: describe the run from its windows instead.
    }
  }
  const targets = [...new Set(windows.map((w) => w.target))];
  return {
    name: meta?.scenario.name ?? path.basename(dir),
    targets: targets.map((name) => ({ name, provider: 'openai-compatible', endpoint: 'unknown', auth: { type: 'none' } })),
    target_mode: 'parallel',
    workload: { mode: 'closed', arrival: 'constant', clients: 1, ramp_up_s: 0, think_time_ms: 0, warm_up_requests: 0, on_end: 'drain', drain_timeout_s: 0 },
    prompts: { kind: 'shape', profile: 'balanced', context_tokens: 0, max_tokens: 0 },
    request: {},
    retry: { policy: 'none', max_retry_s: 0 },
    timeouts: { request_s: 0, idle_s: 0 },
    aggregation_window_s: windows[0]?.window_s ?? 60,
    prevent_server_caching: false,
    record_chunks: false,
    slos: [],
  } as Scenario;
}
