// Turns a scenario's prompt source into ready-to-send requests, one per call.
// Synthetic shapes hit the requested context tokens exactly for the target's tokenizer; with
// prevent_server_caching every request starts with a random prefix (counted in the prompt tokens)
// so a server-side prompt cache cannot make TTFT look better than it is.

import * as path from 'node:path';
import { buildChatRequest, chatRequestBody, type ChatMessage, type Credential } from './chat-request';
import type { PreparedPrompt } from './request-runner';
import { buildResponsesRequest, responsesRequestBody } from './responses-request';
import { apiOf, type Scenario, type Target } from './scenario/types';
import { countChatTokens, randomCachePrefix, syntheticChat, type Encoding } from '../tokens';
import { loadPromptMessages, PromptFileError } from '../tokens/prompt-files';

export function createPromptFactory(
  scenario: Scenario,
  target: Target,
  baseUrl: string,
  credential: Credential | null,
  encoding: Encoding,
  random: () => number,
  /** Which prompts of a file or dataset this engine thread takes: first, first + step, … (the n
   *  threads together send them in the one thread's order). */
  stride = { first: 0, step: 1 },
): () => PreparedPrompt {
  const source = scenario.prompts;
  const responses = apiOf(target) === 'responses';
  const prepare = (messages: ChatMessage[], maxTokens: number | undefined, promptTokens?: number): PreparedPrompt => {
    const request = responses
      ? buildResponsesRequest(target, baseUrl, responsesRequestBody(target, messages, scenario.request, maxTokens), credential)
      : buildChatRequest(target, baseUrl, chatRequestBody(target, messages, scenario.request, maxTokens), credential);
    return { request, promptTokens: promptTokens ?? countChatTokens(messages, encoding).total };
  };

  if (source.kind === 'shape') {
    const maxTokens = scenario.request.max_tokens ?? source.max_tokens;
    // Built now, before the clock starts: this also loads the tokenizer tables (~0.5–1 s), which
    // would otherwise stall the event loop just as the first requests are due.
    const fixed = syntheticChat(encoding, source.context_tokens, { seed: 1 });
    const messagesFor = () =>
      scenario.prevent_server_caching ? syntheticChat(encoding, source.context_tokens, { prefix: randomCachePrefix(random), seed: 1 }) : fixed;
    messagesFor();
    return () => prepare(messagesFor(), maxTokens, source.context_tokens);
  }

  const dir = scenario.file ? path.dirname(scenario.file) : process.cwd();
  const conversations = loadPromptMessages(source, dir);
  if (conversations.length === 0) throw new PromptFileError(`${source.file}:1:1: no prompts found in the file`);
  // `request.max_tokens` wins over the prompt source's (the schema says so).
  const maxTokens = scenario.request.max_tokens ?? source.max_tokens;
  countChatTokens(conversations[0], encoding); // loads the tokenizer before the clock starts
  let next = stride.first;
  return () => {
    const base = conversations[next % conversations.length];
    next += stride.step;
    const messages = scenario.prevent_server_caching ? withCachePrefix(base, randomCachePrefix(random)) : base;
    return prepare(messages, maxTokens);
  };
}

function withCachePrefix(messages: ChatMessage[], prefix: string): ChatMessage[] {
  if (messages.length === 0) return messages;
  const [first, ...rest] = messages;
  return [{ ...first, content: `${prefix} ${first.content}` }, ...rest];
}
