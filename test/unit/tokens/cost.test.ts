import { strict as assert } from 'node:assert';
import { lookupModel, type ModelInfo } from '../../../src/tokens/catalog';
import { requestCostUsd } from '../../../src/tokens/cost';

const priced: ModelInfo = {
  name: 'test',
  encoding: 'o200k_base',
  context_window: 1000,
  max_output: 100,
  price: { input: 2, cached_input: 0.5, output: 8, source: 'https://example.test/pricing', as_of: '2026-01-01' },
};

describe('tokens/cost', () => {
  it('bills prompt and completion tokens per million', () => {
    assert.equal(requestCostUsd(priced, { prompt_tokens: 1_000_000, completion_tokens: 0 }), 2);
    assert.equal(requestCostUsd(priced, { prompt_tokens: 1000, completion_tokens: 500 }), (1000 * 2 + 500 * 8) / 1e6);
  });

  it('bills cached prompt tokens at the cached rate', () => {
    // 1000 prompt tokens of which 600 cached: 400 × 2 + 600 × 0.5 + 100 × 8 = 1900 per million.
    assert.equal(requestCostUsd(priced, { prompt_tokens: 1000, cached_tokens: 600, completion_tokens: 100 }), 1900 / 1e6);
  });

  it('bills cached tokens at the input rate when there is no cached rate', () => {
    const noCache: ModelInfo = { ...priced, price: { ...priced.price!, cached_input: undefined } };
    assert.equal(requestCostUsd(noCache, { prompt_tokens: 1000, cached_tokens: 600, completion_tokens: 0 }), 2000 / 1e6);
  });

  it('clamps cached tokens to the prompt', () => {
    assert.equal(requestCostUsd(priced, { prompt_tokens: 100, cached_tokens: 1000, completion_tokens: 0 }), 50 / 1e6);
  });

  it('prices catalog models at their published rates', () => {
    // gpt-4.1-nano: 0.10 input, 0.025 cached, 0.40 output per 1M.
    // 10,000 prompt tokens of which 4,000 cached, 2,000 completion: 6000 × 0.1 + 4000 × 0.025 + 2000 × 0.4 = 1500 per million.
    const nano = lookupModel('gpt-4.1-nano')!;
    const usd = requestCostUsd(nano, { prompt_tokens: 10_000, cached_tokens: 4_000, completion_tokens: 2_000 })!;
    assert.ok(Math.abs(usd - 1500 / 1e6) < 1e-12, String(usd));
    // Azure's gpt-35-turbo resolves to gpt-3.5-turbo (0.50 / 1.50, no cached rate): 1M in + 1M out = 2 USD.
    assert.equal(requestCostUsd(lookupModel('gpt-35-turbo')!, { prompt_tokens: 1e6, completion_tokens: 1e6 }), 2);
    assert.equal(requestCostUsd(lookupModel('gpt-4o')!, { prompt_tokens: 10, completion_tokens: 10 }), undefined);
  });

  it('is undefined without a price', () => {
    assert.equal(requestCostUsd({ ...priced, price: undefined }, { prompt_tokens: 10, completion_tokens: 10 }), undefined);
  });
});
