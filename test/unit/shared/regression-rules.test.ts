// `perflab compare --fail-on` rules (src/shared/regression-rules.ts): the grammar, the messages for bad
// rules, and the verdicts on a REAL two-target run (fast vs slow on the simulator), plus exact
// arithmetic on copies of it with chosen values.
import { strict as assert } from 'node:assert';
import type { RunSummary, TargetSummary } from '../../../src/engine/summary';
import { compareEntries, errorPercent, throttledPercent } from '../../../src/results/compare-metrics';
import { evaluateRules, parseRule, parseRules, RuleError, ruleValue } from '../../../src/shared/regression-rules';
import { realRun } from './real-run';

describe('shared/regression-rules', function () {
  this.timeout(120_000);

  describe('parseRule', () => {
    it('reads every form of the grammar, with or without spaces', () => {
      assert.deepEqual(parseRule('ttft.p95>+10%'), { text: 'ttft.p95>+10%', metric: 'ttft', stat: 'p95', op: '>', limit: 10, unit: '%' });
      assert.deepEqual(parseRule(' e2e.p99 > +250 ms '), { text: 'e2e.p99 > +250 ms', metric: 'e2e', stat: 'p99', op: '>', limit: 250, unit: 'ms' });
      assert.deepEqual(parseRule('TBT.AVG > 2.5ms'), { text: 'TBT.AVG > 2.5ms', metric: 'tbt', stat: 'avg', op: '>', limit: 2.5, unit: 'ms' });
      assert.deepEqual(parseRule('rpm < -5%'), { text: 'rpm < -5%', metric: 'rpm', stat: null, op: '<', limit: -5, unit: '%' });
      assert.deepEqual(parseRule('rpm<-30rpm'), { text: 'rpm<-30rpm', metric: 'rpm', stat: null, op: '<', limit: -30, unit: 'rpm' });
      assert.deepEqual(parseRule('errors > +1%'), { text: 'errors > +1%', metric: 'errors', stat: null, op: '>', limit: 1, unit: 'pts' });
      assert.deepEqual(parseRule('throttled>0.5pp'), { text: 'throttled>0.5pp', metric: 'throttled', stat: null, op: '>', limit: 0.5, unit: 'pts' });
      for (const metric of ['ttft', 'ttfr', 'tbt', 'chunk_gap', 'e2e']) {
        for (const stat of ['p50', 'p95', 'p99', 'avg', 'max']) assert.equal(parseRule(`${metric}.${stat} > +1%`).stat, stat);
      }
    });

    it('several rules in one value, separated by commas', () => {
      assert.deepEqual(
        parseRules(['ttft.p95>+10%, rpm<-5%', 'errors>+1%']).map((r) => r.metric),
        ['ttft', 'rpm', 'errors'],
      );
      assert.deepEqual(parseRules([]), []);
    });

    it('bad rules: a RuleError that says what is wrong and shows the whole grammar', () => {
      const cases: [string, RegExp][] = [
        ['ttft.p59>+10%', /unknown statistic "p59" \(one of p50, p95, p99, avg, max\)/],
        ['latency.p95>+10%', /unknown metric "latency" \(one of ttft, ttfr, tbt, chunk_gap, e2e, rpm, errors, throttled\)/],
        ['ttft>+10%', /give a statistic: ttft\.p95/],
        ['ttft.p95>+10rpm', /ttft changes are in % or ms/],
        ['rpm.p95<-5%', /rpm has no statistic/],
        ['rpm<-5ms', /rpm changes are in % or rpm/],
        ['errors>+1ms', /errors changes are in percentage points/],
        ['rpm < 5%', /write the sign: "rpm < -5%" fails when it falls by more than 5%/],
        ['ttft.p95 >= 10%', /not a rule/],
        ['ttft.p95 +10%', /not a rule/],
        ['', /not a rule/],
      ];
      for (const [text, message] of cases) {
        assert.throws(
          () => parseRule(text),
          (e: unknown) => {
            assert.ok(e instanceof RuleError, text);
            assert.match(e.message, message, text);
            assert.ok(e.message.startsWith(`--fail-on "${text}": `), e.message);
            assert.match(e.message, /<metric>\.<stat> > \+N%/);
            assert.match(e.message, /rpm < -N%/);
            return true;
          },
        );
      }
    });
  });

  describe('on a real run (fast target first, slow second)', () => {
    let summary: RunSummary;
    let fast: TargetSummary;
    let slow: TargetSummary;
    before(async () => {
      summary = (await realRun()).summary;
      [fast, slow] = summary.targets;
      assert.equal(fast.target, 'fast');
    });

    it('ruleValue reads the same numbers the summary holds', () => {
      assert.equal(ruleValue({ metric: 'ttft', stat: 'p95' }, slow), slow.latency_ms.ttft.p95);
      assert.equal(ruleValue({ metric: 'chunk_gap', stat: 'p50' }, fast), fast.latency_ms.chunk_gap.p50);
      assert.equal(ruleValue({ metric: 'e2e', stat: 'max' }, fast), fast.latency_ms.e2e.max);
      assert.equal(ruleValue({ metric: 'rpm', stat: null }, fast), fast.schedule.achieved_rpm);
      assert.equal(ruleValue({ metric: 'errors', stat: null }, fast), errorPercent(fast));
      assert.equal(ruleValue({ metric: 'throttled', stat: null }, fast), throttledPercent(fast));
      assert.equal(ruleValue({ metric: 'ttfr', stat: 'p95' }, fast), null, 'no reasoning: TTFR not measured');
    });

    it('the slower target breaks "ttft.p95>+10%" against the faster one, and not the other way round', () => {
      const rules = parseRules(['ttft.p95>+10%']);
      const [worse] = evaluateRules(rules, compareEntries([summary]));
      assert.equal(worse.pass, false);
      assert.equal(worse.index, 1);
      assert.equal(worse.baseline, fast.latency_ms.ttft.p95);
      assert.equal(worse.value, slow.latency_ms.ttft.p95);
      assert.ok(Math.abs(worse.change! - ((slow.latency_ms.ttft.p95! - fast.latency_ms.ttft.p95!) / fast.latency_ms.ttft.p95!) * 100) < 1e-9);
      assert.match(worse.detail, /^\d+(\.\d)? ms vs \d+(\.\d)? ms: \+\d+(\.\d)?%$/);

      const reversed = { ...summary, targets: [slow, fast] };
      const [better] = evaluateRules(rules, compareEntries([reversed]));
      assert.equal(better.pass, true);
      assert.ok(better.change! < 0);
    });

    it('exact thresholds: a change equal to the limit passes, just over it fails', () => {
      const copy = (ttftP95: number, rpm: number, failed: number): TargetSummary => {
        const t = structuredClone(fast);
        t.latency_ms.ttft.p95 = ttftP95;
        t.schedule.achieved_rpm = rpm;
        t.requests.failed = failed;
        t.requests.completed = 100 + t.requests.warmup_excluded;
        return t;
      };
      const base = copy(200, 600, 1);
      const run = (t: TargetSummary): RunSummary => ({ ...summary, targets: [t] });
      const check = (rule: string, t: TargetSummary) => evaluateRules([parseRule(rule)], compareEntries([run(base), run(t)]))[0];

      assert.equal(check('ttft.p95>+10%', copy(220, 600, 1)).pass, true);
      assert.equal(check('ttft.p95>+10%', copy(220.1, 600, 1)).pass, false);
      assert.equal(check('ttft.p95>+20ms', copy(220, 600, 1)).pass, true);
      assert.equal(check('ttft.p95>+20ms', copy(221, 600, 1)).pass, false);
      assert.equal(check('ttft.p95>+20ms', copy(221, 600, 1)).detail, '221 ms vs 200 ms: +21 ms');
      assert.equal(check('rpm<-5%', copy(200, 570, 1)).pass, true);
      assert.equal(check('rpm<-5%', copy(200, 569, 1)).pass, false);
      assert.equal(check('rpm<-5%', copy(200, 569, 1)).detail, '569 RPM vs 600 RPM: −5.2%');
      assert.equal(check('rpm<-30rpm', copy(200, 569, 1)).pass, false);
      assert.equal(check('rpm<-5%', copy(200, 900, 1)).pass, true, 'more RPM is never a regression');
      // errors: 1% → 2% is +1 percentage point (not +100%).
      assert.equal(check('errors>+1%', copy(200, 600, 2)).pass, true);
      assert.equal(check('errors>+1%', copy(200, 600, 3)).pass, false);
      assert.equal(check('errors>+1%', copy(200, 600, 3)).detail, '3% vs 1%: +2 percentage points');
    });

    it('no data never passes; a rise from a zero baseline is an infinite relative rise', () => {
      const noTtft = structuredClone(slow);
      noTtft.latency_ms.ttft = { count: 0, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
      const entries = compareEntries([{ ...summary, targets: [fast, noTtft] }]);
      const [missing] = evaluateRules(parseRules(['ttft.p95>+10%']), entries);
      assert.equal(missing.pass, false);
      assert.equal(missing.detail, 'no data: this run did not measure it');
      const [neither] = evaluateRules(parseRules(['ttfr.p95>+10%']), entries);
      assert.equal(neither.pass, false);
      assert.equal(neither.detail, 'no data: neither run measured it');

      const zero = structuredClone(fast);
      zero.latency_ms.chunk_gap.p50 = 0;
      const [fromZero] = evaluateRules(parseRules(['chunk_gap.p50>+1000%']), compareEntries([{ ...summary, targets: [zero, slow] }]));
      assert.equal(fromZero.change, Infinity);
      assert.equal(fromZero.pass, false);
    });

    it('each later column is checked against the first', () => {
      const checks = evaluateRules(parseRules(['ttft.p95>+10%', 'errors>+1%']), compareEntries([summary, summary, summary]));
      // 2 rules × 5 later columns (3 runs × 2 targets, minus the baseline).
      assert.equal(checks.length, 10);
      assert.deepEqual(
        checks.map((c) => c.index),
        [1, 2, 3, 4, 5, 1, 2, 3, 4, 5],
      );
      assert.ok(checks.filter((c) => c.rule.metric === 'ttft' && c.value === fast.latency_ms.ttft.p95).every((c) => c.pass));
      assert.ok(checks.filter((c) => c.rule.metric === 'ttft' && c.value === slow.latency_ms.ttft.p95).every((c) => !c.pass));
    });
  });
});
