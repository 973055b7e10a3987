// What a stream writer needs from a wire format: the events of one response, in stream order.
// chunks.ts encodes Chat Completions, responses-events.ts the Responses API; stream-writer.ts decides
// when each piece goes out (latency model, faults, coalescing) and logs what it wrote.

/** One output event's worth of generated text. */
export interface OutputPiece {
  kind: 'reasoning' | 'content';
  text: string;
  tokens: number;
}

/** Everything about the response that is fixed when the request is accepted. */
export interface EncoderInput {
  promptTokens: number;
  /** All output tokens: reasoning (streamed or hidden) plus visible. */
  completionTokens: number;
  reasoningTokens: number;
  finishReason: 'stop' | 'length';
  /** Visible text and streamed reasoning text, for final events and non-streaming bodies. */
  content: string;
  reasoning: string;
}

export interface StreamEncoder {
  /** Events before the first token (Azure prompt filter, role chunk / response.created, …). */
  open(): string;
  /** Event(s) for piece `index`; `completionSoFar` counts output tokens up to and including it. */
  piece(p: OutputPiece, index: number, completionSoFar: number): string;
  /** The piece's event cut off inside its JSON (malformed fault). */
  malformed(p: OutputPiece): string;
  /** Events after the last piece, through the end of the stream. */
  close(): string;
  /** Whether close() reports usage. */
  readonly sendsUsage: boolean;
  /** Whether usage rides on every event (vLLM continuous usage). */
  readonly continuousUsage: boolean;
  /** The non-streaming (stream: false) body. */
  body(): string;
}

/** One SSE event: optional `event:` name, one `data:` line. */
export function sseEvent(json: string, name?: string): string {
  return name === undefined ? `data: ${json}\n\n` : `event: ${name}\ndata: ${json}\n\n`;
}
