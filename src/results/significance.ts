// Is a difference between two runs (or targets) real, or within the noise of their sample sizes?
// Three two-sided tests at α = 0.05, each on what summary.json holds:
//  - a percentile (p50/p95/p99 of a latency): an exact bootstrap test on the whole-run histograms
//    (src/engine/distribution.ts). The bootstrap distribution of the k-th smallest of n values
//    resampled from a histogram is exact: P(it lies in bins ≤ j) = P(Binomial(n, F_j) ≥ k), F_j the
//    share of values in bins ≤ j. The two sides are independent, so P(B's resampled percentile ≤ A's)
//    follows bin by bin; the difference is significant when that (or ≥) is below α/2, i.e. "no
//    difference" lies outside the 95% bootstrap interval. Values in one bin (~6% wide) are tied, a tie
//    counting half each way as in rank tests: percentiles that stay in one bin are never called apart.
//  - a share (failed of completed, 429 of attempts): Fisher's exact test on the 2×2 table.
//  - a rate (requests sent per minute): the exact conditional test for two Poisson counts (given the
//    total, B's count is Binomial(total, t_B / (t_A + t_B)) when the rates are equal).
// Requests are taken as independent samples; pure functions, no DOM.

import type { Distribution } from '../engine/distribution';

export const ALPHA = 0.05;

export interface TestResult {
  /** Two-sided p-value. */
  p: number;
  /** Which way B differs from A when significant (p < α): 1 higher, −1 lower; 0 when not significant. */
  direction: -1 | 0 | 1;
  /** Too few values to judge at all (a percentile beyond the data: see minimumCount). */
  tooFew?: boolean;
}

const NOT_SIGNIFICANT: TestResult = { p: 1, direction: 0 };

/**
 * Percentile `q` (0..1, nearest rank as the engine computes it) of B against A, from their histograms
 * (same bins). Null when either is empty or the bins differ.
 */
export function percentileTest(a: Distribution, b: Distribution, q: number): TestResult | null {
  if (a.count === 0 || b.count === 0 || a.counts.length !== b.counts.length) return null;
  if (Math.min(a.count, b.count) < minimumCount(q)) return { p: 1, direction: 0, tooFew: true };
  const pa = percentileBinProbabilities(a, q);
  const cdfB = cumulative(percentileBinProbabilities(b, q));
  // P(B's percentile in a lower bin than A's) and P(in a higher bin).
  let lower = 0;
  let higher = 0;
  for (let j = 0; j < pa.length; j++) {
    if (pa[j] === 0) continue;
    lower += pa[j] * (j > 0 ? cdfB[j - 1] : 0);
    higher += pa[j] * (1 - cdfB[j]);
  }
  // A tie (both in one bin) counts half each way, as ties do in rank tests.
  const tied = clamp01(1 - higher - lower);
  const notHigher = clamp01(lower + tied / 2);
  const notLower = clamp01(higher + tied / 2);
  const p = Math.min(1, 2 * Math.min(notHigher, notLower));
  return { p, direction: p >= ALPHA ? 0 : notHigher < notLower ? 1 : -1 };
}

/**
 * Fewest values per side for a percentile to be judged: at least one value above it (p99 needs 100).
 * Below that the percentile is the sample's maximum, and the bootstrap of a maximum calls differences
 * between two samples of one distribution significant far more often than α (measured over 1,000 pairs
 * of lognormal samples: ~10% for p99 of 20 or 50 requests; 6% or less from 100 on, ~α).
 */
export function minimumCount(q: number): number {
  return Math.ceil(1 / (1 - q) - 1e-9);
}

/**
 * The exact bootstrap distribution of a histogram's q-percentile: per bin, the probability that the
 * percentile of n values resampled with replacement falls into it.
 */
export function percentileBinProbabilities(d: Distribution, q: number): number[] {
  const n = d.count;
  const k = Math.min(n, Math.max(1, Math.ceil(q * n)));
  const probabilities = d.counts.map(() => 0);
  let below = 0; // values in bins before j
  let previous = 0; // P(percentile in bins < j)
  for (let j = 0; j < d.counts.length; j++) {
    if (d.counts[j] === 0) continue;
    below += d.counts[j];
    const atMost = below >= n ? 1 : binomialUpperTail(n, below / n, k);
    probabilities[j] = Math.max(0, atMost - previous);
    previous = atMost;
  }
  return probabilities;
}

/** Fisher's exact test: does the share `hitsB / totalB` differ from `hitsA / totalA`? */
export function proportionTest(hitsA: number, totalA: number, hitsB: number, totalB: number): TestResult | null {
  if (totalA <= 0 || totalB <= 0 || hitsA < 0 || hitsB < 0 || hitsA > totalA || hitsB > totalB) return null;
  const hits = hitsA + hitsB;
  const n = totalA + totalB;
  if (hits === 0 || hits === n) return NOT_SIGNIFICANT;
  // x = hits in A, hypergeometric with margins totalA, hits, n.
  const lo = Math.max(0, hits - totalB);
  const hi = Math.min(totalA, hits);
  const logPmf = (x: number) => logChoose(totalA, x) + logChoose(totalB, hits - x) - logChoose(n, hits);
  const mode = Math.min(hi, Math.max(lo, Math.floor(((totalA + 1) * (hits + 1)) / (n + 2))));
  const p = exactTwoSided(lo, hi, mode, hitsA, logPmf);
  // A's share above B's means B is lower.
  const direction = p >= ALPHA ? 0 : hitsB / totalB > hitsA / totalA ? 1 : -1;
  return { p, direction };
}

/** Are `countB` events in `timeB` a different rate than `countA` in `timeA` (Poisson counts)? */
export function rateTest(countA: number, timeA: number, countB: number, timeB: number): TestResult | null {
  if (!(timeA > 0) || !(timeB > 0) || countA < 0 || countB < 0) return null;
  const n = countA + countB;
  if (n === 0) return NOT_SIGNIFICANT;
  const share = timeB / (timeA + timeB);
  const atMost = 1 - binomialUpperTail(n, share, countB + 1);
  const atLeast = binomialUpperTail(n, share, countB);
  const p = Math.min(1, 2 * Math.min(atMost, atLeast));
  const direction = p >= ALPHA ? 0 : countB / timeB > countA / timeA ? 1 : -1;
  return { p, direction };
}

/** P(X ≥ k) for X ~ Binomial(n, p): the regularized incomplete beta I_p(k, n − k + 1). */
export function binomialUpperTail(n: number, p: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return regularizedBeta(p, k, n - k + 1);
}

/**
 * Two-sided exact p-value of a unimodal discrete distribution on [lo, hi] (log pmf given): the mass of
 * every outcome no more likely than the observed one. Walks out from the mode and stops where the
 * terms are too small to matter (1e-20 of the mode's).
 */
function exactTwoSided(lo: number, hi: number, mode: number, observed: number, logPmf: (x: number) => number): number {
  const cutoff = logPmf(observed) + 1e-7;
  const floor = logPmf(mode) - 46; // e^-46 ≈ 1e-20
  // Far in a tail: every outcome as unlikely weighs at most this much together.
  if (cutoff < floor) return clamp01((hi - lo + 1) * Math.exp(cutoff));
  let p = 0;
  for (let x = mode; x <= hi; x++) {
    const l = logPmf(x);
    if (l < floor) break;
    if (l <= cutoff) p += Math.exp(l);
  }
  for (let x = mode - 1; x >= lo; x--) {
    const l = logPmf(x);
    if (l < floor) break;
    if (l <= cutoff) p += Math.exp(l);
  }
  return clamp01(p);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** ln Γ(x), x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** I_x(a, b) by its continued fraction (modified Lentz), on the side where it converges fast. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return clamp01((Math.exp(logFront) * betaFraction(x, a, b)) / a);
  return clamp01(1 - (Math.exp(logFront) * betaFraction(1 - x, b, a)) / b);
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  // Converges in O(√max(a, b)) steps: a run of a million requests needs a few thousand.
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-14) break;
  }
  return h;
}

function cumulative(values: number[]): number[] {
  let sum = 0;
  return values.map((v) => Math.min(1, (sum += v)));
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
