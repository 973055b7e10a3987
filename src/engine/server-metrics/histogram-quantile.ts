// Server-side percentiles from Prometheus histograms, computed as Prometheus's histogram_quantile()
// does (promql/quantile.go in prometheus/prometheus): the observations of the run are the difference
// of the cumulative bucket counts between the first and the last scrape, and a quantile is
// interpolated linearly within the bucket that holds its rank. Its resolution is the bucket width:
// vLLM's TTFT buckets around 100 ms are 20–150 ms wide.

/** One cumulative bucket: observations ≤ bound (+Inf last). */
export interface Bucket {
  bound: number;
  count: number;
}

/** `last − first` per bound: what was observed between two scrapes. Without a first scrape (or when
 *  the counts went down: the server restarted) it is `last` itself. Null when the bucket layouts differ. */
export function bucketDelta(first: readonly Bucket[] | null, last: readonly Bucket[]): Bucket[] | null {
  if (!first) return last.map((b) => ({ ...b }));
  if (first.length !== last.length || first.some((b, i) => b.bound !== last[i].bound)) return null;
  const reset = last.some((b, i) => b.count < first[i].count);
  return last.map((b, i) => ({ bound: b.bound, count: reset ? b.count : b.count - first[i].count }));
}

/** Several label sets of one histogram added up (Prometheus's `sum by (le)`); null when their bucket
 *  layouts differ. */
export function sumBuckets(series: readonly (readonly Bucket[])[]): Bucket[] | null {
  if (series.length === 0) return null;
  const [head, ...rest] = series;
  if (rest.some((s) => s.length !== head.length || s.some((b, i) => b.bound !== head[i].bound))) return null;
  return head.map((b, i) => ({ bound: b.bound, count: series.reduce((sum, s) => sum + s[i].count, 0) }));
}

/** The q-quantile (0..1) of cumulative buckets, in the buckets' unit; null when there is nothing to
 *  interpolate (no observations, no +Inf bucket, fewer than two buckets). */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  if (buckets.length < 2 || buckets.at(-1)!.bound !== Infinity) return null;
  // Counts must not decrease with the bound (a scrape can catch a histogram mid-update).
  const b = buckets.map((x) => ({ ...x }));
  for (let i = 1; i < b.length; i++) if (b[i].count < b[i - 1].count) b[i].count = b[i - 1].count;
  const observations = b.at(-1)!.count;
  if (!(observations > 0)) return null;
  if (q <= 0) return b[0].bound <= 0 ? b[0].bound : 0;
  let rank = Math.min(q, 1) * observations;
  let i = 0;
  while (i < b.length - 1 && b[i].count < rank) i++;
  if (i === b.length - 1) return b[b.length - 2].bound;
  if (i === 0 && b[0].bound <= 0) return b[0].bound;
  let start = 0;
  let count = b[i].count;
  if (i > 0) {
    start = b[i - 1].bound;
    count -= b[i - 1].count;
    rank -= b[i - 1].count;
  }
  return start + (b[i].bound - start) * (rank / count);
}

/** The width of the bucket a value falls in: how far a histogram percentile can be from the truth. */
export function bucketWidthAt(value: number, buckets: readonly Bucket[]): number {
  let lower = 0;
  for (const b of buckets) {
    if (value <= b.bound) return b.bound === Infinity ? Infinity : b.bound - lower;
    lower = b.bound;
  }
  return Infinity;
}
