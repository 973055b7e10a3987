// `perflab capacity` / Find Capacity…: for each target, run steps at offered rates chosen by
// search.ts, judge each (step.ts), and write capacity.json (types.ts) after every step, so a search
// that is stopped or crashes keeps what it measured. Each step is a whole run (run.ts) with its own
// run folder inside the capacity folder.
//
// A simulator target gets one simulator for its whole search, as a real deployment would be: its
// queues and quota windows carry from one step to the next (hence the cool-down after a failing step).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RequestRecord, WindowSnapshot } from '../records';
import { startRun, type Run, type RunOptions } from '../run';
import type { CapacitySettings, Scenario, Target } from '../scenario/types';
import { startSimulator } from '../../simulator/server';
import type { RunningSimulator } from '../../simulator/types';
import { RateSearch, type SearchState } from './search';
import { initialReport } from './report';
import { judgeStep, stepDrainS, stepScenario } from './step';
import type { CapacityReport, CapacityStep, CapacityTarget, LimitedBy } from './types';
import { CAPACITY_FILE } from '../../results/files';
import { writeJsonAtomic } from '../../results/run-folder';

/** Headroom on top of the expected rate when sizing provisioned deployments. */
const PTU_HEADROOM = 1.1;

export interface CapacityOptions {
  /** The capacity folder: capacity.json, and `<target>/step-NN-<rpm>rpm/` per step. */
  outDir: string;
  settings: CapacitySettings;
  /** Only these targets (default: every target of the scenario, one after another). */
  targets?: string[];
  resolveCredential: RunOptions['resolveCredential'];
  seed?: number;
  proxy?: RunOptions['proxy'];
  modelOverrides?: RunOptions['modelOverrides'];
  /** A step is about to start. */
  onStepStart?: (target: string, index: number, offeredRpm: number, bracket: CapacityTarget['bracket']) => void;
  /** A step ended and was judged; `report` is capacity.json as just written. */
  onStep?: (target: string, step: CapacityStep, report: CapacityReport) => void;
  onWindow?: (snapshot: WindowSnapshot) => void;
  onMessage?: (message: string) => void;
}

export class CapacitySearch {
  readonly done: Promise<CapacityReport>;
  private stopped = false;
  private current: Run | null = null;
  private wake: (() => void) | null = null;
  private readonly report: CapacityReport;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: CapacityOptions,
  ) {
    const chosen = options.targets && options.targets.length > 0 ? scenario.targets.filter((t) => options.targets!.includes(t.name)) : scenario.targets;
    const missing = (options.targets ?? []).filter((name) => !scenario.targets.some((t) => t.name === name));
    if (missing.length > 0)
      throw new Error(
        `no target named ${missing.map((m) => `"${m}"`).join(', ')} in the scenario (targets: ${scenario.targets.map((t) => t.name).join(', ')})`,
      );
    this.report = initialReport(
      scenario,
      options.settings,
      chosen.map((t) => t.name),
    );
    this.done = this.execute(chosen);
  }

  /** Stop the search: the running step is aborted (its records stay in its folder), nothing new starts. */
  stop(): void {
    this.stopped = true;
    this.current?.stop('abort');
    this.wake?.();
  }

  private write(): void {
    writeJsonAtomic(path.join(this.options.outDir, CAPACITY_FILE), this.report);
  }

  private async execute(targets: Target[]): Promise<CapacityReport> {
    fs.mkdirSync(this.options.outDir, { recursive: true });
    this.write();
    try {
      for (const [i, target] of targets.entries()) {
        if (this.stopped) {
          this.report.targets[i].search = 'stopped';
          continue;
        }
        await this.searchTarget(target, this.report.targets[i]);
      }
      this.report.status = this.stopped ? 'stopped' : this.report.targets.some((t) => t.search === 'error') ? 'error' : 'completed';
    } catch (err) {
      this.report.status = 'error';
      this.report.error = (err as Error).message;
      for (const t of this.report.targets) if (t.search === 'running') t.search = 'error';
      throw err;
    } finally {
      this.report.ended_at = new Date().toISOString();
      this.write();
    }
    return this.report;
  }

  private async searchTarget(target: Target, result: CapacityTarget): Promise<void> {
    const settings = this.options.settings;
    const search = new RateSearch(settings);
    const began = performance.now();
    let simulator: RunningSimulator | null = null;
    let stepTarget = target;
    if (target.endpoint === 'simulator') {
      simulator = await startSimulator({ ...target.simulator, host: '127.0.0.1', port: 0 });
      stepTarget = { ...target, endpoint: simulator.url };
      delete stepTarget.simulator;
      this.options.onMessage?.(`${target.name}: built-in simulator at ${simulator.url} for the whole search`);
    }
    let baselineE2e: number | null = null;
    let lastFailed = false;
    try {
      for (let index = 1; ; index++) {
        const state = search.next();
        if (state.kind !== 'step') return this.finish(result, state, 'complete');
        if (this.stopped) return this.finish(result, state, 'stopped');
        const cooldown = lastFailed ? settings.cooldown_s : 0;
        const worst = cooldown + settings.step_duration_s + stepDrainS(this.scenario, settings);
        if ((performance.now() - began) / 1000 + worst > settings.budget_s) return this.finish(result, state, 'budget');
        if (cooldown > 0) await this.sleep(cooldown * 1000);
        if (this.stopped) return this.finish(result, state, 'stopped');

        const rpm = state.rpm;
        this.options.onStepStart?.(target.name, index, rpm, search.bracket);
        const step = await this.runStep(target, stepTarget, rpm, index, baselineE2e);
        if (step === null) return this.finish(result, state, 'stopped');
        search.record(rpm, step.passed);
        if (step.passed && baselineE2e === null) baselineE2e = step.e2e_p50_ms;
        lastFailed = !step.passed;
        result.steps.push(step);
        result.bracket = search.bracket;
        this.write();
        this.options.onStep?.(target.name, step, this.report);
        if (step.limited_by === 'error') return this.finish(result, state, 'error');
      }
    } finally {
      await simulator?.close();
    }
  }

  /** One step; null when the search was stopped during it (the step is not judged). */
  private async runStep(target: Target, stepTarget: Target, rpm: number, index: number, baselineE2e: number | null): Promise<CapacityStep | null> {
    const settings = this.options.settings;
    const runDir = path.join(safeName(target.name), `step-${String(index).padStart(2, '0')}-${rpm}rpm`);
    const records: RequestRecord[] = [];
    const windows: WindowSnapshot[] = [];
    const startedAt = new Date();
    const began = performance.now();
    const run = startRun(stepScenario(this.scenario, stepTarget, rpm, settings), {
      outDir: path.join(this.options.outDir, runDir),
      seed: this.options.seed === undefined ? undefined : this.options.seed + index,
      // The step's target has the simulator's URL; the credential belongs to the scenario's target.
      resolveCredential: () => this.options.resolveCredential(target),
      proxy: this.options.proxy,
      modelOverrides: this.options.modelOverrides,
      onRecord: (r) => records.push(r),
      onWindow: (w) => {
        windows.push(w);
        this.options.onWindow?.(w);
      },
      onMessage: (m) => {
        if (!m.endsWith(': started')) this.options.onMessage?.(m);
      },
    });
    this.current = run;
    const summary = await run.done.finally(() => (this.current = null));
    if (this.stopped) return null;
    return judgeStep({
      offeredRpm: rpm,
      settings,
      summary,
      records,
      windows,
      baselineE2eP50: baselineE2e,
      startedAt,
      durationS: (performance.now() - began) / 1000,
      runDir,
    });
  }

  private finish(result: CapacityTarget, state: SearchState, ended: 'complete' | 'stopped' | 'budget' | 'error'): void {
    const { passed, failed } = result.bracket;
    const stepAt = (rpm: number | null) => result.steps.find((s) => s.offered_rpm === rpm);
    const failing = stepAt(failed);
    let limitedBy: LimitedBy | null = failing?.limited_by ?? null;
    let capacity = passed;
    if (state.kind === 'held-at-max') limitedBy = 'max';
    if (state.kind === 'below-min') capacity = null;
    result.search = ended;
    result.capacity_rpm = capacity;
    result.limited_by = limitedBy;
    result.lower_bound = limitedBy === 'client' || (ended !== 'complete' && capacity !== null);
    const answer = stepAt(capacity);
    result.goodput_rpm = answer?.goodput_rpm ?? null;
    result.goodput_tokens_per_s = answer?.goodput_tokens_per_s ?? null;
    const expected = result.expected_rpm;
    result.headroom = capacity !== null && expected ? round(capacity / expected, 2) : null;
    const ptus = this.options.settings.ptus;
    if (ptus && capacity !== null) {
      result.per_ptu_rpm = round(capacity / ptus, 2);
      result.ptus_needed = expected ? Math.ceil((expected * PTU_HEADROOM) / result.per_ptu_rpm) : null;
    }
    result.detail = describe(result, this.options.settings, failing);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = null));
  }
}

export function startCapacitySearch(scenario: Scenario, options: CapacityOptions): CapacitySearch {
  return new CapacitySearch(scenario, options);
}

/** The answer in one sentence, with how far it can be trusted. */
function describe(t: CapacityTarget, settings: CapacitySettings, failing: CapacityStep | undefined): string {
  const why = failing ? `${failing.offered_rpm} RPM failed: ${failing.limited_by} — ${failing.reasons[0] ?? 'failed'}` : '';
  if (t.search === 'error') return `the search stopped: ${failing?.reasons.join('; ') ?? 'a step measured nothing'}`;
  if (t.capacity_rpm === null) {
    if (t.search !== 'complete') return `stopped (${t.search}) before any step passed`;
    return `below the search's minimum (${settings.min_rpm} RPM): ${why}`;
  }
  if (t.limited_by === 'max') return `held every rate up to max (${settings.max_rpm} RPM): the capacity is at least that; raise capacity.max to find the limit`;
  let text = `${t.capacity_rpm} RPM`;
  if (t.bracket.failed !== null) text += `; ${why}`;
  if (t.limited_by === 'client')
    text += '; this machine limited the search, so the capacity is a lower bound — run with engine.threads, fewer clients or a bigger machine';
  else if (t.search === 'budget') text += `; the budget (${settings.budget_s} s) ended the search before the bracket was within ${settings.precision * 100}%`;
  else if (t.search === 'stopped') text += '; the search was stopped before the bracket was within precision';
  return text;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'target';
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
