// What the Run panel's time charts plot: one labelled series per metric, read from WindowSnapshots.
// The table below is the single list of series; the live accumulator (view-model.ts) and the plain
// function here both read it, so a live run and a reopened one draw the same lines.

import type { WindowSnapshot } from '../../../src/engine/records';
import type { Point } from './decimate';

/** Which chart a series is drawn on (also the id used for PNG export). */
export type ChartId = 'ttft' | 'ttfr' | 'tbt' | 'chunk_gap' | 'e2e' | 'rpm' | 'tpm' | 'errors' | 'in_flight' | 'utilization' | 'lag';

export type SeriesUnit = 'ms' | 'rpm' | 'tpm' | 'requests' | '%';

export interface SeriesDef {
  id: string;
  chart: ChartId;
  label: string;
  unit: SeriesUnit;
  /** Null draws a gap (e.g. no request completed in that window). */
  value: (w: WindowSnapshot) => number | null;
  /** Drop the series when no window reports it (Azure utilization; schedule lag and target rate
   *  exist only in open loop), instead of drawing an empty chart. */
  onlyWhenReported?: boolean;
}

export interface Series {
  id: string;
  chart: ChartId;
  label: string;
  unit: SeriesUnit;
  /** x: seconds since the target started (WindowSnapshot.t). */
  points: Point[];
}

export const SERIES: readonly SeriesDef[] = [
  { id: 'ttft_p50', chart: 'ttft', label: 'TTFT p50', unit: 'ms', value: (w) => w.ttft.p50 },
  { id: 'ttft_p95', chart: 'ttft', label: 'TTFT p95', unit: 'ms', value: (w) => w.ttft.p95 },
  // Reasoning models: time to the first reasoning token, drawn only when reasoning is streamed.
  {
    id: 'ttfr_p50',
    chart: 'ttfr',
    label: 'TTFR p50 (first reasoning token)',
    unit: 'ms',
    value: (w) => (w.ttfr?.count ? w.ttfr.p50 : null),
    onlyWhenReported: true,
  },
  {
    id: 'ttfr_p95',
    chart: 'ttfr',
    label: 'TTFR p95 (first reasoning token)',
    unit: 'ms',
    value: (w) => (w.ttfr?.count ? w.ttfr.p95 : null),
    onlyWhenReported: true,
  },
  // TBT is the per-token figure; chunk gaps are per SSE event, which may carry several tokens.
  { id: 'tbt_p50', chart: 'tbt', label: 'TBT p50 (per token)', unit: 'ms', value: (w) => w.tbt.p50 },
  { id: 'tbt_p95', chart: 'tbt', label: 'TBT p95 (per token)', unit: 'ms', value: (w) => w.tbt.p95 },
  // The engine measures TBT over all output tokens for every request; without reasoning it is the
  // visible-token TBT again, so it is drawn only for windows that had reasoning.
  {
    id: 'tbt_all_p50',
    chart: 'tbt',
    label: 'TBT p50 (all output tokens, reasoning included)',
    unit: 'ms',
    value: (w) => (hasReasoning(w) && w.tbt_all?.count ? w.tbt_all.p50 : null),
    onlyWhenReported: true,
  },
  {
    id: 'tbt_all_p95',
    chart: 'tbt',
    label: 'TBT p95 (all output tokens, reasoning included)',
    unit: 'ms',
    value: (w) => (hasReasoning(w) && w.tbt_all?.count ? w.tbt_all.p95 : null),
    onlyWhenReported: true,
  },
  { id: 'chunk_gap_p50', chart: 'chunk_gap', label: 'Chunk gap p50 (per chunk, not per token)', unit: 'ms', value: (w) => w.chunk_gap.p50 },
  { id: 'chunk_gap_p95', chart: 'chunk_gap', label: 'Chunk gap p95 (per chunk, not per token)', unit: 'ms', value: (w) => w.chunk_gap.p95 },
  { id: 'e2e_p50', chart: 'e2e', label: 'E2E p50', unit: 'ms', value: (w) => w.e2e.p50 },
  { id: 'e2e_p95', chart: 'e2e', label: 'E2E p95', unit: 'ms', value: (w) => w.e2e.p95 },
  // The window's rpm counts completions (the summary's achieved_rpm counts sends): say which.
  { id: 'rpm', chart: 'rpm', label: 'Achieved RPM (completed)', unit: 'rpm', value: (w) => w.rpm },
  { id: 'target_rpm', chart: 'rpm', label: 'Target RPM', unit: 'rpm', value: (w) => w.target_rpm, onlyWhenReported: true },
  { id: 'ctx_tpm', chart: 'tpm', label: 'Prompt TPM', unit: 'tpm', value: (w) => w.ctx_tpm },
  { id: 'gen_tpm', chart: 'tpm', label: 'Generated TPM', unit: 'tpm', value: (w) => w.gen_tpm },
  {
    id: 'reasoning_tpm',
    chart: 'tpm',
    label: 'Reasoning TPM (part of generated)',
    unit: 'tpm',
    value: (w) => (w.reasoning_tpm ? w.reasoning_tpm : null),
    onlyWhenReported: true,
  },
  { id: 'failures', chart: 'errors', label: 'Failed requests (in window)', unit: 'requests', value: (w) => w.failures },
  { id: 'throttled', chart: 'errors', label: 'Throttled responses (HTTP 429, in window)', unit: 'requests', value: (w) => w.throttled },
  { id: 'in_flight', chart: 'in_flight', label: 'In-flight requests', unit: 'requests', value: (w) => w.in_flight },
  {
    id: 'utilization',
    chart: 'utilization',
    label: 'Azure deployment utilization avg (%)',
    unit: '%',
    value: (w) => (w.util.count > 0 ? w.util.avg : null),
    onlyWhenReported: true,
  },
  // The client's own lateness: when it climbs, the bottleneck is this machine, not the deployment.
  { id: 'lag_p95', chart: 'lag', label: 'Schedule lag p95 (client)', unit: 'ms', value: (w) => (w.lag.count > 0 ? w.lag.p95 : null), onlyWhenReported: true },
];

/** True when the point at `index` has no drawn neighbour: a line needs two points, so a lone one (the
 *  first window of a run, or one between gaps) gets a marker instead of drawing nothing. */
export function isLonePoint(data: readonly (Point | null | undefined)[], index: number): boolean {
  const has = (i: number) => {
    const p = data[i];
    return p !== undefined && p !== null && p.y !== null && Number.isFinite(p.y);
  };
  return has(index) && !has(index - 1) && !has(index + 1);
}

/** Did the window see reasoning: streamed (a first reasoning token) or counted (reasoning tokens)? */
function hasReasoning(w: WindowSnapshot): boolean {
  return (w.ttfr?.count ?? 0) > 0 || (w.reasoning_tpm ?? 0) > 0;
}

/** Every series for one target, every window kept (no decimation): for small runs, exports and tests. */
export function seriesFromWindows(windows: readonly WindowSnapshot[], target: string): Series[] {
  const mine = windows.filter((w) => w.target === target);
  return SERIES.map((def) => ({
    id: def.id,
    chart: def.chart,
    label: def.label,
    unit: def.unit,
    points: mine.map((w) => ({ x: w.t, y: def.value(w) })),
  })).filter((s, i) => !SERIES[i].onlyWhenReported || s.points.some((p) => p.y !== null));
}

/**
 * Sequential runs (or sequential targets) overlaid from their own start. The engine's `t` is seconds
 * since that target's runner started, so it already is the aligned x: each list is returned as
 * copies, sorted by `t`, ready for seriesFromWindows.
 */
export function alignFromStart(...runs: readonly WindowSnapshot[][]): WindowSnapshot[][] {
  return runs.map((windows) => windows.map((w) => ({ ...w })).sort((a, b) => a.t - b.t));
}

/**
 * Parallel targets (or runs) on one wall-clock timeline: `t` becomes seconds since the earliest start
 * among all the lists, so a target that started later is drawn later.
 */
export function alignOnClock(...runs: readonly WindowSnapshot[][]): WindowSnapshot[][] {
  // A target's start on the wall clock: its first window's timestamp minus that window's elapsed time.
  const startMs = (w: WindowSnapshot) => Date.parse(w.time) - w.t * 1000;
  let origin = Infinity;
  for (const windows of runs) for (const w of windows.slice(0, 1)) origin = Math.min(origin, startMs(w));
  return runs.map((windows) => windows.map((w) => ({ ...w, t: Math.round(Date.parse(w.time) - origin) / 1000 })).sort((a, b) => a.t - b.t));
}
