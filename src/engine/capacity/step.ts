// One step of a capacity search: the scenario it runs (one target, open loop at one offered rate),
// and the verdict on what it measured — passed, or what limited it (types.ts, LimitedBy).
//
// A step passes when every SLO holds, the engine kept its schedule (no request waited for a free
// client), the deployment kept up (latency and in-flight requests did not keep growing through the
// step) and this machine was not the bottleneck (client_limited, src/engine/client-limit.ts).

import type { RequestRecord, WindowSnapshot } from '../records';
import type { CapacitySettings, Scenario, Slo, Target } from '../scenario/types';
import { VERDICT_LABEL, verdictStatus, type RunSummary } from '../summary';
import { LATE_THRESHOLD_MS } from '../target-runner';
import { stepSlos } from './report';
import type { CapacityStep, LimitedBy } from './types';

/** Latency grew this much from the first to the last third of a step: the deployment fell behind. */
const GROWTH_FACTOR = 1.5;
/** …and by at least this much (a few ms on a 30 ms TTFT is jitter, not a queue). */
const GROWTH_MIN_MS = 50;
/** Every client busy while latency stayed within this factor of the lowest passing step's: the
 *  clients cap (a setting of this test), not the deployment, limited the rate. */
const CLIENTS_CAP_LATENCY_FACTOR = 1.5;

/** Seconds a step's in-flight requests may take to finish after its schedule ends. */
export function stepDrainS(scenario: Scenario, settings: CapacitySettings): number {
  return Math.min(scenario.workload.drain_timeout_s, Math.max(5, settings.step_duration_s / 2));
}

/** The run of one step: `target` alone, open loop at `offeredRpm` for `step_duration`, the first
 *  `warm_up` seconds' requests excluded; arrival process, prompts, clients cap, retry policy and
 *  timeouts as the scenario says. Ramp-up is not used: the warm-up takes its place. */
export function stepScenario(scenario: Scenario, target: Target, offeredRpm: number, settings: CapacitySettings): Scenario {
  const { requests: _requests, ...workload } = scenario.workload;
  return {
    ...scenario,
    targets: [target],
    target_mode: 'parallel',
    workload: {
      ...workload,
      mode: 'open',
      rate_rpm: offeredRpm,
      duration_s: settings.step_duration_s,
      ramp_up_s: 0,
      warm_up_requests: Math.round((offeredRpm * settings.warm_up_s) / 60),
      on_end: 'drain',
      drain_timeout_s: stepDrainS(scenario, settings),
    },
    // Windows short enough to show a step's own trend.
    aggregation_window_s: Math.min(scenario.aggregation_window_s, Math.max(1, Math.round(settings.step_duration_s / 6))),
    slos: stepSlos(scenario),
  };
}

export interface StepInput {
  offeredRpm: number;
  settings: CapacitySettings;
  summary: RunSummary;
  records: readonly RequestRecord[];
  windows: readonly WindowSnapshot[];
  /** E2E p50 of the lowest passing step so far (the deployment at low load), if any. */
  baselineE2eP50: number | null;
  startedAt: Date;
  durationS: number;
  runDir: string;
}

export function judgeStep(input: StepInput): CapacityStep {
  const { summary, records, windows, offeredRpm, settings } = input;
  const t = summary.targets[0];
  // An SLO that held on the measured requests but is `incomplete` (requests cut off or never sent) is
  // not the deployment failing it: the schedule checks below judge what was not sent.
  const notHeld = summary.slos.filter((v) => verdictStatus(v) === 'fail' || verdictStatus(v) === 'not_judged');
  const failedSlos = notHeld.map((v) => v.slo);
  const reasons: string[] = [];
  const measured = records.filter((r) => !r.warmup && r.error !== 'cancelled');
  const measuredS = Math.max(1e-3, settings.step_duration_s - settings.warm_up_s);

  // This machine.
  const clientsBusy = t.schedule.unsent > 0 || windows.some((w) => w.queued > 0);
  // Latencies this machine may have inflated (the self-check): nothing else about the step can be trusted.
  const inflated = t.client_limited_reasons ?? [];
  // The offered rate was not what this machine sent (late sends, a too-small clients cap). That only
  // decides the step when the deployment showed no limit of its own: a deployment that fails at a
  // lower rate than offered fails at the offered one too.
  const offeredShort: string[] = [];
  const lateShare = t.schedule.sent > 0 ? t.schedule.late / t.schedule.sent : 0;
  if (!clientsBusy && lateShare > 0.01) {
    offeredShort.push(
      `${t.schedule.late} of ${t.schedule.sent} requests left more than ${LATE_THRESHOLD_MS} ms after their scheduled time with clients free: this machine could not keep the schedule`,
    );
  }

  // The deployment's quota.
  const quota: string[] = [];
  if (t.requests.throttled_responses > 0) quota.push(`${t.requests.throttled_responses} of ${t.requests.attempts} attempts were throttled (HTTP 429)`);
  if (records.some((r) => r.ratelimit_remaining_requests === 0)) quota.push('x-ratelimit-remaining-requests reached 0');
  if (records.some((r) => r.ratelimit_remaining_tokens === 0)) quota.push('x-ratelimit-remaining-tokens reached 0');
  const utilMax = t.utilization_pct.max;
  if (utilMax !== null && utilMax >= 100) quota.push(`provisioned utilization reached ${utilMax}%`);

  // The deployment falling behind.
  const saturation: string[] = [];
  const growth = latencyGrowth(measured);
  if (growth)
    saturation.push(
      `TTFT grew from ${Math.round(growth.first)} ms to ${Math.round(growth.last)} ms (median, first vs last third of the step): requests queue up`,
    );
  const inFlight = inFlightGrowth(windows, settings);
  if (inFlight) saturation.push(`requests in flight grew from ${inFlight.first.toFixed(1)} to ${inFlight.last.toFixed(1)} through the step`);
  const e2eP50 = t.latency_ms.e2e.p50;
  if (clientsBusy) {
    const busyText = `all ${summary.scenario.workload.clients} clients were busy: ${t.schedule.unsent} requests never sent, achieved ${t.schedule.achieved_rpm} of ${offeredRpm} RPM`;
    const latencyFlat = input.baselineE2eP50 !== null && e2eP50 !== null && e2eP50 <= input.baselineE2eP50 * CLIENTS_CAP_LATENCY_FACTOR;
    if (latencyFlat && saturation.length === 0)
      offeredShort.push(`${busyText} while latency stayed at its low-load level: raise workload.clients (at least rate × E2E ÷ 60)`);
    else saturation.push(busyText);
  }

  const nothing = summary.error !== undefined;
  const passed = !nothing && failedSlos.length === 0 && inflated.length === 0 && offeredShort.length === 0 && saturation.length === 0;
  let limitedBy: LimitedBy | null = null;
  if (!passed) {
    if (inflated.length > 0) limitedBy = 'client';
    else if (quota.length > 0) limitedBy = 'quota';
    else if (saturation.length > 0) limitedBy = 'saturation';
    else if (failedSlos.length > 0 && !nothing) limitedBy = `slo:${failedSlos[0]}`;
    else if (offeredShort.length > 0) limitedBy = 'client';
    else limitedBy = 'error';
  }
  if (!passed) {
    reasons.push(...inflated, ...quota, ...saturation, ...offeredShort);
    for (const v of notHeld)
      reasons.push(
        `SLO ${v.slo} ${verdictStatus(v) === 'fail' ? 'failed' : VERDICT_LABEL[verdictStatus(v)].toLowerCase()} (actual ${v.actual ?? '–'}${v.note ? `; ${v.note}` : ''})`,
      );
    if (summary.error) reasons.push(summary.error);
  }

  const good = measured.filter(meetsThresholds(perRequestThresholds(summary.scenario.slos)));
  const done = t.requests.completed - t.requests.warmup_excluded;
  return {
    offered_rpm: offeredRpm,
    achieved_rpm: t.schedule.achieved_rpm,
    throughput_rpm: round((measured.filter((r) => r.error === null).length / measuredS) * 60, 1),
    passed,
    limited_by: limitedBy,
    reasons,
    failed_slos: failedSlos,
    ttft_p50_ms: t.latency_ms.ttft.p50,
    ttft_p95_ms: t.latency_ms.ttft.p95,
    e2e_p50_ms: e2eP50,
    e2e_p95_ms: t.latency_ms.e2e.p95,
    error_rate: done > 0 ? round(t.requests.failed / done, 4) : null,
    throttled_rate: t.requests.attempts > 0 ? round(t.requests.throttled_responses / t.requests.attempts, 4) : null,
    goodput_rpm: round((good.length / measuredS) * 60, 1),
    goodput_tokens_per_s: round(good.reduce((a, r) => a + (r.completion_tokens ?? 0), 0) / measuredS, 1),
    in_flight_max: windows.reduce((a, w) => Math.max(a, w.in_flight), 0),
    utilization_p95: t.utilization_pct.p95,
    client_limited: t.client_limited === true,
    started_at: input.startedAt.toISOString(),
    duration_s: round(input.durationS, 1),
    run_dir: input.runDir,
  };
}

type Threshold = { field: 'ttfb_ms' | 'ttft_ms' | 'tbt_ms' | 'e2e_ms' | 'ttfr_ms' | 'tbt_all_ms'; op: Slo['op']; value: number };

/** Per-request thresholds from the latency SLOs that bound from above (`ttft.p95 < 800ms` → each
 *  request's ttft < 800 ms). Chunk-gap SLOs have no single per-request number and are left out. */
export function perRequestThresholds(slos: readonly Slo[]): Threshold[] {
  const fields: Partial<Record<Slo['metric'], Threshold['field']>> = {
    ttfb: 'ttfb_ms',
    ttft: 'ttft_ms',
    tbt: 'tbt_ms',
    e2e: 'e2e_ms',
    ttfr: 'ttfr_ms',
    tbt_all: 'tbt_all_ms',
  };
  return slos.flatMap((s) => {
    const field = fields[s.metric];
    return field && (s.op === '<' || s.op === '<=') ? [{ field, op: s.op, value: s.value }] : [];
  });
}

function meetsThresholds(thresholds: Threshold[]): (r: RequestRecord) => boolean {
  return (r) =>
    r.error === null &&
    thresholds.every((th) => {
      const v = r[th.field];
      if (v === null || v === undefined) return th.field === 'ttfr_ms' || th.field === 'tbt_all_ms' || th.field === 'tbt_ms'; // not applicable to this request
      return th.op === '<' ? v < th.value : v <= th.value;
    });
}

/** TTFT medians of the first and last third of the measured requests (by send time), when the last
 *  is clearly higher: a queue building up in front of the deployment. */
function latencyGrowth(measured: readonly RequestRecord[]): { first: number; last: number } | null {
  const timed = measured.filter((r) => r.ttft_ms !== null).sort((a, b) => a.start_ms - b.start_ms);
  if (timed.length < 9) return null;
  const third = Math.floor(timed.length / 3);
  const first = median(timed.slice(0, third).map((r) => r.ttft_ms!));
  const last = median(timed.slice(-third).map((r) => r.ttft_ms!));
  return last > first * GROWTH_FACTOR && last - first > GROWTH_MIN_MS ? { first, last } : null;
}

/** Mean requests in flight in the first and last third of the step's schedule (after warm-up), when
 *  the last is clearly higher. */
function inFlightGrowth(windows: readonly WindowSnapshot[], settings: CapacitySettings): { first: number; last: number } | null {
  const during = windows.filter((w) => w.t > settings.warm_up_s && w.t <= settings.step_duration_s);
  if (during.length < 6) return null;
  const third = Math.floor(during.length / 3);
  const mean = (ws: readonly WindowSnapshot[]) => ws.reduce((a, w) => a + w.in_flight, 0) / ws.length;
  const first = mean(during.slice(0, third));
  const last = mean(during.slice(-third));
  return last > first * GROWTH_FACTOR && last - first >= 2 ? { first, last } : null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
