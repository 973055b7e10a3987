// compareRuns: difference, ratio and "better" against the first run/target, exactly.
import { strict as assert } from 'node:assert';
import { compareRuns } from '../../../webview-ui/src/model/compare';
import { runSummary, verdict } from '../extension/helpers';

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

  it('difference and ratio against the baseline, and which is better (lower latency, higher RPM)', () => {
    assert.deepEqual(row('TTFT p50').cells, [
      { value: 100, difference: 0, ratio: 1, verdict: 'baseline' },
      { value: 80, difference: -20, ratio: 0.8, verdict: 'better' },
      { value: 50, difference: -50, ratio: 0.5, verdict: 'better' },
    ]);
    assert.deepEqual(row('TTFT p95').cells.slice(1), [
      { value: 250, difference: 50, ratio: 1.25, verdict: 'worse' },
      { value: 100, difference: -100, ratio: 0.5, verdict: 'better' },
    ]);
    assert.deepEqual(row('TTFT p99').cells[1], { value: 400, difference: 0, ratio: 1, verdict: 'same' });
    assert.deepEqual(row('TBT (per token) p99').cells[1], { value: 20, difference: -20, ratio: 0.5, verdict: 'better' });
  });

  it('adds TTFR rows only when a run measured reasoning', () => {
    assert.ok(!table.rows.some((r) => r.metric.startsWith('TTFR')));
    const reasoning = runSummary({ name: 'r', file: '/w/r', startedAt: '2026-01-06T00:00:00Z', targets: [{ target: 'o4' }] });
    reasoning.targets[0].reasoning_latency_ms = { ttfr: { count: 5, avg: 300, p50: 290, p90: 400, p95: 420, p99: 500, max: 510 }, tbt_all: { count: 5, avg: 8, p50: 8, p90: 9, p95: 9, p99: 10, max: 10 } };
    const t = compareRuns([reasoning, runSummary({ name: 'p', file: '/w/p', startedAt: '2026-01-07T00:00:00Z', targets: [{ target: 'gpt' }] })]);
    const ttfr = t.rows.find((r) => r.metric === 'TTFR (first reasoning token) p95')!;
    assert.deepEqual(ttfr.cells.map((c) => [c.value, c.verdict]), [[420, 'baseline'], [null, 'unknown']]);
  });

  it('calls values less than 1% apart the same (noise), and 1% or more better/worse', () => {
    const near = (ttft95: number) => runSummary({ name: 'n', file: '/w/n', startedAt: '2026-01-05T00:00:00Z', targets: [{ target: 'gpt', ttft: [100, ttft95, 400] }] });
    const t = compareRuns([near(200), near(201.9), near(202), near(197.9)]);
    const cells = t.rows.find((r) => r.metric === 'TTFT p95')!.cells;
    assert.deepEqual(cells.map((c) => c.verdict), ['baseline', 'same', 'worse', 'better']);
    assert.ok(Math.abs(cells[1].difference! - 1.9) < 1e-9, 'the exact difference is still reported');
    assert.deepEqual(row('Achieved RPM').cells, [
      { value: 240, difference: 0, ratio: 1, verdict: 'baseline' },
      { value: 300, difference: 60, ratio: 1.25, verdict: 'better' },
      { value: 120, difference: -120, ratio: 0.5, verdict: 'worse' },
    ]);
  });

  it('a zero baseline has a difference but no ratio; an unknown value has neither', () => {
    // Errors: 0 % → 2 % (2 of 100) and 2 % (1 of 50).
    assert.deepEqual(row('Errors').cells, [
      { value: 0, difference: 0, ratio: 1, verdict: 'baseline' },
      { value: 2, difference: 2, ratio: null, verdict: 'worse' },
      { value: 2, difference: 2, ratio: null, verdict: 'worse' },
    ]);
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
