// seriesFromWindows and the two alignments: what each time chart plots for given windows.
import { strict as assert } from 'node:assert';
import { alignFromStart, alignOnClock, seriesFromWindows } from '../../../webview-ui/src/model/series';
import { lat, win } from './fixtures';

const byId = (series: ReturnType<typeof seriesFromWindows>) => new Map(series.map((s) => [s.id, s]));

describe('seriesFromWindows', () => {
  const windows = [
    win(1, { ttft: lat(100, 180), tbt: lat(12, 20), e2e: lat(900, 1400), chunk_gap: lat(40, 70), rpm: 30, ctx_tpm: 3000, gen_tpm: 300, in_flight: 1 }),
    win(1, { target: 'other', ttft: lat(999) }),
    win(2, { ttft: lat(null), rpm: 0, failures: 2, throttled: 3, in_flight: 4 }),
    win(3, { ttft: lat(120, 210), rpm: 45.5, ctx_tpm: 4550, gen_tpm: 455, failures: 1, throttled: 0, in_flight: 0 }),
  ];

  it('plots one target’s windows, x = seconds, exact values, gaps where no request completed', () => {
    const s = byId(seriesFromWindows(windows, 'a'));
    const ys = (id: string) => s.get(id)!.points.map((p) => p.y);
    assert.deepEqual(s.get('ttft_p50')!.points, [
      { x: 1, y: 100 },
      { x: 2, y: null },
      { x: 3, y: 120 },
    ]);
    assert.deepEqual(ys('ttft_p95'), [180, null, 210]);
    assert.deepEqual(ys('tbt_p50'), [12, 10, 10]);
    assert.deepEqual(ys('tbt_p95'), [20, 15, 15]);
    assert.deepEqual(ys('chunk_gap_p95'), [70, 45, 45]);
    assert.deepEqual(ys('e2e_p50'), [900, 1000, 1000]);
    assert.deepEqual(ys('e2e_p95'), [1400, 1500, 1500]);
    assert.deepEqual(ys('rpm'), [30, 0, 45.5]);
    assert.deepEqual(ys('ctx_tpm'), [3000, 6000, 4550]);
    assert.deepEqual(ys('gen_tpm'), [300, 600, 455]);
    assert.deepEqual(ys('failures'), [0, 2, 1]);
    assert.deepEqual(ys('throttled'), [0, 3, 0]);
    assert.deepEqual(ys('in_flight'), [1, 4, 0]);
  });

  it('labels TBT as per token and chunk gaps as per chunk, not per token', () => {
    const s = byId(seriesFromWindows(windows, 'a'));
    assert.equal(s.get('tbt_p50')!.label, 'TBT p50 (per token)');
    assert.equal(s.get('tbt_p95')!.label, 'TBT p95 (per token)');
    assert.equal(s.get('chunk_gap_p50')!.label, 'Chunk gap p50 (per chunk, not per token)');
    assert.equal(s.get('chunk_gap_p95')!.label, 'Chunk gap p95 (per chunk, not per token)');
    assert.equal(s.get('rpm')!.label, 'Achieved RPM (completed)');
    assert.equal(s.get('ttft_p50')!.unit, 'ms');
    assert.equal(s.get('tbt_p50')!.chart, 'tbt');
    assert.equal(s.get('chunk_gap_p50')!.chart, 'chunk_gap');
  });

  it('leaves out target RPM, utilization and schedule lag until a window reports them', () => {
    const closed = seriesFromWindows(windows, 'a').map((s) => s.id);
    assert.deepEqual(closed, [
      'ttft_p50',
      'ttft_p95',
      'tbt_p50',
      'tbt_p95',
      'chunk_gap_p50',
      'chunk_gap_p95',
      'e2e_p50',
      'e2e_p95',
      'rpm',
      'ctx_tpm',
      'gen_tpm',
      'failures',
      'throttled',
      'in_flight',
    ]);

    const open = [
      win(1, { target_rpm: 60, lag: lat(2, 8) }),
      win(2, { target_rpm: 120, lag: lat(3, 55), util: lat(40) }),
      win(3, { target_rpm: 120, util: lat(null) }),
    ];
    const s = byId(seriesFromWindows(open, 'a'));
    assert.deepEqual(
      s.get('target_rpm')!.points.map((p) => p.y),
      [60, 120, 120],
    );
    assert.equal(s.get('target_rpm')!.chart, 'rpm');
    assert.deepEqual(
      s.get('utilization')!.points.map((p) => p.y),
      [null, 40, null],
    );
    assert.deepEqual(
      s.get('lag_p95')!.points.map((p) => p.y),
      [8, 55, null],
    );
  });

  it('draws reasoning series (TTFR, TBT over all output tokens, reasoning TPM) only when a window reports them, labelled', () => {
    assert.ok(!seriesFromWindows(windows, 'a').some((s) => s.id.startsWith('ttfr') || s.id.startsWith('tbt_all') || s.id === 'reasoning_tpm'));
    const reasoning = [
      win(1, { ttfr: lat(null), tbt_all: lat(null), reasoning_tpm: 0 }),
      win(2, { ttfr: lat(300, 450), tbt_all: lat(8, 11), reasoning_tpm: 1200 }),
    ];
    const s = byId(seriesFromWindows(reasoning, 'a'));
    assert.deepEqual(
      s.get('ttfr_p95')!.points.map((p) => p.y),
      [null, 450],
    );
    assert.equal(s.get('ttfr_p95')!.chart, 'ttfr');
    assert.equal(s.get('ttfr_p50')!.label, 'TTFR p50 (first reasoning token)');
    assert.deepEqual(
      s.get('tbt_all_p50')!.points.map((p) => p.y),
      [null, 8],
    );
    assert.equal(s.get('tbt_all_p50')!.label, 'TBT p50 (all output tokens, reasoning included)');
    assert.equal(s.get('tbt_all_p50')!.chart, 'tbt');
    assert.deepEqual(
      s.get('reasoning_tpm')!.points.map((p) => p.y),
      [null, 1200],
    );
  });
});

describe('aligning runs for the compare panel', () => {
  // Sequential targets: B started 60 s after A; each window's t counts from its own target's start.
  const a = [win(1), win(2)];
  const b = [win(2, { target: 'b' }, 60), win(1, { target: 'b' }, 60)];

  it('alignFromStart overlays runs from their own start (x = t), sorted, without touching the input', () => {
    const [ax, bx] = alignFromStart(a, b);
    assert.deepEqual(
      ax.map((w) => w.t),
      [1, 2],
    );
    assert.deepEqual(
      bx.map((w) => w.t),
      [1, 2],
    );
    assert.equal(b[0].t, 2, 'input unchanged');
    assert.notEqual(bx[1], b[0], 'copies');
  });

  it('alignOnClock puts them on one wall-clock timeline (a later target is drawn later)', () => {
    const [ax, bx] = alignOnClock(a, b);
    assert.deepEqual(
      ax.map((w) => w.t),
      [1, 2],
    );
    assert.deepEqual(
      bx.map((w) => w.t),
      [61, 62],
    );
    assert.deepEqual(
      b.map((w) => w.t),
      [2, 1],
      'input unchanged',
    );
    // Parallel targets that started together stay together.
    const [p, q] = alignOnClock([win(1), win(2)], [win(1, { target: 'b' }), win(2, { target: 'b' })]);
    assert.deepEqual(
      p.map((w) => w.t),
      q.map((w) => w.t),
    );
  });
});
