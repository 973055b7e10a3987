// Turns a scenario's prompt source into ready-to-send requests, one per call.
// Synthetic shapes hit the requested context tokens exactly for the target's tokenizer; with
// prevent_server_caching every request starts with a random prefix (counted in the prompt tokens)
// so a server-side prompt cache cannot make TTFT look better than it is.

import * as path from 'node:path';
import { buildChatRequest, chatRequestBody, type ChatMessage, type Credential } from './chat-request';
import type { PreparedPrompt } from './request-runner';
import { buildResponsesRequest, responsesRequestBody } from './responses-request';
import { apiOf, type Scenario, type Target } from './scenario/types';
import { countChatTokens, countTokens, randomCachePrefix, syntheticChat, type Encoding } from '../tokens';
import { loadPromptInputs, PromptFileError } from '../tokens/prompt-files';
import { httpRequestFactory } from './http-target/http-request';

/** A session's next turn (workload.sessions): who asks, which turn, and the conversation so far
 *  (empty unless carry_history). */
export interface SessionTurn {
  sessionId: string;
  turn: number;
  history: ChatMessage[];
}

export type PromptFactory = (turn?: SessionTurn) => PreparedPrompt;

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
): PromptFactory {
  const source = scenario.prompts;
  const responses = apiOf(target) === 'responses';
  const http = target.http ? httpRequestFactory(target, baseUrl, credential) : null;
  // A random prefix defeats a model server's prompt cache; in front of an app it would change the
  // question its retrieval sees, so HTTP targets are sent the prompts as written.
  const cacheBusting = scenario.prevent_server_caching && !http;
  const prepare = (
    base: ChatMessage[],
    fields: Readonly<Record<string, unknown>>,
    maxTokens: number | undefined,
    turn: SessionTurn | undefined,
    baseTokens?: number,
  ): PreparedPrompt => {
    const messages = withHistory(base, turn?.history ?? []);
    const request = http
      ? http.build({ messages, fields, sessionId: turn?.sessionId ?? null, turn: turn?.turn ?? null })
      : responses
        ? buildResponsesRequest(target, baseUrl, responsesRequestBody(target, messages, scenario.request, maxTokens), credential)
        : buildChatRequest(target, baseUrl, chatRequestBody(target, messages, scenario.request, maxTokens), credential);
    // A synthetic prompt's length is known exactly; a grown conversation is counted; an app called
    // with a body that carries no prompt is sent that body, so its text is what is counted.
    const promptTokens =
      http && !http.sendsPrompt
        ? countTokens(request.body, encoding)
        : baseTokens !== undefined && messages === base
          ? baseTokens
          : countChatTokens(messages, encoding).total;
    return { request, promptTokens, messages };
  };

  if (source.kind === 'shape') {
    const maxTokens = scenario.request.max_tokens ?? source.max_tokens;
    // Built now, before the clock starts: this also loads the tokenizer tables (~0.5–1 s), which
    // would otherwise stall the event loop just as the first requests are due.
    const fixed = syntheticChat(encoding, source.context_tokens, { seed: 1 });
    const messagesFor = () => (cacheBusting ? syntheticChat(encoding, source.context_tokens, { prefix: randomCachePrefix(random), seed: 1 }) : fixed);
    messagesFor();
    return (turn) => prepare(messagesFor(), {}, maxTokens, turn, source.context_tokens);
  }

  const dir = scenario.file ? path.dirname(scenario.file) : process.cwd();
  const inputs = loadPromptInputs(source, dir);
  if (inputs.length === 0) throw new PromptFileError(`${source.file}:1:1: no prompts found in the file`);
  // `request.max_tokens` wins over the prompt source's (the schema says so).
  const maxTokens = scenario.request.max_tokens ?? source.max_tokens;
  countChatTokens(inputs[0].messages, encoding); // loads the tokenizer before the clock starts
  let next = stride.first;
  return (turn) => {
    const input = inputs[next % inputs.length];
    next += stride.step;
    const messages = cacheBusting ? withCachePrefix(input.messages, randomCachePrefix(random)) : input.messages;
    return prepare(messages, input.fields, maxTokens, turn);
  };
}

/** A later turn of a carried conversation: what was said so far, then the new prompt without its
 *  system message (the conversation already starts with one). */
function withHistory(base: ChatMessage[], history: ChatMessage[]): ChatMessage[] {
  if (history.length === 0) return base;
  return [...history, ...base.filter((m) => m.role !== 'system')];
}

function withCachePrefix(messages: ChatMessage[], prefix: string): ChatMessage[] {
  if (messages.length === 0) return messages;
  const [first, ...rest] = messages;
  return [{ ...first, content: `${prefix} ${first.content}` }, ...rest];
}
