// What one streamed response delivered, stamped with performance.now() as each event was parsed.
// Filled by the reader of the target's API (chat-stream.ts, responses-stream.ts); the transport
// (stream-attempt.ts) knows nothing of either wire format.
//
// Two kinds of output (README, "What is measured, exactly"): reasoning (reasoning deltas, reasoning summary
// or text events) and visible output (content, refusal and tool-call deltas). TTFR is the first of the
// former, TTFT the first of the latter; chunk gaps run over both.

export interface StreamUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number | null;
  /** Part of completion_tokens spent reasoning, when the server reports the breakdown. */
  reasoning_tokens: number | null;
}

export interface StreamOutput {
  responseId: string | null;
  firstReasoningAt: number | null;
  firstVisibleAt: number | null;
  lastVisibleAt: number | null;
  /** performance.now() of every output-bearing event, reasoning and visible, in arrival order. */
  outputTimes: number[];
  /** How many of outputTimes were reasoning events. */
  reasoningEvents: number;
  /** Visible text (content, refusal, tool-call arguments), for counting tokens when usage is missing. */
  text: string;
  reasoningText: string;
  /** The last usage seen: servers with continuous usage repeat it, cumulative, on every chunk. */
  usage: StreamUsage | null;
  /** Chat Completions' vocabulary (stop, length, tool_calls, content_filter) for both APIs. */
  finishReason: string | null;
}

/** What a reader makes of one event. */
export type ReadVerdict = 'continue' | 'end' | { error: string };

export function emptyOutput(): StreamOutput {
  return {
    responseId: null,
    firstReasoningAt: null,
    firstVisibleAt: null,
    lastVisibleAt: null,
    outputTimes: [],
    reasoningEvents: 0,
    text: '',
    reasoningText: '',
    usage: null,
    finishReason: null,
  };
}

/** One output-bearing event: reasoning text, visible text or (a multi-token chunk at the switch) both.
 *  One event is one entry in outputTimes, whatever it carries. */
export function addOutput(out: StreamOutput, at: number, reasoning: string | null, visible: string | null): void {
  if (reasoning === null && visible === null) return;
  out.outputTimes.push(at);
  if (reasoning !== null) {
    if (out.firstReasoningAt === null) out.firstReasoningAt = at;
    out.reasoningEvents++;
    out.reasoningText += reasoning;
  }
  if (visible !== null) {
    if (out.firstVisibleAt === null) out.firstVisibleAt = at;
    out.lastVisibleAt = at;
    out.text += visible;
  }
}

export function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function count(value: unknown): number | null {
  return tokenCount(value) ? value : null;
}

/** A token count as servers should send it: a whole number ≥ 0. */
export function tokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
