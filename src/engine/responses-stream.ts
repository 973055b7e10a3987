// Reads Responses API stream events (`event: response.…` + `data: {type, sequence_number, …}`) into a
// StreamOutput (docs/stream-shapes.md §2). There is no [DONE]: `response.completed`, `.incomplete` or
// `.failed` ends the stream; `error` events fail it. `response.created` is not a token (llama.cpp
// sends it only with the first one); the first `*.delta` is.

import { tokenCount, addOutput, count, nonEmpty, type ReadVerdict, type StreamOutput } from './stream-output';

const REASONING_DELTAS = new Set(['response.reasoning_summary_text.delta', 'response.reasoning_text.delta']);
const VISIBLE_DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta', 'response.function_call_arguments.delta']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the wire, checked field by field below
export function readResponsesEvent(eventName: string | null, data: any, at: number, out: StreamOutput): ReadVerdict {
  const type: string | null = typeof data?.type === 'string' ? data.type : eventName;
  if (type === 'error' || (data?.error && type !== 'response.failed')) {
    const inner = data?.error ?? data;
    return { error: `error event in stream: ${inner?.message ?? JSON.stringify(inner)}` };
  }
  if (type === null) return 'continue';
  if (VISIBLE_DELTAS.has(type)) {
    if (nonEmpty(data.delta)) addOutput(out, at, null, data.delta);
    return 'continue';
  }
  if (REASONING_DELTAS.has(type)) {
    if (nonEmpty(data.delta)) addOutput(out, at, data.delta, null);
    return 'continue';
  }
  const response = data.response;
  if (out.responseId === null && typeof response?.id === 'string' && response.id !== '') out.responseId = response.id;
  switch (type) {
    case 'response.completed':
      readUsage(response?.usage, out);
      out.finishReason = 'stop';
      return 'end';
    case 'response.incomplete': {
      readUsage(response?.usage, out);
      const reason = response?.incomplete_details?.reason;
      // Said in Chat Completions' words so one vocabulary serves both APIs.
      out.finishReason = reason === 'max_output_tokens' ? 'length' : typeof reason === 'string' ? reason : 'incomplete';
      return 'end';
    }
    case 'response.failed':
      readUsage(response?.usage, out);
      return { error: `response failed: ${response?.error?.message ?? JSON.stringify(response?.error ?? null)}` };
    default:
      return 'continue';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the usage object of the wire JSON
function readUsage(usage: any, out: StreamOutput): void {
  // A count that is not a whole number ≥ 0 is no count: the tokenizer's estimate is used instead.
  if (!usage || !tokenCount(usage.output_tokens) || !tokenCount(usage.input_tokens)) return;
  out.usage = {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    cached_tokens: count(usage.input_tokens_details?.cached_tokens),
    reasoning_tokens: count(usage.output_tokens_details?.reasoning_tokens),
  };
}
