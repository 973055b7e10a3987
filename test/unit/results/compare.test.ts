// compareRuns: difference, ratio and "better" against the first run/target, exactly; better or worse
// only when the difference is significant (the runs' histograms, counts and durations), within noise
// otherwise, and the 1% rule, said as such, where a summary has no histograms.
import { strict as assert } from 'node:assert';
import { addToDistribution, emptyTargetDistributions } from '../../../src/engine/distribution';
import type { RunSummary } from '../../../src/engine/summary';
import { compareRuns, type CompareCell } from '../../../src/results/compare';
import { runSummary, verdict } from '../extension/helpers';
import { lognormalSample } from './samples';

/** The fields every cell has (value, difference, ratio, verdict), without the test's details. */
const plain = (cells: CompareCell[]) => cells.map(({ value, difference, ratio, verdict }) => ({ value, difference, ratio, verdict }));

const A = runSummary({
  name: 'base',
  file: '/tmp/a.perf.yaml',
  startedAt: '2026-01-01T10:00:00.000Z',
  targets: [{ target: 'gpt', ttft: [100, 200, 400], tbt: [10, 20, 40], e2e: [1000, 2000, null], rpm: 240, completed: 100, failed: 0 }],
  slos: [verdict('gpt', 'ttft.p95 < 300ms', true)],
});
const B = runSummary({
  name: 'candidate',
  file: '/tmp/b.perf.yaml',
  startedAt: '2026-01-02T10:00:00.000Z',
  targets: [
    { target: 'gpt', ttft: [80, 250, 400], tbt: [10, 25, 20], e2e: [1200, 1000, 900], rpm: 300, completed: 100, failed: 2 },
    { target: 'mini', ttft: [50, 100, 200], rpm: 120, completed: 50, failed: 1 },
  ],
  slos: [verdict('gpt', 'ttft.p95 < 300ms', false), verdict('mini', 'e2e.p95 < 2s', true)],
});

describe('compareRuns', () => {
  const table = compareRuns([A, B]);
  const row = (metric: string) => {
    const r = table.rows.find((r) => r.metric === metric);
    assert.ok(r, metric);
    return r;
  };

  it('has a column per run/target, the first being the baseline', () => {
    assert.deepEqual(
      table.columns.map((c) => [c.run, c.target]),
      [
        [0, 'gpt'],
        [1, 'gpt'],
        [1, 'mini'],
      ],
    );
    assert.equal(table.columns[1].label, 'candidate 2026-01-02T10:00:00Z · gpt');
  });

  it('has rows for p50/p95/p99 of TTFT, TBT, chunk gap and E2E, achieved RPM, error % and throttled %', () => {
    assert.deepEqual(
      table.rows.map((r) => [r.metric, r.unit, r.better]),
      [
        ...['TTFT', 'TBT (per token)', 'Chunk gap (per chunk)', 'E2E'].flatMap((m) => ['p50', 'p95', 'p99'].map((s) => [`${m} ${s}`, 'ms', 'lower'])),
        ['Achieved RPM', 'rpm', 'higher'],
        ['Errors', '%', 'lower'],
        ['Throttled (HTTP 429)', '%', 'lower'],
      ],
    );
  });

  it('without histograms: difference and ratio against the baseline, and better/worse by the 1% rule', () => {
    assert.deepEqual(plain(row('TTFT p50').cells), [
      { value: 100, difference: 0, ratio: 1, verdict: 'baseline' },
      { value: 80, difference: -20, ratio: 0.8, verdict: 'better' },
      { value: 50, difference: -50, ratio: 0.5, verdict: 'better' },
    ]);
    assert.deepEqual(plain(row('TTFT p95').cells.slice(1)), [
      { value: 250, difference: 50, ratio: 1.25, verdict: 'worse' },
      { value: 100, difference: -100, ratio: 0.5, verdict: 'better' },
    ]);
    assert.deepEqual(plain([row('TTFT p99').cells[1]]), [{ value: 400, difference: 0, ratio: 1, verdict: 'same' }]);
    assert.deepEqual(plain([row('TBT (per token) p99').cells[1]]), [{ value: 20, difference: -20, ratio: 0.5, verdict: 'better' }]);
    // Each such cell says it was the 1% rule, and the table's footnote lists it.
    assert.equal(row('TTFT p50').cells[1].method, 'one-percent');
    assert.match(row('TTFT p50').cells[1].why!, /not a significance test/);
    assert.ok(table.methods.includes('one-percent'));
  });

  it('adds TTFR rows only when a run measured reasoning', () => {
    assert.ok(!table.rows.some((r) => r.metric.startsWith('TTFR')));
    const reasoning = runSummary({ name: 'r', file: '/w/r', startedAt: '2026-01-06T00:00:00Z', targets: [{ target: 'o4' }] });
    reasoning.targets[0].reasoning_latency_ms = {
      ttfr: { count: 5, avg: 300, p50: 290, p90: 400, p95: 420, p99: 500, max: 510 },
      tbt_all: { count: 5, avg: 8, p50: 8, p90: 9, p95: 9, p99: 10, max: 10 },
    };
    const t = compareRuns([reasoning, runSummary({ name: 'p', file: '/w/p', startedAt: '2026-01-07T00:00:00Z', targets: [{ target: 'gpt' }] })]);
    const ttfr = t.rows.find((r) => r.metric === 'TTFR (first reasoning token) p95')!;
    assert.deepEqual(
      ttfr.cells.map((c) => [c.value, c.verdict]),
      [
        [420, 'baseline'],
        [null, 'unknown'],
      ],
    );
  });

  it('without histograms: values less than 1% apart are the same, 1% or more better/worse', () => {
    const near = (ttft95: number) =>
      runSummary({ name: 'n', file: '/w/n', startedAt: '2026-01-05T00:00:00Z', targets: [{ target: 'gpt', ttft: [100, ttft95, 400] }] });
    const t = compareRuns([near(200), near(201.9), near(202), near(197.9)]);
    const cells = t.rows.find((r) => r.metric === 'TTFT p95')!.cells;
    assert.deepEqual(
      cells.map((c) => c.verdict),
      ['baseline', 'same', 'worse', 'better'],
    );
    assert.ok(Math.abs(cells[1].difference! - 1.9) < 1e-9, 'the exact difference is still reported');
  });

  it('a zero baseline has a difference but no ratio; an unknown value has neither', () => {
    // Errors: 0 % → 2 % (2 of 100) and 2 % (1 of 50): too few failures to tell (Fisher's exact test).
    assert.deepEqual(plain(row('Errors').cells), [
      { value: 0, difference: 0, ratio: 1, verdict: 'baseline' },
      { value: 2, difference: 2, ratio: null, verdict: 'within-noise' },
      { value: 2, difference: 2, ratio: null, verdict: 'within-noise' },
    ]);
    assert.equal(row('Errors').cells[1].method, 'fisher');
    assert.ok(Math.abs(row('Errors').cells[1].p! - 0.4975) < 1e-4, String(row('Errors').cells[1].p));
    // E2E p99 is unknown in the baseline.
    assert.deepEqual(row('E2E p99').cells, [
      { value: null, difference: null, ratio: null, verdict: 'unknown' },
      { value: 900, difference: null, ratio: null, verdict: 'unknown' },
      { value: 2000, difference: null, ratio: null, verdict: 'unknown' },
    ]);
  });

  it('puts SLO verdicts side by side, null where a column has no such SLO', () => {
    assert.deepEqual(
      table.slos.map((s) => [s.slo, s.verdicts.map((v) => (v === null ? null : v.pass))]),
      [
        ['ttft.p95 < 300ms', [true, false, null]],
        ['e2e.p95 < 2s', [null, null, true]],
      ],
    );
  });
});

/** A run of one target `gpt` whose TTFT percentiles and histogram come from `ttft` (exact, as the
 *  engine's nearest-rank percentiles), with `sent` requests in `durationS` and `failed` of them failed. */
function measuredRun(
  name: string,
  ttft: number[],
  opts: { sent?: number; durationS?: number; failed?: number; throttled?: [number, number]; histograms?: boolean } = {},
): RunSummary {
  const sorted = [...ttft].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  const sent = opts.sent ?? ttft.length;
  const s = runSummary({
    name,
    file: `/w/${name}`,
    startedAt: '2026-02-01T00:00:00Z',
    targets: [{ target: 'gpt', ttft: [pct(0.5), pct(0.95), pct(0.99)], completed: sent, failed: opts.failed ?? 0 }],
  });
  const t = s.targets[0];
  t.duration_s = opts.durationS ?? 60;
  t.schedule.sent = sent;
  t.schedule.achieved_rpm = Math.round((sent / (t.duration_s / 60)) * 10) / 10;
  if (opts.throttled) [t.requests.throttled_responses, t.requests.attempts] = opts.throttled;
  if (opts.histograms !== false) {
    const d = emptyTargetDistributions();
    for (const v of ttft) addToDistribution(d.ttft, v);
    s.distributions = { gpt: d };
  }
  return s;
}

describe('compareRuns: better or worse only when significant', () => {
  const cellsOf = (runs: RunSummary[], metric: string) => compareRuns(runs).rows.find((r) => r.metric === metric)!.cells;

  it('two runs of one distribution are within noise even 1.5% apart (20 requests): the 1% rule called it worse', () => {
    const sample = lognormalSample(20, 200, 0.3, 3);
    const a = measuredRun('a', sample);
    // The same histogram, the reported p50 1.5% higher.
    const b = measuredRun('b', sample);
    b.targets[0].latency_ms.ttft.p50 = a.targets[0].latency_ms.ttft.p50! * 1.015;
    const [, cell] = cellsOf([a, b], 'TTFT p50');
    assert.equal(cell.verdict, 'within-noise');
    assert.equal(cell.method, 'bootstrap');
    assert.match(cell.why!, /^not significant \(p = /);
    // Without the histograms the same numbers fall back to the 1% rule: worse.
    const [, fallback] = cellsOf([measuredRun('a', sample, { histograms: false }), { ...b, distributions: undefined }], 'TTFT p50');
    assert.equal(fallback.verdict, 'worse');
    assert.equal(fallback.method, 'one-percent');
  });

  it('two samples of one distribution (2,000 requests each) are within noise', () => {
    const cells = [0.5, 0.95, 0.99].map(
      (q) => cellsOf([measuredRun('a', lognormalSample(2000, 200, 0.3, 11)), measuredRun('b', lognormalSample(2000, 200, 0.3, 12))], `TTFT p${q * 100}`)[1],
    );
    assert.deepEqual(
      cells.map((c) => c.verdict),
      ['within-noise', 'within-noise', 'within-noise'],
    );
  });

  it('a clearly slower run is worse and a clearly faster one better, at p50, p95 and p99', () => {
    const base = measuredRun('base', lognormalSample(300, 200, 0.3, 21));
    const slower = measuredRun('slower', lognormalSample(300, 320, 0.3, 22));
    const faster = measuredRun('faster', lognormalSample(300, 120, 0.3, 23));
    for (const p of ['p50', 'p95', 'p99']) {
      const cells = cellsOf([base, slower, faster], `TTFT ${p}`);
      assert.deepEqual(
        cells.map((c) => c.verdict),
        ['baseline', 'worse', 'better'],
        p,
      );
      assert.ok(cells[1].p! < 0.05 && cells[2].p! < 0.05, p);
      assert.match(cells[1].why!, /^significant \(p/);
    }
  });

  it('p99 of 20 requests is not judged, whatever the values', () => {
    const cells = cellsOf([measuredRun('a', lognormalSample(20, 100, 0.1, 31)), measuredRun('b', lognormalSample(20, 1000, 0.1, 32))], 'TTFT p99');
    assert.equal(cells[1].verdict, 'within-noise');
    assert.match(cells[1].why!, /too few requests to judge p99: needs 100 on each side/);
    // p50 of the same runs: ten times slower is worse.
    assert.equal(
      cellsOf([measuredRun('a', lognormalSample(20, 100, 0.1, 31)), measuredRun('b', lognormalSample(20, 1000, 0.1, 32))], 'TTFT p50')[1].verdict,
      'worse',
    );
  });

  it('no verdict when the histograms and the reported values disagree on the direction', () => {
    const a = measuredRun('a', lognormalSample(300, 200, 0.3, 41));
    const b = measuredRun('b', lognormalSample(300, 320, 0.3, 42));
    b.targets[0].latency_ms.ttft.p50 = a.targets[0].latency_ms.ttft.p50! - 1;
    const [, cell] = cellsOf([a, b], 'TTFT p50');
    assert.equal(cell.verdict, 'within-noise');
    assert.match(cell.why!, /differ the other way/);
  });

  it('achieved RPM: a Poisson rate test on requests sent over the duration', () => {
    const sample = lognormalSample(120, 200, 0.3, 51);
    const at = (sent: number) => measuredRun(`r${sent}`, sample, { sent, durationS: 30 });
    // 120 → 150 in 30 s (240 → 300 RPM): p ≈ 0.08, within noise; 120 → 240: better.
    const cells = cellsOf([at(120), at(150), at(240), at(60)], 'Achieved RPM');
    assert.deepEqual(plain(cells), [
      { value: 240, difference: 0, ratio: 1, verdict: 'baseline' },
      { value: 300, difference: 60, ratio: 1.25, verdict: 'within-noise' },
      { value: 480, difference: 240, ratio: 2, verdict: 'better' },
      { value: 120, difference: -120, ratio: 0.5, verdict: 'worse' },
    ]);
    assert.deepEqual(
      cells.slice(1).map((c) => c.method),
      ['poisson', 'poisson', 'poisson'],
    );
  });

  it('errors and throttling: Fisher’s exact test on the counts', () => {
    const sample = lognormalSample(1000, 200, 0.3, 61);
    const base = measuredRun('base', sample, { throttled: [0, 1000] });
    const failing = measuredRun('failing', sample, { failed: 50, throttled: [784, 883] });
    const [, errors] = cellsOf([base, failing], 'Errors');
    assert.equal(errors.verdict, 'worse');
    assert.equal(errors.method, 'fisher');
    const [, throttled] = cellsOf([base, failing], 'Throttled (HTTP 429)');
    assert.equal(throttled.verdict, 'worse');
    assert.ok(Math.abs(throttled.value! - (784 / 883) * 100) < 1e-9);
    // The footnote lists each test the table used: these runs have a TTFT histogram only, so the
    // other latencies fell back to the 1% rule.
    assert.deepEqual(compareRuns([base, failing]).methods, ['bootstrap', 'fisher', 'poisson', 'one-percent']);
    assert.equal(cellsOf([base, failing], 'E2E p50')[1].method, 'one-percent');
  });
});
