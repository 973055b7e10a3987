// Reads an HTTP target's response body (`response.stream`: sse, ndjson, text or json) into the same
// StreamOutput the model APIs fill (src/engine/stream-output.ts), so TTFT, chunk gaps, TBT and token
// counts mean exactly what they mean for a model target: TTFT is the first event whose text is not
// empty (a retrieval or status event is not a token), every text-bearing event is one chunk.
// `json` has no events: its text arrives with the end of the body, so only E2E (and TTFB) exist.

import { StringDecoder } from 'node:string_decoder';
import type { HttpResponseSpec } from '../scenario/types';
import type { ErrorClass } from '../records';
import { SseParser } from '../sse';
import { addOutput, tokenCount, count, type StreamOutput } from '../stream-output';
import { isDone, parseDoneCondition, parsePath, valueAt, type DoneCondition, type PathSegment } from './json-path';

/** A response spec with its paths parsed once (the scenario validator already refused bad ones). */
export interface CompiledResponse {
  spec: HttpResponseSpec;
  textPath: PathSegment[] | null;
  usagePath: PathSegment[] | null;
  done: DoneCondition | null;
}

export function compileResponse(spec: HttpResponseSpec): CompiledResponse {
  return {
    spec,
    textPath: spec.text_path !== undefined ? parsePath(spec.text_path) : null,
    usagePath: spec.usage_path !== undefined ? parsePath(spec.usage_path) : null,
    done: spec.done_when !== undefined ? parseDoneCondition(spec.done_when) : null,
  };
}

export interface BodyReaderHost {
  output: StreamOutput;
  /** Ends the attempt: null error = the answer is complete. */
  finish(error: ErrorClass | null, message: string | null, at?: number): void;
}

export interface BodyReader {
  push(bytes: Buffer): void;
  /** The body ended cleanly. */
  end(): void;
}

const MAX_JSON_BODY = 16 * 1024 * 1024;

export function httpBodyReader(response: CompiledResponse, host: BodyReaderHost): BodyReader {
  switch (response.spec.stream) {
    case 'text':
      return textReader(host);
    case 'json':
      return jsonReader(response, host);
    case 'ndjson':
      return eventReader(response, host, 'ndjson');
    case 'sse':
      return eventReader(response, host, 'sse');
  }
}

/** What the text of an event says about the stream so far: used for the "matched nothing" error. */
class EventLog {
  events = 0;
  first: string | null = null;
  note(raw: string): void {
    this.events++;
    if (this.first === null) this.first = raw.length > 300 ? `${raw.slice(0, 300)}…` : raw;
  }
}

function eventReader(response: CompiledResponse, host: BodyReaderHost, kind: 'sse' | 'ndjson'): BodyReader {
  const out = host.output;
  const log = new EventLog();
  let ended = false;
  const end = (error: ErrorClass | null, message: string | null, at: number) => {
    if (ended) return;
    ended = true;
    host.finish(error, message, at);
  };
  /** One event's data; returns false when the stream is over. */
  const onData = (data: string, eventName: string | null, at: number): void => {
    if (ended) return;
    if (kind === 'sse' && data === '[DONE]') {
      end(...complete(response, out, log), at);
      return;
    }
    if (data.trim() === '') return;
    log.note(data);
    if (kind === 'sse' && response.textPath === null) {
      // `data:` is the text itself (an app that streams plain text as events).
      if (eventName === 'error') return end('http_error', `error event in stream: ${clip(data)}`, at);
      addOutput(out, at, null, data);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return end('malformed_stream', `invalid JSON in ${kind === 'sse' ? 'stream event' : 'NDJSON line'}: ${clip(data)}`, at);
    }
    if (eventName === 'error' || isErrorObject(value)) {
      const inner = (value as { error?: { message?: unknown } })?.error;
      return end('http_error', `error event in stream: ${typeof inner?.message === 'string' ? inner.message : clip(data)}`, at);
    }
    const text = response.textPath ? valueAt(value, response.textPath) : null;
    if (typeof text === 'string' && text !== '') addOutput(out, at, null, text);
    if (response.usagePath) readUsage(valueAt(value, response.usagePath), out);
    if (response.done && isDone(response.done, value)) end(...complete(response, out, log), at);
  };

  if (kind === 'sse') {
    const parser = new SseParser((event) => onData(event.data, event.event, event.at));
    return {
      push: (bytes) => parser.push(bytes),
      end: () => {
        parser.end();
        bodyEnded(response, out, log, end);
      },
    };
  }
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    push: (bytes) => {
      const lines = (pending + decoder.write(bytes)).split('\n');
      pending = lines.pop()!;
      // One stamp per line, taken as it is parsed (as the SSE parser does per event).
      for (const line of lines) onData(line.replace(/\r$/, ''), null, performance.now());
    },
    end: () => {
      const rest = pending + decoder.end();
      if (rest.trim() !== '') onData(rest, null, performance.now());
      bodyEnded(response, out, log, end);
    },
  };
}

/** The body ended without [DONE] or done_when: complete, unless done_when was expected. */
function bodyEnded(response: CompiledResponse, out: StreamOutput, log: EventLog, end: (e: ErrorClass | null, m: string | null, at: number) => void): void {
  const at = performance.now();
  if (response.done) {
    end('stream_dropped', `the body ended before an event matching done_when (${response.spec.done_when})`, at);
    return;
  }
  end(...complete(response, out, log), at);
}

/** The verdict on an answer that ended as the stream said it would. */
function complete(response: CompiledResponse, out: StreamOutput, log: EventLog): [ErrorClass | null, string | null] {
  if (out.text !== '') {
    out.finishReason ??= 'stop';
    return [null, null];
  }
  if (log.events === 0) return ['malformed_stream', 'the response ended without any event'];
  if (response.textPath === null) return ['malformed_stream', `no text in ${log.events} event(s)`];
  return ['malformed_stream', `response.text_path "${response.spec.text_path}" matched no text in ${log.events} event(s); the first event was: ${log.first}`];
}

function textReader(host: BodyReaderHost): BodyReader {
  const decoder = new StringDecoder('utf8');
  return {
    push: (bytes) => {
      const text = decoder.write(bytes);
      if (text !== '') addOutput(host.output, performance.now(), null, text);
    },
    end: () => {
      const rest = decoder.end();
      const at = performance.now();
      if (rest !== '') addOutput(host.output, at, null, rest);
      if (host.output.text === '') return host.finish('malformed_stream', 'the response body was empty', at);
      host.output.finishReason = 'stop';
      host.finish(null, null, at);
    },
  };
}

/** One JSON body: the text and usage are read at its end; no token times exist (E2E only). */
function jsonReader(response: CompiledResponse, host: BodyReaderHost): BodyReader {
  const pieces: Buffer[] = [];
  let size = 0;
  return {
    push: (bytes) => {
      size += bytes.length;
      if (size <= MAX_JSON_BODY) pieces.push(bytes);
    },
    end: () => {
      const at = performance.now();
      if (size > MAX_JSON_BODY) return host.finish('malformed_stream', `the JSON body is larger than ${MAX_JSON_BODY / 1024 / 1024} MB`, at);
      const raw = Buffer.concat(pieces).toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return host.finish('malformed_stream', `the body is not JSON: ${clip(raw)}`, at);
      }
      const text = response.textPath ? valueAt(value, response.textPath) : null;
      if (response.usagePath) readUsage(valueAt(value, response.usagePath), host.output);
      if (typeof text !== 'string' || text === '') {
        return host.finish('malformed_stream', `response.text_path "${response.spec.text_path}" matched no text in the body: ${clip(raw)}`, at);
      }
      // The text is known, its timing is not: no outputTimes, so no TTFT, chunk gaps or TBT.
      host.output.text = text;
      host.output.finishReason = 'stop';
      host.finish(null, null, at);
    },
  };
}

/** `usage_path`'s object: chat's names or the Responses API's. A count that is not a whole number ≥ 0 is no count. */
function readUsage(usage: unknown, out: StreamOutput): void {
  if (usage === null || typeof usage !== 'object') return;
  const u = usage as Record<string, unknown>;
  const prompt = u.prompt_tokens ?? u.input_tokens;
  const completion = u.completion_tokens ?? u.output_tokens;
  if (!tokenCount(prompt) || !tokenCount(completion)) return;
  out.usage = { prompt_tokens: prompt, completion_tokens: completion, cached_tokens: null, reasoning_tokens: count(u.reasoning_tokens) };
}

function isErrorObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const error = (value as { error?: unknown }).error;
  return error !== undefined && error !== null && error !== false;
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
