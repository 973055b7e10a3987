// Test helpers: a scenario aimed at a running simulator, and a run that collects everything it emits.

import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerStart, WorkerToHost } from '../../../src/protocol/worker';
import { startRun } from '../../../src/engine/run';
import type { RequestRecord, WindowSnapshot } from '../../../src/engine/records';
import type { Scenario, Target } from '../../../src/engine/scenario/types';
import type { RunSummary } from '../../../src/engine/summary';
import type { SimulatorLogEntry } from '../../../src/simulator/types';

export function target(url: string, overrides: Partial<Target> = {}): Target {
  return { name: 'sim', provider: 'openai-compatible', endpoint: `${url}/v1`, model: 'gpt-4o-mini', auth: { type: 'none' }, ...overrides };
}

export function scenario(targets: Target[], overrides: Partial<Omit<Scenario, 'workload'>> & { workload?: Partial<Scenario['workload']> } = {}): Scenario {
  const { workload, ...rest } = overrides;
  return {
    name: 'test',
    targets,
    target_mode: 'parallel',
    workload: {
      mode: 'closed',
      arrival: 'constant',
      clients: 4,
      requests: 12,
      ramp_up_s: 0,
      think_time_ms: 0,
      warm_up_requests: 0,
      on_end: 'drain',
      drain_timeout_s: 30,
      ...workload,
    },
    prompts: { kind: 'shape', profile: 'custom', context_tokens: 60, max_tokens: 12 },
    request: {},
    retry: { policy: 'exponential', max_retry_s: 60 },
    timeouts: { request_s: 60, idle_s: 30 },
    aggregation_window_s: 60,
    prevent_server_caching: true,
    record_chunks: true,
    slos: [],
    ...rest,
  };
}

export interface Collected {
  summary: RunSummary;
  records: RequestRecord[];
  windows: WindowSnapshot[];
}

export async function runCollect(s: Scenario, outDir: string | null = null, seed = 7): Promise<Collected> {
  const records: RequestRecord[] = [];
  const windows: WindowSnapshot[] = [];
  const run = startRun(s, {
    outDir,
    seed,
    resolveCredential: async () => null,
    onRecord: (r) => records.push(r),
    onWindow: (w) => windows.push(w),
  });
  const summary = await run.done;
  return { summary, records, windows };
}

/** The simulator's log entry for an engine record (by response id, else by position). */
export function logFor(log: SimulatorLogEntry[], record: RequestRecord): SimulatorLogEntry {
  const entry = log.find((e) => e.response_id !== undefined && e.response_id === record.response_id);
  if (!entry) throw new Error(`no simulator log entry for response ${record.response_id}`);
  return entry;
}

/** Engine − simulator timing: one process and clock, so the difference is the loopback + parse delay.
 *  Never negative (a stamp before the write means the wrong event was taken, e.g. a role chunk or
 *  reasoning for the first visible token) and small — but on a loaded 2-core machine the event loop
 *  sometimes stalls between a write and its parse, so the bound holds for 90% of a run's comparisons,
 *  and their median stays tiny. */
export const TOLERANCE_MS = 25;

/** Engine − simulator timing errors of one run, checked together at the end. */
export class TimingErrors {
  private readonly errors: { what: string; ms: number }[] = [];
  near(engineAt: number, simAt: number, what: string): void {
    const ms = engineAt - simAt;
    assert.ok(ms > -1, `${what}: the engine's stamp is ${(-ms).toFixed(3)} ms before the simulator wrote it`);
    this.errors.push({ what, ms });
  }
  /** A duration between two stamps: both ends carry delay, so only its size counts. */
  span(engineMs: number, simMs: number, what: string): void {
    this.errors.push({ what, ms: Math.abs(engineMs - simMs) });
  }
  check(): void {
    const sorted = this.errors.map((e) => e.ms).sort((a, b) => a - b);
    const late = this.errors.filter((e) => e.ms >= TOLERANCE_MS);
    assert.ok(
      late.length <= 0.1 * this.errors.length,
      `${late.length} of ${this.errors.length} late: ${late.map((e) => `${e.what} ${e.ms.toFixed(1)} ms`).join(', ')}`,
    );
    assert.ok(sorted[sorted.length >> 1] < 5, `median timing error ${sorted[sorted.length >> 1]} ms`);
  }
}

/** A port on 127.0.0.1 that nothing listens on (for refused connections). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Runs the extension's bundled engine worker (dist/engine-worker.js, built by esbuild.mjs) as the
 *  extension does, and returns every message it sent until it was done or failed. */
export async function runEngineWorker(start: WorkerStart, env?: NodeJS.ProcessEnv): Promise<WorkerToHost[]> {
  const worker = new Worker(path.join(__dirname, '..', '..', '..', 'dist', 'engine-worker.js'), { workerData: start, ...(env && { env }) });
  const received: WorkerToHost[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToHost) => {
        received.push(m);
        if (m.type === 'done' || m.type === 'failed') resolve();
      });
      worker.on('error', reject);
    });
  } finally {
    await worker.terminate();
  }
  return received;
}
