// summary.json: per-target aggregates, SLO verdicts, the client's own health and honest warnings.

import type { TargetDistributions } from './distribution';
import type { ClientHealth } from './self-check';
import type { LatencyStats } from './records';
import type { Api, HttpStreamKind, Scenario, Slo } from './scenario/types';
import type { SessionSummary } from './session-tally';
import type { Price } from '../tokens/pricing';
import type { RunTotals, TargetMetrics } from './metrics';
import type { ServerSummary } from './server-metrics/types';

export interface TargetSummary {
  target: string;
  provider: string;
  /** chat or responses, or http for an HTTP target (absent in summaries written before the Responses
   *  API was supported: chat). */
  api?: Api | 'http';
  /** HTTP targets: how the answer arrived (`response.stream`); `json` has no TTFT, TBT or chunk gaps. */
  response_stream?: HttpStreamKind;
  /** `workload.sessions`: what the sessions did (absent without sessions). */
  sessions?: SessionSummary;
  model: string | null;
  duration_s: number;
  requests: {
    sent: number;
    completed: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    warmup_excluded: number;
    throttled_responses: number;
    retried: number;
    attempts: number;
    backoff_ms: number;
    errors: Record<string, number>;
  };
  /** The most frequent failure messages per error class (absent in summaries written before it). */
  error_messages?: { error: string; message: string; count: number }[];
  schedule: {
    mode: 'open' | 'closed';
    target_rpm: number | null;
    /** Mean number of arrivals at the target rate in the same time (open loop). */
    expected: number | null;
    /** Arrivals the schedule actually produced (Poisson arrivals vary around `expected`). */
    scheduled: number | null;
    sent: number;
    /** Scheduled but never sent because all clients were busy until the end. */
    unsent: number;
    /** Sent more than 50 ms late. */
    late: number;
    achieved_rpm: number;
    /** sent / scheduled (open loop): below 1 when the engine could not keep its schedule. */
    achieved_ratio: number | null;
    lag_ms: LatencyStats;
  };
  /** Completed requests per minute over the run. */
  throughput_rpm: number;
  /** ttft: first visible token; tbt: per visible token; chunk_gap: gaps between output chunks. */
  latency_ms: { ttfb: LatencyStats; ttft: LatencyStats; tbt: LatencyStats; e2e: LatencyStats; chunk_gap: LatencyStats };
  /** Reasoning models: ttfr (first reasoning token) and tbt_all (per output token, reasoning included).
   *  Absent in summaries written before they existed. */
  reasoning_latency_ms?: { ttfr: LatencyStats; tbt_all: LatencyStats };
  tokens: {
    prompt: number;
    completion: number;
    cached: number;
    /** Reasoning tokens (part of `completion`) and how many requests had any. */
    reasoning?: number;
    reasoning_records?: number;
    estimated_records: number;
    tokens_per_chunk: number | null;
    prompt_tpm: number;
    completion_tpm: number;
  };
  utilization_pct: LatencyStats;
  /** The engine's estimate of the delay its own event loop added to first tokens (client_delay_ms of
   *  the records). Absent in summaries written before it. */
  client_delay_ms?: LatencyStats;
  /** True when this machine's own delays could have inflated the target's latencies beyond the
   *  measurement's resolution (src/engine/client-limit.ts); the reasons say which check tripped. */
  client_limited?: boolean;
  client_limited_reasons?: string[];
  cost_usd: {
    total: number | null;
    per_request: number | null;
    per_1k_requests: number | null;
    per_hour_at_target_rate: number | null;
    model: string | null;
    /** The price the cost was computed with (list price or the user's own, src/tokens/pricing.ts); null
     *  without one. Absent in summaries written before it. */
    price?: Price | null;
  };
  warnings: string[];
  /** The server's own metrics beside the client's (`server_metrics:`; src/engine/server-metrics/).
   *  Absent without `server_metrics:` and in summaries written before it. */
  server?: ServerSummary;
}

/** pass / fail: judged on the measured requests. not_judged: nothing to judge (no request completed,
 *  or none had the metric). incomplete: it held on what was measured, but too much of the run was not
 *  measured (cancelled or never sent) to call it a pass — the requests cut off are the slow ones. */
export type VerdictStatus = 'pass' | 'fail' | 'not_judged' | 'incomplete';

/** More than this share of a run's requests unmeasured (cancelled + never sent) makes a holding SLO
 *  `incomplete`: the percentiles over the rest are biased low. */
export const INCOMPLETE_SHARE = 0.05;

export interface SloVerdict {
  slo: string;
  target: string;
  actual: number | null;
  threshold: number;
  unit: Slo['unit'];
  /** True only for status `pass`: a gate never opens on nothing or on half a run. */
  pass: boolean;
  /** Absent in summaries written before it: then pass → 'pass', else 'fail' (verdictStatus()). */
  status?: VerdictStatus;
  /** What the number counts or why it was not judged, in words. */
  note?: string;
}

/** How each status is printed (CLI, markdown, JUnit). */
export const VERDICT_LABEL: Record<VerdictStatus, string> = { pass: 'PASS', fail: 'FAIL', not_judged: 'NOT JUDGED', incomplete: 'INCOMPLETE' };

/** A verdict's status, also for summaries written before `status` existed. */
export function verdictStatus(v: SloVerdict): VerdictStatus {
  return v.status ?? (v.pass ? 'pass' : 'fail');
}

export interface RunSummary {
  type: 'summary';
  scenario: Scenario;
  started_at: string;
  ended_at: string;
  stopped_by: 'completed' | 'stop' | 'error';
  /** Why the run as a whole failed (results could not be written, or a target got no successful
   *  response at all): the CLI exits 3. Absent for a run whose numbers can be read. */
  error?: string;
  on_end: 'drain' | 'abort';
  environment: { perflab_version: string; node: string; platform: string; cpus: number; hostname_hash?: string };
  client: ClientHealth & { bottleneck: boolean; reasons: string[] };
  targets: TargetSummary[];
  slos: SloVerdict[];
  passed: boolean;
  /** Whole-run histograms per target (fixed log bins) for the panel and the report. Runs recorded
   *  before this field existed have none; readers rebuild them from requests.jsonl. */
  distributions?: Record<string, TargetDistributions>;
  /** Set when another load engine sent the requests and `perflab import` built this run from its
   *  records (src/import/); absent for perflab's own runs. */
  imported?: ImportedRun;
}

/** Where an imported run's requests came from, and how many of them came back. */
export interface ImportedRun {
  engine: 'locust' | 'jmeter';
  /** Processes that sent load and left records: Locust workers, or JMeter result files (one per engine). */
  workers: number;
  /** The files read, as given to the import. */
  sources: string[];
  imported_at: string;
  coverage: ImportCoverage;
  /** What the numbers mean where they differ from perflab's own, e.g. JMeter's latency is TTFB, not TTFT. */
  notes: string[];
}

export interface ImportCoverage {
  /** Requests the load engine itself counted (Locust's reported requests, warm-up excluded); null when it keeps no count. */
  counted: number | null;
  /** Records found for the same requests (warm-up and cancelled excluded). */
  found: number;
  /** found / counted, at most 1; null when nothing was counted. */
  ratio: number | null;
  /** Every counted request has a record, no line was unreadable and no worker is missing. */
  complete: boolean;
  /** Lines that could not be read (a file cut mid-line); the lines around them are kept. */
  unreadable_lines: number;
  workers: WorkerCoverage[];
  /** Workers the Locust master heard from that left no records file. */
  missing_workers: string[];
}

export interface WorkerCoverage {
  worker: string;
  /** Its records file; null for a missing worker. */
  file: string | null;
  /** Request records read, warm-up and cancelled included. */
  records: number;
  /** Records of requests the engine counts (warm-up and cancelled excluded). */
  measured: number;
  /** The engine's own count for this worker; null when none survived. */
  counted: number | null;
  /** Who counted: the worker's last line, or the Locust master's stats reports (which can lag the last few). */
  counted_by: 'worker' | 'master' | null;
  unreadable_lines: number;
  status: 'complete' | 'incomplete' | 'missing' | 'unknown';
}

export function slosFor(totals: RunTotals): (slo: Slo, summary: TargetSummary) => number | null {
  return (slo, summary) => {
    switch (slo.metric) {
      case 'failures': {
        const done = totals.completed - totals.warmup;
        return done > 0 ? totals.failed / done : null;
      }
      case 'throttled':
        return totals.attempts > 0 ? totals.throttledResponses / totals.attempts : null;
      case 'rpm':
        return summary.schedule.mode === 'open' ? summary.schedule.achieved_rpm : summary.throughput_rpm;
      default: {
        const stats = slo.metric === 'ttfr' || slo.metric === 'tbt_all' ? summary.reasoning_latency_ms?.[slo.metric] : summary.latency_ms[slo.metric];
        const stat = slo.stat === 'rate' ? 'avg' : slo.stat;
        return stats?.[stat] ?? null;
      }
    }
  };
}

export function evaluateSlos(slos: Slo[], metrics: TargetMetrics, summary: TargetSummary): SloVerdict[] {
  const actualOf = slosFor(metrics.totals);
  const r = summary.requests;
  const unsent = summary.schedule.unsent;
  const unmeasured = r.cancelled + unsent;
  const all = r.sent + unsent;
  const incomplete = all > 0 && unmeasured / all > INCOMPLETE_SHARE;
  const notCounted = unmeasured > 0 ? `; ${r.cancelled} cancelled and ${unsent} never sent are not counted` : '';
  return slos.map((slo) => {
    const actual = actualOf(slo, summary);
    const holds = actual !== null && compare(actual, slo.op, slo.value);
    let status: VerdictStatus = actual === null ? 'not_judged' : holds ? 'pass' : 'fail';
    let note: string | undefined;
    if (slo.metric === 'failures') note = `${r.failed} of ${r.completed - r.warmup_excluded} completed requests failed${notCounted}`;
    else if (slo.metric === 'throttled') note = `${r.throttled_responses} of ${r.attempts} attempts answered 429`;
    if (status === 'not_judged') note = r.completed - r.warmup_excluded > 0 ? `no measured request had this metric` : 'no request completed: nothing to judge';
    else if (status === 'pass' && incomplete) {
      status = 'incomplete';
      note = `${unmeasured} of ${all} requests were not measured (${r.cancelled} cancelled, ${unsent} never sent): the ones cut off are the slow ones, so this is not a pass`;
    }
    return {
      slo: slo.text,
      target: summary.target,
      actual: actual === null ? null : Math.round(actual * 10000) / 10000,
      threshold: slo.value,
      unit: slo.unit,
      pass: status === 'pass',
      status,
      ...(note !== undefined && { note }),
    };
  });
}

function compare(a: number, op: Slo['op'], b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}
