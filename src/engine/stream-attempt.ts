// One HTTP attempt of a streaming request (Chat Completions or Responses) over node:http(s),
// timestamped as it happens. What the events mean is up to the API's reader (chat-stream.ts,
// responses-stream.ts).
//
// Transport choice (bench/transport.ts, docs/performance.md): a keep-alive node:http agent with the
// small SSE parser in ./sse costs the least CPU per request and adds the least timing error.

import * as http from 'node:http';
import type { BuiltRequest } from './chat-request';
import { readChatEvent } from './chat-stream';
import { httpBodyReader, type CompiledResponse } from './http-target/http-reader';
import type { ErrorClass } from './records';
import { readResponsesEvent } from './responses-stream';
import { SseParser, type SseEvent } from './sse';
import { emptyOutput, type StreamOutput } from './stream-output';
import { Transport } from './transport';

// The connection pool lives in ./transport; re-exported for existing imports.
export { Transport };

export interface AttemptResult extends StreamOutput {
  /** performance.now() just before the request was handed to the socket. */
  startedAt: number;
  headersAt: number | null;
  endedAt: number;
  status: number | null;
  requestId: string | null;
  utilization: number | null;
  /** `x-ratelimit-remaining-requests` / `-tokens`: how close the deployment is to its quota. */
  remainingRequests: number | null;
  remainingTokens: number | null;
  /** Server-suggested wait before retrying (ms), from retry-after-ms or retry-after. */
  retryAfterMs: number | null;
  error: ErrorClass | null;
  errorMessage: string | null;
  /** The engine's estimated own delay on the first visible token (loop-probe.ts), when measured. */
  clientDelayMs: number | null;
}

/** Handle to abort an attempt from outside (timeouts, Stop, end of run). */
export interface AttemptControl {
  abort(reason: 'timeout' | 'cancelled', message: string): void;
  /** performance.now() when the attempt was sent (request timeout). */
  startedAt: number;
  /** performance.now() of the last bytes received (idle-timeout detection). */
  lastActivity: number;
  /** performance.now() when the response headers came; null or absent while waiting for them. */
  headersAt?: number | null;
  /** Estimates how long the event loop held an event stamped at `t`, asked when it is stamped. */
  delayNow?: (t: number) => number | null;
}

const MAX_ERROR_BODY = 64 * 1024;

export function runAttempt(transport: Transport, request: BuiltRequest, control: AttemptControl): Promise<AttemptResult> {
  return attempt(transport, request, control).catch(notSent);
}

function attempt(transport: Transport, request: BuiltRequest, control: AttemptControl): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const result = emptyResult(0);
    const read = request.api === 'responses' ? readResponsesEvent : readChatEvent;
    let settled = false;
    let sawDone = false;
    const finish = (error: ErrorClass | null, message: string | null, at = performance.now()) => {
      if (settled) return;
      settled = true;
      result.endedAt = at;
      if (error && !result.error) {
        result.error = error;
        result.errorMessage = message;
      }
      resolve(result);
    };

    const onEvent = (event: SseEvent) => {
      if (settled) return;
      if (event.data === '[DONE]') {
        // The end of the stream. The response body still drains so the keep-alive socket is reused.
        sawDone = true;
        if (result.outputTimes.length === 0 && result.finishReason === null) {
          // Nothing was generated and nothing said why: not a success with 0 tokens.
          finish('malformed_stream', 'the stream ended ([DONE]) without any output or finish chunk', event.at);
        } else {
          finish(null, null, event.at);
        }
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed wire JSON, handed to the readers above
      let data: any;
      try {
        data = JSON.parse(event.data);
      } catch {
        finish('malformed_stream', `invalid JSON in stream event: ${truncate(event.data, 200)}`, event.at);
        req.destroy();
        return;
      }
      // `data: null`, a number or a string is no event of either API: this request's error, never a crash.
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        finish('malformed_stream', `stream event is not a JSON object: ${truncate(event.data, 200)}`, event.at);
        req.destroy();
        return;
      }
      let verdict: ReturnType<typeof read>;
      const hadFirstToken = result.firstVisibleAt !== null;
      try {
        verdict = read(event.event, data, event.at, result);
        if (!hadFirstToken && result.firstVisibleAt !== null && control.delayNow) result.clientDelayMs = control.delayNow(result.firstVisibleAt);
      } catch (err) {
        finish('malformed_stream', `unreadable stream event (${(err as Error).message}): ${truncate(event.data, 200)}`, event.at);
        req.destroy();
        return;
      }
      if (verdict === 'continue') return;
      if (verdict === 'end') {
        // The Responses API's terminal event: the same role as [DONE].
        sawDone = true;
        finish(null, null, event.at);
        return;
      }
      finish('http_error', truncate(verdict.error, 320), event.at);
      req.destroy();
    };
    const parser = new SseParser(onEvent);

    const { agent, send } = transport.agentFor(request.url);
    const req = send(request.url, { method: request.method ?? 'POST', agent, headers: request.headers }, (res) => {
      result.headersAt = performance.now();
      control.lastActivity = result.headersAt;
      control.headersAt = result.headersAt;
      result.status = res.statusCode ?? null;
      readHeaders(res.headers, result);
      const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
      if (result.status !== 200) {
        readErrorBody(res, (text) => {
          const at = performance.now();
          finish('http_error', `HTTP ${result.status}: ${summarizeBody(text, contentType)}`, at);
        });
        return;
      }
      if (request.http) {
        readHttpTargetBody(res, request.http, contentType);
        return;
      }
      if (/\b(application\/json|text\/html)\b/.test(contentType)) {
        // `stream: true` was asked for; a whole JSON (or HTML) body means a proxy or server ignored it.
        readErrorBody(res, (text) => {
          const kind = contentType.split(';')[0].trim();
          finish('malformed_stream', `expected an event stream (text/event-stream) but the server sent a ${kind} body: ${summarizeBody(text, contentType)}`);
        });
        return;
      }
      res.on('data', (bytes: Buffer) => {
        control.lastActivity = performance.now();
        parser.push(bytes);
      });
      res.on('end', () => {
        parser.end();
        if (settled) return;
        // A stream that closed cleanly after its finish chunk is complete even without [DONE]
        // (some compatible servers omit it); one that closed before is a dropped stream.
        if (result.finishReason !== null) finish(null, null);
        else finish('stream_dropped', 'stream ended before the finish chunk');
      });
      res.on('error', (err) => {
        if (!settled) finish('stream_dropped', `stream interrupted: ${err.message}`);
      });
      res.on('close', () => {
        if (!settled) finish('stream_dropped', 'connection closed before the stream ended');
      });
    });
    /** An HTTP target's body, read as its `response.stream` says (http-target/http-reader.ts). */
    const readHttpTargetBody = (res: http.IncomingMessage, response: CompiledResponse, contentType: string) => {
      const kind = response.spec.stream;
      if (kind !== 'json' && /\b(application\/json|text\/html)\b/.test(contentType) && !contentType.includes('ndjson')) {
        readErrorBody(res, (text) => {
          const sent = contentType.split(';')[0].trim();
          const hint = sent === 'application/json' ? ' (if the app answers in one JSON body, use response.stream: json)' : '';
          finish('malformed_stream', `expected a ${kind} stream but the app sent a ${sent} body${hint}: ${summarizeBody(text, contentType)}`);
        });
        return;
      }
      const reader = httpBodyReader(response, {
        output: result,
        finish: (error, message, at) => {
          const wasSettled = settled;
          finish(error, message, at);
          // An error mid-body ends the attempt now; a complete answer lets the body drain (keep-alive).
          if (!wasSettled && error !== null) req.destroy();
          else if (!wasSettled) sawDone = true;
        },
      });
      res.on('data', (bytes: Buffer) => {
        control.lastActivity = performance.now();
        if (settled) return;
        const hadFirstToken = result.firstVisibleAt !== null;
        reader.push(bytes);
        if (!hadFirstToken && result.firstVisibleAt !== null && control.delayNow) result.clientDelayMs = control.delayNow(result.firstVisibleAt);
      });
      res.on('end', () => {
        if (!settled) reader.end();
      });
      res.on('error', (err) => {
        if (!settled) finish('stream_dropped', `stream interrupted: ${err.message}`);
      });
      res.on('close', () => {
        if (!settled) finish('stream_dropped', 'connection closed before the response ended');
      });
    };
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (settled || sawDone) return;
      if (result.headersAt === null) finish('connection', `${err.code ?? 'error'}: ${err.message}`);
      else finish('stream_dropped', `stream interrupted: ${err.message}`);
    });
    control.abort = (reason, message) => {
      if (settled) return;
      finish(reason, message);
      req.destroy();
    };
    result.startedAt = performance.now();
    control.startedAt = result.startedAt;
    control.lastActivity = result.startedAt;
    req.end(request.body);
  });
}

/** http.request throws synchronously for what can never be sent (a header value with a control
 *  character, a bad URL): that request's error, never the run's crash. */
function notSent(err: unknown): AttemptResult {
  const code = (err as NodeJS.ErrnoException)?.code;
  const result = emptyResult(performance.now());
  result.error = 'connection';
  // The message of ERR_INVALID_CHAR names the header, never its value.
  result.errorMessage = `request not sent: ${code ? `${code}: ` : ''}${(err as Error)?.message ?? String(err)}`;
  return result;
}

/** An attempt's result before anything happened (started and ended at `at`). */
function emptyResult(at: number): AttemptResult {
  return {
    ...emptyOutput(),
    startedAt: at,
    headersAt: null,
    endedAt: at,
    status: null,
    requestId: null,
    utilization: null,
    remainingRequests: null,
    remainingTokens: null,
    retryAfterMs: null,
    error: null,
    errorMessage: null,
    clientDelayMs: null,
  };
}

function readHeaders(headers: http.IncomingHttpHeaders, result: AttemptResult): void {
  const requestId = headers['apim-request-id'] ?? headers['x-request-id'];
  if (typeof requestId === 'string') result.requestId = requestId;
  const util = headers['azure-openai-deployment-utilization'];
  if (typeof util === 'string') {
    const value = parseFloat(util);
    if (Number.isFinite(value)) result.utilization = value;
  }
  result.remainingRequests = numberHeader(headers['x-ratelimit-remaining-requests']);
  result.remainingTokens = numberHeader(headers['x-ratelimit-remaining-tokens']);
  const retryAfterMs = headers['retry-after-ms'];
  const retryAfter = headers['retry-after'];
  if (typeof retryAfterMs === 'string' && Number.isFinite(parseFloat(retryAfterMs))) {
    result.retryAfterMs = parseFloat(retryAfterMs);
  } else if (typeof retryAfter === 'string') {
    const seconds = parseFloat(retryAfter);
    if (Number.isFinite(seconds)) result.retryAfterMs = seconds * 1000;
    else {
      const date = Date.parse(retryAfter); // retry-after may be an HTTP date
      if (Number.isFinite(date)) result.retryAfterMs = Math.max(0, date - Date.now());
    }
  }
}

function numberHeader(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function readErrorBody(res: http.IncomingMessage, done: (text: string) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (piece: string) => {
    if (text.length < MAX_ERROR_BODY) text += piece;
  });
  res.on('end', () => done(text));
  res.on('error', () => done(text));
}

/** A short, readable account of an error body: the API's error message, an HTML page's title (a
 *  gateway's 502 page is not worth storing whole), else the text, truncated. */
export function summarizeBody(text: string, contentType: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '(empty body)';
  try {
    const parsed = JSON.parse(trimmed);
    const message = parsed?.error?.message ?? parsed?.message;
    if (typeof message === 'string' && message !== '') return truncate(message, 300);
    return truncate(trimmed.replace(/\s+/g, ' '), 300);
  } catch {
    // not JSON
  }
  if (contentType.includes('html') || /^<(!doctype|html|head|body)/i.test(trimmed)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1]?.replace(/\s+/g, ' ').trim();
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i
      .exec(trimmed)?.[1]
      ?.replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    const what = title || h1 || 'no title';
    return `HTML page "${truncate(what, 120)}" (${text.length} bytes, not stored)`;
  }
  return truncate(trimmed.replace(/\s+/g, ' '), 300);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
