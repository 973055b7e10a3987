// Prompt token count for a request's messages: feeds the TTFT prefill term, quotas and `usage`.
//
// TODO(tokens): src/tokens (countChatTokens / encodingForModel) is not there yet. Until it is, this
// is a deterministic estimate — ceil(chars / 4) per message plus OpenAI's chat framing (3 tokens per
// message, 3 to prime the reply). Replace the body of countPromptTokens with
//   countChatTokens(messages, encodingForModel(model)).total
// once ../tokens lands.

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

export function countPromptTokens(messages: readonly PromptMessage[], _model: string | undefined): number {
  let total = 3; // every reply is primed with <|start|>assistant<|message|>
  for (const m of messages) {
    total += 3; // <|start|>{role}<|message|> … <|end|>
    total += Math.ceil(messageText(m.content).length / 4);
    if (typeof m.name === 'string') total += 1 + Math.ceil(m.name.length / 4);
  }
  return total;
}
