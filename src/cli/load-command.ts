// `perflab load <endpoint> …`: the Azure OpenAI benchmarking tool's flags, turned into a scenario and
// validated by the same schema as a `*.perf.yaml` file, so both paths behave the same.

import { stringify } from 'yaml';
import { providerFromEndpoint } from '../engine/chat-request';
import { parseScenario } from '../engine/scenario/load';
import type { Scenario } from '../engine/scenario/types';

export interface LoadFlags {
  deployment?: string;
  model?: string;
  provider?: string;
  apiVersion?: string;
  api?: string;
  reasoningEffort?: string;
  apiKeyEnv?: string;
  rate?: string;
  arrival?: string;
  clients?: string;
  shapeProfile: string;
  contextTokens?: string;
  maxTokens?: string;
  duration?: string;
  requests?: string;
  retry: string;
  aggregationWindow: string;
  recordChunks?: boolean;
  preventServerCaching: boolean;
  temperature?: string;
  warmup?: string;
  slo?: string[];
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

export function scenarioFromLoadFlags(endpoint: string, f: LoadFlags): Scenario {
  const provider = f.provider ?? providerFromEndpoint(endpoint);
  const shape: Record<string, unknown> = { shape: f.shapeProfile };
  if (f.contextTokens !== undefined) shape.context_tokens = num(f.contextTokens);
  if (f.maxTokens !== undefined) shape.max_tokens = num(f.maxTokens);
  const auth =
    provider === 'simulator' || (provider === 'openai-compatible' && f.apiKeyEnv === undefined)
      ? { type: 'none' }
      : { type: 'api-key', ...(f.apiKeyEnv ? { env: f.apiKeyEnv } : {}) };
  const target: Record<string, unknown> = { name: f.deployment ?? f.model ?? 'target', provider, endpoint, auth };
  if (f.deployment !== undefined) target.deployment = f.deployment;
  if (f.model !== undefined) target.model = f.model;
  else if (provider !== 'azure' && f.deployment !== undefined) target.model = f.deployment;
  if (f.apiVersion !== undefined) target.api_version = f.apiVersion;
  if (f.api !== undefined) target.api = f.api;
  const workload: Record<string, unknown> = { mode: f.rate === undefined ? 'closed' : 'open', clients: num(f.clients) ?? 20 };
  if (f.rate !== undefined) workload.rate = num(f.rate);
  if (f.arrival !== undefined) workload.arrival = f.arrival;
  if (f.duration !== undefined) workload.duration = /^\d+(\.\d+)?$/.test(f.duration) ? Number(f.duration) : f.duration;
  if (f.requests !== undefined) workload.requests = num(f.requests);
  if (f.warmup !== undefined) workload.warm_up = num(f.warmup);
  const doc: Record<string, unknown> = {
    name: `load ${f.deployment ?? f.model ?? endpoint}`,
    targets: [target],
    workload,
    prompts: shape,
    retry: f.retry,
    aggregation_window: /^\d+(\.\d+)?$/.test(f.aggregationWindow) ? Number(f.aggregationWindow) : f.aggregationWindow,
    prevent_server_caching: f.preventServerCaching,
    record_chunks: f.recordChunks === true,
  };
  const request: Record<string, unknown> = {};
  if (f.temperature !== undefined) request.temperature = num(f.temperature);
  if (f.reasoningEffort !== undefined) request.reasoning_effort = f.reasoningEffort;
  if (Object.keys(request).length > 0) doc.request = request;
  if (f.slo?.length) doc.slos = f.slo;
  // Validated through the one schema; problems name the scenario field each flag maps to.
  return parseScenario(stringify(doc), '<perflab load flags>');
}
