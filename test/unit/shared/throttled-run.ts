// A REAL run folder that was throttled and cut off, for the report tests: the engine run in-process on
// its built-in simulator (~4 s). `paygo` has a request quota far below the offered rate (HTTP 429s,
// retries, requests that end throttled); `ptu` answers slowly with few clients, so the run ends
// (on_end: abort) with requests cancelled in flight and others never sent; `steady` is healthy. Its SLO
// verdicts cover pass, fail, not judged (no reasoning: TTFR has no data) and incomplete.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../../src/engine/run';
import { loadScenarioFile } from '../../../src/engine/scenario/load';
import type { RunSummary } from '../../../src/engine/summary';
import { tempDir } from './real-run';

export const THROTTLED_YAML = `name: throttle-fixture
target_mode: parallel
targets:
  - name: paygo
    provider: simulator
    endpoint: simulator
    model: gpt-4o
    auth: { type: none }
    # 120 RPM over a 1 s window: 2 requests a second get through of the 10 offered.
    simulator: { ttft_ms: 20, tpot_ms: 2, jitter: 0.2, rpm_limit: 120, quota_window: 1s }
  - name: ptu
    provider: simulator
    endpoint: simulator
    model: gpt-4o
    auth: { type: none }
    # ≈ 1.2 s per answer: the 8 clients are busy, arrivals wait, and the end cuts the streams off.
    simulator: { ttft_ms: 40, tpot_ms: 40, jitter: 0.2 }
  - name: steady
    provider: simulator
    endpoint: simulator
    model: gpt-4o
    auth: { type: none }
    # Quick answers: at most one cut off at the end, so its holding SLOs pass.
    simulator: { ttft_ms: 10, tpot_ms: 1, jitter: 0.2 }
workload:
  rate: 600
  clients: 8
  duration: 4s
  on_end: abort
prompts: { shape: custom, context_tokens: 100, max_tokens: 30 }
retry: { policy: exponential, max_retry: 1.5s }
aggregation_window: 2s
slos:
  - ttft.p95 < 200ms
  - failures < 2%
  - ttfr.p95 < 1s
  - e2e.p95 < 30s
`;

let pending: Promise<{ dir: string; summary: RunSummary }> | null = null;

/** The shared throttled run (started on first call). */
export function throttledRun(): Promise<{ dir: string; summary: RunSummary }> {
  pending ??= (async () => {
    const root = tempDir('perflab-throttled-run-');
    const scenarioFile = path.join(root, 'throttle-fixture.perf.yaml');
    fs.writeFileSync(scenarioFile, THROTTLED_YAML);
    const dir = path.join(root, 'run');
    const summary = await startRun(loadScenarioFile(scenarioFile), { outDir: dir, resolveCredential: async () => null, seed: 5 }).done;
    return { dir, summary };
  })();
  return pending;
}
