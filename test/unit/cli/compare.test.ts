// `perflab compare` as a user runs it (the built CLI on real run folders): the table holds the runs'
// numbers against the first, judged by the Compare panel's significance tests; `--fail-on` rules set
// the exit code (1 when a slower run is compared against a faster baseline, 0 the other way round);
// bad rules and bad folders exit 2.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { RunSummary } from '../../../src/engine/summary';
import { cliRuns, perflab, readJson, type Runs } from './report-runs';

/** The cells of the table row whose first cell starts with `metric`. */
function tableRow(text: string, metric: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${metric}`));
  assert.ok(line, metric);
  return line
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());
}

describe('perflab compare', function () {
  this.timeout(120_000);
  let runs: Runs;
  let fast: RunSummary;
  let slow: RunSummary;
  before(async () => {
    runs = await cliRuns();
    fast = readJson(path.join(runs.fast, 'summary.json'));
    slow = readJson(path.join(runs.slow, 'summary.json'));
  });

  it('two runs: p50/p95/p99 per metric, each against the first, exit 0', async () => {
    const r = await perflab(['compare', runs.fast, `${runs.slow}/`]);
    assert.equal(r.code, 0, r.stderr);
    const header = tableRow(r.stdout, 'Metric');
    assert.deepEqual(header, ['Metric', `A: ${runs.fast}`, `B: ${runs.slow}`, 'B vs A']);
    for (const stat of ['p50', 'p95', 'p99'] as const) {
      const [, a, b, versus] = tableRow(r.stdout, `TTFT ${stat} (ms)`);
      assert.equal(a, String(Math.round(fast.targets[0].latency_ms.ttft[stat]!)));
      assert.equal(b, String(Math.round(slow.targets[0].latency_ms.ttft[stat]!)));
      // The same significance tests as the Compare panel: 800 ms against 10 ms to first token is worse
      // at p50; p95 needs 20 requests a side and p99 100 to be judged at all, and these short runs
      // measured fewer — so however far apart, they are within noise (src/results/compare.ts).
      const counted = Math.min(fast.targets[0].latency_ms.ttft.count, slow.targets[0].latency_ms.ttft.count);
      const needed = { p50: 2, p95: 20, p99: 100 }[stat];
      assert.match(
        versus,
        counted >= needed ? /^\+\d+ ms \([\d.]+×\) worse$/ : /^\+\d+ ms \([\d.]+×\) within noise$/,
        `${stat} of ${counted} requests: ${versus}`,
      );
    }
    assert.match(r.stdout, /^- Percentiles: exact bootstrap test on the whole-run histograms/m);
    for (const metric of ['TBT (per token) p95', 'Chunk gap (per chunk) p99', 'E2E p50', 'Achieved RPM', 'Errors (%)', 'Throttled (HTTP 429) (%)'])
      tableRow(r.stdout, metric);
    assert.doesNotMatch(r.stdout, /Regression rules/);
  });

  it('--fail-on "ttft.p95>+10%": exit 1 when the slower run is compared against the faster baseline, 0 the other way round', async () => {
    const worse = await perflab(['compare', runs.fast, runs.slow, '--fail-on', 'ttft.p95>+10%', '--fail-on', 'errors>+1%']);
    assert.equal(worse.code, 1, worse.stderr);
    assert.match(
      worse.stdout,
      /\nRegression rules \(against A\):\n {2}FAIL {2}ttft\.p95>\+10% {2}B \(.*slow\): \d+ ms vs \d+(\.\d)? ms: \+\d+(\.\d)?%\n {2}PASS {2}errors>\+1% {2}B \(.*slow\): 0% vs 0%: ±0 percentage points\n$/,
    );

    const better = await perflab(['compare', runs.slow, runs.fast, '--fail-on', 'ttft.p95 > +10%']);
    assert.equal(better.code, 0, better.stderr);
    assert.match(better.stdout, /PASS {2}ttft\.p95 > \+10% {2}B \(.*fast\): \d+(\.\d)? ms vs \d+ ms: −\d+(\.\d)?%/);
  });

  it('one run with several targets compares its targets', async () => {
    const r = await perflab(['compare', runs.pair, '--fail-on', 'e2e.p50>+100ms']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(tableRow(r.stdout, 'Metric'), ['Metric', `A: ${runs.pair} · quick`, `B: ${runs.pair} · sluggish`, 'B vs A']);
    assert.match(r.stdout, /FAIL {2}e2e\.p50>\+100ms {2}B \(.* · sluggish\)/);
  });

  it("--json: the table (values, differences, ratios, verdicts) and each rule's result", async () => {
    const r = await perflab(['compare', runs.fast, runs.slow, '--json', '--fail-on', 'ttft.p50>+10%,rpm<-50%']);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.baseline, runs.fast);
    assert.deepEqual(
      json.columns.map((c: { label: string }) => c.label),
      [runs.fast, runs.slow],
    );
    const ttft = json.rows.find((row: { metric: string }) => row.metric === 'TTFT p50');
    assert.equal(ttft.cells[0].value, fast.targets[0].latency_ms.ttft.p50);
    assert.equal(ttft.cells[1].value, slow.targets[0].latency_ms.ttft.p50);
    assert.equal(ttft.cells[1].difference, slow.targets[0].latency_ms.ttft.p50! - fast.targets[0].latency_ms.ttft.p50!);
    assert.equal(ttft.cells[1].verdict, 'worse');
    assert.deepEqual(
      json.rules.map((x: { rule: string; pass: boolean }) => [x.rule, x.pass]),
      [
        ['ttft.p50>+10%', false],
        ['rpm<-50%', true],
      ],
    );
    assert.equal(json.passed, false);
  });

  it('--markdown: a heading, the table and the rules with ✅/❌', async () => {
    const r = await perflab(['compare', runs.fast, runs.slow, '--markdown', '--fail-on', 'ttft.p95>+10%']);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stdout.startsWith('## LLM Perf Lab: compare\n\nCompared with A'));
    assert.match(r.stdout, /### Regression rules: ❌ 1 failed\n\n- ❌ `ttft\.p95>\+10%` B \(.*slow\): /);
  });

  it('a bad rule: exit 2 with the allowed grammar, before any run is read', async () => {
    const r = await perflab(['compare', runs.fast, '/no/such/run', '--fail-on', 'ttft.p95>10s']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^perflab: --fail-on "ttft\.p95>10s": ttft changes are in % or ms\nRegression rules/);
    assert.match(r.stderr, /<metric>\.<stat> > \+N ms/);
    const lower = await perflab(['compare', runs.fast, runs.slow, '--fail-on', 'rpm<5%']);
    assert.equal(lower.code, 2);
    assert.match(lower.stderr, /write the sign: "rpm < -5%"/);
  });

  it('exit 2: a missing folder, one run with one target, --json with --markdown', async () => {
    const missing = await perflab(['compare', runs.fast, '/no/such/run']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'perflab: /no/such/run: no such run folder\n');
    const single = await perflab(['compare', runs.fast]);
    assert.equal(single.code, 2);
    assert.match(single.stderr, /nothing to compare: .* has one target; give two or more run folders/);
    const both = await perflab(['compare', runs.fast, runs.slow, '--json', '--markdown']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give one of --markdown and --json/);
  });
});
