// Drives one target's workload: open loop (requests start on schedule, capped by `clients` in flight)
// or closed loop (`clients` loops back to back with think time). Every request's scheduled and actual
// send time is recorded, and a schedule the engine cannot keep is reported, never hidden.
//
// With `workload.sessions` the unit scheduled is a session (a virtual user): open loop starts
// sessions at rate ÷ interactions per minute, at most `clients` at once; closed loop runs them back
// to back per client. Within a session each turn is scheduled at the previous answer + think time,
// so a turn sent late still shows as lag.

import type { RequestRecord } from './records';
import type { Workload } from './scenario/types';
import type { ChatMessage } from './chat-request';
import type { PromptFactory, SessionTurn } from './prompt-builder';
import { executeRequest, type RequestEnvironment } from './request-runner';
import { makeArrivalSchedule, type ArrivalSchedule } from './schedule';
import type { TargetMetrics } from './metrics';

/** A request counts as late when it is sent this long after its scheduled time. */
export const LATE_THRESHOLD_MS = 50;

/** What a target's summary and live windows read of its schedule: one TargetRunner, or the merged
 *  view of several engine threads' runners (shard-protocol.ts). Times are this thread's performance.now(). */
export interface ScheduleView {
  readonly sent: number;
  /** Open loop: arrivals the schedule produced before the run ended. */
  readonly scheduled: number;
  readonly unsent: number;
  readonly lateCount: number;
  readonly inFlight: number;
  readonly queued: number;
  /** When the schedule ended (0 while it runs). */
  readonly endedAt: number;
  elapsedS(now?: number): number;
  targetRpmNow(): number | null;
  expectedSent(): number | null;
}

export interface TargetRunnerOptions {
  targetName: string;
  workload: Workload;
  env: RequestEnvironment;
  metrics: TargetMetrics;
  nextPrompt: PromptFactory;
  nextId: () => number;
  onRecord: (record: RequestRecord, contentTimes: readonly number[]) => void;
  random: () => number;
  /** A request left, with its lag (open loop) or null: an engine thread reports these to its parent. */
  onSent?: (lagMs: number | null) => void;
  /** Engine thread i of n: 0..1, where in the first arrival interval (open loop) or the ramp-up's
   *  client spacing (closed loop) this runner starts, so the threads interleave; default 0. */
  phase?: number;
}

export class TargetRunner implements ScheduleView {
  inFlight = 0;
  /** Scheduled requests waiting for a free client (open loop). */
  private readonly queue: number[] = [];
  private queueHead = 0;
  /** performance.now() when run() started; 0 before. */
  startedAt = 0;
  scheduleDone = false;
  private stopping = false;
  /** The schedule ended because the request count was reached (not the duration or Stop). */
  private endedByCount = false;
  private sentCount = 0;
  private scheduledCount = 0;
  /** Scheduled but never sent because the run ended first (the engine could not keep up). */
  unsent = 0;
  /** Sent more than LATE_THRESHOLD_MS after schedule. */
  lateCount = 0;
  private completedCount = 0;
  private schedule: ArrivalSchedule | null = null;
  private timer: NodeJS.Timeout | null = null;
  private idle: (() => void) | null = null;
  endedAt = 0;

  constructor(private readonly o: TargetRunnerOptions) {}

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  elapsedS(now = performance.now()): number {
    return this.startedAt === 0 ? 0 : (now - this.startedAt) / 1000;
  }

  targetRpmNow(): number | null {
    if (!this.schedule) return null;
    // The schedule of sessions runs at rate ÷ interactions; the target is still requests per minute.
    return this.schedule.rateAt(this.elapsedS()) * (this.o.workload.sessions?.interactions ?? 1);
  }

  /** Requests a perfect generator would have sent by now (or by the end). */
  expectedSent(): number | null {
    // With sessions, when later turns are due depends on the answers' latency: no fixed expectation.
    if (!this.schedule || this.o.workload.sessions) return null;
    const t = this.elapsedS(this.endedAt || performance.now());
    const w = this.o.workload;
    const limitT = w.duration_s ?? Infinity;
    const expected = this.schedule.expectedBy(Math.min(t, limitT));
    return w.requests !== undefined ? Math.min(w.requests, expected) : expected;
  }

  get sent(): number {
    return this.sentCount;
  }

  /** Arrivals the schedule produced before the run ended (open loop): what should have been sent. */
  get scheduled(): number {
    return this.scheduledCount;
  }

  /** Runs until the duration / request count is reached and in-flight requests are drained.
   *  `startAt` (performance.now(), default now): engine threads share one start time. */
  async run(startAt = performance.now()): Promise<void> {
    this.startedAt = startAt;
    const finished = new Promise<void>((resolve) => (this.idle = resolve));
    if (this.o.workload.mode === 'open') this.startOpenLoop();
    else this.startClosedLoop();
    await finished;
    this.endedAt = this.endedAt || performance.now();
  }

  /** The run's time is over (duration reached, or Stop): requests waiting to retry give up. After the
   *  last of a request count is sent, in-flight requests may still retry (within the drain limit). */
  get timeUp(): boolean {
    return this.stopping && !this.endedByCount;
  }

  /** Stop scheduling new requests (end of run or Stop). In-flight requests are drained or aborted by the caller. */
  stopScheduling(byCount = false): void {
    if (this.stopping) return;
    this.stopping = true;
    this.endedByCount = byCount;
    this.scheduleDone = true;
    this.endedAt = performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.unsent += this.queued;
    this.queue.length = 0;
    this.queueHead = 0;
    this.checkIdle();
  }

  private countReached(): boolean {
    const n = this.o.workload.requests;
    if (n === undefined) return false;
    // With sessions a session is started while the turns of those started stay within the count,
    // so the count never cuts a session short (only the last may be, when n is not a multiple).
    const sessions = this.o.workload.sessions;
    return sessions ? this.sessionsScheduled * sessions.interactions >= n : this.scheduledCount >= n;
  }

  /** Sessions: the request count is used up (a session's later turns stop here). */
  private turnsUsedUp(): boolean {
    const n = this.o.workload.requests;
    return n !== undefined && this.scheduledCount >= n;
  }

  // ---- open loop -------------------------------------------------------------------------------

  private startOpenLoop(): void {
    const w = this.o.workload;
    const perSession = w.sessions?.interactions ?? 1;
    this.schedule = makeArrivalSchedule((w.rate_rpm ?? 60) / perSession, w.arrival, w.ramp_up_s, this.o.random, this.o.phase ?? 0);
    // The offset is kept apart from the absolute time: startedAt + offset − startedAt can come out a
    // hair under the offset, and an arrival due exactly at the end must never slip in.
    let nextOffsetMs = this.schedule.next() * 1000;
    let nextDue = this.startedAt + nextOffsetMs;
    const pastEnd = (offsetMs: number) => w.duration_s !== undefined && offsetMs >= w.duration_s * 1000;
    const pump = () => {
      this.timer = null;
      if (this.scheduleDone) return;
      const now = performance.now();
      while (nextDue <= now) {
        if (pastEnd(nextOffsetMs) || this.countReached()) {
          // Arrivals due before the end that this (late) pump only just queued still go out.
          this.dispatchQueued();
          this.stopScheduling(!pastEnd(nextOffsetMs));
          return;
        }
        this.queue.push(nextDue);
        this.scheduledCount++;
        if (w.sessions) this.sessionsScheduled++;
        nextOffsetMs = this.schedule!.next() * 1000;
        nextDue = this.startedAt + nextOffsetMs;
      }
      this.dispatchQueued();
      // The duration may end before the next arrival is due.
      const endAt = w.duration_s !== undefined ? this.startedAt + w.duration_s * 1000 : Infinity;
      const wake = Math.min(nextDue, endAt);
      if (wake === endAt && endAt <= now) {
        this.stopScheduling();
        return;
      }
      this.timer = setTimeout(pump, Math.max(0, wake - performance.now()));
    };
    pump();
  }

  private dispatchQueued(): void {
    const sessions = this.o.workload.sessions !== undefined;
    // `clients` caps requests in flight, or with sessions the users in a session at once.
    while (this.queued > 0 && (sessions ? this.activeSessions : this.inFlight) < this.o.workload.clients) {
      const scheduledAt = this.queue[this.queueHead++];
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      if (sessions) void this.runSession(scheduledAt);
      else void this.send(scheduledAt);
    }
  }

  // ---- closed loop -----------------------------------------------------------------------------

  private startClosedLoop(): void {
    const w = this.o.workload;
    const phase = this.o.phase ?? 0;
    for (let i = 0; i < w.clients; i++) {
      const delay = w.clients > 1 || phase > 0 ? (w.ramp_up_s * 1000 * (i + phase)) / w.clients : 0;
      setTimeout(() => void this.clientLoop(), delay);
    }
    if (w.duration_s !== undefined) {
      this.timer = setTimeout(() => this.stopScheduling(), w.duration_s * 1000);
    }
  }

  private async clientLoop(): Promise<void> {
    const w = this.o.workload;
    while (!this.scheduleDone) {
      if (this.countReached()) {
        this.stopScheduling(true);
        break;
      }
      if (w.sessions) {
        this.sessionsScheduled++;
        await this.runSession(null);
      } else {
        this.scheduledCount++;
        await this.send(null);
      }
      if (w.think_time_ms > 0 && !this.scheduleDone) {
        await new Promise((resolve) => setTimeout(resolve, w.think_time_ms));
      }
    }
    this.checkIdle();
  }

  // ---- sessions --------------------------------------------------------------------------------

  /** Sessions running now (open loop: counted against `clients`). */
  activeSessions = 0;
  /** Sessions queued or started so far. */
  private sessionsScheduled = 0;

  /** One virtual user's session: `interactions` turns, each after the previous answer and a think
   *  time. It ends early when the run's time or request count is up (the remaining turns are not
   *  sent). `arrivalAt`: open loop, when the schedule started it; closed loop, null. */
  private async runSession(arrivalAt: number | null): Promise<void> {
    const s = this.o.workload.sessions!;
    this.activeSessions++;
    let history: ChatMessage[] = [];
    let sessionId = '';
    let plannedAt = arrivalAt;
    let thinkMs = 0;
    try {
      for (let turn = 1; turn <= s.interactions; turn++) {
        // A session runs on after the count stopped new ones; the end of the run's time ends it.
        if (turn > 1 && (this.timeUp || this.turnsUsedUp())) break;
        if (arrivalAt !== null && turn === 1) {
          // Counted when it was queued (startOpenLoop).
        } else {
          this.scheduledCount++;
        }
        const id = this.o.nextId();
        if (turn === 1) sessionId = `${this.o.targetName}-s${id}`;
        const context: SessionTurn = { sessionId, turn, history };
        const outcome = await this.send(plannedAt, { id, context, thinkMs });
        if (s.carry_history) history = [...outcome.messages, { role: 'assistant', content: outcome.answer }];
        if (turn === s.interactions || this.timeUp) break;
        thinkMs = drawThinkTime(s.think_time_ms, s.think_time_jitter, this.o.random);
        const answeredAt = performance.now();
        await this.sleepUnlessDone(thinkMs);
        // Open loop: the next turn is due when the user comes back; its lag is measured against that.
        plannedAt = arrivalAt === null ? null : answeredAt + thinkMs;
      }
    } finally {
      this.activeSessions--;
      if (this.o.workload.mode === 'open') this.dispatchQueued();
      this.checkIdle();
    }
  }

  /** Waits, waking early (in 100 ms steps) when the run's time is up. */
  private async sleepUnlessDone(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (!this.timeUp) {
      const left = until - performance.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 100)));
    }
  }

  // ---- both ------------------------------------------------------------------------------------

  private async send(scheduledAt: number | null, session?: { id: number; context: SessionTurn; thinkMs: number }): Promise<SentOutcome> {
    this.inFlight++;
    this.sentCount++;
    const id = session?.id ?? this.o.nextId();
    const prompt = this.o.nextPrompt(session?.context);
    // Lets a proxy or the simulator's log be joined with requests.jsonl, even for failed attempts.
    prompt.request.headers['x-perflab-request-id'] = String(id);
    const lag = scheduledAt === null ? null : performance.now() - scheduledAt;
    if (lag !== null && lag > LATE_THRESHOLD_MS) this.lateCount++;
    this.o.metrics.onSent(lag);
    this.o.onSent?.(lag);
    const { record, contentTimes, answer } = await executeRequest(this.o.env, id, this.o.targetName, prompt, scheduledAt);
    if (session) {
      record.session_id = session.context.sessionId;
      record.turn = session.context.turn;
      record.think_ms = Math.round(session.thinkMs);
    }
    this.inFlight--;
    if (record.error !== 'cancelled') {
      record.warmup = this.completedCount < this.o.workload.warm_up_requests;
      this.completedCount++;
    }
    this.o.metrics.onRecord(record, contentTimes);
    this.o.onRecord(record, contentTimes);
    if (this.o.workload.mode === 'open' && !session) this.dispatchQueued();
    this.checkIdle();
    return { messages: prompt.messages ?? [], answer };
  }

  private checkIdle(): void {
    if (this.scheduleDone && this.inFlight === 0 && this.activeSessions === 0 && this.queued === 0 && this.idle) {
      const resolve = this.idle;
      this.idle = null;
      resolve();
    }
  }
}

interface SentOutcome {
  messages: ChatMessage[];
  answer: string;
}

/** think_time × (1 ± jitter), uniformly. */
export function drawThinkTime(thinkMs: number, jitter: number, random: () => number): number {
  if (thinkMs <= 0) return 0;
  return Math.max(0, thinkMs * (1 + jitter * (2 * random() - 1)));
}
