// The rate search alone (src/engine/capacity/search.ts): which rates it proposes against a known
// limit, when it stops, and that it never offers more than a rate that already failed.

import { strict as assert } from 'node:assert';
import { RateSearch, roundRate, type SearchBounds } from '../../../src/engine/capacity/search';

/** Runs the search against a deployment that carries exactly `limit` RPM; returns the rates tried and the end state. */
function searchAgainst(limit: number, bounds: SearchBounds) {
  const s = new RateSearch(bounds);
  const tried: number[] = [];
  for (let i = 0; i < 100; i++) {
    const next = s.next();
    if (next.kind !== 'step') return { tried, end: next };
    tried.push(next.rpm);
    s.record(next.rpm, next.rpm <= limit);
  }
  throw new Error('the search did not end within 100 steps');
}

describe('capacity rate search', () => {
  it('doubles from min until a step fails, then bisects until the bracket is within precision', () => {
    const { tried, end } = searchAgainst(2090, { min_rpm: 250, max_rpm: 8000, precision: 0.05 });
    assert.deepEqual(tried.slice(0, 5), [250, 500, 1000, 2000, 4000]);
    assert.equal(end.kind, 'found');
    if (end.kind !== 'found') return;
    assert.ok(end.rpm <= 2090 && end.failedAt > 2090, `bracket [${end.rpm}, ${end.failedAt}] holds the limit`);
    assert.ok(end.failedAt - end.rpm <= 0.05 * end.rpm, 'within precision of the answer');
    // Bisection: each step after the bracket halves it, so few steps are needed.
    assert.ok(tried.length <= 5 + Math.ceil(Math.log2(2000 / (0.05 * 2000))) + 1, `steps: ${tried.join(', ')}`);
  });

  it('never offers a rate at or above one that failed', () => {
    for (const limit of [37, 260, 999, 5000, 7999]) {
      const s = new RateSearch({ min_rpm: 20, max_rpm: 8000, precision: 0.02 });
      let lowestFailed = Infinity;
      for (let next = s.next(); next.kind === 'step'; next = s.next()) {
        assert.ok(next.rpm < lowestFailed, `offered ${next.rpm} after ${lowestFailed} failed (limit ${limit})`);
        const passed = next.rpm <= limit;
        if (!passed) lowestFailed = Math.min(lowestFailed, next.rpm);
        s.record(next.rpm, passed);
      }
    }
  });

  it('stops at max when every rate holds, and reports below-min when min fails', () => {
    const held = searchAgainst(1e9, { min_rpm: 100, max_rpm: 700, precision: 0.05 });
    assert.deepEqual(held.tried, [100, 200, 400, 700]);
    assert.deepEqual(held.end, { kind: 'held-at-max', rpm: 700 });
    const below = searchAgainst(50, { min_rpm: 100, max_rpm: 700, precision: 0.05 });
    assert.deepEqual(below.tried, [100]);
    assert.deepEqual(below.end, { kind: 'below-min' });
  });

  it('keeps bisecting when rounding would repeat a rate (tight precision)', () => {
    const { end } = searchAgainst(1004, { min_rpm: 1000, max_rpm: 1010, precision: 0.001 });
    assert.equal(end.kind, 'found');
    if (end.kind === 'found') assert.ok(end.rpm <= 1004 && end.failedAt > 1004 && end.failedAt - end.rpm <= 1);
  });

  it('rounds rates as a person writes them', () => {
    assert.equal(roundRate(2062.5), 2063);
    assert.equal(roundRate(12.345), 12.3);
    assert.equal(roundRate(0.01234), 0.012);
    assert.throws(() => new RateSearch({ min_rpm: 500, max_rpm: 100, precision: 0.05 }), /min \(500\) ≤ max \(100\)/);
  });
});
