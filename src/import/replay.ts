// Turns requests another load engine sent into a perflab run folder, with the engine's own code and
// nothing else: each record goes through TargetMetrics (the same HDR histograms, one-second slots and
// sliding window), a WindowSnapshot is taken once per second of the run's wall-clock time exactly as
// run.ts's tick does, and buildTargetSummary / evaluateSlos make summary.json (latencies, tokens, cost,
// SLO verdicts). The folder is written by src/results/run-folder.ts, so what reads a run reads this one.
//
// Clocks: each record's latencies are its own monotonic durations; only its wall-clock start (and
// start + E2E for its end) places it on the run's timeline, in a window, and orders it.

import * as os from 'node:os';
import { TargetMetrics } from '../engine/metrics';
import type { RequestRecord } from '../engine/records';
import { PERFLAB_VERSION } from '../engine/run';
import { makeArrivalSchedule } from '../engine/schedule';
import type { Scenario, Target } from '../engine/scenario/types';
import { redactScenario } from '../engine/secrets';
import { evaluateSlos, INCOMPLETE_SHARE, type ImportedRun, type RunSummary, type SloVerdict, type TargetSummary } from '../engine/summary';
import { buildTargetSummary } from '../engine/target-summary';
import type { ScheduleView } from '../engine/target-runner';
import { withPricing, type ModelOverrides } from '../tokens';
import { RunFolder } from '../results/run-folder';
import { SessionTally } from '../engine/session-tally';

/** One finished request, in completion order, and its output events' times (ms, any origin). */
export interface ImportedRequest {
  record: Omit<RequestRecord, 'id'>;
  contentTimes: readonly number[];
}

export interface ReplayInput {
  scenario: Scenario;
  /** Every request's send: its target, wall-clock start (epoch ms) and HTTP 429 responses. Any order. */
  sends: { target: string; startMs: number; throttled: number }[];
  /** The same requests, finished, in the order they completed (start + E2E). */
  requests: AsyncIterable<ImportedRequest>;
  outDir: string;
  imported: ImportedRun;
  /** Per target, one note for its summary's warnings (what this engine's numbers are and are not). */
  targetNote: string;
  /** The first `workload.warm_up_requests` completions of each target are warm-up (JMeter marks none;
   *  Locust's records already say which were). */
  markWarmup?: boolean;
  modelOverrides?: ModelOverrides;
}

const TICK_MS = 1000;

export async function replayRun(input: ReplayInput): Promise<RunSummary> {
  const { scenario } = input;
  const w = scenario.workload;
  const folder = new RunFolder(input.outDir, (error) => {
    throw new Error(`cannot write results to ${input.outDir}: ${error.message}`);
  });
  try {
    const byTarget = new Map(scenario.targets.map((t) => [t.name, new TargetState(t, scenario.aggregation_window_s)]));
    for (const s of input.sends) byTarget.get(s.target)?.sends.push(s);
    for (const t of byTarget.values()) t.sends.sort((a, b) => a.startMs - b.startMs);
    const t0 = input.sends.reduce((min, s) => Math.min(min, s.startMs), Infinity);
    if (!Number.isFinite(t0)) throw new Error('no request records to import');
    folder.writeMeta({ scenario: { name: scenario.name, ...(scenario.file && { file: scenario.file }) }, started_at: new Date(t0).toISOString() });

    const rateSchedule = w.mode === 'open' && w.rate_rpm ? makeArrivalSchedule(w.rate_rpm, 'constant', w.ramp_up_s, () => 0.5) : null;
    let tick = 1;
    const emitWindows = (s: number) => {
      const boundary = t0 + s * TICK_MS;
      for (const t of byTarget.values()) {
        t.sendUntil(boundary);
        const targetRpm = rateSchedule ? (w.duration_s === undefined || s <= w.duration_s ? rateSchedule.rateAt(s) : 0) : null;
        const snapshot = t.metrics.snapshot(s, Math.max(0, t.sent - t.done), 0, targetRpm, false);
        snapshot.time = new Date(boundary).toISOString();
        t.metrics.rotate();
        folder.appendWindow(snapshot);
      }
    };
    let nextId = 0;
    let lastEnd = t0;
    for await (const { record, contentTimes } of input.requests) {
      const t = byTarget.get(record.target);
      if (!t) continue;
      const end = record.start_ms + (record.e2e_ms ?? 0);
      while (t0 + tick * TICK_MS <= end) emitWindows(tick++);
      lastEnd = Math.max(lastEnd, end);
      // Its own send is counted before it, even within the second.
      t.sendUntil(record.start_ms + 1e-6);
      const full: RequestRecord = { ...record, id: nextId++ } as RequestRecord;
      if (input.markWarmup && full.error !== 'cancelled') full.warmup = t.finished++ < w.warm_up_requests;
      // Records that carry their session (Locust's; JMeter's do not) are tallied as the engine tallies them (run.ts).
      if (full.session_id !== undefined && w.sessions && !t.metrics.sessions) t.metrics.sessions = new SessionTally(w.sessions.interactions);
      t.metrics.onRecord(full, contentTimes);
      if (full.prompt_tokens !== null || full.completion_tokens !== null) t.counted++;
      t.done++;
      t.firstStart = Math.min(t.firstStart, full.start_ms);
      t.lastEnd = Math.max(t.lastEnd, end);
      if (!scenario.record_chunks) delete full.chunk_offsets_ms;
      folder.appendRequest(full);
    }
    // The last window closes when the last request has ended (run.ts: its last window as it ends).
    const lastTick = Math.max(1, Math.ceil((lastEnd - t0) / TICK_MS));
    while (tick <= lastTick) emitWindows(tick++);
    for (const t of byTarget.values()) t.sendUntil(Infinity);

    const overrides = withPricing({ ...input.modelOverrides }, scenario.pricing, 'scenario');
    const states = [...byTarget.values()];
    const targets: TargetSummary[] = states.map((t) => {
      const summary = buildTargetSummary(t.target, t.metrics, t.view(w, rateSchedule), scenario, overrides);
      summary.warnings.push(input.targetNote);
      if (t.counted === 0 && t.metrics.totals.completed > t.metrics.totals.warmup) {
        // No request carried a token count (JMeter reads no stream): zero tokens would price at $0.
        summary.cost_usd = { ...summary.cost_usd, total: null, per_request: null, per_1k_requests: null, per_hour_at_target_rate: null };
        summary.warnings.push('no request carried token counts: tokens and cost are not known');
      }
      return summary;
    });
    const coverage = input.imported.coverage;
    const slos = states.flatMap((t, i) => evaluateSlos(scenario.slos, t.metrics, targets[i]).map((v) => withCoverage(v, coverage.counted, coverage.found)));
    const problem = nothingMeasured(targets);
    const summary: RunSummary = {
      type: 'summary',
      scenario: redactScenario(scenario),
      started_at: new Date(t0).toISOString(),
      ended_at: new Date(lastEnd).toISOString(),
      stopped_by: 'completed',
      ...(problem !== null && { error: problem }),
      on_end: w.on_end,
      environment: { perflab_version: PERFLAB_VERSION, node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length },
      // The load came from other machines: this one's health says nothing about the latencies.
      client: { cpu_avg: 0, cpu_max: 0, event_loop_delay_ms: { p50: 0, p99: 0, max: 0 }, bottleneck: false, reasons: [] },
      targets,
      slos,
      passed: slos.every((v) => v.pass) && problem === null,
      distributions: Object.fromEntries(states.map((t) => [t.target.name, t.metrics.distributions])),
      imported: input.imported,
    };
    folder.writeSummary(summary);
    return summary;
  } finally {
    folder.close();
  }
}

class TargetState {
  readonly metrics: TargetMetrics;
  readonly sends: { startMs: number; throttled: number }[] = [];
  private nextSend = 0;
  sent = 0;
  done = 0;
  /** Completions so far, cancelled ones excluded (for warm-up). */
  finished = 0;
  /** Records that carried a token count. */
  counted = 0;
  firstStart = Infinity;
  lastEnd = -Infinity;

  constructor(
    readonly target: Target,
    windowS: number,
  ) {
    this.metrics = new TargetMetrics(target.name, windowS);
  }

  /** Counts the sends (and their 429 responses) before `ms`: the engine counts each as it happens. */
  sendUntil(ms: number): void {
    while (this.nextSend < this.sends.length && this.sends[this.nextSend].startMs < ms) {
      const s = this.sends[this.nextSend++];
      this.metrics.onSent(null); // the other engine kept its own schedule: no lag is known
      for (let k = 0; k < s.throttled; k++) this.metrics.onThrottled();
      this.sent++;
    }
  }

  /** The schedule as far as it is known: the load engine paced itself, so every send counts as
   *  scheduled; the run lasts from the first send to the scenario's duration (or the last end). */
  view(w: Scenario['workload'], rate: ReturnType<typeof makeArrivalSchedule> | null): ScheduleView {
    const spanS = this.sent > 0 ? Math.max(1e-3, (this.lastEnd - this.firstStart) / 1000) : 1e-3;
    const durationS = w.duration_s !== undefined ? Math.min(w.duration_s, spanS) : spanS;
    const expected = rate ? rate.expectedBy(durationS) : null;
    return {
      sent: this.sent,
      scheduled: this.sent,
      unsent: 0,
      lateCount: 0,
      inFlight: 0,
      queued: 0,
      endedAt: 1,
      elapsedS: () => durationS,
      targetRpmNow: () => (rate ? rate.rateAt(durationS) : null),
      expectedSent: () => (expected === null ? null : w.requests !== undefined ? Math.min(w.requests, expected) : expected),
    };
  }
}

/** Requests the load engine counted but no record came back for are not measured: a holding SLO with
 *  more than INCOMPLETE_SHARE of them missing is `incomplete`, as with cancelled requests (summary.ts). */
function withCoverage(v: SloVerdict, counted: number | null, found: number): SloVerdict {
  if (counted === null || (v.status !== 'pass' && v.status !== 'incomplete')) return v;
  const missing = Math.max(0, counted - found);
  if (counted === 0 || missing / counted <= INCOMPLETE_SHARE) return v;
  const note = `${missing} of the ${counted} requests the load engine counted have no record: the ones missing may be the slow ones, so this is not a pass`;
  return { ...v, pass: false, status: 'incomplete', note: v.status === 'incomplete' && v.note ? `${note}; ${v.note}` : note };
}

/** A target with no successful response measured nothing (run.ts says the same of its own runs). */
function nothingMeasured(targets: TargetSummary[]): string | null {
  const problems = targets
    .filter((t) => t.requests.succeeded === 0)
    .map((t) => {
      const r = t.requests;
      const classes = Object.entries(r.errors)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      return r.sent === 0 ? `target "${t.target}": no request was sent` : `target "${t.target}": no request succeeded${classes ? ` (${classes})` : ''}`;
    });
  return problems.length > 0 ? problems.join('; ') : null;
}
