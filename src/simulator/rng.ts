// Seeded pseudo-random numbers. Every request gets its own generator derived from (seed, seq), so a
// request's faults, jitter and text depend only on its arrival order — not on how timers interleave.

import { mulberry32 } from '../tokens/rng';

/** The simulator's draws: the project's one seeded generator (src/tokens/rng.ts, import-free). */
export class Rng {
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Mixes the run seed with a request's sequence number (murmur3 finalizer), so neighbours differ. */
export function requestRng(seed: number, seq: number): Rng {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seq + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return new Rng(h);
}
