// What a run folder is, read cheaply for a panel's tab (run.json, else summary.json: the format is in
// src/engine/run.ts), and the tab titles of the Run and Compare panels. Titles carry the run's start
// time, so two tabs never share one title. No VS Code here (unit-tested directly).

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RunIdentity {
  /** The scenario file the run was started from (absolute), when the folder says. */
  scenarioFile: string | null;
  scenarioName: string;
  startedAt: Date | null;
}

/** The scenario and start of a run folder; the folder's name when neither file says. */
export function runIdentity(runDir: string): RunIdentity {
  for (const name of ['run.json', 'summary.json']) {
    try {
      const data = JSON.parse(fs.readFileSync(path.join(runDir, name), 'utf8')) as { scenario?: { name?: unknown; file?: unknown }; started_at?: unknown };
      if (typeof data.scenario?.name !== 'string') continue;
      const started = typeof data.started_at === 'string' ? new Date(data.started_at) : null;
      return {
        scenarioFile: typeof data.scenario.file === 'string' ? data.scenario.file : null,
        scenarioName: data.scenario.name,
        startedAt: started && !Number.isNaN(started.getTime()) ? started : null,
      };
    } catch {
      // Missing or half-written: try the next file.
    }
  }
  return { scenarioFile: null, scenarioName: path.basename(runDir), startedAt: null };
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
