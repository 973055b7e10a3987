// Writes one accepted response over time: the SSE stream (or, for stream:false, the single JSON body
// once generation would be done), applying the request's fault, and fills its log entry.
// The wire format (Chat Completions or Responses API) is the encoder's business (encoder.ts).
//
// Each output event is its own write at its scheduled time, so a client can timestamp every event —
// unless `coalesce_events` > 1, which puts that many into one write (a buffering proxy). Events due
// together (filter + role chunk; last content + finish + usage + [DONE]) are corked into one packet.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Scheduled, Scheduler } from './scheduler';
import type { LatencyModel } from './latency-model';
import type { Rng } from './rng';
import type { InjectedFault } from './faults';
import type { SimulatorLogEntry } from './types';
import type { OutputPiece, StreamEncoder } from './encoder';
import { faultChunkIndex } from './faults';
import { epochNow } from './log';

/** When a write runs later than this after its due time (a busy event loop, not timer rounding),
 *  the next gap counts from now instead of from the due time, so a late stream does not burst. */
const REBASE_AFTER_MS = 4;

export interface ResponderHost {
  readonly scheduler: Scheduler;
  /** The response is over (ended, dropped, or cut by the client or by shutdown): log it, forget it. */
  finished(r: Responder, entry: SimulatorLogEntry): void;
}

/** Everything decided when the request was accepted. */
export interface ResponsePlan {
  encoder: StreamEncoder;
  headers: OutgoingHttpHeaders;
  /** The output events, reasoning first; pieces[i].tokens tokens each. */
  pieces: OutputPiece[];
  /** Reasoning tokens generated but not streamed: they take decode time before the first piece. */
  hiddenReasoningTokens: number;
  /** Output events per socket write. */
  coalesce: number;
  /** performance.now() when the request body was in. */
  receivedAt: number;
  ttftMs: number;
  load: number;
  rng: Rng;
  latency: LatencyModel;
  fault: Exclude<InjectedFault, 'error_500'> | null;
  stallMs: number;
  keepContent: boolean;
  /** stream:false — log the body write as the content write (the app route's json answer). */
  bodyIsContent?: boolean;
}

export interface Responder extends Scheduled {
  /** Starts writing. `startedAt` (performance.now()) is when generation begins: the request's arrival,
   *  or later when it waited `queuedMs` for a serving slot (server.ts). */
  start(startedAt?: number, queuedMs?: number): void;
  /** Server shutdown: stop and cut the connection. */
  shutdown(): void;
  /** Prompt + output tokens so far: what a real engine would hold in its KV cache (metrics.ts). */
  readonly heldTokens: number;
  /** The model the request named (the label of /metrics). */
  readonly model: string | undefined;
}

function destroyResponse(res: ServerResponse): void {
  res.destroy();
}

/** Shared bookkeeping: completion, client disconnects, shutdown. */
abstract class BaseResponder implements Responder {
  dueAt = 0;
  heapIndex = -1;
  protected done = false;

  constructor(
    protected readonly host: ResponderHost,
    protected readonly res: ServerResponse,
    protected readonly entry: SimulatorLogEntry,
    protected readonly plan: ResponsePlan,
  ) {
    res.once('close', this.onClose);
  }

  abstract start(startedAt?: number, queuedMs?: number): void;
  abstract fire(now: number): void;

  get heldTokens(): number {
    return this.entry.prompt_tokens + this.entry.completion_tokens;
  }

  get model(): string | undefined {
    return this.entry.model;
  }

  shutdown(): void {
    if (this.done) return;
    this.entry.interrupted = 'shutdown';
    this.finish();
    this.res.destroy();
  }

  protected finish(): void {
    if (this.done) return;
    this.done = true;
    this.host.scheduler.cancel(this);
    this.entry.end_ms = epochNow();
    this.host.finished(this, this.entry);
  }

  /** Cuts the connection after this tick, so writes already made still go out first. */
  protected drop(): void {
    this.entry.fault = 'drop';
    this.finish();
    setImmediate(destroyResponse, this.res);
  }

  private readonly onClose = (): void => {
    if (this.done) return;
    this.entry.interrupted = 'client';
    this.finish();
  };
}

export class StreamResponder extends BaseResponder {
  private next = 0;
  private direct = false;
  private readonly faultAt: number;
  /** Output tokens so far, hidden reasoning included (continuous usage reports it). */
  private completionSoFar: number;
  /** Events waiting for the rest of their coalesced write, and their piece indexes. */
  private pending = '';
  private pendingPieces: number[] = [];
  private hiddenCounted = false;

  constructor(host: ResponderHost, res: ServerResponse, entry: SimulatorLogEntry, plan: ResponsePlan) {
    super(host, res, entry, plan);
    this.faultAt = faultChunkIndex(plan.pieces.length);
    this.completionSoFar = plan.hiddenReasoningTokens;
  }

  start(startedAt = this.plan.receivedAt, queuedMs?: number): void {
    const { res, plan, entry } = this;
    if (queuedMs !== undefined) entry.queued_ms = queuedMs;
    // The app route wrote its headers on arrival, before its retrieval step (app-handler.ts).
    if (!res.headersSent) {
      res.writeHead(200, plan.headers);
      res.flushHeaders();
      entry.headers_ms = epochNow();
    }
    this.direct = res.chunkedEncoding && res.socket !== null;
    // The opening events go out at once, before TTFT: none carries a token.
    const socket = res.socket;
    socket?.cork();
    this.send(plan.encoder.open());
    socket?.uncork();
    let due = startedAt + plan.ttftMs;
    // Hidden reasoning is decoded before the first visible token, unseen.
    if (plan.hiddenReasoningTokens > 0) due += plan.latency.gapMs(plan.hiddenReasoningTokens, plan.load, plan.rng);
    if (plan.fault === 'stall' && this.faultAt === 0) due += plan.stallMs;
    this.host.scheduler.schedule(this, due);
  }

  fire(now: number): void {
    if (this.done) return;
    const { res, plan } = this;
    const i = this.next;
    if (i < plan.pieces.length) {
      if (plan.fault === 'drop' && i === this.faultAt) {
        this.flush();
        this.keepContent();
        this.drop();
        return;
      }
      const piece = plan.pieces[i];
      this.completionSoFar += piece.tokens;
      this.pending += plan.fault === 'malformed' && i === this.faultAt ? plan.encoder.malformed(piece) : plan.encoder.piece(piece, i, this.completionSoFar);
      this.pendingPieces.push(i);
      this.next = i + 1;
      if (this.pendingPieces.length >= plan.coalesce || this.next === plan.pieces.length) this.flush();
      if (this.next < plan.pieces.length) {
        const from = now - this.dueAt > REBASE_AFTER_MS ? now : this.dueAt;
        let due = from + plan.latency.gapMs(plan.pieces[this.next].tokens, plan.load, plan.rng);
        if (plan.fault === 'stall' && this.next === this.faultAt) due += plan.stallMs;
        this.host.scheduler.schedule(this, due);
        return;
      }
    }
    const socket = res.socket;
    socket?.cork();
    this.countHiddenReasoning();
    this.entry.sent_usage = plan.encoder.sendsUsage;
    res.end(plan.encoder.close()); // fully uncorks the socket itself
    socket?.uncork();
    this.keepContent();
    this.finish();
  }

  /** Writes the pending events in one write and logs each at that time (what a client can see). */
  private flush(): void {
    if (this.pendingPieces.length === 0) return;
    const { entry, plan } = this;
    this.send(this.pending);
    const t = epochNow();
    entry.output_writes++;
    this.countHiddenReasoning();
    for (const i of this.pendingPieces) {
      const piece = plan.pieces[i];
      entry.completion_tokens += piece.tokens;
      if (piece.kind === 'reasoning') {
        entry.first_reasoning_ms ??= t;
        entry.reasoning_chunk_ms.push(t);
        entry.reasoning_tokens += piece.tokens;
      } else {
        entry.first_content_ms ??= t;
        entry.content_chunk_ms.push(t);
      }
    }
    this.pending = '';
    this.pendingPieces = [];
  }

  /** Hidden reasoning was "generated" once anything after it goes out. */
  private countHiddenReasoning(): void {
    if (this.hiddenCounted) return;
    this.hiddenCounted = true;
    this.entry.completion_tokens += this.plan.hiddenReasoningTokens;
    this.entry.reasoning_tokens += this.plan.hiddenReasoningTokens;
  }

  /** Events as one HTTP chunk. Direct mode frames the chunk itself and writes it to the socket in a
   *  single call — one syscall — where res.write makes four corked writes and a writev per event
   *  (~2× the CPU at 20,000 events/s). res.end() still writes the terminating chunk. */
  private send(events: string): void {
    if (events === '') return; // a zero-length chunk would end the body (an app text piece can be empty)
    if (!this.direct) {
      this.res.write(events);
      return;
    }
    const socket = this.res.socket;
    if (socket && !socket.destroyed) socket.write(`${Buffer.byteLength(events).toString(16)}\r\n${events}\r\n`);
  }

  private keepContent(): void {
    if (!this.plan.keepContent) return;
    const sent = this.plan.pieces.slice(0, this.next);
    this.entry.content = sent
      .filter((p) => p.kind === 'content')
      .map((p) => p.text)
      .join('');
    this.entry.reasoning_content = sent
      .filter((p) => p.kind === 'reasoning')
      .map((p) => p.text)
      .join('');
  }
}

/** stream:false — one JSON body when the whole completion would have been generated. */
export class JsonResponder extends BaseResponder {
  start(startedAt = this.plan.receivedAt, queuedMs?: number): void {
    const { plan } = this;
    if (queuedMs !== undefined) this.entry.queued_ms = queuedMs;
    const n = plan.pieces.length;
    const faultAt = faultChunkIndex(n);
    // Same timeline as a stream: TTFT (after hidden reasoning), then one gap per further piece; a
    // drop happens half way.
    let total = plan.ttftMs;
    if (plan.hiddenReasoningTokens > 0) total += plan.latency.gapMs(plan.hiddenReasoningTokens, plan.load, plan.rng);
    const last = plan.fault === 'drop' ? faultAt : n;
    for (let i = 1; i < last; i++) total += plan.latency.gapMs(plan.pieces[i].tokens, plan.load, plan.rng);
    if (plan.fault === 'stall') total += plan.stallMs;
    this.host.scheduler.schedule(this, startedAt + total);
  }

  fire(): void {
    if (this.done) return;
    const { res, plan, entry } = this;
    if (plan.fault === 'drop') {
      this.drop();
      return;
    }
    let body = plan.encoder.body();
    if (plan.fault === 'malformed') body = body.slice(0, Math.max(1, body.length >> 1));
    res.writeHead(200, { ...plan.headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    entry.headers_ms = epochNow();
    if (plan.bodyIsContent) {
      entry.first_content_ms = entry.headers_ms;
      entry.content_chunk_ms.push(entry.headers_ms);
      entry.output_writes = 1;
    }
    entry.completion_tokens = plan.hiddenReasoningTokens + plan.pieces.reduce((a, p) => a + p.tokens, 0);
    entry.reasoning_tokens = plan.hiddenReasoningTokens + plan.pieces.reduce((a, p) => a + (p.kind === 'reasoning' ? p.tokens : 0), 0);
    entry.sent_usage = true;
    if (plan.keepContent)
      entry.content = plan.pieces
        .filter((p) => p.kind === 'content')
        .map((p) => p.text)
        .join('');
    this.finish();
  }
}
