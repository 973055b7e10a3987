// The tests behind the Compare panel's better / worse / within noise: exact values where the textbook
// (or R) has them, and the decisions on known samples.
import { strict as assert } from 'node:assert';
import { addToDistribution, emptyDistribution, type Distribution } from '../../../src/engine/distribution';
import {
  ALPHA,
  binomialUpperTail,
  logGamma,
  minimumCount,
  percentileBinProbabilities,
  percentileTest,
  proportionTest,
  rateTest,
  regularizedBeta,
} from '../../../src/results/significance';
import { lognormalSample } from './samples';

const near = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} ≠ ${expected} ± ${tolerance}`);

function histogram(values: readonly number[]): Distribution {
  const d = emptyDistribution('ms');
  for (const v of values) addToDistribution(d, v);
  return d;
}

describe('significance: the numerics', () => {
  it('ln Γ matches factorials', () => {
    near(logGamma(1), 0, 1e-12);
    near(logGamma(10), Math.log(362_880), 1e-10);
    near(logGamma(171), 706.5730622457874, 1e-8);
    near(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
  });

  it('binomial tails: exact small cases, symmetric large ones', () => {
    // P(X ≥ 8), X ~ Bin(10, ½) = (45 + 10 + 1) / 1024.
    near(binomialUpperTail(10, 0.5, 8), 56 / 1024, 1e-12);
    near(binomialUpperTail(10, 0.5, 0), 1, 0);
    near(binomialUpperTail(10, 0.5, 11), 0, 0);
    near(binomialUpperTail(1, 0.3, 1), 0.3, 1e-12);
    // A million trials: P(X ≥ n/2 + 1) + P(X ≤ n/2 − 1) + P(X = n/2) = 1 and the tails are equal.
    const n = 1_000_000;
    near(binomialUpperTail(n, 0.5, n / 2 + 1), 1 - binomialUpperTail(n, 0.5, n / 2), 1e-9, 'symmetry');
    near(regularizedBeta(0.5, 3, 3), 0.5, 1e-12);
  });
});

describe('significance: Fisher’s exact test on shares', () => {
  it('gives R’s fisher.test p-values', () => {
    // fisher.test(matrix(c(1, 11, 9, 3), 2)) → p = 0.002759
    near(proportionTest(1, 10, 11, 14)!.p, 0.002759, 5e-6, 'p');
    // The tea-tasting table: fisher.test(matrix(c(3, 1, 1, 3), 2)) → p = 0.4857
    near(proportionTest(3, 4, 1, 4)!.p, 0.4857, 5e-5, 'tea');
  });

  it('0 of 100 against 2 of 100 is within noise; 0 of 1,000 against 50 of 1,000 is higher', () => {
    assert.equal(proportionTest(0, 100, 2, 100)!.direction, 0);
    assert.deepEqual(proportionTest(0, 1000, 50, 1000)!.direction, 1);
    assert.deepEqual(proportionTest(50, 1000, 0, 1000)!.direction, -1);
    // The paygo target of issue 15 against an unthrottled one.
    assert.ok(proportionTest(0, 120, 784, 883)!.p < 1e-50);
  });

  it('no test without requests; nothing to test when both are all or nothing', () => {
    assert.equal(proportionTest(0, 0, 1, 10), null);
    assert.deepEqual(proportionTest(0, 10, 0, 20), { p: 1, direction: 0 });
    assert.deepEqual(proportionTest(10, 10, 20, 20), { p: 1, direction: 0 });
  });
});

describe('significance: two Poisson rates', () => {
  it('is the conditional binomial test (R: binom.test(20, 30) → p = 0.09874)', () => {
    near(rateTest(10, 60, 20, 60)!.p, 0.09874, 5e-5);
    assert.equal(rateTest(10, 60, 20, 60)!.direction, 0);
  });

  it('120 against 240 sent in the same 30 s is higher; in twice the time it is the same rate', () => {
    assert.equal(rateTest(120, 30, 240, 30)!.direction, 1);
    assert.equal(rateTest(240, 30, 120, 30)!.direction, -1);
    near(rateTest(120, 30, 240, 60)!.p, 1, 1e-9);
  });
});

describe('significance: percentiles from histograms (exact bootstrap)', () => {
  it('the bootstrap distribution of a percentile sums to 1 and sits where the data are', () => {
    const d = histogram(lognormalSample(200, 200, 0.3));
    for (const q of [0.5, 0.95, 0.99]) {
      const p = percentileBinProbabilities(d, q);
      near(
        p.reduce((a, b) => a + b, 0),
        1,
        1e-9,
        `q ${q}`,
      );
      p.forEach((v, i) => assert.ok(v === 0 || d.counts[i] > 0, `mass only in occupied bins (bin ${i})`));
    }
    // One value: its bin, with certainty.
    const one = histogram([123]);
    const p = percentileBinProbabilities(one, 0.5);
    assert.equal(p.filter((v) => v > 0).length, 1);
    near(Math.max(...p), 1, 1e-12);
  });

  it('identical histograms are within noise at every size', () => {
    for (const n of [20, 200, 20_000]) {
      const d = histogram(lognormalSample(n, 200, 0.3));
      for (const q of [0.5, 0.95, 0.99]) {
        const r = percentileTest(d, d, q)!;
        assert.equal(r.direction, 0, `n ${n} q ${q}`);
        near(r.p, 1, 1e-9, `n ${n} q ${q}`);
      }
    }
  });

  it('a clear shift is significant, either way; a small one on few requests is not', () => {
    const a = histogram(lognormalSample(200, 200, 0.3));
    const slower = histogram(lognormalSample(200, 300, 0.3));
    const faster = histogram(lognormalSample(200, 140, 0.3));
    for (const q of [0.5, 0.95]) {
      const up = percentileTest(a, slower, q)!;
      assert.equal(up.direction, 1, `slower q ${q}`);
      assert.ok(up.p < ALPHA);
      assert.equal(percentileTest(a, faster, q)!.direction, -1, `faster q ${q}`);
    }
    // +10% on 20 requests with this spread: not distinguishable.
    const few = histogram(lognormalSample(20, 200, 0.3));
    assert.equal(percentileTest(few, histogram(lognormalSample(20, 220, 0.3)), 0.5)!.direction, 0);
  });

  it('a percentile beyond the data is not judged: p99 needs 100 requests per side', () => {
    assert.equal(minimumCount(0.5), 2);
    assert.equal(minimumCount(0.95), 20);
    assert.equal(minimumCount(0.99), 100);
    const a = histogram(lognormalSample(50, 100, 0.1));
    const b = histogram(lognormalSample(50, 1000, 0.1));
    assert.deepEqual(percentileTest(a, b, 0.99), { p: 1, direction: 0, tooFew: true });
    // p95 of 50 is judged, and ten times slower is worse.
    assert.equal(percentileTest(a, b, 0.95)!.direction, 1);
  });

  it('empty histograms cannot be tested', () => {
    assert.equal(percentileTest(emptyDistribution('ms'), histogram([1, 2, 3]), 0.5), null);
  });

  it('calls two samples of one distribution different no more often than α (seeded simulation)', function () {
    this.timeout(120_000);
    // 400 pairs of independent samples per case, drawn from the same lognormal: a test at α = 0.05
    // may call ~5% of them different; allow for the simulation's own noise (3 standard errors).
    const trials = 400;
    const allowed = ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / trials);
    let seed = 7;
    for (const [n, q, sigma] of [
      [20, 0.5, 0.5],
      [20, 0.95, 0.5],
      [100, 0.99, 0.5],
      [20, 0.99, 0.5],
      [200, 0.95, 1],
      [1000, 0.5, 0.25],
    ] as const) {
      let different = 0;
      for (let i = 0; i < trials; i++) {
        const a = histogram(lognormalSample(n, 200, sigma, seed++));
        const b = histogram(lognormalSample(n, 200, sigma, seed++));
        if (percentileTest(a, b, q)!.direction !== 0) different++;
      }
      assert.ok(different / trials <= allowed, `n ${n} q ${q} σ ${sigma}: ${different} of ${trials} called different`);
    }
  });
});
