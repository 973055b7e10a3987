// The LLM app route (POST /app/chat, /api/chat; see routes.ts): an application in front of the
// simulated chat model, so HTTP targets can be load tested with no account.
//
// auth (x-api-key, api-key or Bearer) → `?stream=` kind → body → the model's admission, fault and plan
// exactly as the chat route makes them (chat-handler.ts planGeneration) → headers at once (streaming
// kinds) → retrieval step (app_retrieval_ms, jittered) → retrieval event → the model's generation,
// serving slot included, written by stream-writer.ts in the app's shapes (app-events.ts).
// So a client's TTFB is early and its TTFT is retrieval + the model's TTFT. Quotas and faults are
// decided on arrival, like a gateway in front of the app: a 429 or 500 comes before any header.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AppStreamKind, SimulatorLogEntry } from './types';
import type { Scheduled } from './scheduler';
import type { Responder } from './stream-writer';
import { JsonResponder, StreamResponder } from './stream-writer';
import { FALLBACK_MODEL, authKind, newLogEntry, planGeneration, reply, responsePlan, type SimulatorCore } from './chat-handler';
import { appStreamKind, parseAppBody } from './app-request';
import { APP_CONTENT_TYPES, AppEncoder, appErrorBody, retrievalEvent } from './app-events';
import { requestRng } from './rng';
import { requestId } from './ids';
import { epochNow } from './log';

/** Mixed into the seed of the retrieval step's jitter, so it leaves the model's own draws (fault,
 *  TTFT, gaps) exactly those of a chat request with the same sequence number. */
const RETRIEVAL_SEED = 0x0a99;

export interface AppCall {
  /** Raw `?stream=` value (null when absent). */
  stream: string | null;
  body: Buffer;
  /** performance.now() when the body was fully received. */
  receivedAt: number;
}

export function handleApp(core: SimulatorCore, req: IncomingMessage, res: ServerResponse, call: AppCall): void {
  const opts = core.opts;
  const entry = newLogEntry(core, req, call.receivedAt, { route: 'app', api: 'chat' }, appAuthKind(req.headers));
  const headers: OutgoingHttpHeaders = { 'x-request-id': requestId() };
  const fail = (status: number, message: string) => {
    Object.assign(headers, core.quota.headers(performance.now()));
    reply(core, res, entry, headers, { status, body: appErrorBody(message) });
  };

  if (opts.api_key !== undefined && !hasAppKey(req.headers, opts.api_key)) {
    entry.fault = 'unauthorized';
    return fail(401, entry.auth === 'none' ? 'Missing API key: send it in x-api-key, api-key or Authorization: Bearer.' : 'Invalid API key.');
  }
  const kind = appStreamKind(call.stream);
  if (typeof kind === 'object') return fail(400, kind.error);
  entry.app_stream = kind;
  entry.stream = kind !== 'json';
  const ask = parseAppBody(call.body);
  if ('error' in ask) return fail(400, ask.error);
  entry.prompt_messages = ask.messages.length;
  if (ask.sessionId !== undefined) entry.session_id = ask.sessionId;
  if (ask.turn !== undefined) entry.turn = ask.turn;

  const gen = planGeneration(core, entry, headers, {
    api: 'chat',
    messages: ask.messages,
    model: ask.model ?? FALLBACK_MODEL,
    limit: ask.maxTokens,
    hideReasoning: true, // an app shows its answer, not the model's reasoning
  });
  if (gen.rejected === 'throttled') {
    return reply(core, res, entry, headers, { status: 429, body: appErrorBody(`Rate limit reached: retry after ${gen.throttle.retryAfterMs} ms.`) });
  }
  if (gen.rejected === 'error_500') return reply(core, res, entry, headers, { status: 500, body: appErrorBody('The app had an error while answering.') });
  // A raw text stream has no structure to break.
  if (kind === 'text' && gen.fault === 'malformed') gen.fault = entry.fault = null;

  headers['content-type'] = APP_CONTENT_TYPES[kind];
  if (kind !== 'json') headers['cache-control'] = 'no-cache';
  const plan = responsePlan(core, gen, new AppEncoder(kind, gen.input), headers, call.receivedAt);
  plan.bodyIsContent = kind === 'json';
  const responder = kind === 'json' ? new JsonResponder(core, res, entry, plan) : new StreamResponder(core, res, entry, plan);
  if (kind !== 'json') {
    res.writeHead(200, headers);
    res.flushHeaders();
    entry.headers_ms = epochNow();
  }
  const step = new RetrievalStep(core, res, entry, responder, kind);
  core.prepare(responder, step);
  core.scheduler.schedule(step, call.receivedAt + core.latency.retrievalMs(requestRng(opts.seed ^ RETRIEVAL_SEED, entry.seq)));
}

/** The end of the retrieval step: its event goes out, and the model is asked (a serving slot, or the queue). */
class RetrievalStep implements Scheduled {
  dueAt = 0;
  heapIndex = -1;

  constructor(
    private readonly core: SimulatorCore,
    private readonly res: ServerResponse,
    private readonly entry: SimulatorLogEntry,
    private readonly responder: Responder,
    private readonly kind: AppStreamKind,
  ) {}

  fire(): void {
    const event = retrievalEvent(this.kind);
    if (event !== '') this.res.write(event);
    this.entry.retrieval_ms = epochNow() - this.entry.received_ms;
    this.core.start(this.responder, performance.now());
  }
}

function appAuthKind(h: IncomingHttpHeaders): SimulatorLogEntry['auth'] {
  return typeof h['x-api-key'] === 'string' && h['x-api-key'] !== '' ? 'api-key' : authKind(h);
}

/** An app takes its key in `x-api-key`, `api-key` or a Bearer token. */
function hasAppKey(h: IncomingHttpHeaders, key: string): boolean {
  if (h['x-api-key'] === key || h['api-key'] === key) return true;
  const auth = h.authorization;
  return typeof auth === 'string' && /^bearer\s+/i.test(auth) && auth.replace(/^bearer\s+/i, '') === key;
}
