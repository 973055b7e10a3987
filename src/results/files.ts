// The run folder's vocabulary, in one place: the names of its files, run.json's shape, and how run and
// capacity folders are named. The format of each file: docs/ARCHITECTURE.md ("Run folder"). Imports
// only Node, so the engine (which writes the folder) can use it.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** One `RequestRecord` (src/engine/records.ts) per line, appended as each request finishes. */
export const REQUESTS_FILE = 'requests.jsonl';
/** One `WindowSnapshot` per target per second. */
export const WINDOWS_FILE = 'windows.jsonl';
/** The `RunSummary` (src/engine/summary.ts), written atomically at the end. */
export const SUMMARY_FILE = 'summary.json';
/** `RunMeta`, written when the run starts. */
export const RUN_META_FILE = 'run.json';
/** The server's own metrics (`server_metrics:`): one `ServerSample` (src/engine/server-metrics/types.ts)
 *  per line, appended as scraped during the run and as fetched from Azure Monitor after it. */
export const SERVER_METRICS_FILE = 'server-metrics.jsonl';
/** A capacity search's `CapacityReport` (src/engine/capacity/types.ts), rewritten after every step. */
export const CAPACITY_FILE = 'capacity.json';

/** The files of a run folder: a folder holding any of them holds a run. */
export const RUN_FILES = [RUN_META_FILE, SUMMARY_FILE, REQUESTS_FILE, WINDOWS_FILE, SERVER_METRICS_FILE] as const;

/** run.json: what a folder is while its run is going, or after a crash left no summary. */
export interface RunMeta {
  /** The scenario's name, and its file (absolute) when it was run from one. */
  scenario: { name: string; file?: string };
  /** ISO time; always written, missing only from a hand-made or damaged file. */
  started_at?: string;
}

/** The run files present in `dir` (none when it is not a folder). */
export function runFilesIn(dir: string): string[] {
  return RUN_FILES.filter((name) => fs.existsSync(path.join(dir, name)));
}

/** The default runs folder is `.perflab/runs/` under the workspace (or current directory). */
export const DEFAULT_RUNS_FOLDER = path.join('.perflab', 'runs');
/** Capacity searches (capacity.json and one run folder per step) live beside the runs. */
export const DEFAULT_CAPACITY_FOLDER = path.join('.perflab', 'capacity');

/** `My scenario!` → `My-scenario-`: the part of a folder name that names the scenario. */
function safeName(scenarioName: string): string {
  return scenarioName.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
}

/** `2026-11-27T23-40-12-quickstart`: sorts by time, safe on every file system. */
export function runFolderName(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  return `${stamp}-${safeName(scenarioName)}`;
}

const FOLDER_NAME = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})(?:-(.+))?$/;

/** `2026-11-27T23-40-12-quickstart` → that UTC time; null for a folder not named by runFolderName. */
export function startOfFolderName(name: string): Date | null {
  const m = FOLDER_NAME.exec(name);
  if (!m) return null;
  const d = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Whether a folder name is runFolderName's for this scenario (`<time>-quickstart`). */
export function folderNameIsOf(name: string, scenarioName: string): boolean {
  return FOLDER_NAME.exec(name)?.[5] === safeName(scenarioName);
}

/** `<root>/.perflab/runs/<time>-<name>`, never an existing folder. */
export function defaultRunDir(root: string, scenarioName: string, now = new Date()): string {
  return uniqueRunDir(path.join(root, DEFAULT_RUNS_FOLDER, runFolderName(scenarioName, now)));
}

/** `<root>/.perflab/capacity/<time>-<name>`, never an existing folder. */
export function defaultCapacityDir(root: string, scenarioName: string, now = new Date()): string {
  return uniqueRunDir(path.join(root, DEFAULT_CAPACITY_FOLDER, runFolderName(scenarioName, now)));
}

/** Two runs started in the same second must not share a folder: `…-quickstart-2`, `-3`, … */
export function uniqueRunDir(dir: string): string {
  let candidate = dir;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${dir}-${n}`;
  return candidate;
}
