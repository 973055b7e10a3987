// Wire shapes of the app route (app-handler.ts): the events a chat app built on the model streams to
// its own clients, in four kinds. stream-writer.ts writes them on the model's timeline.
//   sse     data: {"delta":{"text":"…"}}  …  data: {"done":true,"usage":{…}}   (no [DONE])
//   ndjson  the same objects, one per line
//   text    the raw text pieces only
//   json    {"answer":"…","usage":{…}} once generation is over
// The retrieval event (sse, ndjson) is written by the app handler when retrieval ends, before these.
import type { EncoderInput, OutputPiece, StreamEncoder } from './encoder';
import type { AppStreamKind } from './types';

/** Documents the simulated retrieval step reports having found. */
export const RETRIEVED_DOCUMENTS = 3;

export const APP_CONTENT_TYPES: Record<AppStreamKind, string> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
  text: 'text/plain; charset=utf-8',
  json: 'application/json',
};

/** One event of a streaming kind, framed: an SSE event or a JSON line; none for text and json. */
function frame(kind: AppStreamKind, json: string): string {
  if (kind === 'sse') return `data: ${json}\n\n`;
  if (kind === 'ndjson') return `${json}\n`;
  return '';
}

/** The event written when retrieval ends ('' for text and json, which have no such event). */
export function retrievalEvent(kind: AppStreamKind): string {
  return frame(kind, JSON.stringify({ type: 'retrieval', documents: RETRIEVED_DOCUMENTS }));
}

/** `{"error":{"message":"…"}}`, the app's error body. */
export function appErrorBody(message: string): string {
  return JSON.stringify({ error: { message } });
}

export class AppEncoder implements StreamEncoder {
  readonly continuousUsage = false;

  constructor(
    private readonly kind: AppStreamKind,
    private readonly input: EncoderInput,
  ) {}

  /** Text has no place for usage; the other kinds end with it. */
  get sendsUsage(): boolean {
    return this.kind !== 'text';
  }

  private usage() {
    return { prompt_tokens: this.input.promptTokens, completion_tokens: this.input.completionTokens };
  }

  /** Nothing: the headers (and the retrieval event) are the app handler's. */
  open(): string {
    return '';
  }

  piece(p: OutputPiece): string {
    return this.kind === 'text' ? p.text : frame(this.kind, `{"delta":{"text":${JSON.stringify(p.text)}}}`);
  }

  /** The event cut off inside its JSON. (Text has no structure to break: the handler never asks.) */
  malformed(p: OutputPiece): string {
    return this.kind === 'text' ? p.text : frame(this.kind, `{"delta":{"text":${JSON.stringify(p.text)}`);
  }

  close(): string {
    return frame(this.kind, JSON.stringify({ done: true, usage: this.usage() }));
  }

  body(): string {
    return JSON.stringify({ answer: this.input.content, usage: this.usage() });
  }
}
