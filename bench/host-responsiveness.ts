// How responsive does the extension host stay during a run? The extension runs the engine in a
// worker_threads worker (src/extension/engine-worker.ts, bundled as dist/engine-worker.js) and only
// receives one snapshot per target and second. This measures the event-loop delay of the thread that
// plays the extension host, during a 500-in-flight run against the simulator (its own process), with
// the engine (a) in the worker, as the extension does, and (b) in the same thread, for comparison.
//   npm run build && npx tsx bench/host-responsiveness.ts [rpm=12000] [seconds=30]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startRun } from '../src/engine/run';
import type { WorkerStart, WorkerToHost } from '../src/protocol/worker';
import { benchScenario, startSimulatorProcess } from './lib/bench-setup';

const RPM = Number(process.argv[2] ?? 12000);
const SECONDS = Number(process.argv[3] ?? 30);
const ROOT = path.join(__dirname, '..');

async function measure(mode: 'worker' | 'same-thread', url: string) {
  const scenario = benchScenario(url, RPM, 500, { duration_s: SECONDS });
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-host-'));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let maxInFlight = 0;
  loop.enable();
  if (mode === 'worker') {
    const start: WorkerStart = { scenario, outDir, credentials: {} };
    const worker = new Worker(path.join(ROOT, 'dist', 'engine-worker.js'), { workerData: start });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToHost) => {
        if (m.type === 'window') maxInFlight = Math.max(maxInFlight, m.snapshot.in_flight);
        if (m.type === 'done') resolve();
        if (m.type === 'failed') reject(new Error(m.message));
      });
      worker.on('error', reject);
    });
    await worker.terminate();
  } else {
    const run = startRun(scenario, { outDir, resolveCredential: async () => null, onWindow: (w) => (maxInFlight = Math.max(maxInFlight, w.in_flight)) });
    await run.done;
  }
  loop.disable();
  fs.rmSync(outDir, { recursive: true, force: true });
  const ms = (ns: number) => Math.max(0, +(ns / 1e6 - 10).toFixed(2)); // minus the 10 ms sampling interval
  return {
    mode,
    rpm: RPM,
    max_in_flight: maxInFlight,
    host_event_loop_delay_ms: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
  };
}

async function main() {
  const sim = await startSimulatorProcess();
  try {
    for (const mode of ['worker', 'same-thread'] as const) process.stdout.write(`${JSON.stringify(await measure(mode, sim.url))}\n`);
  } finally {
    await sim.stop();
  }
}

void main();
