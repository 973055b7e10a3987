// Prompt-token count of a chat request, as the service reports it in `usage.prompt_tokens`.

import { countTokens, type Encoding } from './tokenizer';

export interface ChatMessage {
  role: string;
  content: string;
  name?: string;
}

export interface ChatTokenCount {
  /** What the service reports as `usage.prompt_tokens`: sum(perMessage) + overhead. */
  total: number;
  /** Tokens of each message's text fields (role + content + name), without framing. */
  perMessage: number[];
  /** Framing the service adds: per-message markers, per-name marker, reply priming. */
  overhead: number;
}

// OpenAI's documented chat format overhead for gpt-3.5-turbo (0613 and later), gpt-4, gpt-4-turbo,
// gpt-4o and gpt-4o-mini. Source: OpenAI Cookbook, "How to count tokens with tiktoken",
// num_tokens_from_messages() (https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb).
// Each message is framed as <|start|>{role/name}\n{content}<|end|>\n.
/** Tokens added around every message. */
export const TOKENS_PER_MESSAGE = 3;
/** Extra token when a message carries `name`. */
export const TOKENS_PER_NAME = 1;
/** Every reply is primed with <|start|>assistant<|message|>. */
export const REPLY_PRIMING_TOKENS = 3;

/** `count` defaults to the tokenizer; the language server passes its cached, chunked counter. */
export function countChatTokens(messages: readonly ChatMessage[], enc: Encoding, count: (text: string, enc: Encoding) => number = countTokens): ChatTokenCount {
  const perMessage = messages.map((m) => count(m.role, enc) + count(m.content, enc) + (m.name !== undefined ? count(m.name, enc) : 0));
  const overhead = chatOverhead(messages);
  return { total: perMessage.reduce((a, b) => a + b, 0) + overhead, perMessage, overhead };
}

/** The framing tokens of a request with these messages (what `countChatTokens` adds to their text). */
export function chatOverhead(messages: readonly ChatMessage[]): number {
  const names = messages.filter((m) => m.name !== undefined).length;
  return messages.length * TOKENS_PER_MESSAGE + names * TOKENS_PER_NAME + REPLY_PRIMING_TOKENS;
}
