// Whole-run distributions for the panel's histograms: counts in fixed, log-spaced bins, so memory is
// constant however many requests a run has and two runs' histograms line up bin for bin.
// Fed one RequestRecord at a time (live, in the engine worker) or from requests.jsonl (a past run).

import type { RequestRecord } from './records';

/** Counts per bin: `counts[i]` holds values in [edges[i], edges[i + 1]); the last bin is open-ended. */
export interface Distribution {
  unit: 'ms' | 'tokens';
  edges: number[];
  counts: number[];
  /** Values recorded (equals the sum of `counts`). */
  count: number;
  /** Exact sum of the values, for an exact mean. */
  sum: number;
}

export type DistributionId = 'ttft' | 'tbt' | 'e2e' | 'chunk_gap' | 'prompt_tokens' | 'completion_tokens';

/** One target's distributions. `chunk_gap` is filled only where the chunk times are known. */
export type TargetDistributions = Record<DistributionId, Distribution>;

/** Log-spaced edges, `perDecade` bins per power of ten from `from` up to `to`. */
export function logEdges(from: number, to: number, perDecade: number): number[] {
  const edges: number[] = [0];
  const steps = Math.round(Math.log10(to / from) * perDecade);
  for (let i = 0; i <= steps; i++) edges.push(roundEdge(from * 10 ** (i / perDecade)));
  return edges;
}

/** 0.1 ms … 10 min, 40 bins per decade: each ~6% wide, so a tight TTFT spread still shows its shape
 *  (~270 bins; a histogram message stays a few KB). */
export const LATENCY_EDGES_MS = logEdges(0.1, 600_000, 40);
/** 1 … 1M tokens, 40 bins per decade. */
export const TOKEN_EDGES = logEdges(1, 1_000_000, 40);

export function emptyDistribution(unit: Distribution['unit']): Distribution {
  const edges = unit === 'ms' ? LATENCY_EDGES_MS : TOKEN_EDGES;
  return { unit, edges, counts: edges.map(() => 0), count: 0, sum: 0 };
}

/** Adds one value to its bin (binary search over the edges). */
export function addToDistribution(d: Distribution, value: number): void {
  if (!Number.isFinite(value) || value < 0) return;
  let lo = 0;
  let hi = d.edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (d.edges[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  d.counts[lo]++;
  d.count++;
  d.sum += value;
}

/** Exact mean, or null when empty. */
export function distributionMean(d: Distribution): number | null {
  return d.count > 0 ? d.sum / d.count : null;
}

/** Adds `from` into `into` (same edges). */
export function mergeDistribution(into: Distribution, from: Distribution): void {
  if (into.edges.length !== from.edges.length) throw new Error('distributions with different bins cannot be merged');
  for (let i = 0; i < from.counts.length; i++) into.counts[i] += from.counts[i];
  into.count += from.count;
  into.sum += from.sum;
}

/**
 * One finished request into a target's distributions, with the same rules as the engine's statistics:
 * warm-up and cancelled requests are left out; latencies and completion tokens come from successful
 * requests; prompt tokens count for every request that was sent. `chunkGapsMs`: the gaps between its
 * content events (the engine has them for every request; a file has them only with record_chunks).
 */
export function addRecordToDistributions(d: TargetDistributions, record: RequestRecord, chunkGapsMs: readonly number[]): void {
  if (record.warmup || record.error === 'cancelled') return;
  if (record.prompt_tokens !== null) addToDistribution(d.prompt_tokens, record.prompt_tokens);
  if (record.error !== null) return;
  if (record.ttft_ms !== null) addToDistribution(d.ttft, record.ttft_ms);
  if (record.tbt_ms !== null) addToDistribution(d.tbt, record.tbt_ms);
  if (record.e2e_ms !== null) addToDistribution(d.e2e, record.e2e_ms);
  if (record.completion_tokens !== null) addToDistribution(d.completion_tokens, record.completion_tokens);
  for (const gap of chunkGapsMs) addToDistribution(d.chunk_gap, gap);
}

/** Per-target distributions rebuilt from request records (requests.jsonl of a run whose summary has none). */
export class DistributionTally {
  private readonly byTarget = new Map<string, TargetDistributions>();

  add(record: RequestRecord): void {
    const offsets = record.chunk_offsets_ms;
    const gaps: number[] = [];
    if (offsets) for (let i = 1; i < offsets.length; i++) gaps.push(offsets[i] - offsets[i - 1]);
    addRecordToDistributions(this.target(record.target), record, gaps);
  }

  get(target: string): TargetDistributions | undefined {
    return this.byTarget.get(target);
  }

  /** Plain data for messages and files: target name → distributions. */
  toJSON(): Record<string, TargetDistributions> {
    return Object.fromEntries(this.byTarget);
  }

  private target(name: string): TargetDistributions {
    let d = this.byTarget.get(name);
    if (!d) {
      d = emptyTargetDistributions();
      this.byTarget.set(name, d);
    }
    return d;
  }
}

export function emptyTargetDistributions(): TargetDistributions {
  return {
    ttft: emptyDistribution('ms'),
    tbt: emptyDistribution('ms'),
    e2e: emptyDistribution('ms'),
    chunk_gap: emptyDistribution('ms'),
    prompt_tokens: emptyDistribution('tokens'),
    completion_tokens: emptyDistribution('tokens'),
  };
}

/** Edges keep 3 significant digits so they print and serialise cleanly. */
function roundEdge(x: number): number {
  return Number(x.toPrecision(3));
}
