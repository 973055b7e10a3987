// Runs a whole scenario: starts the simulator when asked, drives each target (in parallel on one
// timeline, or one after another), snapshots the sliding windows once a second, enforces timeouts,
// appends every result as it arrives and writes the summary at the end (also after Stop).

import * as os from 'node:os';
import type { Credential } from './chat-request';
import type { TargetDistributions } from './distribution';
import { TargetMetrics } from './metrics';
import type { RequestRecord, WindowSnapshot } from './records';
import type { PreparedPrompt, RequestEnvironment } from './request-runner';
import { RunFolder } from './run-folder';
import type { Scenario, Target } from './scenario/types';
import { SelfCheck } from './self-check';
import type { AttemptControl } from './stream-attempt';
import { Transport } from './stream-attempt';
import type { ProxyConfig } from './proxy';
import { evaluateSlos, type RunSummary, type TargetSummary } from './summary';
import { LATE_THRESHOLD_MS, TargetRunner } from './target-runner';
import { createPromptFactory } from './prompt-builder';
import { buildTargetSummary } from './target-summary';
import { countTokens, encodingForModel, lookupModel, mulberry32, type ModelOverrides } from '../tokens';
import { startSimulator } from '../simulator/server';
import { credentialProblem, redactor, redactScenario } from './secrets';
import { clientLimitReasons } from './client-limit';
import type { RunningSimulator } from '../simulator/types';

export const PERFLAB_VERSION = '0.1.0';

export interface RunOptions {
  /** Run folder; null writes no files (callbacks still fire). */
  outDir: string | null;
  /** The credential for a target. Only ever sent to that target's endpoint. */
  resolveCredential: (target: Target) => Promise<Credential | null>;
  modelOverrides?: ModelOverrides;
  onRecord?: (record: RequestRecord) => void;
  onWindow?: (snapshot: WindowSnapshot) => void;
  /** Human-readable notices (target started, simulator address, warnings). Never contains secrets. */
  onMessage?: (message: string) => void;
  /** Seed for arrivals, prefixes and jitter (reproducible schedules). */
  seed?: number;
  /** Proxy settings (the extension passes VS Code's); absent: HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: ProxyConfig;
}

interface TargetState {
  target: Target;
  runner: TargetRunner;
  metrics: TargetMetrics;
  env: RequestEnvironment;
  simulator: RunningSimulator | null;
  started: boolean;
  /** Set when in-flight requests must end now (abort mode, or the drain timeout passed). */
  cancelling: boolean;
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
  private readonly selfCheck = new SelfCheck();
  /** The first run-level problem (results cannot be written, a target cannot be prepared). */
  private failure: Error | null = null;

  constructor(
    readonly scenario: Scenario,
    private readonly options: RunOptions,
  ) {
    this.onEnd = scenario.workload.on_end;
    this.done = this.execute();
  }

  /** Stop the run: no new requests; in-flight ones drained or aborted. The summary is still written. */
  stop(mode: 'drain' | 'abort' = this.onEnd): void {
    this.stopped = true;
    this.onEnd = mode;
    for (const s of this.states) s.runner.stopScheduling();
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

  /** Catalog overrides: the caller's (e.g. VS Code settings), then the scenario's own `pricing`. */
  private modelOverrides(): ModelOverrides {
    const overrides: ModelOverrides = { ...this.options.modelOverrides };
    for (const [model, price] of Object.entries(this.scenario.pricing ?? {})) {
      overrides[model] = { ...overrides[model], price: { ...price, source: 'scenario pricing', as_of: new Date().toISOString().slice(0, 10) } };
    }
    return overrides;
  }

  private async execute(): Promise<RunSummary> {
    const scenario = this.scenario;
    const startedAt = new Date();
    // First: an unusable proxy URL (ProxyError) stops the run before its folder is made.
    const maxClients = Math.max(...[scenario.workload.clients, 1]);
    const transport = new Transport(maxClients, this.options.proxy);
    // A write that fails (disk full, folder removed) ends the run; what is measured stays in the summary.
    const folder = this.options.outDir ? new RunFolder(this.options.outDir, (err) => this.fail(new RunError(`cannot write results: ${err.message}`))) : null;
    // run.json says what this folder is while the run is still going (or if it never finishes).
    folder?.writeJson('run.json', { scenario: { name: scenario.name, file: scenario.file }, started_at: startedAt.toISOString() });
    const random = mulberry32(this.options.seed ?? (Date.now() & 0x7fffffff));
    const selfCheck = this.selfCheck;
    selfCheck.start();

    const emitRecord = (record: RequestRecord) => {
      folder?.appendRequest(record);
      this.options.onRecord?.(record);
    };

    try {
      for (const target of scenario.targets) this.states.push(await this.prepareTarget(target, transport, random, emitRecord));
    } catch (err) {
      selfCheck.stop();
      folder?.close();
      transport.destroy();
      await Promise.all(this.simulators.map((sim) => sim.close()));
      throw err; // nothing was sent: a scenario, prompt-file or credential problem for the caller to report
    }
    try {
      const tick = setInterval(() => {
        selfCheck.sample();
        for (const s of this.states) if (s.started) this.emitWindow(s, folder);
      }, TICK_MS);
      const watchdog = setInterval(() => this.watch(), WATCHDOG_MS);
      try {
        if (scenario.target_mode === 'parallel') {
          await Promise.all(this.states.map((s) => this.runTarget(s)));
        } else {
          for (const s of this.states) {
            if (this.stopped) break;
            await this.runTarget(s);
          }
        }
      } finally {
        clearInterval(tick);
        clearInterval(watchdog);
      }
      for (const s of this.states) if (s.started) this.emitWindow(s, folder);

      const client = selfCheck.stop();
      const targets: TargetSummary[] = this.states.map((s) =>
        buildTargetSummary(s.target, s.metrics, s.runner, scenario, this.modelOverrides()),
      );
      // Per target: could this machine have inflated its latencies? (client-limit.ts)
      for (const t of targets) {
        const why = t.requests.succeeded > 0 ? clientLimitReasons(t, client) : [];
        t.client_limited = why.length > 0;
        t.client_limited_reasons = why;
        if (t.client_limited) t.warnings.unshift(`this machine may have inflated these latencies: ${why.join('; ')} — read them as upper bounds, or run with fewer clients or on a bigger machine`);
      }
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
      folder?.writeJson('summary.json', summary);
      return summary;
    } finally {
      folder?.close();
      transport.destroy();
      await Promise.all(this.simulators.map((sim) => sim.close()));
    }
  }

  private async prepareTarget(
    target: Target,
    transport: Transport,
    random: () => number,
    emitRecord: (r: RequestRecord) => void,
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
    const nextPrompt: () => PreparedPrompt = createPromptFactory(scenario, target, baseUrl, credential, encoding, random);
    const metrics = new TargetMetrics(target.name, scenario.aggregation_window_s);
    const env: RequestEnvironment = {
      transport,
      retry: scenario.retry,
      recordChunks: scenario.record_chunks,
      countTokens: (text) => countTokens(text, encoding),
      active: new Set<AttemptControl>(),
      cancelled: () => state.cancelling,
      ending: () => state.runner.timeUp,
      clientDelayNow: (t) => this.selfCheck.probe.delayNow(t),
      redact,
      onThrottled: () => metrics.onThrottled(),
      random,
    };
    const state = { cancelling: false } as TargetState;
    const runner = new TargetRunner({
      targetName: target.name,
      workload: scenario.workload,
      env,
      metrics,
      nextPrompt,
      nextId: () => this.nextId++,
      onRecord: emitRecord,
      random,
    });
    return Object.assign(state, { target, runner, metrics, env, simulator, started: false });
  }

  private async runTarget(s: TargetState): Promise<void> {
    s.started = true;
    this.options.onMessage?.(`${s.target.name}: started`);
    await s.runner.run();
  }

  private emitWindow(s: TargetState, folder: RunFolder | null): void {
    const r = s.runner;
    const snapshot = s.metrics.snapshot(r.elapsedS(), r.inFlight, r.queued, r.targetRpmNow(), false);
    // Behind schedule: requests wait for a free client, or they leave late (client CPU / event loop).
    snapshot.behind = r.queued > 0 || (snapshot.lag.p95 ?? 0) > LATE_THRESHOLD_MS;
    s.metrics.rotate();
    folder?.appendWindow(snapshot);
    this.options.onWindow?.(snapshot);
  }

  /** Timeouts, and the end-of-run policy for requests still in flight. */
  private watch(): void {
    const now = performance.now();
    const { request_s, idle_s } = this.scenario.timeouts;
    for (const s of this.states) {
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

/** A run in which some target got no successful response measures nothing about it: say so (the CLI
 *  exits 3), with the most common errors, instead of passing a run with no SLOs. */
function nothingServed(targets: TargetSummary[]): string | null {
  const problems: string[] = [];
  for (const t of targets) {
    const r = t.requests;
    if (r.sent === 0) problems.push(`target "${t.target}": no request was sent`);
    else if (r.succeeded === 0 && r.failed > 0) {
      const classes = Object.entries(r.errors).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(', ');
      const top = t.error_messages?.[0]?.message;
      problems.push(`target "${t.target}": no request succeeded (${classes})${top ? `; most common: ${top}` : ''}`);
    }
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

export function startRun(scenario: Scenario, options: RunOptions): Run {
  return new Run(scenario, options);
}
