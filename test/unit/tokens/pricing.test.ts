// The one pricing module (src/tokens/pricing.ts): the cost formula against hand-computed values, the
// order of the layers (scenario over setting over catalog, field by field), and the words shown beside
// a cost.
import { strict as assert } from 'node:assert';
import { lookupModel, type ModelOverrides } from '../../../src/tokens/catalog';
import { costNote, costUsd, PRICE_OVERRIDE_HINT, priceBasis, priceNote, ratesText, withPricing, type Price } from '../../../src/tokens/pricing';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);

/** The catalog's price of `model` under the setting's and the scenario's pricing, as the engine and the panel resolve it. */
function resolved(
  model: string,
  setting?: Record<string, { input?: number; cached_input?: number; output?: number }>,
  scenario?: Record<string, { input?: number; cached_input?: number; output?: number }>,
): Price | undefined {
  const overrides: ModelOverrides = withPricing(withPricing({}, setting, 'setting'), scenario, 'scenario');
  return lookupModel(model, overrides)?.price;
}

describe('tokens/pricing', () => {
  describe('costUsd', () => {
    it('bills a catalog model by hand: gpt-4o at 2.50 in / 1.25 cached / 10.00 out per 1M', () => {
      const gpt4o = lookupModel('gpt-4o-2024-08-06')!.price!;
      // 10,000 prompt tokens of which 4,000 cached, 2,000 completion (reasoning included):
      // 6,000 × 2.50 + 4,000 × 1.25 + 2,000 × 10.00 = 15,000 + 5,000 + 20,000 = 40,000 per million = $0.04.
      close(costUsd(gpt4o, { prompt: 10_000, cached: 4_000, completion: 2_000 }), 0.04);
      // 1M prompt tokens, none cached, no output: exactly the input rate.
      close(costUsd(gpt4o, { prompt: 1_000_000, completion: 0 }), 2.5);
    });

    it('bills cached tokens at the input rate when the price has no cached rate', () => {
      // gpt-4-turbo: 10 in / 30 out, no cached rate: 1,000 prompt (600 "cached") + 100 out = 10,000 + 3,000 per million.
      close(costUsd(lookupModel('gpt-4-turbo')!.price!, { prompt: 1_000, cached: 600, completion: 100 }), 13_000 / 1e6);
    });

    it('clamps cached tokens to the prompt and ignores negative counts', () => {
      const p = { input: 2, cached_input: 0.5, output: 8 };
      close(costUsd(p, { prompt: 100, cached: 1_000, completion: 0 }), (100 * 0.5) / 1e6);
      close(costUsd(p, { prompt: 100, cached: -5, completion: 0 }), (100 * 2) / 1e6);
    });
  });

  describe('layers: catalog, then the perflab.pricing setting, then the scenario’s pricing:', () => {
    it('the scenario beats the setting, which beats the catalog', () => {
      const list = lookupModel('gpt-4o')!.price!;
      assert.equal(list.origin, 'list');
      const setting = resolved('gpt-4o', { 'gpt-4o': { input: 3, cached_input: 1.5, output: 12 } })!;
      assert.deepEqual([setting.input, setting.cached_input, setting.output, setting.origin], [3, 1.5, 12, 'setting']);
      const scenario = resolved('gpt-4o', { 'gpt-4o': { input: 3, cached_input: 1.5, output: 12 } }, { 'gpt-4o': { input: 4, cached_input: 2, output: 16 } })!;
      assert.deepEqual([scenario.input, scenario.cached_input, scenario.output, scenario.origin], [4, 2, 16, 'scenario']);
      // A user's price is no longer the published one: no source, no date.
      assert.equal(scenario.source, undefined);
      assert.equal(scenario.as_of, undefined);
    });

    it('a partial override keeps the other fields of the layers below', () => {
      // The scenario changes only the output rate: input and cached stay the setting's.
      const p = resolved('gpt-4o', { 'gpt-4o': { input: 3, cached_input: 1.5, output: 12 } }, { 'gpt-4o': { output: 20 } })!;
      assert.deepEqual([p.input, p.cached_input, p.output, p.origin], [3, 1.5, 20, 'scenario']);
      // Only the cached rate, over the catalog.
      const c = resolved('gpt-4.1', undefined, { 'gpt-4.1': { cached_input: 0.4 } })!;
      assert.deepEqual([c.input, c.cached_input, c.output], [2, 0.4, 8]);
    });

    it('an input rate without a cached rate drops the cached rate below it (billed at the new input rate)', () => {
      // A contract at a tenth of the list price must not keep the list price's cached rate of 1.25.
      const p = resolved('gpt-4o', undefined, { 'gpt-4o': { input: 0.25, output: 1 } })!;
      assert.deepEqual([p.input, p.cached_input, p.output], [0.25, undefined, 1]);
      close(costUsd(p, { prompt: 1_000, cached: 1_000, completion: 0 }), 250 / 1e6);
    });

    it('Azure names and dated snapshots take the override given under another spelling', () => {
      const p = resolved('gpt-35-turbo-0125', { 'gpt-3.5-turbo': { input: 1, output: 2 } }, { 'GPT-35-Turbo': { output: 3 } })!;
      assert.deepEqual([p.input, p.output, p.origin], [1, 3, 'scenario']);
    });

    it('a model without a list price gets one only from complete rates', () => {
      assert.equal(resolved('my-llama', { 'my-llama': { input: 1 } }), undefined);
      const p = resolved('my-llama', { 'my-llama': { input: 1 } }, { 'my-llama': { output: 2 } })!;
      assert.deepEqual([p.input, p.output, p.origin], [1, 2, 'scenario']);
    });

    it('keeps other override fields and leaves the catalog alone', () => {
      const base: ModelOverrides = { other: { context_window: 8 } };
      const merged = withPricing(base, { 'gpt-4o': { input: 1, output: 2 } }, 'scenario');
      assert.deepEqual(merged.other, { context_window: 8 });
      assert.equal(lookupModel('gpt-4o')!.price!.input, 2.5);
    });
  });

  describe('words beside a cost', () => {
    const list = lookupModel('gpt-4o')!.price!;

    it('a list price says its date and how to set one’s own', () => {
      assert.equal(priceBasis(list), `list price as of ${list.as_of}`);
      assert.match(list.as_of!, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(priceNote(list), `list price as of ${list.as_of}; ${PRICE_OVERRIDE_HINT}`);
      assert.match(PRICE_OVERRIDE_HINT, /pricing: in the scenario/);
      assert.match(PRICE_OVERRIDE_HINT, /perflab\.pricing setting/);
    });

    it('a user’s price says whose it is; no price says so, with the hint', () => {
      assert.equal(priceNote(resolved('gpt-4o', undefined, { 'gpt-4o': { input: 1, output: 2 } })), 'your price (pricing: in the scenario)');
      assert.equal(priceNote(resolved('gpt-4o', { 'gpt-4o': { input: 1, output: 2 } })), 'your price (perflab.pricing setting)');
      assert.equal(priceNote(null, 'my-llama'), `no price for my-llama; ${PRICE_OVERRIDE_HINT}`);
    });

    it('a summary’s cost: its price, no price, or (older summaries) none recorded', () => {
      assert.equal(costNote({ total: 0.5, price: list }, 'gpt-4o'), priceNote(list));
      assert.equal(costNote({ total: null, price: null }, 'my-llama'), `no price for my-llama; ${PRICE_OVERRIDE_HINT}`);
      assert.equal(costNote({ total: 0.5 }, 'gpt-4o'), null);
    });

    it('rates as published', () => {
      assert.equal(ratesText(list), '$2.50 in / $1.25 cached / $10.00 out per 1M tokens');
      assert.equal(ratesText(lookupModel('o4-mini')!.price!), '$1.10 in / $0.275 cached / $4.40 out per 1M tokens');
      assert.equal(ratesText(lookupModel('gpt-4')!.price!), '$30.00 in / $60.00 out per 1M tokens');
    });
  });
});
