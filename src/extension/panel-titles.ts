// What a run folder is, read cheaply for a panel's tab (run.json, else summary.json: src/results/),
// and the tab titles of the Run and Compare panels. Titles carry the run's start time, so two tabs
// never share one title. No VS Code here (unit-tested directly).

import * as path from 'node:path';
import { readRunMeta, readSummaryFile } from '../results/run-files';

export interface RunIdentity {
  /** The scenario file the run was started from (absolute), when the folder says. */
  scenarioFile: string | null;
  scenarioName: string;
  startedAt: Date | null;
}

/** The scenario and start of a run folder; the folder's name when neither file says. */
export function runIdentity(runDir: string): RunIdentity {
  const said = readRunMeta(runDir) ?? summaryOf(runDir);
  if (!said) return { scenarioFile: null, scenarioName: path.basename(runDir), startedAt: null };
  const started = said.started_at ? new Date(said.started_at) : null;
  return {
    scenarioFile: said.scenario.file ?? null,
    scenarioName: said.scenario.name,
    startedAt: started && !Number.isNaN(started.getTime()) ? started : null,
  };
}

/** The summary, or null when it is missing, damaged or names no scenario (the tab then shows the folder's name). */
function summaryOf(runDir: string) {
  try {
    const summary = readSummaryFile(runDir);
    return typeof summary?.scenario?.name === 'string' ? summary : null;
  } catch {
    return null;
  }
}

/** `14:02:31` for a time today (local), `2026-12-05 14:02:31` for another day. */
export function formatStartTime(d: Date, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? time : `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}`;
}

/** `Run: quickstart · 14:02:31`. */
export function runPanelTitle(scenarioName: string, startedAt: Date | null, now = new Date()): string {
  return startedAt ? `Run: ${scenarioName} · ${formatStartTime(startedAt, now)}` : `Run: ${scenarioName}`;
}

/** One column group of a Compare panel: a run and the targets of it compared. */
export interface CompareTitlePart {
  scenarioName: string;
  startedAt: Date | null;
  targets: string[];
}

/**
 * `Compare: two-targets · fast · 14:02:31 vs 14:03:02` (runs of one scenario, one target),
 * `Compare: two-targets · 14:02:31` (the targets of one run), or the scenario names when they differ.
 */
export function compareTitle(parts: readonly CompareTitlePart[], now = new Date()): string {
  const when = (p: CompareTitlePart) => (p.startedAt ? formatStartTime(p.startedAt, now) : '?');
  const names = [...new Set(parts.map((p) => p.scenarioName))];
  const targets = [...new Set(parts.flatMap((p) => p.targets))];
  if (parts.length === 1) return `Compare: ${names[0]} · ${when(parts[0])}`;
  const oneTarget = targets.length === 1 ? ` · ${targets[0]}` : '';
  if (names.length === 1) return `Compare: ${names[0]}${oneTarget} · ${parts.map(when).join(' vs ')}`;
  return `Compare: ${parts.map((p) => `${p.scenarioName} ${when(p)}`).join(' vs ')}`;
}
