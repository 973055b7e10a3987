// Writes one accepted chat completion over time: the SSE stream (or, for stream:false, the single
// JSON body once generation would be done), applying the request's fault, and fills its log entry.
//
// Each SSE event is its own write at its scheduled time, so a client can timestamp every event.
// Events due together (filter + role chunk; last content + finish + usage + [DONE]) are corked
// into one packet.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Scheduled, Scheduler } from './scheduler';
import type { LatencyModel } from './latency-model';
import type { Rng } from './rng';
import type { InjectedFault } from './faults';
import type { SimulatorLogEntry } from './types';
import { faultChunkIndex } from './faults';
import { epochNow } from './log';
import {
  completionBody,
  contentTemplate,
  DONE_EVENT,
  finishEvent,
  malformedContentEvent,
  promptFilterEvent,
  roleEvent,
  usageEvent,
  type ContentTemplate,
  type ResponseBase,
  type Usage,
} from './chunks';

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
  base: ResponseBase;
  headers: OutgoingHttpHeaders;
  /** Text of each content chunk; chunkTokens[i] tokens each. */
  chunks: string[];
  chunkTokens: number[];
  finishReason: 'stop' | 'length';
  usage: Usage;
  /** performance.now() when the request body was in. */
  receivedAt: number;
  ttftMs: number;
  load: number;
  rng: Rng;
  latency: LatencyModel;
  fault: Exclude<InjectedFault, 'error_500'> | null;
  stallMs: number;
  sendPromptFilter: boolean;
  keepContent: boolean;
}

export interface Responder extends Scheduled {
  start(): void;
  /** Server shutdown: stop and cut the connection. */
  shutdown(): void;
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

  abstract start(): void;
  abstract fire(now: number): void;

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
  private readonly template: ContentTemplate;
  private readonly templateBytes: number;
  private readonly suffixCrlf: string;
  private readonly faultAt: number;

  constructor(host: ResponderHost, res: ServerResponse, entry: SimulatorLogEntry, plan: ResponsePlan) {
    super(host, res, entry, plan);
    this.template = contentTemplate(plan.base);
    this.templateBytes = Buffer.byteLength(this.template.prefix) + Buffer.byteLength(this.template.suffix);
    this.suffixCrlf = this.template.suffix + '\r\n';
    this.faultAt = faultChunkIndex(plan.chunks.length);
  }

  start(): void {
    const { res, plan, entry } = this;
    res.writeHead(200, plan.headers);
    res.flushHeaders();
    entry.headers_ms = epochNow();
    this.direct = res.chunkedEncoding && res.socket !== null;
    // Both go out at once, before TTFT: neither carries a token.
    const socket = res.socket;
    socket?.cork();
    if (plan.sendPromptFilter) this.send(promptFilterEvent(plan.base));
    this.send(roleEvent(plan.base));
    socket?.uncork();
    let due = plan.receivedAt + plan.ttftMs;
    if (plan.fault === 'stall' && this.faultAt === 0) due += plan.stallMs;
    this.host.scheduler.schedule(this, due);
  }

  fire(now: number): void {
    if (this.done) return;
    const { res, plan, entry } = this;
    const i = this.next;
    if (plan.fault === 'drop' && i === this.faultAt) {
      this.keepContent();
      this.drop();
      return;
    }
    const text = plan.chunks[i];
    if (plan.fault === 'malformed' && i === this.faultAt) this.send(malformedContentEvent(this.template, text));
    else this.sendContent(text);
    const t = epochNow();
    if (i === 0) entry.first_content_ms = t;
    entry.content_chunk_ms.push(t);
    entry.completion_tokens += plan.chunkTokens[i];
    this.next = i + 1;

    if (this.next < plan.chunks.length) {
      const from = now - this.dueAt > REBASE_AFTER_MS ? now : this.dueAt;
      let due = from + plan.latency.gapMs(plan.chunkTokens[this.next], plan.load, plan.rng);
      if (plan.fault === 'stall' && this.next === this.faultAt) due += plan.stallMs;
      this.host.scheduler.schedule(this, due);
      return;
    }
    const socket = res.socket;
    socket?.cork();
    this.send(finishEvent(plan.base, plan.finishReason));
    if (plan.base.includeUsage) {
      this.send(usageEvent(plan.base, plan.usage));
      entry.sent_usage = true;
    }
    res.end(DONE_EVENT); // fully uncorks the socket itself
    socket?.uncork();
    this.keepContent();
    this.finish();
  }

  /** One SSE event as one HTTP chunk. Direct mode frames the chunk itself and writes it to the
   *  socket in a single call — one syscall — where res.write makes four corked writes and a writev
   *  per event (~2× the CPU at 20,000 events/s). res.end() still writes the terminating chunk. */
  private send(event: string): void {
    if (!this.direct) {
      this.res.write(event);
      return;
    }
    const socket = this.res.socket;
    if (socket && !socket.destroyed) socket.write(`${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`);
  }

  /** The hot path: a content event, framed from the pre-serialized template without measuring it
   *  (generated text is ASCII, so its byte length is its length). */
  private sendContent(text: string): void {
    const t = this.template;
    if (!this.direct) {
      this.res.write(t.prefix + text + t.suffix);
      return;
    }
    const socket = this.res.socket;
    if (socket && !socket.destroyed) {
      socket.write((this.templateBytes + text.length).toString(16) + '\r\n' + t.prefix + text + this.suffixCrlf);
    }
  }

  private keepContent(): void {
    if (this.plan.keepContent) this.entry.content = this.plan.chunks.slice(0, this.next).join('');
  }
}

/** stream:false — one JSON body when the whole completion would have been generated. */
export class JsonResponder extends BaseResponder {
  start(): void {
    const { plan } = this;
    const n = plan.chunks.length;
    const faultAt = faultChunkIndex(n);
    // Same timeline as a stream: TTFT, then one gap per further chunk; a drop happens half way.
    let total = plan.ttftMs;
    const last = plan.fault === 'drop' ? faultAt : n;
    for (let i = 1; i < last; i++) total += plan.latency.gapMs(plan.chunkTokens[i], plan.load, plan.rng);
    if (plan.fault === 'stall') total += plan.stallMs;
    this.host.scheduler.schedule(this, plan.receivedAt + total);
  }

  fire(): void {
    if (this.done) return;
    const { res, plan, entry } = this;
    if (plan.fault === 'drop') {
      this.drop();
      return;
    }
    const content = plan.chunks.join('');
    let body = completionBody(plan.base, content, plan.finishReason, plan.usage);
    if (plan.fault === 'malformed') body = body.slice(0, Math.max(1, body.length >> 1));
    res.writeHead(200, { ...plan.headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    entry.headers_ms = epochNow();
    entry.completion_tokens = plan.usage.completion_tokens;
    entry.sent_usage = true;
    if (plan.keepContent) entry.content = content;
    this.finish();
  }
}
