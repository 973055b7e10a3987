// One chat-completions request, from its parsed body to the responder that will write the answer:
// api-version → auth → body validation → quota/PTU admission → fault draw → latency plan.
// Everything that rejects early answers at once with the provider's error shape and is logged.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SimulatorLogEntry, SimulatorOptions } from './types';
import type { ChatRoute } from './routes';
import type { QuotaGate } from './quota';
import type { LatencyModel } from './latency-model';
import type { Responder, ResponderHost, ResponsePlan } from './stream-writer';
import { JsonResponder, StreamResponder } from './stream-writer';
import { requestRng } from './rng';
import { pickFault } from './faults';
import { generateTokens, chunkTokens } from './text';
import { countPromptTokens, type PromptMessage } from './prompt-tokens';
import { usageOf, type ResponseBase } from './chunks';
import { completionId, requestId } from './ids';
import { epochNow } from './log';
import * as errors from './errors';

/** Azure accepts `stream_options` from this api-version on; older ones reject the field. */
export const FIRST_AZURE_VERSION_WITH_STREAM_OPTIONS = '2024-09-01-preview';
/** Model reported when neither the body nor the route names one. */
export const FALLBACK_MODEL = 'gpt-4o-mini';

export interface SimulatorCore extends ResponderHost {
  readonly opts: SimulatorOptions;
  readonly quota: QuotaGate;
  readonly latency: LatencyModel;
  nextSeq(): number;
  /** Responses being written right now. */
  inFlight(): number;
  start(r: Responder): void;
  /** A request answered at once (error, 429): log it. */
  record(entry: SimulatorLogEntry): void;
}

export interface ChatRequest {
  route: ChatRoute;
  deployment?: string;
  apiVersion?: string;
  body: Buffer;
  /** performance.now() when the body was fully received. */
  receivedAt: number;
}

export function handleChat(core: SimulatorCore, req: IncomingMessage, res: ServerResponse, r: ChatRequest): void {
  const opts = core.opts;
  const azure = r.route !== 'openai';
  const clientId = req.headers['x-perflab-request-id'];
  const entry: SimulatorLogEntry = {
    seq: core.nextSeq(),
    route: r.route,
    deployment: r.deployment,
    api_version: r.apiVersion,
    client_request_id: typeof clientId === 'string' ? clientId : undefined,
    auth: authKind(req.headers),
    stream: false,
    include_usage: false,
    received_ms: performance.timeOrigin + r.receivedAt,
    content_chunk_ms: [],
    end_ms: 0,
    status: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    tokens_per_chunk: opts.tokens_per_chunk,
    fault: null,
    sent_prompt_filter: false,
    sent_usage: false,
  };
  const headers: OutgoingHttpHeaders = { 'x-request-id': requestId() };
  if (azure) {
    headers['apim-request-id'] = headers['x-request-id'];
    headers['x-ms-region'] = 'simulator';
  }
  const reject = (e: errors.ErrorReply) => {
    Object.assign(headers, core.quota.headers(performance.now()));
    reply(core, res, entry, headers, e);
  };

  if (r.route === 'azure' && !r.apiVersion) return reject(errors.missingApiVersion());
  if (opts.api_key !== undefined && !hasKey(req.headers, opts.api_key, azure)) {
    entry.fault = 'unauthorized';
    return reject(errors.unauthorized(azure, entry.auth !== 'none'));
  }

  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(r.body.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return reject(errors.invalidJson());
    body = parsed as Record<string, unknown>;
  } catch {
    return reject(errors.invalidJson());
  }
  const messages = body.messages;
  if (messages === undefined || messages === null) {
    return reject(errors.invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter'));
  }
  if (!Array.isArray(messages) || messages.some((m) => m === null || typeof m !== 'object')) {
    return reject(errors.invalidRequest("Invalid type for 'messages': expected an array of objects.", 'messages', 'invalid_type'));
  }
  if (messages.length === 0) {
    return reject(
      errors.invalidRequest(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'messages',
        'empty_array',
      ),
    );
  }
  const bodyModel = typeof body.model === 'string' && body.model !== '' ? body.model : undefined;
  if (r.route !== 'azure' && bodyModel === undefined) {
    return reject(errors.invalidRequest('you must provide a model parameter'));
  }
  let limit: number | undefined;
  for (const param of ['max_tokens', 'max_completion_tokens'] as const) {
    const v = body[param];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      return reject(
        errors.invalidRequest(
          `Invalid '${param}': expected an integer >= 1, but got ${JSON.stringify(v)} instead.`,
          param,
          'invalid_value',
        ),
      );
    }
    limit = param === 'max_completion_tokens' ? v : (limit ?? v);
  }
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  if (
    r.route === 'azure' &&
    streamOptions !== undefined &&
    streamOptions !== null &&
    r.apiVersion! < FIRST_AZURE_VERSION_WITH_STREAM_OPTIONS
  ) {
    return reject(errors.invalidRequest('Unrecognized request argument supplied: stream_options'));
  }
  const includeUsage =
    stream && typeof streamOptions === 'object' && streamOptions !== null &&
    (streamOptions as { include_usage?: unknown }).include_usage === true;

  const model = bodyModel ?? r.deployment ?? FALLBACK_MODEL;
  const promptTokens = countPromptTokens(messages as PromptMessage[], model);
  // The simulated model writes until the request's limit (benchmark shapes rely on it), or
  // default_max_tokens when the request names none.
  const n = limit ?? opts.default_max_tokens;
  entry.model = model;
  entry.stream = stream;
  entry.include_usage = includeUsage;
  entry.prompt_tokens = promptTokens;

  const admission = core.quota.admit(promptTokens + n, performance.now());
  Object.assign(headers, admission.headers);
  if (admission.utilization !== undefined) entry.utilization = Math.round(admission.utilization * 1000) / 10;
  if (!admission.ok) {
    const ms = admission.retryAfterMs!;
    headers['retry-after-ms'] = String(ms);
    headers['retry-after'] = String(Math.ceil(ms / 1000));
    entry.fault = 'throttled';
    entry.retry_after_ms = ms;
    return reply(
      core,
      res,
      entry,
      headers,
      errors.throttled(azure, {
        reason: admission.reason!,
        retryAfterMs: ms,
        apiVersion: r.apiVersion,
        model,
        limit: admission.limit!,
        used: admission.used!,
        requested: promptTokens + n,
      }),
    );
  }

  const rng = requestRng(opts.seed, entry.seq);
  const fault = pickFault(opts.faults, rng);
  if (fault === 'error_500') {
    entry.fault = 'error_500';
    return reply(core, res, entry, headers, errors.serverError());
  }
  entry.fault = fault;

  const load = core.latency.loadFactor(core.inFlight(), admission.utilization);
  const ttftMs = core.latency.ttftMs(promptTokens, load, rng);
  const chunks = chunkTokens(generateTokens(n, rng), opts.tokens_per_chunk);
  const counts = chunks.map((_, i) => Math.min(opts.tokens_per_chunk, n - i * opts.tokens_per_chunk));
  const base: ResponseBase = {
    flavor: azure ? 'azure' : 'openai',
    id: completionId(),
    created: Math.floor(Date.now() / 1000),
    model,
    includeUsage,
  };
  headers['content-type'] = stream ? 'text/event-stream; charset=utf-8' : 'application/json';
  if (stream) headers['cache-control'] = 'no-cache';
  entry.response_id = base.id;
  entry.status = 200;
  entry.sent_prompt_filter = stream && azure && opts.azure_prompt_filter;
  const plan: ResponsePlan = {
    base,
    headers,
    chunks,
    chunkTokens: counts,
    finishReason: limit !== undefined ? 'length' : 'stop',
    usage: usageOf(promptTokens, n),
    receivedAt: r.receivedAt,
    ttftMs,
    load,
    rng,
    latency: core.latency,
    fault,
    stallMs: opts.faults.stall_ms,
    sendPromptFilter: entry.sent_prompt_filter,
    keepContent: opts.keep_log,
  };
  core.start(stream ? new StreamResponder(core, res, entry, plan) : new JsonResponder(core, res, entry, plan));
}

/** Answers at once with a JSON body (errors, 429s) and logs the request. */
function reply(
  core: SimulatorCore,
  res: ServerResponse,
  entry: SimulatorLogEntry,
  headers: OutgoingHttpHeaders,
  e: errors.ErrorReply,
): void {
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(e.body);
  res.writeHead(e.status, headers);
  res.end(e.body);
  entry.status = e.status;
  entry.headers_ms = entry.end_ms = epochNow();
  core.record(entry);
}

function authKind(h: IncomingHttpHeaders): SimulatorLogEntry['auth'] {
  if (typeof h['api-key'] === 'string' && h['api-key'] !== '') return 'api-key';
  if (typeof h.authorization === 'string' && /^bearer\s+\S/i.test(h.authorization)) return 'bearer';
  return 'none';
}

/** Azure takes `api-key` or a Bearer token; OpenAI only Bearer. */
function hasKey(h: IncomingHttpHeaders, key: string, azure: boolean): boolean {
  if (azure && h['api-key'] === key) return true;
  const auth = h.authorization;
  return typeof auth === 'string' && /^bearer\s+/i.test(auth) && auth.replace(/^bearer\s+/i, '') === key;
}
