// Seeded samples for the significance tests: latencies drawn from a lognormal distribution, so two
// calls with one seed give the same values and different seeds independent ones.

/** `n` values with the given median (ms) and log-space spread `sigma`, from a seeded generator. */
export function lognormalSample(n: number, median: number, sigma: number, seed = 1): number[] {
  const random = mulberry32(seed);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    // Box–Muller: one standard normal from two uniforms.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    values.push(median * Math.exp(sigma * z));
  }
  return values;
}

/** A small, well-mixed 32-bit generator (uniform in [0, 1)). */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
