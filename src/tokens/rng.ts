// The one seeded PRNG of the project: synthetic prompts, the engine's arrival schedule, benchmarks and
// the simulator's per-request draws (src/simulator/rng.ts) are reproducible from a seed. No imports, so
// the simulator can use it without loading the tokenizer.

/** mulberry32: a fast 32-bit PRNG; returns floats in [0, 1). Good enough for test data, not for crypto. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] (inclusive). */
export function randInt(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** A uniformly chosen element of a non-empty array. */
export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}
