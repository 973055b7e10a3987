// Engine throughput and accuracy, engine and simulator side by side on this machine:
// the simulator runs in its own process (the built `perflab simulate`, one core), the engine in this one.
//
//   npx tsx bench/engine-throughput.ts hold  [rpm=12000] [seconds=60] [clients=500]
//       hold a rate of 100-token streams; report achieved vs target, CPU per 1,000 requests, and the
//       TTFT / E2E measurement error (engine timestamps vs the simulator's log of its own writes)
//   npx tsx bench/engine-throughput.ts soak  [requests=100000] [rpm=12000] [clients=500]
//       memory (RSS, heap) sampled every 5 s over a long run: it must stay flat
//   npx tsx bench/engine-throughput.ts sweep [rpm list, e.g. 6000,12000,18000,24000] [seconds=20]
//       the highest rate the engine holds before it reports itself as the bottleneck
//
// Prints JSON lines; docs/performance.md records a run.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LatencyHistogram } from '../src/engine/histogram';
import type { RequestRecord } from '../src/engine/records';
import { startRun } from '../src/engine/run';
import type { SimulatorLogEntry } from '../src/simulator/types';
import { benchScenario, processCpuS, startSimulatorProcess } from './lib/bench-setup';

interface Measured {
  rpm: number;
  clients: number;
  sent: number;
  expected: number | null;
  achieved_ratio: number | null;
  unsent: number;
  late: number;
  failures: number;
  /** Engine process CPU per 1,000 requests completed in the steady state (after a 5 s warm-up). */
  cpu_ms_per_1k_requests: number;
  engine_cpu_cores: number;
  simulator_cpu_cores: number;
  client_cpu_max: number;
  event_loop_p99_ms: number;
  lag_ms: unknown;
  engine_says_behind: boolean;
  ttft_error_ms?: unknown;
  e2e_error_ms?: unknown;
  memory_mb?: { t_s: number; rss: number; heap: number }[];
}

async function runOnce(
  rpm: number,
  clients: number,
  limits: { duration_s?: number; requests?: number },
  withErrors: boolean,
  sampleMemory: boolean,
): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-bench-'));
  const logFile = path.join(dir, 'simulator.jsonl');
  const sim = await startSimulatorProcess(['--log', logFile]);
  const records = new Map<string, RequestRecord>();
  const memory: { t_s: number; rss: number; heap: number }[] = [];
  const t0 = performance.now();
  const memTimer = sampleMemory
    ? setInterval(() => {
        const m = process.memoryUsage();
        memory.push({ t_s: Math.round((performance.now() - t0) / 1000), rss: Math.round(m.rss / 2 ** 20), heap: Math.round(m.heapUsed / 2 ** 20) });
      }, 5000)
    : null;
  // Steady-state CPU: from the 5 s snapshot to the end, for the engine (this process) and the simulator.
  let steady: { at: number; cpu: NodeJS.CpuUsage; sim: number; completed: number } | null = null;
  let windowsBehind = 0;
  const run = startRun(benchScenario(sim.url, rpm, clients, limits), {
    outDir: path.join(dir, 'run'),
    seed: 1,
    resolveCredential: async () => null,
    onRecord: (r) => {
      if (withErrors && r.response_id) records.set(r.response_id, r);
    },
    onWindow: (w) => {
      if (w.behind) windowsBehind++;
      if (!steady && w.t >= 5) steady = { at: performance.now(), cpu: process.cpuUsage(), sim: processCpuS(sim.pid), completed: w.completed };
    },
  });
  const summary = await run.done;
  const s0 = steady as { at: number; cpu: NodeJS.CpuUsage; sim: number; completed: number } | null;
  if (!s0) throw new Error('run shorter than the 5 s warm-up');
  const cpu = process.cpuUsage(s0.cpu);
  const wallS = (performance.now() - s0.at) / 1000;
  const simCpuS = processCpuS(sim.pid) - s0.sim;
  if (memTimer) clearInterval(memTimer);
  await sim.stop();
  const t = summary.targets[0];
  const result: Measured = {
    rpm,
    clients,
    sent: t.schedule.sent,
    expected: t.schedule.expected,
    achieved_ratio: t.schedule.achieved_ratio,
    unsent: t.schedule.unsent,
    late: t.schedule.late,
    failures: t.requests.failed,
    cpu_ms_per_1k_requests: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, t.requests.completed - s0.completed)) * 1000),
    engine_cpu_cores: +((cpu.user + cpu.system) / 1e6 / wallS).toFixed(2),
    simulator_cpu_cores: +(simCpuS / wallS).toFixed(2),
    client_cpu_max: summary.client.cpu_max,
    event_loop_p99_ms: summary.client.event_loop_delay_ms.p99,
    lag_ms: t.schedule.lag_ms,
    engine_says_behind: windowsBehind > 0 || summary.client.bottleneck || t.warnings.some((w) => w.includes('could not keep')),
  };
  if (withErrors) {
    const ttftError = new LatencyHistogram();
    const e2eError = new LatencyHistogram();
    let negative = 0;
    for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as SimulatorLogEntry;
      const r = e.response_id ? records.get(e.response_id) : undefined;
      if (!r || r.ttft_ms === null || e.first_content_ms === undefined) continue;
      const d1 = r.start_ms + r.ttft_ms - e.first_content_ms;
      const d2 = r.start_ms + r.e2e_ms! - e.end_ms;
      if (d1 < 0) negative++;
      ttftError.record(Math.abs(d1));
      e2eError.record(Math.abs(d2));
    }
    result.ttft_error_ms = { ...ttftError.stats(), negative };
    result.e2e_error_ms = e2eError.stats();
  }
  if (sampleMemory) result.memory_mb = memory;
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

async function main() {
  const [mode = 'hold', a, b, c] = process.argv.slice(2);
  if (mode === 'hold') {
    const r = await runOnce(Number(a ?? 12000), Number(c ?? 500), { duration_s: Number(b ?? 60) }, true, false);
    process.stdout.write(`${JSON.stringify({ mode, ...r })}\n`);
  } else if (mode === 'soak') {
    const r = await runOnce(Number(b ?? 12000), Number(c ?? 500), { requests: Number(a ?? 100000) }, false, true);
    process.stdout.write(`${JSON.stringify({ mode, ...r })}\n`);
  } else if (mode === 'sweep') {
    const rates = (a ?? '6000,12000,18000,24000,30000').split(',').map(Number);
    for (const rpm of rates) {
      const r = await runOnce(rpm, 2000, { duration_s: Number(b ?? 20) }, true, false);
      process.stdout.write(`${JSON.stringify({ mode, ...r })}\n`);
    }
  } else {
    throw new Error(`unknown mode ${mode}: hold | soak | sweep`);
  }
}

void main();
