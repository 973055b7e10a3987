// Prompt token count for a request's messages: feeds the TTFT prefill term, quotas and `usage`.
// Uses the same tokenizer and chat framing as the engine (../tokens), so an engine's own count of a
// prompt equals the simulator's `usage.prompt_tokens` exactly.
import { countChatTokens, encodingForModel, type ChatMessage } from '../tokens';

export interface PromptMessage {
  role?: unknown;
  content?: unknown;
  name?: unknown;
}

/** Text of a message's content: a string, or the text parts of a multi-part content array. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      text += (part as { text: string }).text;
    }
  }
  return text;
}

export function countPromptTokens(messages: readonly PromptMessage[], model: string): number {
  const chat: ChatMessage[] = messages.map((m) => {
    const msg: ChatMessage = { role: typeof m.role === 'string' ? m.role : '', content: messageText(m.content) };
    if (typeof m.name === 'string') msg.name = m.name;
    return msg;
  });
  return countChatTokens(chat, encodingForModel(model)).total;
}

/** Loads the tokenizer tables for `model` now (a few hundred ms once per process) rather than
 *  inside the first request, where it would delay that request's stream. */
export function warmUpTokenizer(model: string): void {
  countPromptTokens([{ role: 'user', content: 'warm up' }], model);
}
