// Entry point of the engine worker (bundled as dist/engine-worker.js). No `vscode` import: this runs
// in a worker_threads worker of the extension host, exactly the engine the CLI runs.

import { parentPort, workerData } from 'node:worker_threads';
import { startRun } from '../engine/run';
import type { ServerSample } from '../engine/server-metrics/types';
import type { HostToWorker, WorkerStart, WorkerToHost } from '../protocol/worker';

const start = workerData as WorkerStart;
const post = (message: WorkerToHost) => parentPort!.postMessage(message);
// The Run panel's histograms change only when a request finishes.
let distributionsChanged = false;
// A scrape's samples are emitted one after another in one go: posted together, after it.
let serverSamples: ServerSample[] = [];
const postServerSamples = () => {
  if (serverSamples.length === 0) return; // posted already, before the summary
  post({ type: 'serverSamples', samples: serverSamples });
  serverSamples = [];
};

const run = startRun(start.scenario, {
  outDir: start.outDir,
  seed: start.seed,
  modelOverrides: start.modelOverrides,
  proxy: start.proxy,
  resolveCredential: async (target) => start.credentials[target.name] ?? null,
  // Read and allowed on the extension host (it asks the user, as for auth.env keys): see run-controller.ts.
  resolveServerMetricsToken: async (target) => start.serverMetricsTokens?.[target.name] ?? null,
  onServerSample: (sample) => {
    if (serverSamples.length === 0) setImmediate(postServerSamples);
    serverSamples.push(sample);
  },
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
    postServerSamples();
    post({ type: 'distributions', distributions: run.distributions() });
    post({ type: 'done', summary });
  },
  (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
