// Entry point of the capacity worker (bundled as dist/capacity-worker.js): a capacity search
// (src/engine/capacity/) in a worker thread of the extension host, exactly the search `perflab
// capacity` runs. No `vscode` import.

import { parentPort, workerData } from 'node:worker_threads';
import { startCapacitySearch } from '../engine/capacity/capacity-search';
import type { CapacityWorkerStart, CapacityWorkerToHost, HostToCapacityWorker } from '../protocol/worker';

const start = workerData as CapacityWorkerStart;
const post = (message: CapacityWorkerToHost) => parentPort!.postMessage(message);

try {
  const search = startCapacitySearch(start.scenario, {
    outDir: start.outDir,
    settings: start.settings,
    targets: start.targets,
    seed: start.seed,
    modelOverrides: start.modelOverrides,
    proxy: start.proxy,
    resolveCredential: async (target) => start.credentials[target.name] ?? null,
    onStepStart: (target, index, offered_rpm, bracket) => post({ type: 'stepStart', target, index, offered_rpm, bracket }),
    onStep: (target, step, report) => post({ type: 'step', target, step, report }),
    onWindow: (snapshot) => post({ type: 'window', snapshot }),
    onMessage: (text) => post({ type: 'message', text }),
  });
  parentPort!.on('message', (message: HostToCapacityWorker) => {
    if (message.type === 'stop') search.stop();
  });
  search.done.then(
    (report) => post({ type: 'done', report }),
    (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
