// Shared test data: the OpenAI Cookbook chat example and a reference counter built on tiktoken (WASM).

import { get_encoding, type Tiktoken } from 'tiktoken';
import type { ChatMessage } from '../../../src/tokens/chat';
import type { Encoding } from '../../../src/tokens/tokenizer';

const refs = new Map<Encoding, Tiktoken>();
export function reference(enc: Encoding): Tiktoken {
  let t = refs.get(enc);
  if (!t) refs.set(enc, (t = get_encoding(enc)));
  return t;
}

export function refCount(text: string, enc: Encoding): number {
  return reference(enc).encode_ordinary(text).length;
}

/** The cookbook's num_tokens_from_messages(), written independently of src/tokens/chat.ts. */
export function refChatCount(messages: readonly ChatMessage[], enc: Encoding): number {
  let n = 3;
  for (const m of messages) {
    n += 3 + refCount(m.role, enc) + refCount(m.content, enc);
    if (m.name !== undefined) n += 1 + refCount(m.name, enc);
  }
  return n;
}

/** OpenAI Cookbook, "How to count tokens with tiktoken", example_messages. */
export const COOKBOOK_MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];
