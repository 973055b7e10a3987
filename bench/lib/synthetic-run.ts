// A synthetic but realistic run for the panel benchmarks: request records drawn from plausible
// distributions (lognormal TTFT/TBT with slow load waves and short spikes, ~1% throttled, ~0.2%
// failed, PTU utilization), fed through the engine's OWN code — TargetMetrics (sliding windows, one
// snapshot + rotate per simulated second), buildTargetSummary, evaluateSlos and DistributionTally —
// so every WindowSnapshot, summary.json and histogram field is what the engine would have written.
// Only the clock is simulated: a one-hour run is generated in seconds instead of waited for.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DistributionTally, type TargetDistributions } from '../../src/engine/distribution';
import { TargetMetrics } from '../../src/engine/metrics';
import type { RequestRecord, WindowSnapshot } from '../../src/engine/records';
import { loadScenarioFile } from '../../src/engine/scenario/load';
import type { Scenario } from '../../src/engine/scenario/types';
import { evaluateSlos, type RunSummary, type TargetSummary } from '../../src/engine/summary';
import { buildTargetSummary } from '../../src/engine/target-summary';
import type { TargetRunner } from '../../src/engine/target-runner';
import { withPricing } from '../../src/tokens/pricing';
import { mulberry32 } from '../../src/tokens/rng';
import { REQUESTS_FILE, RUN_META_FILE, SUMMARY_FILE, WINDOWS_FILE, type RunMeta } from '../../src/results/files';

const SCENARIO_FILE = path.join(__dirname, '..', '..', 'examples', 'compare-deployments.perf.yaml');

export interface SyntheticRunOptions {
  /** Targets of examples/compare-deployments.perf.yaml to keep: 1 → paygo, 2 → paygo + ptu. */
  targets: 1 | 2;
  /** Per target, requests per minute (open loop, constant arrivals). */
  rpm: number;
  durationS: number;
  /** When set, requests.jsonl / windows.jsonl / summary.json / run.json are written here. */
  outDir?: string;
  /** Put the whole-run histograms in summary.json (the planned format); default false (today's). */
  summaryDistributions?: boolean;
  seed?: number;
}

export interface SyntheticRun {
  scenario: Scenario;
  /** All targets, in time order (as windows.jsonl and ActiveRun.windows hold them). */
  windows: WindowSnapshot[];
  summary: RunSummary;
  distributions: Record<string, TargetDistributions>;
  requests: number;
}

interface TargetShape {
  ttftMs: number;
  tbtMs: number;
  tokensPerChunk: number;
  utilization: boolean;
}

const SHAPES: Record<string, TargetShape> = {
  paygo: { ttftMs: 220, tbtMs: 15, tokensPerChunk: 1, utilization: false },
  ptu: { ttftMs: 130, tbtMs: 10, tokensPerChunk: 4, utilization: true },
};

export function generateRun(options: SyntheticRunOptions): SyntheticRun {
  const base = loadScenarioFile(SCENARIO_FILE);
  const scenario: Scenario = {
    ...base,
    targets: base.targets.slice(0, options.targets),
    workload: {
      ...base.workload,
      mode: 'open',
      rate_rpm: options.rpm,
      arrival: 'constant',
      clients: 500,
      duration_s: options.durationS,
      ramp_up_s: 0,
      warm_up_requests: 0,
    },
    aggregation_window_s: 60,
    // gpt-4o has no catalog price: give it one, so the cost cards and cost section show numbers.
    pricing: { 'gpt-4o': { input: 2.5, cached_input: 1.25, output: 10 } },
  };
  const random = mulberry32(options.seed ?? 12345);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * gauss());
  const startEpoch = Date.parse('2026-11-28T09:00:00.000Z');

  const requestsFile = options.outDir ? openLines(path.join(options.outDir, REQUESTS_FILE)) : null;
  const windowsFile = options.outDir ? openLines(path.join(options.outDir, WINDOWS_FILE)) : null;
  if (options.outDir) {
    const meta: RunMeta = { scenario: { name: scenario.name, file: SCENARIO_FILE }, started_at: new Date(startEpoch).toISOString() };
    fs.writeFileSync(path.join(options.outDir, RUN_META_FILE), JSON.stringify(meta));
  }

  const tally = new DistributionTally();
  const perTarget = scenario.targets.map((target) => {
    const shape = SHAPES[target.name];
    const metrics = new TargetMetrics(target.name, scenario.aggregation_window_s);
    const n = Math.round((options.rpm * options.durationS) / 60);
    const gapMs = 60_000 / options.rpm;
    // Load: a 15-minute wave ±30% and a 20-second spike (×2.5, with 429s) every ~10 minutes.
    const load = (tMs: number) => {
      const s = tMs / 1000;
      const spike = s % 600 >= 300 && s % 600 < 320;
      return { mult: (1 + 0.3 * Math.sin((2 * Math.PI * s) / 900)) * (spike ? 2.5 : 1), spike };
    };
    // Chunk times are drawn when the record is fed (a reused array: 100,000 × 200 numbers kept would be 160 MB).
    type Pending = { record: RequestRecord; endMs: number; firstMs: number; stepMs: number; chunks: number };
    const sends: { atMs: number; lag: number }[] = [];
    const done: Pending[] = [];
    let late = 0;
    for (let i = 0; i < n; i++) {
      const scheduledMs = i * gapMs;
      const lag = Math.min(200, lognormal(0.4, 1.2));
      if (lag > 50) late++;
      const startMs = scheduledMs + lag;
      const { mult, spike } = load(startMs);
      const throttled = random() < (spike ? 0.08 : 0.002);
      const failed = !throttled && random() < 0.002;
      const backoff = throttled ? 500 + random() * 1500 : 0;
      const ttft = backoff + lognormal(shape.ttftMs * mult, 0.25);
      const tokens = Math.max(20, Math.min(200, Math.round(170 + 30 * gauss())));
      const tbt = lognormal(shape.tbtMs * Math.sqrt(mult), 0.12);
      const chunks = Math.ceil(tokens / shape.tokensPerChunk);
      const stepMs = tbt * shape.tokensPerChunk;
      const e2e = failed ? lognormal(80, 0.3) : ttft + (chunks - 1) * stepMs + 3 + random() * 4;
      const record: RequestRecord = {
        type: 'request',
        id: i,
        target: target.name,
        api: 'chat',
        response_id: failed ? null : `chatcmpl-${(i * 2654435761 + 97).toString(36)}${target.name}`,
        request_id: `${(i * 40503 + 11).toString(16).padStart(8, '0')}-4f1a-4c2e-9b7d-${(i * 7919).toString(16).padStart(12, '0')}`,
        scheduled_ms: startEpoch + scheduledMs,
        start_ms: startEpoch + startMs,
        send_lag_ms: round(lag, 3),
        ttfb_ms: round(backoff + ttft * 0.8, 3),
        ttft_ms: failed ? null : round(ttft, 3),
        ttfr_ms: null,
        e2e_ms: round(e2e, 3),
        tbt_ms: failed ? null : round(tbt, 3),
        tbt_all_ms: failed ? null : round(tbt, 3),
        content_chunks: failed ? 0 : chunks,
        reasoning_chunks: 0,
        prompt_tokens: 2000 + Math.floor(random() * 8),
        completion_tokens: failed ? null : tokens,
        cached_tokens: 0,
        reasoning_tokens: 0,
        tokens_estimated: false,
        finish_reason: failed ? null : tokens === 200 ? 'length' : 'stop',
        status: failed ? 500 : 200,
        attempts: throttled ? 2 : 1,
        throttled_attempts: throttled ? 1 : 0,
        backoff_ms: round(backoff, 1),
        error: failed ? 'http_error' : null,
        error_message: failed ? 'HTTP 500: The server had an error while processing your request.' : null,
        utilization: shape.utilization ? round(Math.min(100, 45 * mult + 10 * random()), 1) : null,
        ratelimit_remaining_requests: 900 - (i % 900),
        ratelimit_remaining_tokens: 150_000 - ((i * 2170) % 150_000),
        warmup: false,
      };
      sends.push({ atMs: startMs, lag });
      done.push({ record, endMs: startMs + e2e, firstMs: startMs + ttft, stepMs, chunks: failed ? 0 : chunks });
    }
    done.sort((a, b) => a.endMs - b.endMs);
    return {
      target,
      metrics,
      sends,
      done,
      late,
      n,
      nextSend: 0,
      nextDone: 0,
      throttleAt: done
        .filter((d) => d.record.throttled_attempts > 0)
        .map((d) => d.record.start_ms - startEpoch)
        .sort((a, b) => a - b),
      nextThrottle: 0,
    };
  });

  // The engine's tick: once a second, every target's snapshot then rotate (drain: until all completed).
  const windows: WindowSnapshot[] = [];
  const chunkTimes: number[] = [];
  const lastEnd = Math.max(...perTarget.map((p) => p.done.at(-1)?.endMs ?? 0));
  const seconds = Math.ceil(lastEnd / 1000);
  for (let s = 1; s <= seconds; s++) {
    const nowMs = s * 1000;
    for (const p of perTarget) {
      while (p.nextSend < p.sends.length && p.sends[p.nextSend].atMs < nowMs) p.metrics.onSent(p.sends[p.nextSend++].lag);
      while (p.nextThrottle < p.throttleAt.length && p.throttleAt[p.nextThrottle] < nowMs) {
        p.metrics.onThrottled();
        p.nextThrottle++;
      }
      while (p.nextDone < p.done.length && p.done[p.nextDone].endMs < nowMs) {
        const d = p.done[p.nextDone++];
        chunkTimes.length = d.chunks;
        let at = d.firstMs;
        for (let k = 0; k < d.chunks; k++) {
          chunkTimes[k] = at;
          at += d.stepMs * (0.8 + 0.4 * random());
        }
        p.metrics.onRecord(d.record, chunkTimes);
        tally.add(d.record);
        requestsFile?.write(JSON.stringify(d.record));
      }
      const snapshot = p.metrics.snapshot(Math.min(s, seconds), p.nextSend - p.nextDone, 0, s <= options.durationS ? options.rpm : 0, false);
      snapshot.time = new Date(startEpoch + nowMs).toISOString();
      snapshot.behind = (snapshot.lag.p95 ?? 0) > 50;
      p.metrics.rotate();
      windows.push(snapshot);
      windowsFile?.write(JSON.stringify(snapshot));
    }
  }

  const durationS = seconds;
  const targets: TargetSummary[] = perTarget.map((p) => {
    const runner = {
      elapsedS: () => durationS,
      endedAt: 1,
      expectedSent: () => (options.rpm * options.durationS) / 60,
      scheduled: p.n,
      sent: p.n,
      unsent: 0,
      lateCount: p.late,
    } as unknown as TargetRunner;
    return buildTargetSummary(p.target, p.metrics, runner, scenario, withPricing({}, scenario.pricing, 'scenario'));
  });
  const slos = perTarget.flatMap((p, i) => evaluateSlos(scenario.slos, p.metrics, targets[i]));
  const distributions = tally.toJSON();
  const summary: RunSummary = {
    type: 'summary',
    scenario,
    started_at: new Date(startEpoch).toISOString(),
    ended_at: new Date(startEpoch + durationS * 1000).toISOString(),
    stopped_by: 'completed',
    on_end: 'drain',
    environment: { perflab_version: '0.1.0', node: process.version, platform: 'linux x64', cpus: 2 },
    client: { cpu_avg: 0.21, cpu_max: 0.34, event_loop_delay_ms: { p50: 0.2, p99: 3.1, max: 14 }, bottleneck: false, reasons: [] },
    targets,
    slos,
    passed: slos.every((v) => v.pass),
    ...(options.summaryDistributions ? { distributions } : {}),
  };
  requestsFile?.close();
  windowsFile?.close();
  if (options.outDir) fs.writeFileSync(path.join(options.outDir, SUMMARY_FILE), JSON.stringify(summary, null, 2));
  return { scenario, windows, summary, distributions, requests: perTarget.reduce((n, p) => n + p.n, 0) };
}

/** `windows` (one hour) repeated to `count` windows per target: t, time and the running totals
 *  shifted, so the panel sees one long run (the decimator only looks at t and the values). */
export function extendWindows(windows: readonly WindowSnapshot[], targets: number, perTarget: number): WindowSnapshot[] {
  const span = windows.length / targets;
  const last = windows.at(-1)!;
  const out: WindowSnapshot[] = [];
  for (let i = 0; i < perTarget * targets; i++) {
    const lap = Math.floor(i / windows.length);
    const w = windows[i % windows.length];
    out.push({
      ...w,
      t: w.t + lap * span,
      time: new Date(Date.parse(w.time) + lap * span * 1000).toISOString(),
      requests: w.requests + lap * last.requests,
      completed: w.completed + lap * last.completed,
    });
  }
  return out;
}

/** Appends lines to a file with a large buffer (requests.jsonl is ~70 MB for 100,000 requests). */
function openLines(file: string): { write: (line: string) => void; close: () => void } {
  const fd = fs.openSync(file, 'w');
  let buffer: string[] = [];
  let size = 0;
  const flush = () => {
    if (buffer.length > 0) fs.writeSync(fd, buffer.join(''));
    buffer = [];
    size = 0;
  };
  return {
    write(line) {
      buffer.push(line, '\n');
      size += line.length + 1;
      if (size > 1 << 22) flush();
    },
    close() {
      flush();
      fs.closeSync(fd);
    },
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
