// Reads a run folder back (the format: src/engine/records.ts, src/engine/run-folder.ts): windows.jsonl, summary.json, run.json, and — for
// histograms of runs whose summary carries none — requests.jsonl, streamed line by line. Used by the
// Run panel (Open Results), the Compare panel and the HTML report. No 'vscode' here.
//
// A run that is still going, or that crashed, has no summary and may end in a half-written line:
// what is readable is shown and the rest is counted, never thrown away silently.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DistributionTally, type TargetDistributions } from '../engine/distribution';
import type { RequestRecord, WindowSnapshot } from '../engine/records';
import { loadScenarioFile } from '../engine/scenario/load';
import type { Scenario } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import { upgradeSummary, upgradeWindow } from '../engine/record-upgrades';

export interface RunFiles {
  dir: string;
  /** The scenario as it was run (from the summary), or as its file reads now for an unfinished run. */
  scenario: Scenario;
  summary: RunSummary | null;
  windows: WindowSnapshot[];
  distributions: Record<string, TargetDistributions>;
  /** Lines that could not be parsed (a half-written last line of a run still going, or damage). */
  unreadableLines: number;
}

interface RunMeta {
  scenario?: { name?: string; file?: string };
  started_at?: string;
}

export class RunFilesError extends Error {}

/** Everything the panels draw for one run folder. */
export async function readRunFiles(dir: string): Promise<RunFiles> {
  if (!fs.existsSync(dir)) throw new RunFilesError(`${dir}: no such run folder`);
  const summary = readSummaryFile(dir);
  const { values: windows, unreadable } = readJsonLines<WindowSnapshot>(path.join(dir, 'windows.jsonl'), (v) => v.type === 'window');
  windows.forEach(upgradeWindow);
  const scenario = summary?.scenario ?? scenarioOfUnfinishedRun(dir, windows);
  // Runs recorded before summaries carried distributions: rebuild them from the requests.
  const rebuilt = summary?.distributions ? null : await distributionsFromRequests(path.join(dir, 'requests.jsonl'));
  const distributions = summary?.distributions ?? rebuilt?.values ?? {};
  return { dir, scenario, summary, windows, distributions, unreadableLines: unreadable + (rebuilt?.unreadable ?? 0) };
}

/** summary.json, or null when the run has not finished (or the file is not a summary). */
export function readSummaryFile(dir: string): RunSummary | null {
  const file = path.join(dir, 'summary.json');
  if (!fs.existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunFilesError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const summary = value as RunSummary;
  if (summary?.type !== 'summary' || !Array.isArray(summary.targets)) throw new RunFilesError(`${file}: not a run summary`);
  return upgradeSummary(summary);
}

/** Parses a JSONL file; lines that do not parse or fail `accept` are counted, not thrown. */
export function readJsonLines<T>(file: string, accept: (value: T) => boolean): { values: T[]; unreadable: number } {
  if (!fs.existsSync(file)) return { values: [], unreadable: 0 };
  const values: T[] = [];
  let unreadable = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as T;
      if (accept(value)) values.push(value);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { values, unreadable };
}

/** Calls `onRecord` for each request record, streaming (requests.jsonl can be hundreds of MB). */
export async function forEachRequest(file: string, onRecord: (record: RequestRecord) => void): Promise<{ unreadable: number }> {
  if (!fs.existsSync(file)) return { unreadable: 0 };
  let unreadable = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as RequestRecord;
      if (record.type === 'request') onRecord(record);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { unreadable };
}

async function distributionsFromRequests(file: string): Promise<{ values: Record<string, TargetDistributions>; unreadable: number }> {
  const tally = new DistributionTally();
  const { unreadable } = await forEachRequest(file, (r) => tally.add(r));
  return { values: tally.toJSON(), unreadable };
}

/**
 * An unfinished run has no summary to say what was run: read its scenario file (named in run.json)
 * as it is now, or failing that describe it from its windows (target names only).
 */
function scenarioOfUnfinishedRun(dir: string, windows: WindowSnapshot[]): Scenario {
  let meta: RunMeta = {};
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunMeta;
  } catch {
    // No run.json: fall through to the windows.
  }
  if (meta.scenario?.file && fs.existsSync(meta.scenario.file)) {
    try {
      return loadScenarioFile(meta.scenario.file);
    } catch {
      // The file changed since and no longer validates: describe the run from its windows instead.
    }
  }
  const targets = [...new Set(windows.map((w) => w.target))];
  return {
    name: meta.scenario?.name ?? path.basename(dir),
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
