// Histogram bars from a whole-run distribution (webview-ui/src/model/histogram-bars.ts): first to last
// non-empty bin, gaps kept, each bar labelled with its bin's range, the open last bin as "≥ x".
import { strict as assert } from 'node:assert';
import { addToDistribution, emptyDistribution, LATENCY_EDGES_MS, TOKEN_EDGES } from '../../../src/engine/distribution';
import { histogramBars } from '../../../webview-ui/src/model/histogram-bars';

/** Index of the bin that starts at `edge` (an exact edge value). */
const binAt = (edges: number[], edge: number) => {
  const i = edges.indexOf(edge);
  assert.ok(i >= 0, `${edge} is an edge`);
  return i;
};

describe('webview histogramBars', () => {
  it('no distribution, or an empty one, draws no bars', () => {
    assert.deepEqual(histogramBars(null, 'ms'), []);
    assert.deepEqual(histogramBars(emptyDistribution('ms'), 'ms'), []);
  });

  it('spans the first to the last non-empty bin, empty bins in between kept, counts as recorded', () => {
    const d = emptyDistribution('ms');
    const i40 = binAt(LATENCY_EDGES_MS, 39.8);
    for (const v of [39.8, 40, 41]) addToDistribution(d, v); // all in [39.8, 42.2)
    addToDistribution(d, LATENCY_EDGES_MS[i40 + 3]); // three bins later
    const bars = histogramBars(d, 'ms');
    assert.equal(bars.length, 4);
    assert.deepEqual(
      bars.map((b) => b.count),
      [3, 0, 0, 1],
    );
    assert.equal(
      bars.reduce((n, b) => n + b.count, 0),
      d.count,
    );
    // Each label is its bin's two edges, three significant digits.
    const edge = (v: number) => `${Number(v.toPrecision(3))} ms`;
    bars.forEach((b, k) => assert.equal(b.label, `${edge(LATENCY_EDGES_MS[i40 + k])}–${edge(LATENCY_EDGES_MS[i40 + k + 1])}`));
    assert.equal(bars[0].label, '39.8 ms–42.2 ms');
  });

  it('labels bins in the unit’s format (seconds above 10 s, thousands separators for tokens)', () => {
    const ms = emptyDistribution('ms');
    addToDistribution(ms, 12_000);
    assert.deepEqual(histogramBars(ms, 'ms'), [{ label: '11.9 s–12.6 s', count: 1 }]);
    const tokens = emptyDistribution('tokens');
    addToDistribution(tokens, 120);
    addToDistribution(tokens, 1500);
    const bars = histogramBars(tokens, 'tokens');
    assert.equal(bars[0].label, '119–125');
    assert.equal(bars.at(-1)!.label, '1,500–1,579');
    assert.equal(bars.length, binAt(TOKEN_EDGES, 1500) - binAt(TOKEN_EDGES, 119) + 1);
  });

  it('the open-ended last bin is labelled "≥ its edge"; bin 0 starts at 0', () => {
    const d = emptyDistribution('ms');
    addToDistribution(d, 0.01);
    addToDistribution(d, 3_600_000);
    const bars = histogramBars(d, 'ms');
    assert.equal(bars.length, LATENCY_EDGES_MS.length);
    assert.deepEqual(bars[0], { label: '0 ms–0.1 ms', count: 1 });
    assert.deepEqual(bars.at(-1), { label: `≥ ${Math.round(LATENCY_EDGES_MS.at(-1)! / 1000)} s`, count: 1 });
  });
});

describe('webview histogramBars labels', () => {
  it('never labels two neighbouring latency bins the same, and leaves out token bins that hold no whole number', () => {
    const ms = emptyDistribution('ms');
    for (let v = 10; v < 100; v *= 1.03) addToDistribution(ms, v);
    const labels = histogramBars(ms, 'ms').map((b) => b.label);
    assert.equal(new Set(labels).size, labels.length, labels.join(' | '));
    const tokens = emptyDistribution('tokens');
    for (let n = 1; n <= 30; n++) addToDistribution(tokens, n);
    const bars = histogramBars(tokens, 'tokens');
    assert.equal(
      bars.reduce((sum, b) => sum + b.count, 0),
      30,
      'every count is in a bar',
    );
    assert.ok(
      bars.every((b) => !/^(\d+)–\1$/.test(b.label)),
      bars.map((b) => b.label).join(' | '),
    );
    assert.equal(bars[0].label, '1');
  });
});
