// One HTTP attempt of a streaming request (Chat Completions or Responses) over node:http(s),
// timestamped as it happens. What the events mean is up to the API's reader (chat-stream.ts,
// responses-stream.ts).
//
// Transport choice (bench/transport.ts, docs/performance.md): a keep-alive node:http agent with the
// small SSE parser in ./sse costs the least CPU per request and adds the least timing error.

import * as http from 'node:http';
import * as https from 'node:https';
import type { BuiltRequest } from './chat-request';
import { readChatEvent } from './chat-stream';
import type { ErrorClass } from './records';
import { readResponsesEvent } from './responses-stream';
import { SseParser, type SseEvent } from './sse';
import { emptyOutput, type StreamOutput } from './stream-output';

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
}

/** Shared keep-alive agents, one per protocol, sized for the run's concurrency. */
export class Transport {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  constructor(maxSockets: number) {
    const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(options);
    this.httpsAgent = new https.Agent(options);
  }
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Handle to abort an attempt from outside (timeouts, Stop, end of run). */
export interface AttemptControl {
  abort(reason: 'timeout' | 'cancelled', message: string): void;
  /** performance.now() when the attempt was sent (request timeout). */
  startedAt: number;
  /** performance.now() of the last bytes received (idle-timeout detection). */
  lastActivity: number;
}

const MAX_ERROR_BODY = 64 * 1024;

export function runAttempt(
  transport: Transport,
  request: BuiltRequest,
  control: AttemptControl,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const result: AttemptResult = {
      ...emptyOutput(),
      startedAt: 0,
      headersAt: null,
      endedAt: 0,
      status: null,
      requestId: null,
      utilization: null,
      remainingRequests: null,
      remainingTokens: null,
      retryAfterMs: null,
      error: null,
      errorMessage: null,
    };
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
        finish(null, null, event.at);
        return;
      }
      let data: any;
      try {
        data = JSON.parse(event.data);
      } catch {
        finish('malformed_stream', `invalid JSON in stream event: ${truncate(event.data, 200)}`, event.at);
        req.destroy();
        return;
      }
      const verdict = read(event.event, data, event.at, result);
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

    const agent = request.url.protocol === 'https:' ? transport.httpsAgent : transport.httpAgent;
    const send = request.url.protocol === 'https:' ? https.request : http.request;
    const req = send(request.url, { method: 'POST', agent, headers: request.headers }, (res) => {
      result.headersAt = performance.now();
      control.lastActivity = result.headersAt;
      result.status = res.statusCode ?? null;
      readHeaders(res.headers, result);
      if (result.status !== 200) {
        readErrorBody(res, (text) => {
          const at = performance.now();
          const message = errorMessageFrom(text) ?? `HTTP ${result.status}`;
          finish('http_error', `HTTP ${result.status}: ${truncate(message, 300)}`, at);
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

function errorMessageFrom(text: string): string | null {
  try {
    const parsed = JSON.parse(text);
    return parsed?.error?.message ?? parsed?.message ?? null;
  } catch {
    return text.trim() ? text.trim() : null;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
