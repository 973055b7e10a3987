// Typed messages between the extension host and its workers (worker_threads): the engine worker runs
// one scenario, the capacity worker a capacity search (src/engine/capacity/). Both run the engine (and,
// for `endpoint: simulator`, the simulator) off the extension host's thread, so the editor stays
// responsive.

import type { CapacityReport, CapacityStep } from '../engine/capacity/types';
import type { Credential } from '../engine/chat-request';
import type { ProxyConfig } from '../engine/proxy';
import type { TargetDistributions } from '../engine/distribution';
import type { WindowSnapshot } from '../engine/records';
import type { CapacitySettings, Scenario } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import type { ServerSample } from '../engine/server-metrics/types';
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
  /** Tokens for targets' metrics URLs (`server_metrics.auth`), allowed by the user for that URL's
   *  origin; by target name, in memory only. Null: the variable is not set. */
  serverMetricsTokens?: Record<string, string | null>;
}

export type HostToWorker = { type: 'stop'; mode: 'drain' | 'abort' };

export type WorkerToHost =
  | { type: 'window'; snapshot: WindowSnapshot }
  /** Server-metrics samples (`server_metrics:`), whole scrapes, as they are scraped. */
  | { type: 'serverSamples'; samples: ServerSample[] }
  /** Whole-run histograms so far, sent with each second's windows (they are small). */
  | { type: 'distributions'; distributions: Record<string, TargetDistributions> }
  | { type: 'message'; text: string }
  | { type: 'done'; summary: RunSummary }
  | { type: 'failed'; message: string };

/** The capacity worker's `workerData`: a search of `scenario` into the capacity folder `outDir`. */
export interface CapacityWorkerStart extends WorkerStart {
  settings: CapacitySettings;
  /** Only these targets (default: all). */
  targets?: string[];
}

export type HostToCapacityWorker = { type: 'stop' };

export type CapacityWorkerToHost =
  | { type: 'stepStart'; target: string; index: number; offered_rpm: number; bracket: { passed: number | null; failed: number | null } }
  | { type: 'step'; target: string; step: CapacityStep; report: CapacityReport }
  | { type: 'window'; snapshot: WindowSnapshot }
  | { type: 'message'; text: string }
  | { type: 'done'; report: CapacityReport }
  | { type: 'failed'; message: string };
