// Engine threads (`engine.threads`): how a run's clients are split among worker threads, what those
// threads (shards) and the parent say to each other, and the parent's merged view of a target's
// schedule. Each shard runs the ordinary engine (run.ts) on its slice of every target's workload,
// with its own event loop, sockets and timestamps; the parent executes no request: it keeps the
// metrics, windows, files and summary, from the records and statuses the shards post.
//
// The split: clients as evenly as possible (a run with fewer clients than threads uses fewer
// shards), an open loop's rate / n per shard (Poisson processes superpose exactly; constant arrivals
// and the closed loop's ramp-up are staggered by i/n of an interval so the shards interleave into
// the one schedule), a request count split exactly, everything else (duration, ramp-up, timeouts,
// retry, on_end, drain) the same. Warm-up is decided by the parent, in the order records arrive.

import type { Credential } from './chat-request';
import type { ProxyConfig } from './proxy';
import type { RequestRecord } from './records';
import { makeArrivalSchedule, type ArrivalSchedule } from './schedule';
import type { Scenario, Workload } from './scenario/types';
import type { ClientHealth } from './self-check';
import type { ScheduleView } from './target-runner';
import type { ModelOverrides } from '../tokens';

/** workerData of a shard. */
export interface ShardStart {
  index: number;
  count: number;
  /** The scenario with this shard's workload and every endpoint resolved (simulators run in the parent). */
  scenario: Scenario;
  seed: number;
  /** Each target's credential, resolved by the parent (only ever sent to that target's endpoint). */
  credentials: Record<string, Credential | null>;
  modelOverrides?: ModelOverrides;
  proxy?: ProxyConfig;
}

/** `start`: every shard is ready (prepared); their schedules all start at `atEpoch` (epoch ms, a
 *  little ahead so every shard has the message by then), so they interleave exactly. `stop`: Stop or
 *  a failure (also releases a shard still waiting for `start`). */
export type ParentToShard = { type: 'start'; atEpoch: number } | { type: 'stop'; mode: 'drain' | 'abort' };

/** One target's schedule in one shard: totals so far, and what happened since the last status. */
export interface TargetStatus {
  started: boolean;
  /** Epoch ms (performance.timeOrigin + performance.now(): comparable across threads); 0 = not yet. */
  startedAtEpoch: number;
  endedAtEpoch: number;
  scheduleDone: boolean;
  sent: number;
  scheduled: number;
  unsent: number;
  late: number;
  inFlight: number;
  queued: number;
  /** Since the last status: the send lags of open-loop requests, closed-loop sends, 429 responses. */
  lags: number[];
  sentWithoutLag: number;
  throttled: number;
}

export type ShardToParent =
  /** Prepared (prompts, tokenizer): waiting for `start`. */
  | { type: 'ready' }
  | { type: 'record'; record: RequestRecord; contentTimes: number[] }
  /** One entry per target, in scenario order; posted every STATUS_MS and once at the end. */
  | { type: 'status'; targets: TargetStatus[] }
  | { type: 'done'; client: ClientHealth }
  | { type: 'failed'; message: string };

/** How far ahead of `start` the shards' common start time is. */
export const START_AHEAD_MS = 20;

/** How often a shard reports its schedule (windows are drawn once a second). */
export const STATUS_MS = 250;

/** How many shards a run uses: the threads asked for, but no more than clients or requests. */
export function shardCount(scenario: Scenario): number {
  const w = scenario.workload;
  return Math.max(1, Math.min(scenario.engine_threads ?? 1, w.clients, w.requests ?? Infinity));
}

/** Shard `index`'s share of `total` (the first total % count shards take one more). */
export function share(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

export function shardWorkload(w: Workload, index: number, count: number): Workload {
  return {
    ...w,
    clients: share(w.clients, index, count),
    ...(w.requests !== undefined && { requests: share(w.requests, index, count) }),
    ...(w.rate_rpm !== undefined && { rate_rpm: w.rate_rpm / count }),
    // The parent marks the first completed requests of each target (shard-pool's records, in arrival order).
    warm_up_requests: 0,
  };
}

/** Shard `index`'s scenario: its workload, and each target aimed at `baseUrls[i]` (a simulator the
 *  parent started is a plain URL to the shard; no shard starts its own). */
export function shardScenario(scenario: Scenario, baseUrls: string[], index: number, count: number): Scenario {
  const targets = scenario.targets.map((t, i) => {
    const { simulator: _started, ...rest } = t;
    return { ...rest, endpoint: baseUrls[i] };
  });
  return { ...scenario, targets, workload: shardWorkload(scenario.workload, index, count), engine_threads: 1 };
}

/** A distinct seed per shard, reproducible from the run's seed. */
export function shardSeed(seed: number, index: number): number {
  return (seed + Math.imul(index, 0x9e3779b1)) & 0x7fffffff;
}

/** The parent's view of one target's schedule: the sum of its shards' latest statuses. */
export class MergedSchedule implements ScheduleView {
  private readonly shards: (TargetStatus | null)[];
  /** The whole target's schedule (rate and expected arrivals), as one thread would have run it. */
  private readonly schedule: ArrivalSchedule | null;

  constructor(
    private readonly workload: Workload,
    count: number,
  ) {
    this.shards = Array.from({ length: count }, () => null);
    this.schedule = workload.mode === 'open' ? makeArrivalSchedule(workload.rate_rpm ?? 60, workload.arrival, workload.ramp_up_s, () => 0.5) : null;
  }

  update(index: number, status: TargetStatus): void {
    this.shards[index] = status;
  }

  private sum(key: 'sent' | 'scheduled' | 'unsent' | 'late' | 'inFlight' | 'queued'): number {
    let total = 0;
    for (const s of this.shards) total += s?.[key] ?? 0;
    return total;
  }

  private started(): TargetStatus[] {
    return this.shards.filter((s): s is TargetStatus => s !== null && s.started);
  }

  get isStarted(): boolean {
    return this.started().length > 0;
  }

  get sent(): number {
    return this.sum('sent');
  }
  get scheduled(): number {
    return this.sum('scheduled');
  }
  get unsent(): number {
    return this.sum('unsent');
  }
  get lateCount(): number {
    return this.sum('late');
  }
  get inFlight(): number {
    return this.sum('inFlight');
  }
  get queued(): number {
    return this.sum('queued');
  }

  /** The first shard's start, in this thread's performance.now(); 0 before any started. */
  private get startedAt(): number {
    const started = this.started();
    return started.length === 0 ? 0 : Math.min(...started.map((s) => s.startedAtEpoch)) - performance.timeOrigin;
  }

  /** When the last started shard's schedule ended; 0 while any still runs. */
  get endedAt(): number {
    const started = this.started();
    if (started.length === 0 || started.some((s) => !s.scheduleDone)) return 0;
    return Math.max(...started.map((s) => s.endedAtEpoch)) - performance.timeOrigin;
  }

  elapsedS(now = performance.now()): number {
    const startedAt = this.startedAt;
    return startedAt === 0 ? 0 : Math.max(0, now - startedAt) / 1000;
  }

  targetRpmNow(): number | null {
    return this.schedule && this.isStarted ? this.schedule.rateAt(this.elapsedS()) : null;
  }

  /** As TargetRunner.expectedSent, for the whole target's rate. */
  expectedSent(): number | null {
    // With sessions, later turns are due after the answers' latency: no fixed expectation.
    if (!this.schedule || !this.isStarted || this.workload.sessions) return null;
    const t = this.elapsedS(this.endedAt || performance.now());
    const expected = this.schedule.expectedBy(Math.min(t, this.workload.duration_s ?? Infinity));
    return this.workload.requests !== undefined ? Math.min(this.workload.requests, expected) : expected;
  }
}

/** The client health of a run whose requests ran in shards: the parent process's CPU (all threads),
 *  the busiest shard's own CPU, and the worst shard's event loop (the loops that stamp the times). */
export function mergeClientHealth(parent: ClientHealth, shards: ClientHealth[], threads: number): ClientHealth {
  if (shards.length === 0) return { ...parent, threads };
  const worst = (key: 'p50' | 'p99' | 'max') => Math.max(...shards.map((s) => s.event_loop_delay_ms[key]));
  return {
    ...parent,
    event_loop_delay_ms: { p50: worst('p50'), p99: worst('p99'), max: worst('max') },
    threads,
    thread_cpu_max: Math.max(...shards.map((s) => s.cpu_max)),
  };
}
