// One HTTP attempt of a streaming chat completion over node:http(s), timestamped as it happens.
//
// Transport choice (bench/transport.ts, docs/performance.md): a keep-alive node:http agent with the
// small SSE parser in ./sse costs the least CPU per request and adds the least timing error.

import * as http from 'node:http';
import * as https from 'node:https';
import type { BuiltRequest } from './chat-request';
import { SseParser, type SseEvent } from './sse';
import type { ErrorClass } from './records';

export interface AttemptResult {
  /** performance.now() just before the request was handed to the socket. */
  startedAt: number;
  headersAt: number | null;
  /** First content-bearing event (content, tool call, reasoning or refusal delta). */
  firstContentAt: number | null;
  lastContentAt: number | null;
  endedAt: number;
  /** performance.now() of each content-bearing event. */
  contentTimes: number[];
  content: string;
  status: number | null;
  responseId: string | null;
  requestId: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number | null } | null;
  finishReason: string | null;
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
      startedAt: 0,
      headersAt: null,
      firstContentAt: null,
      lastContentAt: null,
      endedAt: 0,
      contentTimes: [],
      content: '',
      status: null,
      responseId: null,
      requestId: null,
      usage: null,
      finishReason: null,
      utilization: null,
      remainingRequests: null,
      remainingTokens: null,
      retryAfterMs: null,
      error: null,
      errorMessage: null,
    };
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
      let chunk: any;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        finish('malformed_stream', `invalid JSON in stream event: ${truncate(event.data, 200)}`, event.at);
        req.destroy();
        return;
      }
      if (event.event === 'error' || (chunk && chunk.error) || chunk?.object === 'error') {
        const inner = chunk?.error ?? chunk;
        finish('http_error', `error event in stream: ${truncate(inner?.message ?? JSON.stringify(inner), 300)}`, event.at);
        req.destroy();
        return;
      }
      readChunk(chunk, event.at, result);
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

/** Take what a benchmark needs from one parsed chunk. */
function readChunk(chunk: any, at: number, result: AttemptResult): void {
  if (result.responseId === null && typeof chunk.id === 'string' && chunk.id !== '') result.responseId = chunk.id;
  const usage = chunk.usage;
  if (usage && typeof usage.completion_tokens === 'number') {
    result.usage = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? null,
    };
  }
  const choice = chunk.choices?.[0];
  if (!choice) return; // Azure's prompt-filter chunk, the usage chunk
  if (choice.finish_reason) result.finishReason = choice.finish_reason;
  const delta = choice.delta;
  if (!delta) return; // Azure's asynchronous-filter annotations carry no delta
  let text: string | null = null;
  if (typeof delta.content === 'string' && delta.content.length > 0) text = delta.content;
  const carriesOutput =
    text !== null ||
    (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) ||
    nonEmpty(delta.reasoning_content) ||
    nonEmpty(delta.reasoning) ||
    nonEmpty(delta.refusal);
  if (!carriesOutput) return; // role-only and empty chunks are not tokens
  if (result.firstContentAt === null) result.firstContentAt = at;
  result.lastContentAt = at;
  result.contentTimes.push(at);
  if (text !== null) result.content += text;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
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
