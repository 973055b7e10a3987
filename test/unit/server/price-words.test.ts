// The language server's cost estimates (src/server/prompt-text.ts, scenario-support.ts) use the one
// pricing module: the cost of what is sent at the model's price, and beside it what that price is
// (a list price as of its date, or the user's own from the perflab.pricing setting) and where to set
// one's own; a model without a price says so, with the same hint.
import { strict as assert } from 'node:assert';
import { analyzePrompt } from '../../../src/server/prompt-analysis';
import { describeDataset, describeSection, promptLensTitle } from '../../../src/server/prompt-text';
import { scenarioHover } from '../../../src/server/scenario-support';
import { ChunkedTokenCounter, costUsd, lookupModel, withPricing, type ModelOverrides } from '../../../src/tokens';
import { PRICE_OVERRIDE_HINT, SETTING_PRICE_HINT } from '../../../src/tokens/pricing';

const prompty = (model: string) => `---
name: support
model:
  api: chat
  configuration:
    name: ${model}
---
system:
You answer questions about latency measurements in two sentences.

user:
Why is the first token slow when the prompt is long?
`;

const analyze = (model: string, overrides?: ModelOverrides) =>
  analyzePrompt('/tmp/support.prompty', prompty(model), { defaultModel: 'gpt-5-mini', overrides, counter: new ChunkedTokenCounter() });
const DATASET = [
  '{"messages":[{"role":"user","content":"How long is a token?"}]}',
  '{"messages":[{"role":"user","content":"What does p95 mean for TTFT?"}]}',
].join('\n');

describe('language server: cost words', () => {
  it('a list price: the rates, "list price as of <date>" and where to set one’s own', () => {
    const a = analyze('gpt-4o');
    const list = lookupModel('gpt-4o')!.price!;
    assert.equal(a.inputCostUsd, costUsd(list, { prompt: a.total, completion: 0 }));
    const hover = describeSection(a, a.sections[0]);
    assert.ok(hover.includes(`(gpt-4o, $2.50 in / $1.25 cached / $10.00 out per 1M tokens; list price as of ${list.as_of}; ${SETTING_PRICE_HINT}).`), hover);
  });

  it('the perflab.pricing setting replaces it, and the hover says whose price it is', () => {
    const a = analyze('gpt-4o', withPricing({}, { 'gpt-4o': { input: 1, output: 4 } }, 'setting'));
    assert.equal(a.inputCostUsd, (a.total * 1) / 1e6);
    const hover = describeSection(a, a.sections[0]);
    assert.ok(hover.includes('$1.00 in / $4.00 out per 1M tokens; your price (perflab.pricing setting)).'), hover);
    assert.ok(!hover.includes(SETTING_PRICE_HINT), hover);
  });

  it('a model without a price: no cost, "no price" and the hint, in the CodeLens and the hovers', () => {
    const a = analyze('my-llama');
    assert.equal(a.inputCostUsd, null);
    assert.match(promptLensTitle(a), /· no price \(set perflab\.pricing\)$/);
    assert.ok(describeSection(a, a.sections[0]).includes(`Cost: no price for my-llama; ${SETTING_PRICE_HINT}.`));
    const d = analyzePrompt('/tmp/chats.jsonl', DATASET, { defaultModel: 'my-llama', counter: new ChunkedTokenCounter() });
    assert.ok(describeDataset(d, d.sections[0]).includes(`Cost: no price for my-llama; ${SETTING_PRICE_HINT}.`));
    const priced = analyzePrompt('/tmp/chats.jsonl', DATASET, { defaultModel: 'gpt-4.1-mini', counter: new ChunkedTokenCounter() });
    assert.ok(
      describeDataset(priced, priced.sections[0]).includes(
        `(gpt-4.1-mini, list price as of ${lookupModel('gpt-4.1-mini')!.price!.as_of}; ${SETTING_PRICE_HINT}).`,
      ),
    );
  });

  it('a scenario’s model: the hover gives the rates with their date and the override hint', () => {
    const text =
      'name: x\ntargets:\n  - name: a\n    provider: openai\n    model: o4-mini\n  - name: b\n    provider: openai-compatible\n    model: my-llama\n';
    const hover = scenarioHover(text, 4, 14)!;
    assert.ok(hover.includes(`$1.10 in / $0.275 cached / $4.40 out per 1M tokens, list price as of ${lookupModel('o4-mini')!.price!.as_of}`), hover);
    assert.ok(hover.includes(PRICE_OVERRIDE_HINT), hover);
    assert.equal(scenarioHover(text, 7, 14), `**my-llama** is not in the model catalog: no price; ${PRICE_OVERRIDE_HINT}.`);
    // The user's own price (the setting) names itself and needs no hint.
    const own = scenarioHover(text, 4, 14, withPricing({}, { 'o4-mini': { input: 1, output: 4 } }, 'setting'))!;
    assert.ok(own.includes('$1.00 in / $4.00 out per 1M tokens, your price (perflab.pricing setting)') && !own.includes(PRICE_OVERRIDE_HINT), own);
  });
});
