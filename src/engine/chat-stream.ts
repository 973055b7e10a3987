// Reads Chat Completions stream chunks (`data: {…chat.completion.chunk…}` … `data: [DONE]`) into a
// StreamOutput. Shapes handled (docs/stream-shapes.md §1, §3–§6): role-only and empty chunks, Azure's
// prompt-filter and asynchronous-filter annotation chunks (no token), usage on a `choices: []` chunk,
// on a chunk with choices (LiteLLM) or cumulative on every chunk (vLLM continuous usage: the last one
// wins), reasoning as `delta.reasoning_content` or `delta.reasoning`, and error events mid-stream.

import { addOutput, count, nonEmpty, tokenCount, type ReadVerdict, type StreamOutput } from './stream-output';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the wire, checked field by field below
export function readChatEvent(eventName: string | null, chunk: any, at: number, out: StreamOutput): ReadVerdict {
  if (eventName === 'error' || chunk?.error || chunk?.object === 'error') {
    const inner = chunk?.error ?? chunk;
    return { error: `error event in stream: ${inner?.message ?? JSON.stringify(inner)}` };
  }
  if (out.responseId === null && typeof chunk.id === 'string' && chunk.id !== '') out.responseId = chunk.id;
  const usage = chunk.usage;
  // A count that is not a whole number ≥ 0 (a buggy proxy's -1) is no count: the tokenizer's estimate
  // is used instead, marked estimated.
  if (usage && tokenCount(usage.completion_tokens) && tokenCount(usage.prompt_tokens)) {
    out.usage = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cached_tokens: count(usage.prompt_tokens_details?.cached_tokens),
      reasoning_tokens: count(usage.completion_tokens_details?.reasoning_tokens),
    };
  }
  const choice = chunk.choices?.[0];
  if (!choice) return 'continue'; // Azure's prompt-filter chunk, the usage chunk
  if (choice.finish_reason) out.finishReason = choice.finish_reason;
  const delta = choice.delta;
  if (!delta) return 'continue'; // Azure's asynchronous-filter annotations carry no delta
  const reasoning = nonEmpty(delta.reasoning_content) ? delta.reasoning_content : nonEmpty(delta.reasoning) ? delta.reasoning : null;
  // Role-only and empty chunks are not tokens (addOutput ignores them).
  addOutput(out, at, reasoning, visibleText(delta));
  return 'continue';
}

/** Text of the visible output in a delta (content, refusal, tool-call pieces), or null if none. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a delta of the wire JSON
function visibleText(delta: any): string | null {
  let text: string | null = null;
  if (nonEmpty(delta.content)) text = delta.content;
  if (nonEmpty(delta.refusal)) text = (text ?? '') + delta.refusal;
  if (Array.isArray(delta.tool_calls)) {
    // Only a call that carries a name or argument text is output (`tool_calls: [null]` is not a token).
    for (const call of delta.tool_calls) {
      const fn = call?.function;
      const piece = (nonEmpty(fn?.name) ? fn.name : '') + (nonEmpty(fn?.arguments) ? fn.arguments : '');
      if (piece !== '') text = (text ?? '') + piece;
    }
  }
  return text;
}
