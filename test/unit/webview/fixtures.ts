// Hand-made WindowSnapshots and scenarios for the webview view-model tests.
import type { LatencyStats, WindowSnapshot } from '../../../src/engine/records';
import type { Scenario } from '../../../src/engine/scenario/types';

/** Stats with the given percentiles (count 0 and all null when p50 is null). */
export function lat(p50: number | null, p95: number | null = p50, p99: number | null = p95): LatencyStats {
  if (p50 === null) return { count: 0, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
  return { count: 10, avg: p50, p50, p90: p95, p95, p99, max: p99 };
}

const EPOCH = Date.parse('2026-01-01T10:00:00.000Z');

/** One window of `target` at `t` seconds; `startedAtS` places that target's start on the wall clock. */
export function win(t: number, overrides: Partial<WindowSnapshot> = {}, startedAtS = 0): WindowSnapshot {
  return {
    type: 'window',
    target: 'a',
    t,
    time: new Date(EPOCH + (startedAtS + t) * 1000).toISOString(),
    window_s: 10,
    target_rpm: null,
    rpm: 60,
    requests: t,
    completed: t,
    in_flight: 2,
    queued: 0,
    failures: 0,
    throttled: 0,
    ctx_tpm: 6000,
    gen_tpm: 600,
    ttft: lat(100, 150, 200),
    tbt: lat(10, 15, 20),
    e2e: lat(1000, 1500, 2000),
    chunk_gap: lat(30, 45, 60),
    lag: lat(null),
    util: lat(null),
    behind: false,
    ...overrides,
  };
}

export function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: 'panel',
    targets: [
      { name: 'a', provider: 'simulator', endpoint: 'simulator', model: 'gpt-4.1-nano', auth: { type: 'none' } },
      { name: 'b', provider: 'simulator', endpoint: 'simulator', model: 'gpt-4.1-nano', auth: { type: 'none' } },
    ],
    target_mode: 'parallel',
    workload: {
      mode: 'open',
      rate_rpm: 120,
      arrival: 'constant',
      clients: 8,
      duration_s: 60,
      ramp_up_s: 0,
      think_time_ms: 0,
      warm_up_requests: 0,
      on_end: 'drain',
      drain_timeout_s: 30,
    },
    prompts: { kind: 'shape', profile: 'balanced', context_tokens: 100, max_tokens: 10 },
    request: {},
    retry: { policy: 'exponential', max_retry_s: 60 },
    timeouts: { request_s: 60, idle_s: 30 },
    aggregation_window_s: 10,
    prevent_server_caching: true,
    record_chunks: false,
    slos: [
      { text: 'ttft.p95 < 800ms', metric: 'ttft', stat: 'p95', op: '<', value: 800, unit: 'ms' },
      { text: 'failures < 1%', metric: 'failures', stat: 'rate', op: '<', value: 0.01, unit: 'ratio' },
    ],
    ...overrides,
  };
}
