// Run folders written before the chunk-gap metric got its own name stored it as `itl` (in windows,
// summaries, histograms and SLOs). Readers pass what they parse through these functions so an old
// run opens, compares and reports exactly like a new one. Only renames happen here: values are never
// recomputed.

import { METRIC_ALIASES } from './scenario/slo';
import type { WindowSnapshot } from './records';
import type { RunSummary } from './summary';

/** Moves `from` to `to` on an object parsed from JSON, unless `to` is already there. */
function rename(value: unknown, from: string, to: string): void {
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (from in record && !(to in record)) record[to] = record[from];
  delete record[from];
}

/** A window line of windows.jsonl, old or new, in today's shape (changed in place and returned). */
export function upgradeWindow(window: WindowSnapshot): WindowSnapshot {
  rename(window, 'itl', 'chunk_gap');
  return window;
}

/** summary.json, old or new, in today's shape (changed in place and returned). */
export function upgradeSummary(summary: RunSummary): RunSummary {
  for (const target of summary.targets ?? []) rename(target.latency_ms, 'itl', 'chunk_gap');
  for (const distributions of Object.values(summary.distributions ?? {})) rename(distributions, 'itl', 'chunk_gap');
  for (const slo of summary.scenario?.slos ?? []) {
    const current = METRIC_ALIASES[slo.metric];
    if (current) slo.metric = current as typeof slo.metric;
  }
  return summary;
}
