// One REAL run folder for the shared-module and report tests: the engine run in-process on its built-in
// simulator (two targets in parallel, ~3 s, ~90 requests, chunks recorded). Made once per test process
// and shared by every file that asks for it, so the numbers the tests check come from a real run.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RequestRecord, WindowSnapshot } from '../../../src/engine/records';
import { startRun } from '../../../src/engine/run';
import { loadScenarioFile } from '../../../src/engine/scenario/load';
import type { Scenario } from '../../../src/engine/scenario/types';
import type { RunSummary } from '../../../src/engine/summary';

/** `fast` (gpt-5-mini: the catalog prices it) is ~10× quicker to first token than `slow` (my-llama:
 *  a model the catalog does not know, so no price), so the TTFT SLO passes on one and fails on the other.
 *  `fast` has its simulator's /metrics scraped (server-metrics.jsonl, the summary's `server` block);
 *  `slow` has none, so views show a Server section for one target only. */
export const FIXTURE_YAML = `name: report-fixture
target_mode: parallel
targets:
  - name: fast
    provider: simulator
    endpoint: simulator
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: 15, tpot_ms: 2, tokens_per_chunk: 2, jitter: 0.2 }
    server_metrics: { prometheus: true, interval: 500ms }
  - name: slow
    provider: simulator
    endpoint: simulator
    model: my-llama
    auth: { type: none }
    simulator: { ttft_ms: 150, tpot_ms: 4, jitter: 0.2 }
workload:
  rate: 900
  clients: 20
  duration: 3s
  warm_up: 2
prompts: { shape: custom, context_tokens: 120, max_tokens: 24 }
aggregation_window: 2s
record_chunks: true
slos:
  - ttft.p95 < 100ms
  - failures < 1%
`;

export interface RealRun {
  /** The run folder (run.json, requests.jsonl, windows.jsonl, server-metrics.jsonl, summary.json). */
  dir: string;
  /** The scenario file the run was started from. */
  scenarioFile: string;
  scenario: Scenario;
  summary: RunSummary;
  /** As read back from the folder's files. */
  records: RequestRecord[];
  windows: WindowSnapshot[];
}

let pending: Promise<RealRun> | null = null;

/** The shared real run (started on first call). */
export function realRun(): Promise<RealRun> {
  pending ??= makeRealRun();
  return pending;
}

async function makeRealRun(): Promise<RealRun> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-real-run-')));
  const scenarioFile = path.join(root, 'report-fixture.perf.yaml');
  fs.writeFileSync(scenarioFile, FIXTURE_YAML);
  const scenario = loadScenarioFile(scenarioFile);
  const dir = path.join(root, 'run');
  const summary = await startRun(scenario, { outDir: dir, resolveCredential: async () => null, seed: 11 }).done;
  const lines = (name: string) =>
    fs
      .readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  return { dir, scenarioFile, scenario, summary, records: lines('requests.jsonl'), windows: lines('windows.jsonl') };
}

/** A fresh temp directory. */
export function tempDir(prefix = 'perflab-shared-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A copy of a run folder (to damage or trim without touching the shared one). */
export function copyRun(dir: string): string {
  const copy = path.join(tempDir('perflab-run-copy-'), path.basename(dir));
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}
