// A small, fast Server-Sent Events parser for the streaming hot path.
//
// Why not the `openai` SDK's stream iterator: measured in bench/transport.ts, iterating it costs several
// times the CPU of this parser and adds milliseconds of timing error under load. A test
// (test/unit/engine/sse-vs-sdk.test.ts) proves this parser yields exactly the events the SDK parses
// from the same bytes.
//
// Each event is handed over with its own `performance.now()` taken when its terminating blank line is
// parsed, so several events that arrive in one network read still get distinct timestamps.

import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** `event:` field, or null for unnamed events (OpenAI chat completions use unnamed events). */
  event: string | null;
  /** Joined `data:` lines. */
  data: string;
  /** performance.now() when the event was parsed. */
  at: number;
}

export type SseListener = (event: SseEvent) => void;

export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  /** Text after the last complete line. */
  private pending = '';
  /** Whether the previous chunk ended with '\r' (a '\n' may follow in the next chunk). */
  private endedWithCr = false;
  private eventName: string | null = null;
  private dataLines: string[] = [];

  constructor(private readonly onEvent: SseListener) {}

  /** Feed bytes as they come off the socket. */
  push(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    if (this.endedWithCr && text.startsWith('\n')) text = text.slice(1);
    this.endedWithCr = false;
    text = this.pending + text;

    let lineStart = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 /* \n */ && c !== 13 /* \r */) continue;
      if (c === 13) {
        if (i + 1 === length) {
          this.endedWithCr = true; // a '\n' may arrive in the next chunk: swallow it then
        } else if (text.charCodeAt(i + 1) === 10) {
          this.processLine(text.slice(lineStart, i));
          i++;
          lineStart = i + 1;
          continue;
        }
      }
      this.processLine(text.slice(lineStart, i));
      lineStart = i + 1;
    }
    this.pending = lineStart === 0 ? text : text.slice(lineStart);
  }

  /** The stream ended: dispatch a final event that had no trailing blank line (the SDK does too). */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest.length > 0) this.processLine(rest);
    this.dispatch();
  }

  private processLine(line: string): void {
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment, e.g. keep-alive pings */) return;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    // `id:` and `retry:` carry nothing a benchmark needs.
  }

  private dispatch(): void {
    // Same rule as the SDK: a blank line with neither data nor an event name dispatches nothing.
    if (this.dataLines.length === 0 && !this.eventName) return;
    const data = this.dataLines.length === 1 ? this.dataLines[0] : this.dataLines.join('\n');
    const event: SseEvent = { event: this.eventName, data, at: performance.now() };
    this.eventName = null;
    this.dataLines = [];
    this.onEvent(event);
  }
}
