// The simulator's HTTP server: pure node:http on a loopback address. Routing and body reading live
// here; each chat request goes to chat-handler.ts (app requests to app-handler.ts), timing to
// scheduler.ts, writing to stream-writer.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RunningSimulator, SimulatorLogEntry, SimulatorOptions } from './types';
import { resolveOptions } from './defaults';
import { matchRoute, modelsBody, type RouteMatch } from './routes';
import { handleChat, type SimulatorCore } from './chat-handler';
import { handleApp } from './app-handler';
import { Scheduler, type Scheduled } from './scheduler';
import { QuotaGate } from './quota';
import { LatencyModel } from './latency-model';
import { RequestLog } from './log';
import { SimulatorMetrics } from './metrics';
import { warmUpTokenizer } from './prompt-tokens';
import { FALLBACK_MODEL } from './chat-handler';
import type { Responder } from './stream-writer';
import * as errors from './errors';

/** Request bodies above this are refused (413): prompts are big, but not this big. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Longer than clients' idle timeouts (undici: 4 s), so the client, not the server, closes idle
 *  keep-alive connections — no races where a request is sent on a socket the server just closed. */
const KEEP_ALIVE_MS = 65_000;

class Core implements SimulatorCore {
  readonly scheduler = new Scheduler();
  readonly quota: QuotaGate;
  readonly latency: LatencyModel;
  /** Counters and histograms behind GET /metrics, fed every finished request (metrics.ts). */
  readonly metrics = new SimulatorMetrics(FALLBACK_MODEL);
  /** Responses being generated (each holds a serving slot when max_concurrency is set). */
  readonly active = new Set<Responder>();
  /** Accepted requests waiting for a serving slot, oldest first, with when they started waiting. */
  private readonly waiting = new Map<Responder, number>();
  /** App requests in their retrieval step (not yet asking for a slot), with that step. */
  private readonly preparing = new Map<Responder, Scheduled>();
  private closing = false;
  private seq = 0;

  constructor(
    readonly opts: SimulatorOptions,
    readonly log: RequestLog,
  ) {
    this.quota = new QuotaGate(opts);
    this.latency = new LatencyModel(opts);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  inFlight(): number {
    return this.active.size;
  }

  /** Every accepted request not yet finished: generating, waiting for a slot, or in retrieval. */
  accepted(): number {
    return this.active.size + this.waiting.size + this.preparing.size;
  }

  prepare(r: Responder, step: Scheduled): void {
    this.preparing.set(r, step);
  }

  start(r: Responder, startedAt?: number): void {
    this.preparing.delete(r);
    this.metrics.serving(r.model);
    const slots = this.opts.max_concurrency ?? 0;
    if (slots > 0 && this.active.size >= slots) {
      this.waiting.set(r, performance.now());
      return;
    }
    this.active.add(r);
    r.start(startedAt);
  }

  finished(r: Responder, entry: SimulatorLogEntry): void {
    const step = this.preparing.get(r); // a client that gave up during retrieval
    if (step) this.scheduler.cancel(step);
    this.preparing.delete(r);
    this.waiting.delete(r); // a client that gave up while waiting
    this.active.delete(r);
    this.metrics.observe(entry);
    this.log.add(entry);
    this.startWaiting();
  }

  /** Hands free serving slots to the oldest waiting requests; their timeline starts now. */
  private startWaiting(): void {
    const slots = this.opts.max_concurrency ?? 0;
    while (!this.closing && this.waiting.size > 0 && this.active.size < slots) {
      const [next, since] = this.waiting.entries().next().value as [Responder, number];
      this.waiting.delete(next);
      this.active.add(next);
      const now = performance.now();
      next.start(now, now - since);
    }
  }

  record(entry: SimulatorLogEntry): void {
    this.metrics.observe(entry);
    this.log.add(entry);
  }

  /** GET /metrics: the engine's state now, and what it has done so far. */
  metricsText(): string {
    let heldTokens = 0;
    for (const r of this.active) heldTokens += r.heldTokens;
    return this.metrics.render({ running: this.active.size, waiting: this.waiting.size, heldTokens });
  }

  shutdown(): void {
    this.closing = true;
    for (const r of [...this.preparing.keys(), ...this.waiting.keys(), ...this.active]) r.shutdown();
    this.scheduler.clear();
  }

  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const match = matchRoute(req.method ?? 'GET', req.url ?? '/');
    if (match.kind === 'chat') {
      readBody(req, res, (body) => handleChat(this, req, res, { ...match, body, receivedAt: performance.now() }));
      return;
    }
    if (match.kind === 'app') {
      readBody(req, res, (body) => handleApp(this, req, res, { stream: match.stream, body, receivedAt: performance.now() }));
      return;
    }
    req.resume(); // discard any body so the connection can be reused
    if (match.kind === 'metrics') {
      const body = this.metricsText();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    sendSimple(res, match);
  };
}

function sendSimple(res: ServerResponse, match: Exclude<RouteMatch, { kind: 'chat' | 'app' | 'metrics' }>): void {
  let status = 200;
  let body: string;
  if (match.kind === 'healthz') body = '{"status":"ok"}';
  else if (match.kind === 'models') body = modelsBody();
  else {
    const e = errors.notFound(match.azure, res.req.method ?? 'GET', match.path);
    status = e.status;
    body = e.body;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, res: ServerResponse, done: (body: Buffer) => void): void {
  const parts: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      refused = true;
      const e = errors.invalidRequest(`Request body too large: more than ${MAX_BODY_BYTES} bytes.`);
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(e.body);
      return;
    }
    parts.push(chunk);
  });
  req.on('end', () => {
    if (!refused) done(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  });
  req.on('error', () => {
    refused = true; // client went away while sending; nothing to answer
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Starts a simulator on a loopback address (port 0 = any free port). Throws on invalid options. */
export async function startSimulator(partial: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const opts = resolveOptions(partial);
  warmUpTokenizer(FALLBACK_MODEL);
  const log = await RequestLog.open(opts.keep_log, opts.log_file);
  const core = new Core(opts, log);
  const server = createServer({ keepAlive: true, noDelay: true, keepAliveTimeout: KEEP_ALIVE_MS }, core.onRequest);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  server.requestTimeout = 0; // stalls are deliberate; the client decides when it has waited enough
  try {
    await listen(server, opts.port, opts.host);
  } catch (err) {
    await log.close().catch(() => undefined);
    throw new Error(`simulator: cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message}`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      core.shutdown();
      server.closeAllConnections();
      await closed;
      await log.close();
    })();
    return closing;
  };

  return {
    url: `http://${host}:${port}`,
    port,
    options: opts,
    log: log.entries,
    inFlight: () => core.accepted(),
    close,
  };
}
