import { strict as assert } from 'node:assert';
import { countChatTokens, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, TOKENS_PER_NAME } from '../../../src/tokens/chat';
import { COOKBOOK_MESSAGES, refChatCount, refCount } from './fixtures';

describe('tokens/chat', () => {
  // The cookbook reports these as the API's prompt_tokens: 129 for gpt-4-0613 / gpt-3.5-turbo-1106
  // (cl100k_base) and 124 for gpt-4o / gpt-4o-mini (o200k_base); tiktoken agrees (fixtures.refChatCount).
  it('matches the OpenAI Cookbook example: 129 tokens on cl100k_base', () => {
    assert.equal(refChatCount(COOKBOOK_MESSAGES, 'cl100k_base'), 129);
    assert.equal(countChatTokens(COOKBOOK_MESSAGES, 'cl100k_base').total, 129);
  });

  it('matches the OpenAI Cookbook example: 124 tokens on o200k_base', () => {
    assert.equal(refChatCount(COOKBOOK_MESSAGES, 'o200k_base'), 124);
    assert.equal(countChatTokens(COOKBOOK_MESSAGES, 'o200k_base').total, 124);
  });

  it('splits the total into per-message text and framing overhead', () => {
    const r = countChatTokens(COOKBOOK_MESSAGES, 'o200k_base');
    const names = COOKBOOK_MESSAGES.filter((m) => m.name).length;
    assert.equal(r.overhead, 6 * TOKENS_PER_MESSAGE + names * TOKENS_PER_NAME + REPLY_PRIMING_TOKENS);
    assert.equal(r.perMessage.length, 6);
    assert.equal(r.perMessage.reduce((a, b) => a + b, 0) + r.overhead, r.total);
    const m = COOKBOOK_MESSAGES[1];
    assert.equal(r.perMessage[1], refCount(m.role, 'o200k_base') + refCount(m.content, 'o200k_base') + refCount(m.name!, 'o200k_base'));
  });

  it('uses the documented constants: 3 per message, 1 per name, 3 reply priming', () => {
    assert.deepEqual([TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING_TOKENS], [3, 1, 3]);
    // One user message "hi": 3 framing + "user" (1) + "hi" (1) + 3 priming.
    assert.equal(countChatTokens([{ role: 'user', content: 'hi' }], 'o200k_base').total, 8);
    assert.equal(countChatTokens([], 'cl100k_base').total, 3);
  });
});
