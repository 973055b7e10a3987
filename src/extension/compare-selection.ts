// What a Compare panel compares: the runs the user selected and, for runs with several targets, only
// the targets picked. From the Scenarios tree a run sits under one target, so selecting two runs of
// that target compares that target (two columns), not every target of both runs. Runs picked whole
// (the palette) compare the target they share; when they share several, the user is asked. No VS Code
// here (unit-tested directly).

import * as path from 'node:path';
import type { WindowSnapshot } from '../engine/records';
import type { RunSummary } from '../engine/summary';

/** A run folder and, optionally, the target of it that was selected (null: the whole run). */
export type CompareItem = string | { dir: string; target: string | null };

/** One run of a comparison: its folder and the targets of it to compare (null: not decided yet). */
export interface CompareSelection {
  dir: string;
  targets: string[] | null;
}

/** Items → one entry per run folder (in first-seen order), the targets selected under it merged. */
export function selectionOf(items: readonly CompareItem[]): CompareSelection[] {
  const byDir = new Map<string, CompareSelection>();
  for (const item of items) {
    const dir = typeof item === 'string' ? item : item.dir;
    const target = typeof item === 'string' ? null : item.target;
    const key = path.resolve(dir);
    const entry = byDir.get(key) ?? { dir, targets: [] };
    if (target === null) entry.targets = null;
    else if (entry.targets !== null && !entry.targets.includes(target)) entry.targets.push(target);
    byDir.set(key, entry);
  }
  // An entry that got no target at all is a whole run.
  return [...byDir.values()].map((s) => ({ dir: s.dir, targets: s.targets?.length ? s.targets : null }));
}

export type TargetDecision = { kind: 'decided'; selection: { dir: string; targets: string[] }[] } | { kind: 'ask'; choices: string[] };

/**
 * Decides the targets of the runs picked whole. One run alone: all its targets (Compare Targets).
 * Several runs: the targets picked under other runs if every whole run has them; else the one target
 * all runs share; several shared → ask (`choices`); none shared → every target of each run.
 * `answer` is the user's pick from `choices`.
 */
export function decideTargets(selection: readonly CompareSelection[], targetsOf: (dir: string) => string[], answer?: string[]): TargetDecision {
  const whole = selection.filter((s) => s.targets === null);
  const all = (s: CompareSelection) => targetsOf(s.dir);
  const fill = (targets: (s: CompareSelection) => string[]): TargetDecision => ({
    kind: 'decided',
    selection: selection.map((s) => ({ dir: s.dir, targets: s.targets ?? targets(s) })),
  });
  if (whole.length === 0 || selection.length === 1) return fill(all);
  if (answer) return fill((s) => all(s).filter((t) => answer.includes(t)));
  const has = (s: CompareSelection, targets: string[]) => targets.every((t) => all(s).includes(t));
  const picked = [...new Set(selection.flatMap((s) => s.targets ?? []))];
  if (picked.length > 0 && whole.every((s) => has(s, picked))) return fill(() => picked);
  const shared = intersection(selection.map((s) => s.targets ?? all(s)));
  if (shared.length === 1) return fill(() => shared);
  if (shared.length > 1) return { kind: 'ask', choices: shared };
  return fill(all);
}

function intersection(lists: string[][]): string[] {
  const [first = [], ...rest] = lists;
  return first.filter((t) => rest.every((l) => l.includes(t)));
}

/** The summary with only `targets` (their SLO verdicts and histograms too). */
export function summaryOfTargets(summary: RunSummary, targets: readonly string[]): RunSummary {
  const keep = (name: string) => targets.includes(name);
  const distributions = summary.distributions && Object.fromEntries(Object.entries(summary.distributions).filter(([name]) => keep(name)));
  const slos = summary.slos.filter((v) => keep(v.target));
  return {
    ...summary,
    targets: summary.targets.filter((t) => keep(t.target)),
    slos,
    passed: slos.every((v) => v.pass) && summary.error === undefined,
    ...(distributions && { distributions }),
  };
}

export function windowsOfTargets(windows: readonly WindowSnapshot[], targets: readonly string[]): WindowSnapshot[] {
  return windows.filter((w) => targets.includes(w.target));
}
