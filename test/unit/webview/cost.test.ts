// The prompt-token and cost section (webview-ui/src/model/cost.ts): while live, means from the
// distributions so far × the price; after the run, the summary's own cost figures. Checked on hand-made
// distributions and on a real simulator run (the live estimate must land on the summary's numbers).
import { strict as assert } from 'node:assert';
import { addToDistribution, DistributionTally, emptyTargetDistributions, type TargetDistributions } from '../../../src/engine/distribution';
import type { TargetSummary } from '../../../src/engine/summary';
import { panelTargets } from '../../../src/shared/panel-targets';
import { costSection } from '../../../webview-ui/src/model/cost';
import type { Price } from '../../../src/tokens/pricing';
import { targetSummary } from '../extension/helpers';
import { realRun, type RealRun } from '../shared/real-run';

const PRICE: Price = { input: 2.5, cached_input: 1.25, output: 10, origin: 'list', source: 'https://example.test/prices', as_of: '2026-12-06' };
const close = (actual: number | null, expected: number, what = '') =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= 1e-12 + Math.abs(expected) * 1e-12, `${what} ${actual} ≠ ${expected}`);

function dists(prompts: number[], completions: number[]): TargetDistributions {
  const d = emptyTargetDistributions();
  prompts.forEach((v) => addToDistribution(d.prompt_tokens, v));
  completions.forEach((v) => addToDistribution(d.completion_tokens, v));
  return d;
}

describe('webview costSection: live', () => {
  it('means from the distributions, cost per request / 1,000 / hour at the target rate from the price', () => {
    const c = costSection('a', null, dists([100, 300], [10, 20, 30]), PRICE, 'gpt-4o', 120);
    assert.equal(c.source, 'live');
    assert.equal(c.prompt_tokens_mean, 200);
    assert.equal(c.completion_tokens_mean, 20);
    // Cached tokens are unknown while live: the full input rate (an upper bound).
    const perRequest = (200 * 2.5 + 20 * 10) / 1e6;
    close(c.per_request, perRequest, 'per request');
    close(c.per_1k_requests, perRequest * 1000, 'per 1k');
    close(c.per_hour_at_target_rate, perRequest * 120 * 60, 'per hour');
    assert.deepEqual([c.target_rpm, c.model, c.price, c.estimated_records], [120, 'gpt-4o', PRICE, null]);
  });

  it('closed loop (no target rate): no cost per hour, the rest still priced', () => {
    const c = costSection('a', null, dists([100], [10]), PRICE, 'gpt-4o', null);
    assert.equal(c.per_hour_at_target_rate, null);
    assert.equal(c.target_rpm, null);
    close(c.per_request, (100 * 2.5 + 10 * 10) / 1e6);
  });

  it('no price: token means but no cost; nothing completed yet: no means and no cost', () => {
    const unpriced = costSection('a', null, dists([100], [10]), null, 'gpt-4o', 120);
    assert.deepEqual([unpriced.prompt_tokens_mean, unpriced.completion_tokens_mean], [100, 10]);
    assert.deepEqual([unpriced.per_request, unpriced.per_1k_requests, unpriced.per_hour_at_target_rate], [null, null, null]);
    // Sent but not finished: prompt tokens known, completion not — no cost is made up.
    const sentOnly = costSection('a', null, dists([100], []), PRICE, 'gpt-4o', 120);
    assert.deepEqual([sentOnly.prompt_tokens_mean, sentOnly.completion_tokens_mean, sentOnly.per_request], [100, null, null]);
    const nothing = costSection('a', null, null, PRICE, 'gpt-4o', 120);
    assert.deepEqual(
      [nothing.prompt_tokens_mean, nothing.completion_tokens_mean, nothing.per_request, nothing.per_hour_at_target_rate],
      [null, null, null, null],
    );
  });
});

describe('webview costSection: after the run', () => {
  // The price the run was costed with (the user's, at the time), not the panel's current one.
  const RECORDED: Price = { input: 2, output: 8, origin: 'scenario' };

  function summaryTarget(): TargetSummary {
    // 105 measured requests (102 succeeded + 3 failed).
    const t = targetSummary({ target: 'a', completed: 105, failed: 3, warmup: 5, rpm: 240 });
    t.tokens = { ...t.tokens, prompt: 12_000, completion: 2_910, cached: 2_000, estimated_records: 4 };
    t.cost_usd = { model: 'gpt-4o-2024-08-06', total: 0.05, per_request: 0.0005, per_1k_requests: 0.5, per_hour_at_target_rate: 7.2, price: RECORDED };
    return t;
  }

  it('the summary’s cost figures as they are (they know cached tokens); means from the distributions', () => {
    const t = summaryTarget();
    const c = costSection('a', t, dists([100, 140], [25, 35]), PRICE, 'gpt-4o', 999);
    assert.equal(c.source, 'summary');
    assert.deepEqual(
      [c.per_request, c.per_1k_requests, c.per_hour_at_target_rate, c.target_rpm, c.model, c.estimated_records],
      [0.0005, 0.5, 7.2, t.schedule.target_rpm, 'gpt-4o-2024-08-06', 4],
    );
    assert.deepEqual(c.price, RECORDED, 'the cost is shown with the price it was computed with');
    // A summary written before prices were recorded: its cost, and no price to name.
    const older = { ...t.cost_usd };
    delete older.price;
    assert.equal(costSection('a', { ...t, cost_usd: older }, null, PRICE, 'gpt-4o', 999).price, undefined);
    assert.deepEqual([c.prompt_tokens_mean, c.completion_tokens_mean], [120, 30]);
  });

  it('without distributions, means per measured request from the summary’s token totals', () => {
    const t = summaryTarget();
    const c = costSection('a', t, null, PRICE, 'gpt-4o', 240);
    // Prompt tokens were sent by every measured request, failed ones too (as the distributions count them).
    assert.equal(c.prompt_tokens_mean, 12_000 / (t.requests.succeeded + t.requests.failed));
    assert.equal(c.completion_tokens_mean, 2_910 / t.requests.succeeded);
    t.requests = { ...t.requests, succeeded: 0, failed: 0 };
    const none = costSection('a', t, null, PRICE, 'gpt-4o', 240);
    assert.deepEqual([none.prompt_tokens_mean, none.completion_tokens_mean], [null, null]);
  });

  it('a summary written without a price (e.g. a CLI run) is priced with the panel’s price, cached tokens at the cached rate', () => {
    const t = summaryTarget();
    t.cost_usd = { model: null, total: null, per_request: null, per_1k_requests: null, per_hour_at_target_rate: null };
    const c = costSection('a', t, null, PRICE, 'gpt-4o', 240);
    // 10,000 uncached × 2.50 + 2,000 cached × 1.25 + 2,910 out × 10.00 = 25,000 + 2,500 + 29,100 per million.
    const perRequest = 56_600 / 1e6 / (t.requests.succeeded + t.requests.failed);
    close(c.per_request, perRequest, 'per request');
    close(c.per_1k_requests, perRequest * 1000, 'per 1k');
    close(c.per_hour_at_target_rate, perRequest * t.schedule.target_rpm! * 60, 'per hour');
    assert.equal(c.model, 'gpt-4o');
    assert.equal(c.price, PRICE);
    // Still no price: still no cost.
    const unpriced = costSection('a', t, null, null, 'gpt-4o', 240);
    assert.deepEqual([unpriced.per_request, unpriced.per_1k_requests, unpriced.per_hour_at_target_rate], [null, null, null]);
  });

  describe('on a real simulator run', function () {
    this.timeout(60_000);
    let run: RealRun;
    let distributions: Record<string, TargetDistributions>;
    before(async () => {
      run = await realRun();
      const tally = new DistributionTally();
      for (const r of run.records) tally.add(r);
      distributions = tally.toJSON();
    });

    it('the live estimate from the distributions equals the summary’s cost (no cached tokens, no failures)', () => {
      const [fast] = panelTargets(run.scenario);
      assert.equal(fast.name, 'fast');
      assert.ok(fast.price, 'gpt-5-mini has a catalog price');
      const t = run.summary.targets.find((s) => s.target === 'fast')!;
      assert.equal(t.requests.failed, 0);
      assert.equal(t.tokens.cached, 0);
      const live = costSection('fast', null, distributions.fast, fast.price, fast.model, fast.target_rpm);
      const done = costSection('fast', t, distributions.fast, fast.price, fast.model, fast.target_rpm);
      assert.deepEqual(
        [done.per_request, done.per_1k_requests, done.per_hour_at_target_rate],
        [t.cost_usd.per_request, t.cost_usd.per_1k_requests, t.cost_usd.per_hour_at_target_rate],
      );
      assert.ok(t.cost_usd.per_request! > 0);
      close(live.per_request, t.cost_usd.per_request!, 'per request');
      close(live.per_1k_requests, t.cost_usd.per_1k_requests!, 'per 1k');
      assert.ok(Math.abs(live.per_hour_at_target_rate! - t.cost_usd.per_hour_at_target_rate!) < 1e-9, 'per hour');
      assert.equal(live.prompt_tokens_mean, done.prompt_tokens_mean);
      assert.equal(live.prompt_tokens_mean, t.tokens.prompt / (t.requests.succeeded + t.requests.failed));
    });

    it('the summary without its cost, priced by the panel, gives the engine’s own figures back', () => {
      const [fast] = panelTargets(run.scenario);
      const t = run.summary.targets.find((s) => s.target === 'fast')!;
      const stripped: TargetSummary = { ...t, cost_usd: { model: null, total: null, per_request: null, per_1k_requests: null, per_hour_at_target_rate: null } };
      const c = costSection('fast', stripped, null, fast.price, fast.model, fast.target_rpm);
      close(c.per_request, t.cost_usd.per_request!, 'per request');
      close(c.per_1k_requests, t.cost_usd.per_1k_requests!, 'per 1k');
      assert.ok(Math.abs(c.per_hour_at_target_rate! - t.cost_usd.per_hour_at_target_rate!) < 1e-9, 'per hour');
    });
  });
});
