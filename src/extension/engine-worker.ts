// Entry point of the engine worker (bundled as dist/engine-worker.js). No `vscode` import: this runs
// in a worker_threads worker of the extension host, exactly the engine the CLI runs.

import { parentPort, workerData } from 'node:worker_threads';
import { startRun } from '../engine/run';
import type { HostToWorker, WorkerStart, WorkerToHost } from './worker-protocol';

const start = workerData as WorkerStart;
const post = (message: WorkerToHost) => parentPort!.postMessage(message);
// The Run panel's histograms change only when a request finishes.
let distributionsChanged = false;

const run = startRun(start.scenario, {
  outDir: start.outDir,
  seed: start.seed,
  modelOverrides: start.modelOverrides,
  proxy: start.proxy,
  resolveCredential: async (target) => start.credentials[target.name] ?? null,
  onRecord: () => {
    distributionsChanged = true;
  },
  onWindow: (snapshot) => {
    post({ type: 'window', snapshot });
    if (distributionsChanged) post({ type: 'distributions', distributions: run.distributions() });
    distributionsChanged = false;
  },
  onMessage: (text) => post({ type: 'message', text }),
});

parentPort!.on('message', (message: HostToWorker) => {
  if (message.type === 'stop') run.stop(message.mode);
});

run.done.then(
  (summary) => {
    post({ type: 'distributions', distributions: run.distributions() });
    post({ type: 'done', summary });
  },
  (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
