import * as assert from 'node:assert/strict';
import { compareEntries, compareRunsText, errorPercent } from '../../../src/shared/compare-metrics';
import { runSummary, targetSummary, verdict } from '../extension/helpers';

const A = runSummary({ name: 'quick', file: '/w/quick.perf.yaml', startedAt: '2026-01-01T10:00:00.000Z', targets: [{ target: 'sim', ttft: [100, 200, 400], tbt: [10, 12, 20], e2e: [1000, 1500, 3000], rpm: 240, completed: 100, failed: 2 }], slos: [verdict('sim', 'ttft.p95 < 800ms', true)] });
const B = runSummary({ name: 'quick', file: '/w/quick.perf.yaml', startedAt: '2026-01-02T10:00:00.000Z', targets: [{ target: 'sim', ttft: [150, 170, 400], tbt: [10, 15, null], e2e: [900, 1500, 3500], rpm: 230.04, completed: 103, failed: 0, warmup: 3 }], slos: [verdict('sim', 'ttft.p95 < 800ms', false)], stoppedBy: 'completed' });

/** The cells of the table row whose first cell starts with `metric`. */
function row(text: string, metric: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${metric}`));
  assert.ok(line, `no row ${metric} in\n${text}`);
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

describe('shared/compare-metrics', () => {
  it('tabulates p50/p95/p99 of TTFT, TBT, chunk gap, E2E, achieved RPM, error % and throttled % with difference, ratio and verdict vs the first', () => {
    const text = compareRunsText([A, B], ['before', 'after']);
    assert.deepEqual(row(text, 'Metric'), ['Metric', 'A: before', 'B: after', 'B vs A']);
    assert.deepEqual(row(text, 'TTFT p50'), ['TTFT p50 (ms)', '100', '150', '+50 ms (1.50×) worse']);
    assert.deepEqual(row(text, 'TTFT p95'), ['TTFT p95 (ms)', '200', '170', '−30 ms (0.85×) better']);
    assert.deepEqual(row(text, 'TTFT p99'), ['TTFT p99 (ms)', '400', '400', 'same']);
    assert.deepEqual(row(text, 'TBT (per token) p95'), ['TBT (per token) p95 (ms)', '12', '15', '+3 ms (1.25×) worse']);
    assert.deepEqual(row(text, 'TBT (per token) p99'), ['TBT (per token) p99 (ms)', '20', '–', '–']);
    assert.deepEqual(row(text, 'E2E p50'), ['E2E p50 (ms)', '1000', '900', '−100 ms (0.90×) better']);
    assert.deepEqual(row(text, 'Achieved RPM'), ['Achieved RPM', '240', '230', '−10 RPM (0.96×) worse']);
    assert.deepEqual(row(text, 'Errors'), ['Errors (%)', '2', '0', '−2 pts (0.00×) better']);
    assert.deepEqual(row(text, 'Chunk gap (per chunk) p95'), ['Chunk gap (per chunk) p95 (ms)', '15', '15', 'same']);
    assert.deepEqual(row(text, 'Throttled (HTTP 429)'), ['Throttled (HTTP 429) (%)', '0', '0', 'same']);
    assert.equal(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| -')).length, 1 + 12 + 3); // header + 12 latency rows + RPM + errors + throttled
    assert.match(text, /^A: quick, target sim, started 2026-01-01T10:00:00.000Z, passed 1 SLO$/m);
    assert.match(text, /^B: quick, target sim, started 2026-01-02T10:00:00.000Z, failed ttft\.p95 < 800ms$/m);
    assert.match(text, /Lower latency and fewer errors are better; higher RPM is better/);
  });

  it('says higher RPM is better', () => {
    const faster = runSummary({ name: 'q', file: '/w/q', startedAt: '2026-01-03T00:00:00Z', targets: [{ target: 'sim', rpm: 480 }] });
    const text = compareRunsText([A, faster], ['a', 'b']);
    assert.deepEqual(row(text, 'Achieved RPM').slice(1), ['240', '480', '+240 RPM (2.00×) better']);
  });

  it('aligns columns so the table reads as plain text', () => {
    const lines = compareRunsText([A, B]).split('\n').filter((l) => l.startsWith('|'));
    assert.equal(new Set(lines.map((l) => l.length)).size, 1);
    assert.match(lines[1], /^\| -+ \| -+: \|/); // markdown alignment row
  });

  it('compares three runs and the targets of one run, each against the first', () => {
    const C = runSummary({ name: 'quick', file: '/w/quick.perf.yaml', startedAt: '2026-01-03T10:00:00.000Z', targets: [{ target: 'sim', ttft: [50, 100, 200] }] });
    const text = compareRunsText([A, B, C], ['a', 'b', 'c']);
    assert.deepEqual(row(text, 'Metric'), ['Metric', 'A: a', 'B: b', 'B vs A', 'C: c', 'C vs A']);
    assert.deepEqual(row(text, 'TTFT p95').slice(4), ['100', '−100 ms (0.50×) better']);

    const pair = runSummary({ name: 'pair', file: '/w/pair.perf.yaml', startedAt: '2026-02-01T00:00:00.000Z', targets: [{ target: 'paygo', ttft: [1, 300, 3] }, { target: 'ptu', ttft: [1, 150, 3] }] });
    const one = compareRunsText([pair]);
    assert.deepEqual(row(one, 'Metric'), ['Metric', 'A: pair 2026-02-01T00:00:00Z · paygo', 'B: pair 2026-02-01T00:00:00Z · ptu', 'B vs A']);
    assert.deepEqual(row(one, 'TTFT p95').slice(1), ['300', '150', '−150 ms (0.50×) better']);
    assert.equal(compareEntries([pair], ['x']).map((e) => e.label).join(','), 'x · paygo,x · ptu');
  });

  it('computes the error share without warm-up requests and refuses a single entry', () => {
    assert.equal(errorPercent(targetSummary({ target: 't', completed: 103, failed: 1, warmup: 3 })), 1);
    assert.equal(errorPercent(targetSummary({ target: 't', completed: 0, failed: 0 })), null);
    assert.throws(() => compareRunsText([A]), /at least two/);
  });

  it('escapes pipes in labels', () => {
    const text = compareRunsText([A, B], ['a|b', 'c']);
    assert.match(text, /A: a\\\|b/);
  });
});
