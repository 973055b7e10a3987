// Runs a whole scenario: starts the simulator when asked, drives each target (in parallel on one
// timeline, or one after another), snapshots the sliding windows once a second, enforces timeouts,
// appends every result as it arrives and writes the summary at the end (also after Stop).
// With `engine.threads` > 1 the requests run in engine threads (shard-protocol.ts) and this Run keeps
// everything else: simulators, credentials, metrics, windows, files and the summary.

import * as os from 'node:os';
import type { Credential } from './chat-request';
import type { ClientHealth } from './self-check';
import { MergedSchedule, mergeClientHealth, shardCount, shardScenario, shardSeed, type ShardStart, type ShardToParent } from './shard-protocol';
import { ShardPool, shardEntry } from './shard-pool';
import type { TargetDistributions } from './distribution';
import { TargetMetrics } from './metrics';
import type { RequestRecord, WindowSnapshot } from './records';
import type { RequestEnvironment } from './request-runner';
import { RunFolder } from '../results/run-folder';
import type { Scenario, Target } from './scenario/types';
import { SelfCheck } from './self-check';
import type { AttemptControl } from './stream-attempt';
import { Transport } from './stream-attempt';
import type { ProxyConfig } from './proxy';
import { evaluateSlos, type RunSummary, type TargetSummary } from './summary';
import { LATE_THRESHOLD_MS, TargetRunner, type ScheduleView } from './target-runner';
import { createPromptFactory, type PromptFactory } from './prompt-builder';
import { SessionTally } from './session-tally';
import { buildTargetSummary } from './target-summary';
import { countTokens, encodingForModel, lookupModel, mulberry32, withPricing, type ModelOverrides } from '../tokens';
import { startSimulator } from '../simulator/server';
import { credentialProblem, redactor, redactScenario } from './secrets';
import { clientLimitReasons } from './client-limit';
import type { RunningSimulator } from '../simulator/types';
import { ServerMetricsSession } from './server-metrics/session';
import type { ServerSample } from './server-metrics/types';

export const PERFLAB_VERSION = '0.1.0';

export interface RunOptions {
  /** Run folder; null writes no files (callbacks still fire). */
  outDir: string | null;
  /** The credential for a target. Only ever sent to that target's endpoint. */
  resolveCredential: (target: Target) => Promise<Credential | null>;
  modelOverrides?: ModelOverrides;
  /** `contentTimes`: performance.now() of the record's output events, in the thread that ran it. */
  onRecord?: (record: RequestRecord, contentTimes: readonly number[]) => void;
  onWindow?: (snapshot: WindowSnapshot) => void;
  /** Human-readable notices (target started, simulator address, warnings). Never contains secrets. */
  onMessage?: (message: string) => void;
  /** Seed for arrivals, prefixes and jitter (reproducible schedules). */
  seed?: number;
  /** Proxy settings (the extension passes VS Code's); absent: HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: ProxyConfig;
  /** Set in an engine thread (shard-worker.ts): its place among the run's threads, for request ids
   *  (index, index + count, …, so ids stay unique and a simulator log still joins), arrival phases
   *  and dataset order. */
  shard?: { index: number; count: number };
  /** Each request that leaves, with its lag (open loop) or null; engine threads report these. */
  onSent?: (target: string, lagMs: number | null) => void;
  /** Each HTTP 429 response; engine threads report these. */
  onThrottled?: (target: string) => void;
  /** Called once every target is prepared, before any starts; the run waits for it. An engine
   *  thread waits there for its siblings and gets their common start time (performance.now()), at
   *  which its first targets' schedules start, so the threads' schedules interleave. */
  beforeStart?: () => Promise<number | undefined>;
  /** Engine threads: the file each runs (default: shard-pool's shardEntry; tests give one that fails). */
  shardFile?: string;
  /** The token for a target's metrics URL, from the variable its `server_metrics.auth` names; absent:
   *  metrics URLs are scraped without one (src/engine/server-metrics/session.ts). */
  resolveServerMetricsToken?: (target: Target, env: string) => Promise<string | null>;
  /** Each server-metrics sample as it is scraped (the editor's Run panel draws them live). */
  onServerSample?: (sample: ServerSample) => void;
}

interface TargetState {
  target: Target;
  /** Null when engine threads run this target's requests (`view` merges their statuses). */
  runner: TargetRunner | null;
  view: ScheduleView;
  baseUrl: string;
  credential: Credential | null;
  /** Engine threads: completed requests so far (the parent decides warm-up, in arrival order). */
  completed: number;
  metrics: TargetMetrics;
  env: RequestEnvironment;
  simulator: RunningSimulator | null;
  started: boolean;
  /** Set when in-flight requests must end now (abort mode, or the drain timeout passed). */
  cancelling: boolean;
  /** Its last window is out (schedule over, nothing in flight): a finished target's sliding window
   *  would otherwise decay toward 0 while other targets still run. */
  windowsDone: boolean;
}

/** A problem of the whole run (not of one request): the run stops, its summary says why. */
export class RunError extends Error {}

const TICK_MS = 1000;
const WATCHDOG_MS = 250;

export class Run {
  readonly done: Promise<RunSummary>;
  private stopped = false;
  private onEnd: 'drain' | 'abort';
  private readonly states: TargetState[] = [];
  /** Simulators started for targets, closed at the end even when preparing a target failed. */
  private readonly simulators: RunningSimulator[] = [];
  private nextId = 0;
  /** The client watching itself: CPU, event-loop delay, and each request's estimated client delay. */
  private readonly selfCheck: SelfCheck;
  /** Engine threads that run the requests (1: this thread does). */
  private readonly threads: number;
  private pool: ShardPool | null = null;
  /** The first run-level problem (results cannot be written, a target cannot be prepared). */
  private failure: Error | null = null;
  /** `server_metrics:` scrapers, started and stopped with their targets (none in an engine thread:
   *  the run's own thread scrapes). */
  private serverMetrics: ServerMetricsSession | null = null;

  constructor(
    readonly scenario: Scenario,
    private readonly options: RunOptions,
  ) {
    this.onEnd = scenario.workload.on_end;
    this.threads = options.shard ? 1 : shardCount(scenario);
    // An engine thread's CPU share is its own; process.cpuUsage() would count every thread.
    this.selfCheck = new SelfCheck(options.shard ? 'thread' : 'process');
    this.done = this.execute();
  }

  /** Stop the run: no new requests; in-flight ones drained or aborted. The summary is still written. */
  stop(mode: 'drain' | 'abort' = this.onEnd): void {
    this.stopped = true;
    this.onEnd = mode;
    for (const s of this.states) s.runner?.stopScheduling();
    this.pool?.stop(mode);
  }

  /** End the run because of a run-level problem: in-flight requests are aborted, the summary says why. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.options.onMessage?.(`run stopped: ${error.message}`);
    this.stop('abort');
  }

  /** Whole-run histograms per target so far (the Run panel draws them live; summary.json keeps them). */
  distributions(): Record<string, TargetDistributions> {
    return Object.fromEntries(this.states.map((s) => [s.target.name, s.metrics.distributions]));
  }

  /** Each target's runner (engine threads report them to the parent; null where threads run it). */
  schedules(): { started: boolean; runner: TargetRunner | null }[] {
    return this.states.map((s) => ({ started: s.started, runner: s.runner }));
  }

  /** Catalog overrides: the caller's (the perflab.pricing setting in VS Code), then the scenario's own
   *  `pricing:` over them (src/tokens/pricing.ts). */
  private modelOverrides(): ModelOverrides {
    return withPricing({ ...this.options.modelOverrides }, this.scenario.pricing, 'scenario');
  }

  private async execute(): Promise<RunSummary> {
    const scenario = this.scenario;
    const startedAt = new Date();
    // First: an unusable proxy URL (ProxyError) stops the run before its folder is made.
    const maxClients = Math.max(...[scenario.workload.clients, 1]);
    const transport = new Transport(maxClients, this.options.proxy);
    // Engine threads' code missing from an install: stop here too, before anything is made.
    const shardFile = this.threads > 1 ? (this.options.shardFile ?? runProblem(shardEntry)) : '';
    // A write that fails (disk full, folder removed) ends the run; what is measured stays in the summary.
    const folder = this.options.outDir ? new RunFolder(this.options.outDir, (err) => this.fail(new RunError(`cannot write results: ${err.message}`))) : null;
    folder?.writeMeta({ scenario: { name: scenario.name, file: scenario.file }, started_at: startedAt.toISOString() });
    if (!this.options.shard) {
      this.serverMetrics = ServerMetricsSession.create(scenario, {
        outDir: this.options.outDir,
        proxy: this.options.proxy,
        resolveToken: this.options.resolveServerMetricsToken,
        onSample: this.options.onServerSample,
      });
    }
    const seed = this.options.seed ?? Date.now() & 0x7fffffff;
    const random = mulberry32(seed);
    const selfCheck = this.selfCheck;
    selfCheck.start();

    const emitRecord = (record: RequestRecord, contentTimes: readonly number[]) => {
      folder?.appendRequest(record);
      this.options.onRecord?.(record, contentTimes);
    };

    try {
      for (const target of scenario.targets) this.states.push(await this.prepareTarget(target, transport, random, emitRecord));
    } catch (err) {
      selfCheck.stop();
      folder?.close();
      this.serverMetrics?.close();
      transport.destroy();
      await Promise.all(this.simulators.map((sim) => sim.close()));
      throw err; // nothing was sent: a scenario, prompt-file or credential problem for the caller to report
    }
    try {
      const startAt = await this.options.beforeStart?.();
      const tick = setInterval(() => {
        selfCheck.sample();
        for (const s of this.states) if (s.started) this.emitWindow(s, folder);
      }, TICK_MS);
      // Engine threads watch their own requests' timeouts.
      const watchdog = setInterval(() => this.watch(), WATCHDOG_MS);
      let shardHealth: ClientHealth[] = [];
      try {
        if (this.threads > 1) {
          shardHealth = await this.runShards(shardFile, seed, emitRecord);
        } else if (scenario.target_mode === 'parallel') {
          // A Stop before the start (e.g. while engine threads waited for each other) starts nothing.
          await Promise.all(
            this.states.map(async (s) => {
              if (this.stopped) return;
              await this.runTarget(s, startAt);
              this.emitWindow(s, folder); // its last window as it ends, not up to a second later
            }),
          );
        } else {
          for (const [i, s] of this.states.entries()) {
            if (this.stopped) break;
            await this.runTarget(s, i === 0 ? startAt : undefined);
            this.emitWindow(s, folder);
          }
        }
      } finally {
        clearInterval(tick);
        clearInterval(watchdog);
      }
      for (const s of this.states) if (s.started) this.emitWindow(s, folder);

      const ownHealth = selfCheck.stop();
      const client = this.threads > 1 ? mergeClientHealth(ownHealth, shardHealth, this.threads) : ownHealth;
      const targets: TargetSummary[] = this.states.map((s) => buildTargetSummary(s.target, s.metrics, s.view, scenario, this.modelOverrides()));
      // Per target: could this machine have inflated its latencies? (client-limit.ts)
      for (const t of targets) {
        const why = t.requests.succeeded > 0 ? clientLimitReasons(t, client) : [];
        t.client_limited = why.length > 0;
        t.client_limited_reasons = why;
        if (t.client_limited)
          t.warnings.unshift(
            `this machine may have inflated these latencies: ${why.join('; ')} — read them as upper bounds, or run with fewer clients or on a bigger machine`,
          );
      }
      for (const t of targets) this.serverMetrics?.attach(t);
      const reasons = [...new Set(targets.flatMap((t) => t.client_limited_reasons ?? []))];
      const slos = this.states.flatMap((s, i) => evaluateSlos(scenario.slos, s.metrics, targets[i]));
      const runProblem = this.failure?.message ?? (this.stopped ? null : nothingServed(targets));
      const summary: RunSummary = {
        type: 'summary',
        scenario: redactScenario(scenario),
        started_at: startedAt.toISOString(),
        ended_at: new Date().toISOString(),
        stopped_by: this.failure ? 'error' : this.stopped ? 'stop' : 'completed',
        ...(runProblem !== null && { error: runProblem }),
        on_end: this.onEnd,
        environment: { perflab_version: PERFLAB_VERSION, node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length },
        client: { ...client, bottleneck: reasons.length > 0, reasons },
        targets,
        slos,
        passed: slos.every((v) => v.pass) && runProblem === null,
        distributions: this.distributions(),
      };
      folder?.writeSummary(summary);
      return summary;
    } finally {
      folder?.close();
      this.serverMetrics?.close();
      transport.destroy();
      await Promise.all(this.simulators.map((sim) => sim.close()));
    }
  }

  private async prepareTarget(
    target: Target,
    transport: Transport,
    random: () => number,
    emitRecord: (r: RequestRecord, contentTimes: readonly number[]) => void,
  ): Promise<TargetState> {
    const scenario = this.scenario;
    let simulator: RunningSimulator | null = null;
    let baseUrl = target.endpoint;
    if (target.endpoint === 'simulator') {
      simulator = await startSimulator({ ...target.simulator, host: '127.0.0.1', port: 0 });
      this.simulators.push(simulator);
      baseUrl = simulator.url;
      this.options.onMessage?.(`${target.name}: built-in simulator at ${simulator.url}`);
    }
    const route = transport.describe(new URL(baseUrl));
    if (route) this.options.onMessage?.(`${target.name}: ${route}`);
    const credential = target.endpoint === 'simulator' ? null : await this.options.resolveCredential(target);
    if (credential) {
      const problem = credentialProblem(credential.value);
      if (problem) throw new RunError(`target "${target.name}": the key ${problem}`);
    }
    const redact = redactor(credential ? [credential.value] : []);
    const model = target.model ?? target.deployment;
    const encoding = lookupModel(model ?? '', this.modelOverrides())?.encoding ?? encodingForModel(model ?? '');
    const shard = this.options.shard;
    // Built here with engine threads too: a bad prompt file is reported before anything starts.
    const nextPrompt: PromptFactory = createPromptFactory(
      scenario,
      target,
      baseUrl,
      credential,
      encoding,
      random,
      shard && { first: shard.index, step: shard.count },
    );
    const metrics = new TargetMetrics(target.name, scenario.aggregation_window_s);
    if (scenario.workload.sessions) metrics.sessions = new SessionTally(scenario.workload.sessions.interactions);
    const env: RequestEnvironment = {
      transport,
      retry: scenario.retry,
      recordChunks: scenario.record_chunks,
      countTokens: (text) => countTokens(text, encoding),
      active: new Set<AttemptControl>(),
      cancelled: () => state.cancelling,
      ending: () => state.runner?.timeUp ?? true,
      clientDelayNow: (t) => this.selfCheck.probe.delayNow(t),
      redact,
      onThrottled: () => {
        metrics.onThrottled();
        this.options.onThrottled?.(target.name);
      },
      random,
    };
    const state = { cancelling: false } as TargetState;
    const runner =
      this.threads > 1
        ? null
        : new TargetRunner({
            targetName: target.name,
            workload: scenario.workload,
            env,
            metrics,
            nextPrompt,
            // In an engine thread: ids index, index + count, … (unique across the run's threads).
            nextId: () => (shard ? shard.index + shard.count * this.nextId++ : this.nextId++),
            onRecord: emitRecord,
            random,
            onSent: (lag) => this.options.onSent?.(target.name, lag),
            phase: shard ? shard.index / shard.count : 0,
          });
    const view = runner ?? new MergedSchedule(scenario.workload, this.threads);
    const prepared = Object.assign(state, {
      target,
      runner,
      view,
      baseUrl,
      credential,
      completed: 0,
      metrics,
      env,
      simulator,
      started: false,
      windowsDone: false,
    });
    await this.serverMetrics?.addTarget(target, baseUrl, (now) => view.elapsedS(now));
    return prepared;
  }

  /** Engine threads run every target's requests; this thread turns what they post into metrics,
   *  records and windows. Returns each thread's own health. */
  private async runShards(file: string, seed: number, emitRecord: (r: RequestRecord, contentTimes: readonly number[]) => void): Promise<ClientHealth[]> {
    const count = this.threads;
    const baseUrls = this.states.map((s) => s.baseUrl);
    const credentials = Object.fromEntries(this.states.map((s) => [s.target.name, s.credential]));
    const starts: ShardStart[] = Array.from({ length: count }, (_, index) => ({
      index,
      count,
      scenario: shardScenario(this.scenario, baseUrls, index, count),
      seed: shardSeed(seed, index),
      credentials,
      ...(this.options.modelOverrides && { modelOverrides: this.options.modelOverrides }),
      ...(this.options.proxy && { proxy: this.options.proxy }),
    }));
    const byName = new Map(this.states.map((s) => [s.target.name, s]));
    const health: ClientHealth[] = [];
    const onMessage = (index: number, m: ShardToParent) => {
      if (m.type === 'record') {
        const s = byName.get(m.record.target)!;
        if (m.record.error !== 'cancelled') {
          m.record.warmup = s.completed < this.scenario.workload.warm_up_requests;
          s.completed++;
        }
        s.metrics.onRecord(m.record, m.contentTimes);
        emitRecord(m.record, m.contentTimes);
      } else if (m.type === 'status') {
        m.targets.forEach((status, i) => {
          const s = this.states[i];
          (s.view as MergedSchedule).update(index, status);
          for (const lag of status.lags) s.metrics.onSent(lag);
          for (let k = 0; k < status.sentWithoutLag; k++) s.metrics.onSent(null);
          for (let k = 0; k < status.throttled; k++) s.metrics.onThrottled();
          if (status.started && !s.started) {
            s.started = true;
            this.serverMetrics?.start(s.target.name);
            this.options.onMessage?.(`${s.target.name}: started`);
          }
        });
      } else if (m.type === 'done') {
        health.push(m.client);
      }
    };
    this.options.onMessage?.(`engine: ${count} threads`);
    this.pool = new ShardPool(starts, file, {
      message: onMessage,
      failed: (index, message) => this.fail(new RunError(`engine thread ${index + 1} of ${count} failed: ${message}`)),
    });
    // A Stop that came while the threads were being started.
    if (this.stopped) this.pool.stop(this.onEnd);
    await this.pool.finished;
    await this.serverMetrics?.stopAll();
    return health;
  }

  private async runTarget(s: TargetState, startAt?: number): Promise<void> {
    s.started = true;
    this.options.onMessage?.(`${s.target.name}: started`);
    this.serverMetrics?.start(s.target.name);
    await s.runner!.run(startAt);
    await this.serverMetrics?.stop(s.target.name);
  }

  private emitWindow(s: TargetState, folder: RunFolder | null): void {
    if (s.windowsDone) return;
    const r = s.view;
    const snapshot = s.metrics.snapshot(r.elapsedS(), r.inFlight, r.queued, r.targetRpmNow(), false);
    // Behind schedule: requests wait for a free client, or they leave late (client CPU / event loop).
    snapshot.behind = r.queued > 0 || (snapshot.lag.p95 ?? 0) > LATE_THRESHOLD_MS;
    s.metrics.rotate();
    folder?.appendWindow(snapshot);
    this.options.onWindow?.(snapshot);
    if (r.endedAt > 0 && r.inFlight === 0) s.windowsDone = true;
  }

  /** Timeouts, and the end-of-run policy for requests still in flight. */
  private watch(): void {
    const now = performance.now();
    const { request_s, idle_s } = this.scenario.timeouts;
    for (const s of this.states) {
      if (!s.runner) continue; // engine threads watch their own requests
      const ending = s.runner.scheduleDone;
      const drainExpired = ending && (now - s.runner.endedAt) / 1000 > this.scenario.workload.drain_timeout_s;
      if (ending && (this.onEnd === 'abort' || drainExpired)) s.cancelling = true;
      for (const control of s.env.active) {
        if (s.cancelling) {
          if (this.onEnd === 'abort') control.abort('cancelled', this.stopped ? 'aborted by Stop' : 'aborted at the end of the run (on_end: abort)');
          // Drain limit: stopped by the user → cancelled; a healthy run's end → it never finished in time.
          else if (this.stopped) control.abort('cancelled', 'still running when the drain limit after Stop ended');
          else control.abort('timeout', `no complete response within the drain limit (${this.scenario.workload.drain_timeout_s} s after the run's end)`);
        } else if (now - control.startedAt > request_s * 1000) {
          control.abort('timeout', `no complete response after ${request_s} s`);
        } else if (now - control.lastActivity > idle_s * 1000) {
          const headersCame = control.headersAt !== null && control.headersAt !== undefined;
          control.abort('timeout', headersCame ? `stream idle for ${idle_s} s` : `no response headers within ${idle_s} s (connect / headers timeout)`);
        }
      }
    }
  }
}

/** `find()`, with a failure reported as a RunError (a message for the user, not a stack trace). */
function runProblem<T>(find: () => T): T {
  try {
    return find();
  } catch (err) {
    throw new RunError((err as Error).message);
  }
}

/** A run in which some target got no successful response measures nothing about it: say so (the CLI
 *  exits 3), with the most common errors, instead of passing a run with no SLOs. */
function nothingServed(targets: TargetSummary[]): string | null {
  const problems: string[] = [];
  for (const t of targets) {
    const r = t.requests;
    if (r.sent === 0) problems.push(`target "${t.target}": no request was sent`);
    else if (r.succeeded === 0 && r.failed > 0) {
      const classes = Object.entries(r.errors)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      const top = t.error_messages?.[0]?.message;
      problems.push(`target "${t.target}": no request succeeded (${classes})${top ? `; most common: ${top}` : ''}`);
    }
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

export function startRun(scenario: Scenario, options: RunOptions): Run {
  return new Run(scenario, options);
}
