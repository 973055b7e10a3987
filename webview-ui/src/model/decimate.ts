// Min/max decimation for a series that grows one point at a time (one per window per second).
// A one-hour run adds 3,600 points to each series; the chart needs at most a few thousand, so points
// are folded into buckets and each bucket keeps only its lowest and highest point. That keeps memory
// bounded however long the run, and a one-second spike is never averaged away.

export interface Point {
  /** Seconds. */
  x: number;
  /** Null draws a gap (no completed request in that window). */
  y: number | null;
}

interface Bucket {
  /** Raw points folded into this bucket. */
  count: number;
  min: Point | null;
  max: Point | null;
  /** First gap in a bucket with no values, so an all-gap stretch still shows as a gap. */
  gap: Point | null;
}

export class MinMaxDecimator {
  private buckets: Bucket[] = [];
  /** Raw points per bucket; doubles each time the buckets are folded in pairs. */
  private bucketSize = 1;
  private first: Point | null = null;
  private last: Point | null = null;
  private seen = 0;
  private readonly maxBuckets: number;

  /** `maxPoints` bounds what `points()` returns: the first and last points plus two per bucket. */
  constructor(readonly maxPoints = 2000) {
    if (!(maxPoints >= 6)) throw new Error(`maxPoints must be at least 6, got ${maxPoints}`);
    // An even bucket count, so folding in pairs leaves every bucket exactly full; 2 + 2 per bucket ≤ maxPoints.
    this.maxBuckets = Math.floor((maxPoints - 2) / 4) * 2;
  }

  /** Raw points seen so far (not the number kept). */
  get count(): number {
    return this.seen;
  }

  push(x: number, y: number | null): void {
    const p: Point = { x, y };
    this.seen++;
    this.first ??= p;
    this.last = p;
    let bucket = this.buckets.at(-1);
    if (!bucket || bucket.count >= this.bucketSize) {
      if (this.buckets.length >= this.maxBuckets) this.fold();
      bucket = this.buckets.at(-1);
      if (!bucket || bucket.count >= this.bucketSize) {
        bucket = { count: 0, min: null, max: null, gap: null };
        this.buckets.push(bucket);
      }
    }
    bucket.count++;
    if (y === null) {
      bucket.gap ??= p;
      return;
    }
    if (bucket.min === null || y < bucket.min.y!) bucket.min = p;
    if (bucket.max === null || y > bucket.max.y!) bucket.max = p;
  }

  /** The kept points in x order: the first, each bucket's min and max, and the last. */
  points(): Point[] {
    if (this.first === null || this.last === null) return [];
    const out: Point[] = [this.first];
    for (const b of this.buckets) {
      const kept = b.min === null ? [b.gap!] : b.min === b.max ? [b.min] : [b.min, b.max!].sort((p, q) => p.x - q.x);
      for (const p of kept) if (p !== this.first && p !== this.last) out.push(p);
    }
    if (this.last !== this.first) out.push(this.last);
    return out;
  }

  /** Merge neighbouring buckets pairwise: half the buckets, each covering twice as many points. */
  private fold(): void {
    const folded: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i];
      const b = this.buckets[i + 1];
      if (!b) {
        folded.push(a);
        continue;
      }
      folded.push({
        count: a.count + b.count,
        min: lower(a.min, b.min),
        max: higher(a.max, b.max),
        // A gap survives only while the merged bucket has no values at all.
        gap: a.gap ?? b.gap,
      });
    }
    this.buckets = folded;
    this.bucketSize *= 2;
  }
}

// Ties keep the earlier point, so results do not depend on fold order.
function lower(a: Point | null, b: Point | null): Point | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.y! < a.y! ? b : a;
}

function higher(a: Point | null, b: Point | null): Point | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.y! > a.y! ? b : a;
}
