// The targets as the panels list them (src/shared/panel-targets.ts): the price per 1M tokens from the
// model catalog, replaced by the user's settings, replaced in turn by the scenario's own `pricing`;
// the target rate only in open loop.
import { strict as assert } from 'node:assert';
import type { Target } from '../../../src/engine/scenario/types';
import { panelTargets, withScenarioPricing } from '../../../src/shared/panel-targets';
import { lookupModel } from '../../../src/tokens';
import { scenario } from '../webview/fixtures';
import { realRun } from './real-run';

const sim = (name: string, overrides: Partial<Target> = {}): Target => ({ name, provider: 'simulator', endpoint: 'simulator', auth: { type: 'none' }, ...overrides });

describe('shared/panel-targets', () => {
  it('catalog prices: gpt-5-mini is priced (with its cached rate), gpt-4o is not', () => {
    const catalog = lookupModel('gpt-5-mini')!.price!;
    assert.equal(lookupModel('gpt-4o')!.price, undefined);
    const [mini, four] = panelTargets(scenario({ targets: [sim('mini', { model: 'gpt-5-mini' }), sim('four', { model: 'gpt-4o' })] }));
    assert.deepEqual(mini, { name: 'mini', model: 'gpt-5-mini', target_rpm: 120, price: { input: catalog.input, cached_input: catalog.cached_input, output: catalog.output } });
    assert.deepEqual(four, { name: 'four', model: 'gpt-4o', target_rpm: 120, price: null });
  });

  it('the model, else the deployment, names the model; a dated or aliased name finds the catalog entry', () => {
    const targets = panelTargets(
      scenario({
        targets: [sim('dep', { provider: 'azure', endpoint: 'https://x.openai.azure.com', deployment: 'gpt-5-mini' }), sim('dated', { model: 'gpt-5-mini-2025-08-07' }), sim('none'), sim('custom', { model: 'my-llama' })],
      }),
    );
    assert.deepEqual(
      targets.map((t) => [t.name, t.model, t.price?.input ?? null]),
      [
        ['dep', 'gpt-5-mini', lookupModel('gpt-5-mini')!.price!.input],
        ['dated', 'gpt-5-mini-2025-08-07', lookupModel('gpt-5-mini')!.price!.input],
        ['none', null, null],
        ['custom', 'my-llama', null],
      ],
    );
  });

  it('settings overrides price an unpriced model and replace a catalog price', () => {
    const s = scenario({ targets: [sim('mini', { model: 'gpt-5-mini' }), sim('four', { model: 'gpt-4o' })] });
    const [mini, four] = panelTargets(s, { 'gpt-4o': { price: { input: 2.5, output: 10 } }, 'gpt-5-mini': { price: { input: 1, cached_input: 0.5, output: 3 } } });
    assert.deepEqual(four.price, { input: 2.5, output: 10 });
    assert.deepEqual(mini.price, { input: 1, cached_input: 0.5, output: 3 });
  });

  it('the scenario’s pricing wins over the settings (the order the engine’s cost uses)', () => {
    const s = scenario({ targets: [sim('four', { model: 'gpt-4o' })], pricing: { 'gpt-4o': { input: 5, output: 15 } } });
    const [four] = panelTargets(s, { 'gpt-4o': { price: { input: 2.5, output: 10 } } });
    assert.deepEqual(four.price, { input: 5, output: 15 });
    const overrides = withScenarioPricing(s, { 'gpt-4o': { price: { input: 2.5, output: 10 } }, other: { context_window: 8 } });
    assert.equal(overrides['gpt-4o'].price!.source, 'scenario pricing');
    assert.deepEqual(overrides.other, { context_window: 8 });
  });

  it('a partial override (input only) of an unpriced model gives no price rather than half a price', () => {
    const [four] = panelTargets(scenario({ targets: [sim('four', { model: 'gpt-4o' })] }), { 'gpt-4o': { price: { input: 2.5 } } });
    assert.equal(four.price, null);
  });

  it('target_rpm: the open-loop rate; null in closed loop', () => {
    const open = scenario();
    assert.deepEqual(panelTargets(open).map((t) => t.target_rpm), [120, 120]);
    const closed = scenario({ workload: { ...open.workload, mode: 'closed', rate_rpm: undefined, requests: 10 } });
    assert.deepEqual(panelTargets(closed).map((t) => t.target_rpm), [null, null]);
  });

  it('on a real run’s scenario: the price the engine used, so the panel and summary agree', async () => {
    const { scenario: s, summary } = await realRun();
    const targets = panelTargets(s);
    assert.deepEqual(targets.map((t) => [t.name, t.model, t.target_rpm]), [
      ['fast', 'gpt-5-mini', 900],
      ['slow', 'gpt-4o', 900],
    ]);
    const fast = summary.targets[0];
    const p = targets[0].price!;
    const expected = (fast.tokens.prompt * p.input + fast.tokens.completion * p.output) / 1e6;
    assert.ok(Math.abs(fast.cost_usd.total! - expected) < 1e-12, `${fast.cost_usd.total} vs ${expected}`);
    assert.equal(targets[1].price, null);
    assert.equal(summary.targets[1].cost_usd.total, null);
  }).timeout(60_000);
});
