// The server's rows in a comparison (src/results/compare-metrics.ts): server TTFT p50/p95 and the
// server's queue max, from summary.json's `server` block, when every run/target compared scraped them —
// in the Compare panel's table and in `perflab compare`'s text, with the 1% rule (no histogram test
// applies to the server's own numbers) said as such.
import * as assert from 'node:assert/strict';
import type { RunSummary } from '../../../src/engine/summary';
import { compareRuns } from '../../../src/results/compare';
import { compareRunsText } from '../../../src/results/compare-text';
import { realRun, type RealRun } from '../shared/real-run';

const SERVER_ROWS = ['Server TTFT p50', 'Server TTFT p95', 'Server queue max'];

/** The real run's `fast` target only, as a run of its own (its server block as scraped). */
function fastOnly(run: RealRun): RunSummary {
  const s = structuredClone(run.summary);
  s.targets = s.targets.filter((t) => t.target === 'fast');
  return s;
}

describe('results/compare: the server’s rows', function () {
  this.timeout(60_000);
  let run: RealRun;
  before(async () => {
    run = await realRun();
  });

  it('two runs that both scraped their server: server TTFT p50/p95 and queue max, each against the first', () => {
    const a = fastOnly(run);
    const b = fastOnly(run);
    a.targets[0].server!.waiting = { avg: 0.5, max: 2 };
    const server = b.targets[0].server!;
    server.latency_ms!.ttft!.p50 = a.targets[0].server!.latency_ms!.ttft!.p50! * 2;
    server.waiting = { avg: 1, max: 7 };
    const table = compareRuns([a, b], ['before', 'after']);
    const rows = table.rows.filter((r) => SERVER_ROWS.includes(r.metric));
    assert.deepEqual(
      rows.map((r) => [r.metric, r.unit, r.better]),
      [
        ['Server TTFT p50', 'ms', 'lower'],
        ['Server TTFT p95', 'ms', 'lower'],
        ['Server queue max', 'requests', 'lower'],
      ],
    );
    const [p50, p95, queue] = rows;
    const baseline = a.targets[0].server!;
    assert.deepEqual(
      p50.cells.map((c) => [c.value, c.verdict, c.method]),
      [
        [baseline.latency_ms!.ttft!.p50, 'baseline', undefined],
        [baseline.latency_ms!.ttft!.p50! * 2, 'worse', 'one-percent'],
      ],
    );
    assert.deepEqual(
      p95.cells.map((c) => c.verdict),
      ['baseline', 'same'],
    );
    assert.deepEqual(
      queue.cells.map((c) => [c.value, c.difference]),
      [
        [baseline.waiting!.max, 0],
        [7, 7 - baseline.waiting!.max],
      ],
    );
    assert.ok(table.methods.includes('one-percent'));

    const text = compareRunsText([a, b], ['before', 'after']);
    const line = (metric: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`| ${metric}`))!
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    assert.deepEqual(line('Server TTFT p50').slice(0, 1), ['Server TTFT p50 (ms)']);
    assert.match(line('Server TTFT p50')[3], /^\+\d+ ms \(2\.00×\) worse \(1% rule\)$/);
    assert.deepEqual(line('Server queue max'), [
      'Server queue max',
      String(baseline.waiting!.max),
      '7',
      `+${7 - baseline.waiting!.max} requests (${(7 / baseline.waiting!.max).toFixed(2)}×) worse (1% rule)`,
    ]);
    assert.match(text, /^- No histogram to test \(.*the server's own numbers\): better\/worse by a flat 1% rule/m);
  });

  it('no server rows unless every run/target compared has them', () => {
    // The real run's two targets: only `fast` scraped its server.
    const targets = compareRuns([run.summary]);
    assert.deepEqual(
      targets.columns.map((c) => c.target),
      ['fast', 'slow'],
    );
    assert.equal(targets.rows.filter((r) => SERVER_ROWS.includes(r.metric)).length, 0);
    assert.ok(targets.rows.some((r) => r.metric === 'TTFT p50'));
  });
});
