// Test helpers: a scenario aimed at a running simulator, and a run that collects everything it emits.

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
