// What the time charts' legends list and what a lone point draws: the TBT chart names reasoning series
// only for runs with reasoning (the engine measures TBT over all output tokens for every request), and
// a point with no neighbour is marked (a line needs two).
import { strict as assert } from 'node:assert';
import { isLonePoint, seriesFromWindows } from '../../../webview-ui/src/model/series';
import { RunViewModel } from '../../../webview-ui/src/model/view-model';
import { lat, scenario, win } from './fixtures';

describe('TBT legend', () => {
  it('a model without reasoning: tbt_all measured in every window, yet no reasoning series', () => {
    // What the engine writes for a plain model: TBT over all output tokens equals the visible one.
    const plain = [win(1, { tbt_all: lat(10, 15), ttfr: lat(null), reasoning_tpm: 0 }), win(2, { tbt_all: lat(11, 16), ttfr: lat(null), reasoning_tpm: 0 })];
    const labels = seriesFromWindows(plain, 'a')
      .filter((s) => s.chart === 'tbt')
      .map((s) => s.label);
    assert.deepEqual(labels, ['TBT p50 (per token)', 'TBT p95 (per token)']);
    // The live view-model draws the same legend.
    const vm = new RunViewModel({ scenario: scenario() });
    vm.addWindows(plain);
    assert.deepEqual(
      vm
        .series('a')
        .filter((s) => s.chart === 'tbt')
        .map((s) => s.id),
      ['tbt_p50', 'tbt_p95'],
    );
  });

  it('a reasoning model: the series appear, streamed (TTFR) or hidden (reasoning tokens counted)', () => {
    const streamed = [win(1, { tbt_all: lat(6, 9), ttfr: lat(300, 400), reasoning_tpm: 900 })];
    assert.deepEqual(
      seriesFromWindows(streamed, 'a')
        .filter((s) => s.chart === 'tbt')
        .map((s) => s.id),
      ['tbt_p50', 'tbt_p95', 'tbt_all_p50', 'tbt_all_p95'],
    );
    const hidden = [win(1, { tbt_all: lat(6, 9), ttfr: lat(null), reasoning_tpm: 900 })];
    assert.deepEqual(seriesFromWindows(hidden, 'a').find((s) => s.id === 'tbt_all_p95')!.points, [{ x: 1, y: 9 }]);
  });
});

describe('lone points', () => {
  const p = (x: number, y: number | null) => ({ x, y });

  it('a point without drawn neighbours is lone; one next to another is part of a line', () => {
    assert.equal(isLonePoint([p(1, 5)], 0), true, 'the first window of a run');
    assert.equal(isLonePoint([p(1, 5), p(2, 6)], 0), false);
    assert.equal(isLonePoint([p(1, 5), p(2, 6)], 1), false);
    const gaps = [p(1, 5), p(2, null), p(3, 7), p(4, null), p(5, 8), p(6, 9)];
    assert.deepEqual(
      gaps.map((_, i) => isLonePoint(gaps, i)),
      [true, false, true, false, false, false],
    );
  });

  it('a gap is never marked', () => {
    assert.equal(isLonePoint([p(1, null)], 0), false);
    assert.equal(isLonePoint([p(1, Number.NaN)], 0), false);
    assert.equal(isLonePoint([], 0), false);
  });
});
