import { strict as assert } from 'node:assert';
import type { ModelInfo } from '../../../src/tokens/catalog';
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

  it('is undefined without a price', () => {
    assert.equal(requestCostUsd({ ...priced, price: undefined }, { prompt_tokens: 10, completion_tokens: 10 }), undefined);
  });
});
