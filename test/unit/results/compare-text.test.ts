// `perflab compare`'s table (src/results/compare-text.ts): the Compare panel's comparison as text —
// values, difference, ratio, and better / worse only when significant (within noise otherwise), the
// 1% rule said as such where no test applies — with what each column is and which tests decided.
import * as assert from 'node:assert/strict';
import { addToDistribution, emptyTargetDistributions } from '../../../src/engine/distribution';
import type { RunSummary } from '../../../src/engine/summary';
import { compareRuns } from '../../../src/results/compare';
import { compareEntries, errorPercent } from '../../../src/results/compare-metrics';
import { compareRunsText } from '../../../src/results/compare-text';
import { runSummary, targetSummary, verdict } from '../extension/helpers';
import { lognormalSample } from './samples';

const A = runSummary({
  name: 'quick',
  file: '/w/quick.perf.yaml',
  startedAt: '2026-01-01T10:00:00.000Z',
  targets: [{ target: 'sim', ttft: [100, 200, 400], tbt: [10, 12, 20], e2e: [1000, 1500, 3000], rpm: 240, completed: 100, failed: 2 }],
  slos: [verdict('sim', 'ttft.p95 < 800ms', true)],
});
const B = runSummary({
  name: 'quick',
  file: '/w/quick.perf.yaml',
  startedAt: '2026-01-02T10:00:00.000Z',
  targets: [{ target: 'sim', ttft: [150, 170, 400], tbt: [10, 15, null], e2e: [900, 1500, 3500], rpm: 230.04, completed: 103, failed: 0, warmup: 3 }],
  slos: [verdict('sim', 'ttft.p95 < 800ms', false)],
  stoppedBy: 'completed',
});

/** The cells of the table row whose first cell starts with `metric`. */
function row(text: string, metric: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${metric}`));
  assert.ok(line, `no row ${metric} in\n${text}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('results/compare-text', () => {
  it('tabulates p50/p95/p99 of TTFT, TBT, chunk gap, E2E, achieved RPM, error % and throttled % with difference, ratio and verdict vs the first', () => {
    const text = compareRunsText([A, B], ['before', 'after']);
    assert.deepEqual(row(text, 'Metric'), ['Metric', 'A: before', 'B: after', 'B vs A']);
    // These summaries carry no histograms: latencies fall back to the 1% rule, and say so.
    assert.deepEqual(row(text, 'TTFT p50'), ['TTFT p50 (ms)', '100', '150', '+50 ms (1.50×) worse (1% rule)']);
    assert.deepEqual(row(text, 'TTFT p95'), ['TTFT p95 (ms)', '200', '170', '−30 ms (0.85×) better (1% rule)']);
    assert.deepEqual(row(text, 'TTFT p99'), ['TTFT p99 (ms)', '400', '400', 'same']);
    assert.deepEqual(row(text, 'TBT (per token) p95'), ['TBT (per token) p95 (ms)', '12', '15', '+3 ms (1.25×) worse (1% rule)']);
    assert.deepEqual(row(text, 'TBT (per token) p99'), ['TBT (per token) p99 (ms)', '20', '–', '–']);
    assert.deepEqual(row(text, 'E2E p50'), ['E2E p50 (ms)', '1000', '900', '−100 ms (0.90×) better (1% rule)']);
    // Counts are tested: 100 vs 103 requests sent in 30 s, 2 of 100 vs 0 of 100 failed — within noise.
    assert.deepEqual(row(text, 'Achieved RPM'), ['Achieved RPM', '240', '230', '−10 RPM (0.96×) within noise']);
    assert.deepEqual(row(text, 'Errors'), ['Errors (%)', '2', '0', '−2 pts (0.00×) within noise']);
    assert.deepEqual(row(text, 'Chunk gap (per chunk) p95'), ['Chunk gap (per chunk) p95 (ms)', '15', '15', 'same']);
    assert.deepEqual(row(text, 'Throttled (HTTP 429)'), ['Throttled (HTTP 429) (%)', '0', '0', 'same']);
    assert.equal(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| -')).length, 1 + 12 + 3); // header + 12 latency rows + RPM + errors + throttled
    assert.match(text, /^A: quick, target sim, started 2026-01-01T10:00:00.000Z, passed 1 SLO$/m);
    assert.match(text, /^B: quick, target sim, started 2026-01-02T10:00:00.000Z, failed ttft\.p95 < 800ms$/m);
    assert.match(text, /Lower latency and fewer errors are better; higher RPM is better/);
    // The notes name every method that decided a cell, as the panel's footnote does.
    assert.match(text, /^Better or worse only where the difference is significant for the sample sizes; otherwise within noise\./m);
    assert.match(text, /^- Errors and throttling: Fisher's exact test/m);
    assert.match(text, /^- Achieved RPM: exact test of two Poisson rates/m);
    assert.match(text, /^- No histogram to test .*flat 1% rule/m);
    assert.doesNotMatch(text, /^- Percentiles: exact bootstrap/m);
  });

  it('says higher RPM is better', () => {
    // Twice the requests sent in the same 30 s: significant.
    const faster = runSummary({ name: 'q', file: '/w/q', startedAt: '2026-01-03T00:00:00Z', targets: [{ target: 'sim', rpm: 480, completed: 200 }] });
    const text = compareRunsText([A, faster], ['a', 'b']);
    assert.deepEqual(row(text, 'Achieved RPM').slice(1), ['240', '480', '+240 RPM (2.00×) better']);
  });

  it('aligns columns so the table reads as plain text', () => {
    const lines = compareRunsText([A, B])
      .split('\n')
      .filter((l) => l.startsWith('|'));
    assert.equal(new Set(lines.map((l) => l.length)).size, 1);
    assert.match(lines[1], /^\| -+ \| -+: \|/); // markdown alignment row
  });

  it('compares three runs and the targets of one run, each against the first', () => {
    const C = runSummary({
      name: 'quick',
      file: '/w/quick.perf.yaml',
      startedAt: '2026-01-03T10:00:00.000Z',
      targets: [{ target: 'sim', ttft: [50, 100, 200] }],
    });
    const text = compareRunsText([A, B, C], ['a', 'b', 'c']);
    assert.deepEqual(row(text, 'Metric'), ['Metric', 'A: a', 'B: b', 'B vs A', 'C: c', 'C vs A']);
    assert.deepEqual(row(text, 'TTFT p95').slice(4), ['100', '−100 ms (0.50×) better (1% rule)']);

    const pair = runSummary({
      name: 'pair',
      file: '/w/pair.perf.yaml',
      startedAt: '2026-02-01T00:00:00.000Z',
      targets: [
        { target: 'paygo', ttft: [1, 300, 3] },
        { target: 'ptu', ttft: [1, 150, 3] },
      ],
    });
    const one = compareRunsText([pair]);
    assert.deepEqual(row(one, 'Metric'), ['Metric', 'A: pair 2026-02-01T00:00:00Z · paygo', 'B: pair 2026-02-01T00:00:00Z · ptu', 'B vs A']);
    assert.deepEqual(row(one, 'TTFT p95').slice(1), ['300', '150', '−150 ms (0.50×) better (1% rule)']);
    assert.equal(
      compareEntries([pair], ['x'])
        .map((e) => e.label)
        .join(','),
      'x · paygo,x · ptu',
    );
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

  it("with histograms: better or worse only when significant, within noise otherwise — the panel's verdict in every cell", () => {
    const base = measuredRun('base', lognormalSample(300, 200, 0.3, 21));
    const slower = measuredRun('slower', lognormalSample(300, 320, 0.3, 22));
    // Another sample of the base's distribution: its percentiles differ by chance alone.
    const again = measuredRun('again', lognormalSample(300, 200, 0.3, 24));
    const runs = [base, slower, again];
    const text = compareRunsText(runs, ['base', 'slower', 'again']);
    for (const p of ['p50', 'p95']) {
      const [, , , versusB, , versusC] = row(text, `TTFT ${p}`);
      assert.match(versusB, /^\+\d+ ms \([\d.]+×\) worse$/, p);
      assert.match(versusC, /^[+−±]\d+ ms \([\d.]+×\) within noise$/, p);
    }
    assert.match(text, /^- Percentiles: exact bootstrap test on the whole-run histograms/m);
    // Every cell says what the Compare panel's table says.
    const table = compareRuns(runs, ['base', 'slower', 'again']);
    const words = { better: 'better', worse: 'worse', 'within-noise': 'within noise', same: 'same', unknown: '–' } as const;
    for (const r of table.rows) {
      const cells = row(text, r.metric);
      r.cells.slice(1).forEach((cell, i) => {
        const said = cells[3 + 2 * i];
        if (cell.verdict === 'baseline') assert.fail('a column after the first is never the baseline');
        assert.ok(
          said === words[cell.verdict] || said.endsWith(` ${words[cell.verdict]}`) || said.endsWith(` ${words[cell.verdict]} (1% rule)`),
          `${r.metric} column ${i + 2}: ${said} vs ${cell.verdict}`,
        );
        assert.equal(said.endsWith('(1% rule)'), cell.method === 'one-percent' && cell.verdict !== 'same', `${r.metric}: ${said}`);
      });
    }
  });
});

/** A run of one target `sim` whose TTFT percentiles (nearest rank, as the engine's) and histogram come from `ttft`. */
function measuredRun(name: string, ttft: number[]): RunSummary {
  const sorted = [...ttft].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  const s = runSummary({
    name,
    file: `/w/${name}`,
    startedAt: '2026-02-01T00:00:00Z',
    targets: [{ target: 'sim', ttft: [pct(0.5), pct(0.95), pct(0.99)], completed: ttft.length }],
  });
  const d = emptyTargetDistributions();
  for (const v of ttft) addToDistribution(d.ttft, v);
  s.distributions = { sim: d };
  return s;
}
