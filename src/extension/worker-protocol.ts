// Typed messages between the extension host and the engine worker (worker_threads).
// The worker runs the engine (and, for `endpoint: simulator`, the simulator) so the extension host
// stays responsive during a run.

import type { Credential } from '../engine/chat-request';
import type { ProxyConfig } from '../engine/proxy';
import type { TargetDistributions } from '../engine/distribution';
import type { WindowSnapshot } from '../engine/records';
import type { Scenario } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import type { ModelOverrides } from '../tokens';

/** Passed as `workerData`. Credentials stay in memory, keyed by target name; never written. */
export interface WorkerStart {
  scenario: Scenario;
  outDir: string;
  credentials: Record<string, Credential | null>;
  modelOverrides?: ModelOverrides;
  seed?: number;
  /** VS Code's http.proxy / http.noProxy / http.proxyStrictSSL (src/extension/settings.ts). */
  proxy?: ProxyConfig;
}

export type HostToWorker = { type: 'stop'; mode: 'drain' | 'abort' };

export type WorkerToHost =
  | { type: 'window'; snapshot: WindowSnapshot }
  /** Whole-run histograms so far, sent with each second's windows (they are small). */
  | { type: 'distributions'; distributions: Record<string, TargetDistributions> }
  | { type: 'message'; text: string }
  | { type: 'done'; summary: RunSummary }
  | { type: 'failed'; message: string };
