import { strict as assert } from 'node:assert';
import { encodingForModel, lookupModel, MODEL_CATALOG, suggestModel } from '../../../src/tokens/catalog';

describe('tokens/catalog', () => {
  it('finds models by exact name, case-insensitively', () => {
    assert.equal(lookupModel('gpt-4o')?.name, 'gpt-4o');
    assert.equal(lookupModel(' GPT-4.1-Mini ')?.name, 'gpt-4.1-mini');
  });

  it('resolves dated snapshots to their family', () => {
    assert.equal(lookupModel('gpt-4o-2024-08-06')?.name, 'gpt-4o');
    assert.equal(lookupModel('gpt-4o-mini-2024-07-18')?.name, 'gpt-4o-mini');
    assert.equal(lookupModel('o3-mini-2025-01-31')?.name, 'o3-mini');
    assert.equal(lookupModel('gpt-4-0613')?.name, 'gpt-4');
    assert.equal(lookupModel('gpt-3.5-turbo-0125')?.name, 'gpt-3.5-turbo');
  });

  it("knows Azure's spelling and other aliases", () => {
    assert.equal(lookupModel('gpt-35-turbo')?.name, 'gpt-3.5-turbo');
    assert.equal(lookupModel('gpt-35-turbo-0125')?.name, 'gpt-3.5-turbo');
    assert.equal(lookupModel('gpt-4-turbo-preview')?.name, 'gpt-4-turbo');
  });

  it('returns undefined for unknown names', () => {
    assert.equal(lookupModel('my-deployment'), undefined);
    assert.equal(lookupModel('gpt4o'), undefined);
    assert.equal(lookupModel(''), undefined);
  });

  it('suggests the closest names', () => {
    assert.equal(suggestModel('gpt4o')[0], 'gpt-4o');
    assert.equal(suggestModel('gpt-4.1-mni')[0], 'gpt-4.1-mini');
    assert.equal(suggestModel('gpt35-turbo')[0], 'gpt-3.5-turbo');
    assert.deepEqual(suggestModel('llama-3-70b-instruct'), []);
  });

  it('maps models to encodings, unknown → o200k_base', () => {
    assert.equal(encodingForModel('gpt-4o-2024-11-20'), 'o200k_base');
    assert.equal(encodingForModel('gpt-5-mini'), 'o200k_base');
    assert.equal(encodingForModel('gpt-4'), 'cl100k_base');
    assert.equal(encodingForModel('gpt-4-turbo-2024-04-09'), 'cl100k_base');
    assert.equal(encodingForModel('gpt-35-turbo'), 'cl100k_base');
    assert.equal(encodingForModel('some-new-model'), 'o200k_base');
  });

  it('covers the required models', () => {
    const names = MODEL_CATALOG.map((m) => m.name);
    for (const n of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o1',
      'o3',
      'o3-mini',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'gpt-4-turbo',
      'gpt-4',
      'gpt-3.5-turbo',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });

  it('prices every catalog model, each price citing where and when it was read', () => {
    for (const m of MODEL_CATALOG) {
      assert.ok(m.price, `${m.name} has a price`);
      assert.equal(m.price.origin, 'list', m.name);
      assert.match(m.price.source ?? '', /^https:\/\//, m.name);
      assert.match(m.price.as_of ?? '', /^\d{4}-\d{2}-\d{2}$/, m.name);
      assert.ok(m.price.input > 0 && m.price.output > 0, m.name);
      if (m.price.cached_input !== undefined) assert.ok(m.price.cached_input < m.price.input, m.name);
    }
  });

  it("carries the prices and limits read on OpenAI's model pages", () => {
    const nano = lookupModel('gpt-4.1-nano-2025-04-14')!;
    assert.deepEqual([nano.price!.input, nano.price!.cached_input, nano.price!.output], [0.1, 0.025, 0.4]);
    assert.equal(nano.price!.source, 'https://developers.openai.com/ko-KR/api/docs/models/gpt-4.1-nano');
    assert.deepEqual([nano.context_window, nano.max_output], [1_047_576, 32_768]);
    const turbo = lookupModel('gpt-4-turbo-preview')!;
    assert.deepEqual([turbo.price!.input, turbo.price!.cached_input, turbo.price!.output], [10, undefined, 30]);
    assert.equal(turbo.price!.source, 'https://developers.openai.com/api/docs/models/gpt-4-turbo');
    assert.deepEqual([turbo.context_window, turbo.max_output], [128_000, 4_096]);
    const gpt35 = lookupModel('gpt-3.5-turbo-0125')!;
    assert.deepEqual([gpt35.price!.input, gpt35.price!.output], [0.5, 1.5]);
    assert.equal(gpt35.price!.source, 'https://developers.openai.com/api/docs/models/gpt-3.5-turbo');
    assert.deepEqual([gpt35.context_window, gpt35.max_output], [16_385, 4_096]);
  });

  it('carries the standard-tier list prices of the models whose OpenAI page could not be read (docs/tokenizers.md)', () => {
    // [input, cached input, output] USD per 1M tokens, from the price list cited in src/tokens/catalog.ts.
    const expected: Record<string, [number, number, number]> = {
      'gpt-4o': [2.5, 1.25, 10],
      'gpt-4o-mini': [0.15, 0.075, 0.6],
      'gpt-4.1': [2, 0.5, 8],
      'gpt-4.1-mini': [0.4, 0.1, 1.6],
      o1: [15, 7.5, 60],
      o3: [2, 0.5, 8],
      'o3-mini': [1.1, 0.55, 4.4],
      'o4-mini': [1.1, 0.275, 4.4],
      'gpt-5': [1.25, 0.125, 10],
    };
    for (const [name, rates] of Object.entries(expected)) {
      const p = lookupModel(name)!.price!;
      assert.deepEqual([p.input, p.cached_input, p.output], rates, name);
      assert.match(p.source!, /^https:\/\/github\.com\/BerriAI\/litellm\/blob\/[0-9a-f]{40}\/model_prices_and_context_window\.json$/, name);
    }
    // Where OpenAI's own page was read too, the list agrees; the page stays the cited source.
    assert.deepEqual([lookupModel('gpt-5-mini')!.price!.input, lookupModel('gpt-5-mini')!.price!.cached_input], [0.25, 0.025]);
  });

  describe('overrides', () => {
    it('override a price field by name, alias or dated name, keeping the rest', () => {
      const base = lookupModel('gpt-5-mini')!;
      const m = lookupModel('gpt-5-mini-2025-08-07', { 'gpt-5-mini': { price: { output: 3, origin: 'setting' } } })!;
      assert.equal(m.price!.output, 3);
      assert.deepEqual([m.price!.input, m.price!.cached_input], [base.price!.input, base.price!.cached_input]);
      assert.equal(m.context_window, base.context_window);
      // The changed price no longer is the cited page's price.
      assert.deepEqual([m.price!.origin, m.price!.source, m.price!.as_of], ['setting', undefined, undefined]);
      assert.equal(lookupModel('gpt-5-mini')!.price!.source, base.price!.source);
      const azure = lookupModel('gpt-3.5-turbo', { 'gpt-35-turbo': { price: { input: 0.6, output: 1.8, origin: 'scenario' } } })!;
      assert.deepEqual([azure.price!.input, azure.price!.origin], [0.6, 'scenario']);
    });

    it('give a price to an unpriced model only when both rates are there', () => {
      assert.equal(lookupModel('my-llama', { 'my-llama': { price: { input: 1, origin: 'setting' } } })!.price, undefined);
      assert.equal(lookupModel('my-llama', { 'my-llama': { price: { input: 1, output: 2, origin: 'setting' } } })!.price!.output, 2);
    });

    it('add new models', () => {
      const m = lookupModel('my-llama', { 'my-llama': { encoding: 'cl100k_base', context_window: 8192 } })!;
      assert.equal(m.name, 'my-llama');
      assert.equal(m.encoding, 'cl100k_base');
      assert.equal(m.context_window, 8192);
      assert.equal(encodingForModel('my-llama', { 'my-llama': { encoding: 'cl100k_base' } }), 'cl100k_base');
      assert.equal(suggestModel('my-lama', 3, { 'my-llama': {} })[0], 'my-llama');
    });

    it('do not change the catalog itself', () => {
      lookupModel('gpt-4', { 'gpt-4': { price: { input: 1, origin: 'setting' } } });
      assert.equal(lookupModel('gpt-4')!.price!.input, 30);
    });
  });
});
