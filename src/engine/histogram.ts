// Latency distributions with bounded memory: HDR histograms (hdr-histogram-js), never raw arrays.
// Values are recorded in microseconds so sub-millisecond TTFTs keep their precision.
// Two precisions, chosen by measurement (bench/hdr-options.ts, docs/performance.md):
//  - 'run' (3 significant digits, percentiles within 0.1%): whole-run distributions, record-only.
//  - 'window' (2 significant digits, within 1%): the one-second slots of sliding windows, which are
//    added and subtracted every second. At 3 digits (or with sparse 'packed' arrays) that costs
//    milliseconds per histogram per second and stalls the event loop; at 2 digits it costs ~0.1 ms.

import * as hdr from 'hdr-histogram-js';
import type { LatencyStats } from './records';

const MICROS_PER_MS = 1000;
const HIGHEST_MICROS = 3_600_000_000; // one hour; autoResize extends it if ever needed

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;
  private sum = 0; // exact mean (the histogram's mean is bucketed)

  constructor(precision: 'run' | 'window' = 'run') {
    this.histogram = hdr.build({
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_MICROS,
      numberOfSignificantValueDigits: precision === 'run' ? 3 : 2,
      autoResize: true,
    });
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.histogram.recordValue(Math.max(1, Math.round(ms * MICROS_PER_MS)));
    this.sum += ms;
  }

  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
    this.sum += other.sum;
  }

  subtract(other: LatencyHistogram): void {
    this.histogram.subtract(other.histogram);
    this.sum -= other.sum;
    if (this.histogram.totalCount === 0) this.sum = 0;
  }

  reset(): void {
    this.histogram.reset();
    this.sum = 0;
  }

  percentile(p: number): number | null {
    if (this.histogram.totalCount === 0) return null;
    return this.histogram.getValueAtPercentile(p) / MICROS_PER_MS;
  }

  stats(): LatencyStats {
    const count = this.histogram.totalCount;
    if (count === 0) return { count: 0, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
    return {
      count,
      avg: round3(this.sum / count),
      p50: round3(this.percentile(50)!),
      p90: round3(this.percentile(90)!),
      p95: round3(this.percentile(95)!),
      p99: round3(this.percentile(99)!),
      // Not `maxValue`: it never decreases when a sliding window subtracts an expired slot.
      max: round3(this.percentile(100)!),
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
