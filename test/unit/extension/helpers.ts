// Builders for RunSummary values and run folders used by the extension's unit tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LatencyStats } from '../../../src/engine/records';
import type { RunSummary, SloVerdict, TargetSummary } from '../../../src/engine/summary';

export function stats(p50: number | null, p95: number | null, p99: number | null): LatencyStats {
  return { count: p50 === null ? 0 : 100, avg: p50, p50, p90: p95, p95, p99, max: p99 };
}

export interface TargetNumbers {
  target: string;
  ttft?: [number | null, number | null, number | null];
  tbt?: [number | null, number | null, number | null];
  e2e?: [number | null, number | null, number | null];
  rpm?: number;
  completed?: number;
  failed?: number;
  warmup?: number;
}

export function targetSummary(n: TargetNumbers): TargetSummary {
  const [t50, t95, t99] = n.ttft ?? [100, 175, 200];
  const [b50, b95, b99] = n.tbt ?? [10, 15, 20];
  const [e50, e95, e99] = n.e2e ?? [1000, 1500, 2000];
  const completed = n.completed ?? 100;
  const failed = n.failed ?? 0;
  return {
    target: n.target,
    provider: 'simulator',
    model: 'gpt-4o-mini',
    duration_s: 30,
    requests: {
      sent: completed,
      completed,
      succeeded: completed - failed,
      failed,
      cancelled: 0,
      warmup_excluded: n.warmup ?? 0,
      throttled_responses: 0,
      retried: 0,
      attempts: completed,
      backoff_ms: 0,
      errors: {},
    },
    schedule: {
      mode: 'open',
      target_rpm: n.rpm ?? 240,
      expected: null,
      scheduled: null,
      sent: completed,
      unsent: 0,
      late: 0,
      achieved_rpm: n.rpm ?? 240,
      achieved_ratio: 1,
      lag_ms: stats(null, null, null),
    },
    throughput_rpm: n.rpm ?? 240,
    latency_ms: { ttfb: stats(50, 80, 90), ttft: stats(t50, t95, t99), tbt: stats(b50, b95, b99), e2e: stats(e50, e95, e99), chunk_gap: stats(10, 15, 20) },
    tokens: { prompt: 0, completion: 0, cached: 0, estimated_records: 0, tokens_per_chunk: 1, prompt_tpm: 0, completion_tpm: 0 },
    utilization_pct: stats(null, null, null),
    cost_usd: { total: null, per_request: null, per_1k_requests: null, per_hour_at_target_rate: null, model: null },
    warnings: [],
  };
}

export function runSummary(opts: {
  name: string;
  file: string;
  startedAt: string;
  targets: TargetNumbers[];
  stoppedBy?: RunSummary['stopped_by'];
  slos?: SloVerdict[];
}): RunSummary {
  const slos = opts.slos ?? [];
  return {
    type: 'summary',
    scenario: { name: opts.name, file: opts.file } as RunSummary['scenario'],
    started_at: opts.startedAt,
    ended_at: opts.startedAt,
    stopped_by: opts.stoppedBy ?? 'completed',
    on_end: 'drain',
    environment: { perflab_version: '0.1.0', node: 'v24', platform: 'linux', cpus: 4 },
    client: {} as RunSummary['client'],
    targets: opts.targets.map(targetSummary),
    slos,
    passed: slos.every((s) => s.pass),
  };
}

export function verdict(target: string, slo: string, pass: boolean): SloVerdict {
  return { slo, target, actual: 1, threshold: 1, unit: 'ms', pass };
}

export function tempDir(prefix = 'perflab-ext-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function writeFile(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
