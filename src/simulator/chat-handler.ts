// One generation request (Chat Completions or Responses API), from its parsed body to the responder
// that will write the answer: api-version → auth → body validation → quota/PTU admission → fault
// draw → latency and output plan (reasoning, then visible text) → the API's encoder.
// Everything that rejects early answers at once with the provider's error shape and is logged.
// The model's side (planGeneration, responsePlan) is shared with the app route (app-handler.ts).
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SimulatorLogEntry, SimulatorOptions } from './types';
import type { ChatRoute, SimApi } from './routes';
import type { QuotaGate } from './quota';
import type { LatencyModel } from './latency-model';
import type { Responder, ResponderHost, ResponsePlan } from './stream-writer';
import type { Scheduled } from './scheduler';
import { JsonResponder, StreamResponder } from './stream-writer';
import { requestRng, type Rng } from './rng';
import { pickFault, type InjectedFault } from './faults';
import { generateTokens, chunkTokens } from './text';
import { questionAnswer, questionRequest, tokenPieces } from './question-generator';
import { countPromptTokens, type PromptMessage } from './prompt-tokens';
import { ChatEncoder } from './chunks';
import { ResponsesEncoder } from './responses-events';
import type { EncoderInput, OutputPiece, StreamEncoder } from './encoder';
import { parseBody, type GenerationRequest } from './request-body';
import { completionId, itemId, requestId } from './ids';
import { epochNow } from './log';
import * as errors from './errors';

/** Model reported when neither the body nor the route names one. */
export const FALLBACK_MODEL = 'gpt-4o-mini';

export interface SimulatorCore extends ResponderHost {
  readonly opts: SimulatorOptions;
  readonly quota: QuotaGate;
  readonly latency: LatencyModel;
  nextSeq(): number;
  /** Responses being generated right now (holding a serving slot; waiting ones not counted). */
  inFlight(): number;
  /** Gives `r` a serving slot now (generation starts at `startedAt`, default its arrival) or queues it. */
  start(r: Responder, startedAt?: number): void;
  /** App route: `r` is accepted and in its retrieval step (`step`, scheduled), not yet asking for a
   *  serving slot; it counts as in flight and is cut by close(). */
  prepare(r: Responder, step: Scheduled): void;
  /** A request answered at once (error, 429): log it. */
  record(entry: SimulatorLogEntry): void;
}

export interface ChatRequest {
  api: SimApi;
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
  const entry = newLogEntry(core, req, r.receivedAt, { route: r.route, api: r.api, deployment: r.deployment, api_version: r.apiVersion });
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

  const parsed = parseBody(r.api, r.route, r.apiVersion, r.body);
  if ('status' in parsed) return reject(parsed);
  const { stream } = parsed;

  const model = parsed.model ?? r.deployment ?? FALLBACK_MODEL;
  entry.stream = stream;
  const gen = planGeneration(core, entry, headers, { api: r.api, messages: parsed.messages, model, limit: parsed.limit });
  if (gen.rejected === 'throttled') return reply(core, res, entry, headers, errors.throttled(azure, { ...gen.throttle, apiVersion: r.apiVersion }));
  if (gen.rejected === 'error_500') return reply(core, res, entry, headers, errors.serverError());

  const encoder = r.api === 'chat' ? chatEncoder(opts, azure, parsed, model, gen.input) : responsesEncoder(opts, parsed, model, gen.input);
  headers['content-type'] = stream ? 'text/event-stream; charset=utf-8' : 'application/json';
  if (stream) headers['cache-control'] = 'no-cache';
  entry.response_id = encoder.id;
  entry.include_usage = parsed.includeUsage;
  entry.continuous_usage = stream && encoder.encoder.continuousUsage;
  entry.sent_prompt_filter = stream && r.api === 'chat' && azure && opts.azure_prompt_filter;
  const plan = responsePlan(core, gen, encoder.encoder, headers, r.receivedAt);
  core.start(stream ? new StreamResponder(core, res, entry, plan) : new JsonResponder(core, res, entry, plan));
}

/** A log entry for a request whose body is in, before anything is decided about it. */
export function newLogEntry(
  core: SimulatorCore,
  req: IncomingMessage,
  receivedAt: number,
  at: Pick<SimulatorLogEntry, 'route' | 'api' | 'deployment' | 'api_version'>,
  auth = authKind(req.headers),
): SimulatorLogEntry {
  const clientId = req.headers['x-perflab-request-id'];
  return {
    seq: core.nextSeq(),
    route: at.route,
    api: at.api,
    deployment: at.deployment,
    api_version: at.api_version,
    client_request_id: typeof clientId === 'string' ? clientId : undefined,
    auth,
    stream: false,
    include_usage: false,
    received_ms: performance.timeOrigin + receivedAt,
    content_chunk_ms: [],
    reasoning_chunk_ms: [],
    output_writes: 0,
    end_ms: 0,
    status: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    reasoning_tokens: 0,
    tokens_per_chunk: core.opts.tokens_per_chunk,
    fault: null,
    sent_prompt_filter: false,
    sent_usage: false,
    continuous_usage: false,
  };
}

/** What is asked of the simulated model, whichever route asked. */
export interface GenerationAsk {
  api: SimApi;
  messages: PromptMessage[];
  model: string;
  /** The request's max tokens, if it named one. */
  limit?: number;
  /** Reasoning is generated and counted but never written (the app route shows only its answer). */
  hideReasoning?: boolean;
}

/** An accepted generation: its timing, its output, and what the encoder needs. */
export interface Generation {
  rejected?: undefined;
  rng: Rng;
  fault: Exclude<InjectedFault, 'error_500'> | null;
  load: number;
  ttftMs: number;
  output: PlannedOutput;
  input: EncoderInput;
}

export type GenerationPlan =
  | Generation
  /** Over a quota or PTU capacity: the route answers 429 in its own words (retry headers are set). */
  | { rejected: 'throttled'; throttle: Omit<errors.ThrottleInfo, 'apiVersion'> }
  /** The error fault: the route answers 500. */
  | { rejected: 'error_500' };

/** The model's side of a request: prompt tokens → quota/PTU admission → fault draw → latency and
 *  output plan (reasoning, then the visible text). Fills the entry's model, token, quota and fault
 *  fields and adds the quota headers; on acceptance sets status 200 and the finish reason. */
export function planGeneration(core: SimulatorCore, entry: SimulatorLogEntry, headers: OutgoingHttpHeaders, ask: GenerationAsk): GenerationPlan {
  const opts = core.opts;
  const { model } = ask;
  const promptTokens = countPromptTokens(ask.messages, model);
  // The simulated model writes until the request's limit (benchmark shapes rely on it), or
  // default_max_tokens when the request names none.
  // A "write N questions as a JSON array" request gets real questions instead of filler (question-generator.ts).
  const asked = questionRequest(ask.messages);
  const answer = asked ? tokenPieces(questionAnswer(asked, requestRng(opts.seed ^ 0x5eed, entry.seq)), model) : undefined;
  const n = ask.limit ?? (answer ? answer.length + opts.reasoning_tokens : opts.default_max_tokens);
  entry.model = model;
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
    const throttle = { reason: admission.reason!, retryAfterMs: ms, model, limit: admission.limit!, used: admission.used!, requested: promptTokens + n };
    return { rejected: 'throttled', throttle };
  }

  const rng = requestRng(opts.seed, entry.seq);
  const fault = pickFault(opts.faults, rng);
  if (fault === 'error_500') {
    entry.fault = 'error_500';
    return { rejected: 'error_500' };
  }
  entry.fault = fault;

  const load = core.latency.loadFactor(core.inFlight(), admission.utilization);
  const ttftMs = core.latency.ttftMs(promptTokens, load, rng);
  const output = planOutput(opts, ask.api, n, rng, answer, ask.hideReasoning);
  const input: EncoderInput = {
    promptTokens,
    completionTokens: output.completionTokens,
    reasoningTokens: output.reasoningTokens,
    finishReason: answer ? (output.completionTokens < output.reasoningTokens + answer.length ? 'length' : 'stop') : ask.limit !== undefined ? 'length' : 'stop',
    content: output.content,
    reasoning: output.reasoning,
  };
  entry.status = 200;
  entry.finish_reason = input.finishReason;
  return { rng, fault, load, ttftMs, output, input };
}

/** The responder's plan for an accepted generation written by `encoder`. */
export function responsePlan(core: SimulatorCore, gen: Generation, encoder: StreamEncoder, headers: OutgoingHttpHeaders, receivedAt: number): ResponsePlan {
  const opts = core.opts;
  return {
    encoder,
    headers,
    pieces: gen.output.pieces,
    hiddenReasoningTokens: gen.output.hiddenReasoningTokens,
    coalesce: opts.coalesce_events,
    receivedAt,
    ttftMs: gen.ttftMs,
    load: gen.load,
    rng: gen.rng,
    latency: core.latency,
    fault: gen.fault,
    stallMs: opts.faults.stall_ms,
    keepContent: opts.keep_log,
  };
}

export interface PlannedOutput {
  pieces: OutputPiece[];
  reasoningTokens: number;
  hiddenReasoningTokens: number;
  completionTokens: number;
  content: string;
  reasoning: string;
}

/** n output tokens: first reasoning (cut at the limit, as real reasoning models are), then the
 *  visible answer, in chunks of tokens_per_chunk. */
function planOutput(opts: SimulatorOptions, api: SimApi, n: number, rng: Rng, answer?: string[], hideReasoning = false): PlannedOutput {
  const reasoningTokens = Math.min(opts.reasoning_tokens, n);
  const hidden = hideReasoning || (api === 'chat' ? opts.reasoning_field : opts.reasoning_event) === 'hidden';
  const pieces: OutputPiece[] = [];
  const add = (kind: OutputPiece['kind'], tokens: string[]) => {
    const tpc = opts.tokens_per_chunk;
    chunkTokens(tokens, tpc).forEach((text, i) => pieces.push({ kind, text, tokens: Math.min(tpc, tokens.length - i * tpc) }));
    return tokens.join('');
  };
  const reasoning = hidden ? '' : add('reasoning', generateTokens(reasoningTokens, rng));
  const visible = answer ? answer.slice(0, n - reasoningTokens) : generateTokens(n - reasoningTokens, rng);
  const content = add('content', visible);
  return {
    pieces,
    reasoningTokens,
    hiddenReasoningTokens: hidden ? reasoningTokens : 0,
    completionTokens: reasoningTokens + visible.length,
    content,
    reasoning,
  };
}

function chatEncoder(opts: SimulatorOptions, azure: boolean, req: GenerationRequest, model: string, input: EncoderInput) {
  const continuousUsage = req.stream && opts.usage !== 'none' && (opts.usage === 'continuous' || req.continuousUsage);
  const finalUsage = req.stream && opts.usage !== 'none' && (opts.usage === 'continuous' || req.includeUsage);
  const id = completionId();
  const base = { flavor: azure ? 'azure' : 'openai', id, created: Math.floor(Date.now() / 1000), model, includeUsage: finalUsage } as const;
  const reasoningField = opts.reasoning_field === 'reasoning' ? 'reasoning' : 'reasoning_content';
  const encoder: StreamEncoder = new ChatEncoder(
    base,
    { promptFilter: azure && opts.azure_prompt_filter, asyncFilter: azure && opts.azure_async_filter, reasoningField, finalUsage, continuousUsage },
    input,
  );
  return { id, encoder };
}

function responsesEncoder(opts: SimulatorOptions, req: GenerationRequest, model: string, input: EncoderInput) {
  const id = itemId('resp');
  const header = { id, createdAt: Math.floor(Date.now() / 1000), model, maxOutputTokens: req.limit ?? null };
  const reasoningEvent = opts.reasoning_event === 'text' ? 'text' : 'summary';
  const encoder: StreamEncoder = new ResponsesEncoder(header, { reasoningEvent, usage: opts.usage !== 'none' }, input);
  return { id, encoder };
}

/** Answers at once with a JSON body (errors, 429s) and logs the request. */
export function reply(core: SimulatorCore, res: ServerResponse, entry: SimulatorLogEntry, headers: OutgoingHttpHeaders, e: errors.ErrorReply): void {
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(e.body);
  res.writeHead(e.status, headers);
  res.end(e.body);
  entry.status = e.status;
  entry.headers_ms = entry.end_ms = epochNow();
  core.record(entry);
}

export function authKind(h: IncomingHttpHeaders): SimulatorLogEntry['auth'] {
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
