// How many steps, how long, and how accurate is a capacity search for a ~2,000 RPM knee?
//
//   npx node esbuild.mjs && npx tsx bench/capacity-search.ts [step seconds=10,30] [precision=0.05]
//
// The deployment: the built `perflab simulate` in its own process with 40 serving slots
// (--max-concurrency 40), TTFT 150 ms, 10 ms per token, 100 tokens per answer, 5% jitter, and its log of
// every request. Its true knee is where arrivals outrun the slots: 40 × 60,000 / (mean time a request
// holds a slot) RPM, the hold time read from the log (end − received − queued). The search runs in this
// process (startCapacitySearch, as `perflab capacity` does) with the SLOs ttft.p95 < 800ms and
// e2e.p95 < 3s from min 250 to max 8000 RPM. Prints one JSON line per step duration and a markdown row;
// docs/performance.md (section 10) records the results.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCapacitySearch } from '../src/engine/capacity/capacity-search';
import { parseScenario } from '../src/engine/scenario/load';
import { capacitySettingsOf } from '../src/engine/scenario/normalize';
import type { SimulatorLogEntry } from '../src/simulator/types';
import { startSimulatorProcess } from './lib/bench-setup';

const SLOTS = 40;

async function searchOnce(stepS: number, precision: number): Promise<Record<string, unknown>> {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-capacity-bench-')), 'simulator.jsonl');
  const sim = await startSimulatorProcess([
    '--max-concurrency',
    String(SLOTS),
    '--ttft-ms',
    '150',
    '--ttft-per-1k-prompt-ms',
    '20',
    '--tpot-ms',
    '10',
    '--jitter',
    '0.05',
    '--log',
    log,
  ]);
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= sim.stop()); // its log is complete once it has exited
  try {
    const scenario = parseScenario(
      `name: knee
targets:
  - { name: slots, provider: openai-compatible, endpoint: ${sim.url}/v1, model: gpt-5-mini, auth: { type: none } }
workload: { rate: 1500, duration: 30s, clients: 400 }
prompts: { shape: custom, context_tokens: 200, max_tokens: 100 }
retry: none
slos: [ "ttft.p95 < 800ms", "e2e.p95 < 3s" ]
capacity: { min: 250, max: 8000, precision: ${precision}, step_duration: ${stepS}s, budget: 30m }
`,
      path.join(os.tmpdir(), 'knee.perf.yaml'),
    );
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-capacity-out-'));
    const began = performance.now();
    const report = await startCapacitySearch(scenario, { outDir, settings: capacitySettingsOf(scenario), seed: 1, resolveCredential: async () => null }).done;
    const wallS = (performance.now() - began) / 1000;
    await stop();
    const entries = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SimulatorLogEntry);
    const served = entries.filter((e) => e.status === 200 && !e.interrupted);
    const holdMs = served.reduce((a, e) => a + (e.end_ms - e.received_ms - (e.queued_ms ?? 0)), 0) / served.length;
    const knee = (SLOTS * 60_000) / holdMs;
    const t = report.targets[0];
    return {
      step_s: stepS,
      precision,
      steps: t.steps.length,
      wall_s: Math.round(wallS),
      capacity_rpm: t.capacity_rpm,
      limited_by: t.limited_by,
      bracket: t.bracket,
      true_knee_rpm: Math.round(knee),
      error_pct: t.capacity_rpm === null ? null : Math.round((t.capacity_rpm / knee - 1) * 1000) / 10,
      knee_in_bracket: t.bracket.passed !== null && t.bracket.failed !== null && t.bracket.passed <= knee && knee < t.bracket.failed,
      offered: t.steps.map((s) => `${s.offered_rpm}${s.passed ? '' : '✗'}`).join(' '),
      requests_sent: entries.length,
    };
  } finally {
    await stop();
  }
}

async function main(): Promise<void> {
  const steps = (process.argv[2] ?? '10,30').split(',').map(Number);
  const precision = Number(process.argv[3] ?? 0.05);
  const rows: Record<string, unknown>[] = [];
  for (const stepS of steps) {
    const row = await searchOnce(stepS, precision);
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  console.log('\n| step | steps | time | answer | limited by | true knee (log) | error | knee in bracket | rates offered (✗ failed) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const b = r.bracket as { passed: number; failed: number };
    console.log(
      `| ${r.step_s} s | ${r.steps} | ${r.wall_s} s | ${r.capacity_rpm} RPM | ${r.limited_by} | ${r.true_knee_rpm} RPM | ${r.error_pct}% | ${r.knee_in_bracket ? 'yes' : 'no'} [${b.passed}, ${b.failed}) | ${r.offered} |`,
    );
  }
}

void main();
