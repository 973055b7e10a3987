// Min/max decimation: bounded point count, and the points a reader must not lose are kept.
import { strict as assert } from 'node:assert';
import { MinMaxDecimator, type Point } from '../../../webview-ui/src/model/decimate';

function fill(d: MinMaxDecimator, ys: (number | null)[]): void {
  ys.forEach((y, i) => d.push(i + 1, y));
}

describe('MinMaxDecimator', () => {
  it('keeps every point, unchanged, while under the limit', () => {
    const d = new MinMaxDecimator(10);
    fill(d, [5, 3, null, 8]);
    assert.deepEqual(d.points(), [
      { x: 1, y: 5 },
      { x: 2, y: 3 },
      { x: 3, y: null },
      { x: 4, y: 8 },
    ]);
    assert.equal(d.count, 4);
    assert.deepEqual(new MinMaxDecimator(10).points(), []);
  });

  it('bounds a one-hour series and keeps the first, last, minimum and maximum points', () => {
    const d = new MinMaxDecimator(100);
    // A smooth line with one spike up and one dip down, each a single second long.
    const ys = Array.from({ length: 3600 }, (_, i) => 500 + 100 * Math.sin(i / 60));
    ys[1233] = 9999; // x = 1234
    ys[2999] = 1; // x = 3000
    fill(d, ys);
    const pts = d.points();
    assert.equal(d.count, 3600);
    assert.ok(pts.length <= 100, `${pts.length} points`);
    assert.ok(pts.length >= 50, `decimation should not throw most buckets away: ${pts.length}`);
    assert.deepEqual(pts[0], { x: 1, y: ys[0] });
    assert.deepEqual(pts.at(-1), { x: 3600, y: ys[3599] });
    assert.ok(
      pts.some((p) => p.x === 1234 && p.y === 9999),
      'spike kept',
    );
    assert.ok(
      pts.some((p) => p.x === 3000 && p.y === 1),
      'dip kept',
    );
    // Every kept point is a real one, in x order.
    for (const p of pts) assert.equal(p.y, ys[p.x - 1]);
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i].x > pts[i - 1].x);
  });

  it('never exceeds the limit and always ends with the latest point, at every length', () => {
    const d = new MinMaxDecimator(10);
    for (let i = 1; i <= 1000; i++) {
      d.push(i, (i * 7919) % 101);
      const pts = d.points();
      assert.ok(pts.length <= 10, `${pts.length} points after ${i}`);
      assert.deepEqual(pts[0], { x: 1, y: 7919 % 101 });
      assert.deepEqual(pts.at(-1), { x: i, y: (i * 7919) % 101 });
    }
  });

  it('keeps a stretch without values as a gap when it spans whole buckets', () => {
    const d = new MinMaxDecimator(42);
    const ys: (number | null)[] = Array.from({ length: 200 }, (_, i) => (i >= 80 && i < 160 ? null : i));
    fill(d, ys);
    const pts = d.points();
    const gap = pts.find((p: Point) => p.y === null);
    assert.ok(gap && gap.x > 80 && gap.x <= 160 && pts.length <= 42, `gap point ${JSON.stringify(gap)}`);
  });

  it('refuses a limit too small to hold first, last and one bucket', () => {
    assert.throws(() => new MinMaxDecimator(5), /at least 6/);
  });
});
