// capacity.json: what `perflab capacity` found, written to the capacity folder after every step (so a
// stopped search keeps its steps) and printed as the last stdout line with --json. Each step is a
// whole run folder of its own (requests.jsonl, windows.jsonl, summary.json) inside the capacity folder.

import type { CapacitySettings } from '../scenario/types';

/** What limits a target's capacity (or why one step failed):
 *  `slo:<expression>` the server answered, too slowly (or with too many errors) for that SLO;
 *  `quota` HTTP 429s or an exhausted rate-limit / provisioned-utilization header;
 *  `saturation` the deployment fell behind: in-flight requests and latency kept growing, or every
 *    client was busy while latency rose;
 *  `client` this machine (CPU, event loop, or a too-small `workload.clients`) could not offer the rate:
 *    the capacity is a lower bound;
 *  `max` every rate up to `capacity.max` held;
 *  `error` the step measured nothing (no request succeeded for another reason than throttling). */
export type LimitedBy = `slo:${string}` | 'quota' | 'saturation' | 'client' | 'max' | 'error';

export interface CapacityStep {
  /** The open-loop rate this step offered (requests per minute). */
  offered_rpm: number;
  /** Requests actually sent per minute (below offered when the schedule was not kept). */
  achieved_rpm: number;
  /** Successful responses per minute over the measured part of the step (after warm-up). */
  throughput_rpm: number;
  passed: boolean;
  /** Why the step failed; null when it passed. */
  limited_by: LimitedBy | null;
  /** Every check that failed, in words. */
  reasons: string[];
  failed_slos: string[];
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
  /** Failed / measured requests (the `failures` SLO's number). */
  error_rate: number | null;
  /** 429 responses / attempts. */
  throttled_rate: number | null;
  /** Requests per minute, and output tokens per second, of requests that met every per-request SLO
   *  threshold (e.g. ttft < 800 ms for `ttft.p95 < 800ms`) and succeeded. */
  goodput_rpm: number;
  goodput_tokens_per_s: number;
  /** Most requests in flight at once during the step. */
  in_flight_max: number;
  /** p95 of `azure-openai-deployment-utilization` (provisioned deployments), percent. */
  utilization_p95: number | null;
  client_limited: boolean;
  started_at: string;
  /** Wall time of the step, drain included (seconds). */
  duration_s: number;
  /** The step's run folder, relative to the capacity folder. */
  run_dir: string;
}

export interface CapacityTarget {
  target: string;
  /** The highest offered rate at which the step passed; null when even `min` failed. */
  capacity_rpm: number | null;
  /** What stopped the load from going higher (the reason of the lowest failing step), `max` when
   *  nothing failed; null while the search runs. */
  limited_by: LimitedBy | null;
  /** One sentence a person reads: the answer and how sure it is. */
  detail: string;
  /** True when the answer is only a lower bound (this machine limited the search, or it ended early). */
  lower_bound: boolean;
  /** Goodput at the answer (requests per minute, output tokens per second). */
  goodput_rpm: number | null;
  goodput_tokens_per_s: number | null;
  /** complete: the bracket is within precision (or max held / min failed); budget / stopped: the
   *  search ended early; running: still searching. */
  search: 'running' | 'complete' | 'budget' | 'stopped' | 'error';
  /** Highest passing and lowest failing offered rate so far. */
  bracket: { passed: number | null; failed: number | null };
  /** The scenario's own rate (e.g. from Estimate Load) and capacity ÷ that rate. */
  expected_rpm: number | null;
  headroom: number | null;
  /** Provisioned deployments (`capacity.ptus`): capacity per PTU, and the PTUs that carry the
   *  expected rate with 10% headroom. */
  per_ptu_rpm: number | null;
  ptus_needed: number | null;
  steps: CapacityStep[];
}

export interface CapacityReport {
  type: 'capacity';
  scenario: { name: string; file?: string };
  started_at: string;
  ended_at: string | null;
  status: 'running' | 'completed' | 'stopped' | 'error';
  /** Why the search failed as a whole (status error). */
  error?: string;
  settings: CapacitySettings;
  /** The SLOs every step must hold (the scenario's, plus `failures < 1%` when it has no failures SLO). */
  slos: string[];
  targets: CapacityTarget[];
}
