// Entry point of the engine worker (bundled as dist/engine-worker.js). No `vscode` import: this runs
// in a worker_threads worker of the extension host, exactly the engine the CLI runs.

import { parentPort, workerData } from 'node:worker_threads';
import { DistributionTally } from '../engine/distribution';
import { startRun } from '../engine/run';
import type { HostToWorker, WorkerStart, WorkerToHost } from './worker-protocol';

const start = workerData as WorkerStart;
const post = (message: WorkerToHost) => parentPort!.postMessage(message);
// Histograms for the Run panel, from the same records the engine writes to requests.jsonl.
const tally = new DistributionTally();
let distributionsChanged = false;

const run = startRun(start.scenario, {
  outDir: start.outDir,
  seed: start.seed,
  modelOverrides: start.modelOverrides,
  resolveCredential: async (target) => start.credentials[target.name] ?? null,
  onRecord: (record) => {
    tally.add(record);
    distributionsChanged = true;
  },
  onWindow: (snapshot) => {
    post({ type: 'window', snapshot });
    if (distributionsChanged) post({ type: 'distributions', distributions: tally.toJSON() });
    distributionsChanged = false;
  },
  onMessage: (text) => post({ type: 'message', text }),
});

parentPort!.on('message', (message: HostToWorker) => {
  if (message.type === 'stop') run.stop(message.mode);
});

run.done.then(
  (summary) => {
    post({ type: 'distributions', distributions: tally.toJSON() });
    post({ type: 'done', summary });
  },
  (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
