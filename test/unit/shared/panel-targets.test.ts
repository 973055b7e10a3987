// The targets as the panels list them (src/shared/panel-targets.ts): the price per 1M tokens from the
// model catalog, replaced by the user's settings, replaced in turn by the scenario's own `pricing`
// (src/tokens/pricing.ts); the target rate only in open loop.
import { strict as assert } from 'node:assert';
import type { Target } from '../../../src/engine/scenario/types';
import { panelTargets } from '../../../src/shared/panel-targets';
import { lookupModel, withPricing } from '../../../src/tokens';
import { scenario } from '../webview/fixtures';
import { realRun } from './real-run';

const sim = (name: string, overrides: Partial<Target> = {}): Target => ({
  name,
  provider: 'simulator',
  endpoint: 'simulator',
  auth: { type: 'none' },
  ...overrides,
});

describe('shared/panel-targets', () => {
  it('catalog prices: list prices with their date; a model the catalog does not know has none', () => {
    const [mini, four, llama] = panelTargets(
      scenario({ targets: [sim('mini', { model: 'gpt-5-mini' }), sim('four', { model: 'gpt-4o' }), sim('llama', { model: 'my-llama' })] }),
    );
    assert.deepEqual(mini, { name: 'mini', model: 'gpt-5-mini', target_rpm: 120, price: lookupModel('gpt-5-mini')!.price });
    assert.deepEqual([four.price!.input, four.price!.cached_input, four.price!.output, four.price!.origin], [2.5, 1.25, 10, 'list']);
    assert.match(four.price!.as_of!, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(llama, { name: 'llama', model: 'my-llama', target_rpm: 120, price: null });
  });

  it('the model, else the deployment, names the model; a dated or aliased name finds the catalog entry', () => {
    const targets = panelTargets(
      scenario({
        targets: [
          sim('dep', { provider: 'azure', endpoint: 'https://x.openai.azure.com', deployment: 'gpt-5-mini' }),
          sim('dated', { model: 'gpt-5-mini-2025-08-07' }),
          sim('none'),
          sim('custom', { model: 'my-llama' }),
        ],
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

  const setting = (pricing: Parameters<typeof withPricing>[1]) => withPricing({}, pricing, 'setting');

  it('settings overrides price an unknown model and replace a catalog price', () => {
    const s = scenario({ targets: [sim('mini', { model: 'gpt-5-mini' }), sim('llama', { model: 'my-llama' })] });
    const [mini, llama] = panelTargets(s, setting({ 'my-llama': { input: 2.5, output: 10 }, 'gpt-5-mini': { input: 1, cached_input: 0.5, output: 3 } }));
    assert.deepEqual(llama.price, { input: 2.5, output: 10, origin: 'setting' });
    assert.deepEqual(mini.price, { input: 1, cached_input: 0.5, output: 3, origin: 'setting' });
  });

  it('the scenario’s pricing wins over the settings (the order the engine’s cost uses)', () => {
    const s = scenario({ targets: [sim('four', { model: 'gpt-4o' })], pricing: { 'gpt-4o': { input: 5, output: 15 } } });
    const [four] = panelTargets(s, setting({ 'gpt-4o': { input: 2.5, cached_input: 1, output: 10 } }));
    // The scenario's input rate without a cached rate: cached prompt tokens are billed at its input rate.
    assert.deepEqual(four.price, { input: 5, output: 15, origin: 'scenario' });
  });

  it('a partial override (input only) of an unknown model gives no price rather than half a price', () => {
    const [llama] = panelTargets(scenario({ targets: [sim('llama', { model: 'my-llama' })] }), setting({ 'my-llama': { input: 2.5 } }));
    assert.equal(llama.price, null);
  });

  it('target_rpm: the open-loop rate; null in closed loop', () => {
    const open = scenario();
    assert.deepEqual(
      panelTargets(open).map((t) => t.target_rpm),
      [120, 120],
    );
    const closed = scenario({ workload: { ...open.workload, mode: 'closed', rate_rpm: undefined, requests: 10 } });
    assert.deepEqual(
      panelTargets(closed).map((t) => t.target_rpm),
      [null, null],
    );
  });

  it('on a real run’s scenario: the price the engine used, so the panel and summary agree', async () => {
    const { scenario: s, summary } = await realRun();
    const targets = panelTargets(s);
    assert.deepEqual(
      targets.map((t) => [t.name, t.model, t.target_rpm]),
      [
        ['fast', 'gpt-5-mini', 900],
        ['slow', 'my-llama', 900],
      ],
    );
    const fast = summary.targets[0];
    const p = targets[0].price!;
    const expected = (fast.tokens.prompt * p.input + fast.tokens.completion * p.output) / 1e6;
    assert.ok(Math.abs(fast.cost_usd.total! - expected) < 1e-12, `${fast.cost_usd.total} vs ${expected}`);
    assert.deepEqual(fast.cost_usd.price, p, 'the summary records the price it used');
    assert.equal(targets[1].price, null);
    assert.equal(summary.targets[1].cost_usd.total, null);
    assert.equal(summary.targets[1].cost_usd.price, null);
  }).timeout(60_000);
});
