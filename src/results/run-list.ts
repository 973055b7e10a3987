// The runs in a runs folder (`.perflab/runs/` or the configured one), each read cheaply enough to list
// them all: its summary when finished, run.json, when it started, and — when it has no summary — how
// many requests it recorded so far. Which scenario and target a run belongs to, and deleting a run
// folder safely. Used by the Scenarios tree and the run pickers; no 'vscode' here.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunSummary } from '../engine/summary';
import { DEFAULT_RUNS_FOLDER, folderNameIsOf, RUN_FILES, runFilesIn, startOfFolderName, type RunMeta } from './files';
import { countRequests, readRunMeta, readSummaryFile, RunFilesError } from './run-files';

/** One run folder as read from disk. */
export interface RunRecord {
  dir: string;
  /** The folder name. */
  id: string;
  summary: RunSummary | null;
  meta: RunMeta | null;
  startedAt: Date | null;
  /** Runs without a usable summary: requests.jsonl lines per target name (all lines under '*'). */
  recorded: Map<string, number> | null;
  /** Why summary.json could not be used, when it exists but is broken. */
  summaryProblem?: string;
}

/** The runs folder for a workspace: the setting's value (absolute, or relative to the root) or `.perflab/runs`. */
export function resolveRunsDir(root: string, setting?: string): string {
  return path.resolve(root, setting && setting.trim() !== '' ? setting : DEFAULT_RUNS_FOLDER);
}

/** Every run folder directly under runsDir, newest first. A missing runs folder means no runs. */
export function readRuns(runsDir: string): RunRecord[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const records = entries.filter((e) => e.isDirectory()).map((e) => readRun(path.join(runsDir, e.name)));
  return records.sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) || b.id.localeCompare(a.id));
}

export function readRun(dir: string): RunRecord {
  const id = path.basename(dir);
  const meta = readRunMeta(dir);
  let summary: RunSummary | null = null;
  let summaryProblem: string | undefined;
  try {
    summary = readSummaryFile(dir);
  } catch (error) {
    if (!(error instanceof RunFilesError)) throw error;
    summaryProblem = error.message;
  }
  const startedAt = parseDate(summary?.started_at) ?? parseDate(meta?.started_at) ?? startOfFolderName(id) ?? mtime(dir);
  return { dir, id, summary, meta, startedAt, recorded: summary ? null : countRequests(dir), ...(summaryProblem && { summaryProblem }) };
}

/** A run belongs to a scenario by the absolute file in its summary (or run.json); a run that only has a
 *  folder name (`<time>-<scenario name>`, files.ts runFolderName) is matched by that name. */
export function runBelongsTo(r: RunRecord, scenarioFile: string, scenarioName: string): boolean {
  const file = r.summary?.scenario.file ?? r.meta?.scenario.file;
  if (file) return samePath(file, scenarioFile);
  if (r.summary || r.meta) return (r.summary?.scenario.name ?? r.meta?.scenario.name) === scenarioName;
  return folderNameIsOf(r.id, scenarioName);
}

/** Whether a run measured `target`. An unfinished run belongs to every target of its scenario (it may not have recorded any yet). */
export function runHasTarget(r: RunRecord, target: string): boolean {
  return r.summary ? r.summary.targets.some((t) => t.target === target) : true;
}

/**
 * Delete a run folder. Refuses anything that is not a run folder directly inside the runs root
 * (after resolving symlinks), so a bad path or a mis-set setting cannot delete other files.
 */
export function deleteRun(runDir: string, runsRoot: string): void {
  const root = realpathOrThrow(runsRoot, 'runs folder');
  const lst = lstatOrThrow(runDir);
  if (lst.isSymbolicLink()) throw new Error(`refusing to delete ${runDir}: it is a symbolic link, not a run folder`);
  if (!lst.isDirectory()) throw new Error(`refusing to delete ${runDir}: not a folder`);
  const dir = fs.realpathSync(runDir);
  if (path.dirname(dir) !== root) {
    throw new Error(`refusing to delete ${runDir}: it is not a run folder inside the runs folder ${runsRoot}`);
  }
  if (runFilesIn(dir).length === 0) {
    throw new Error(`refusing to delete ${runDir}: it has none of ${RUN_FILES.join(', ')}, so it does not look like a run`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function samePath(a: string, b: string): boolean {
  const na = path.resolve(a);
  const nb = path.resolve(b);
  return process.platform === 'win32' || process.platform === 'darwin' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

function parseDate(s: string | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function mtime(dir: string): Date | null {
  try {
    return fs.statSync(dir).mtime;
  } catch {
    return null;
  }
}

function realpathOrThrow(p: string, what: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    throw new Error(`the ${what} ${p} does not exist`);
  }
}

function lstatOrThrow(p: string): fs.Stats {
  try {
    return fs.lstatSync(p);
  } catch {
    throw new Error(`refusing to delete ${p}: it does not exist`);
  }
}
