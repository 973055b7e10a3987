import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { countPromptTokens, messageText } from '../../../src/simulator/prompt-tokens';
import { OPENAI_PATH, AZURE_PATH, countTokens, post } from './helpers';

// OpenAI's chat framing: 3 tokens per message, 1 per name, 3 to prime the reply.
function reference(messages: Array<{ role: string; content: string; name?: string }>, enc: 'o200k_base' | 'cl100k_base') {
  let total = 3;
  for (const m of messages) {
    total += 3 + countTokens(m.role, enc) + countTokens(m.content, enc);
    if (m.name !== undefined) total += 1 + countTokens(m.name, enc);
  }
  return total;
}

const MESSAGES = [
  { role: 'system', content: 'You are a terse assistant. Answer in one sentence.' },
  { role: 'user', content: 'Über-long naïve prompt with émojis 🚀 and code: `const x = [1, 2, 3].map((n) => n * 2);`', name: 'alice' },
  { role: 'assistant', content: 'Sure.' },
  { role: 'user', content: 'data model test '.repeat(50) + '<|endoftext|> is plain text here' },
];

describe('simulator prompt tokens', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ ttft_ms: 1, tpot_ms: 1, keep_log: true });
  });
  after(() => sim.close());

  it('usage.prompt_tokens equals the tiktoken count with chat framing, per model encoding', async () => {
    for (const [model, enc] of [
      ['gpt-4o', 'o200k_base'],
      ['gpt-4', 'cl100k_base'],
    ] as const) {
      const r = await post(sim.url, OPENAI_PATH, { model, messages: MESSAGES, stream: true, max_tokens: 2, stream_options: { include_usage: true } });
      const usage = r.events.find((e) => e.json?.usage)!.json.usage;
      assert.equal(usage.prompt_tokens, reference(MESSAGES, enc), model);
      assert.equal(sim.log.at(-1)!.prompt_tokens, usage.prompt_tokens);
    }
  });

  it('Azure deployment route picks the encoding from the deployment name when the body has no model', async () => {
    const r = await post(sim.url, AZURE_PATH, { messages: MESSAGES, max_tokens: 2 });
    assert.equal(JSON.parse(r.body).usage.prompt_tokens, reference(MESSAGES, 'o200k_base'));
  });

  it('reads multi-part content and tolerates odd message fields', () => {
    assert.equal(
      messageText([
        { type: 'text', text: 'a ' },
        { type: 'image_url', image_url: {} },
        { type: 'text', text: 'b' },
      ]),
      'a b',
    );
    assert.equal(messageText(42), '');
    const n = countPromptTokens([{ role: 'user', content: [{ type: 'text', text: 'hello world' }] }, { content: null }], 'gpt-4o');
    assert.equal(n, 3 + 3 + countTokens('user', 'o200k_base') + countTokens('hello world', 'o200k_base') + 3);
  });
});
