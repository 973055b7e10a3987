// `perflab load <endpoint> …`: the Azure OpenAI benchmarking tool's flags, turned into a scenario and
// validated by the same schema as a `*.perf.yaml` file, so both paths behave the same. Problems name
// the flag a value came from (`perflab load --rate: must be at most …`), not a spot in that text.

import { stringify } from 'yaml';
import { providerFromEndpoint } from '../engine/chat-request';
import { formatProblem, ScenarioError, shorten, type ScenarioProblem } from '../engine/scenario/errors';
import { endpointProblem } from '../engine/scenario/normalize';
import { validateScenarioText } from '../engine/scenario/validate';
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

/** What `--rate`, `--clients`, … accept: a plain decimal number, optionally with an exponent. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** Stands for the generated scenario text in problems; never shown, as every problem names its flag. */
const FLAGS_FILE = '<perflab load flags>';

/** `perflab load simulator` without --model: the quick start's model. */
export const SIMULATOR_DEFAULT_MODEL = 'gpt-5-mini';

export function scenarioFromLoadFlags(endpoint: string, f: LoadFlags): Scenario {
  const flagProblems: ScenarioProblem[] = [];
  // A flag that must be a number and is not: named here, before anything is built from it.
  const num = (flag: string, scenarioPath: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = NUMBER.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      flagProblems.push({
        file: FLAGS_FILE,
        line: 1,
        column: 1,
        path: scenarioPath,
        flag: `perflab load ${flag}`,
        message: `must be a number (got ${shorten(JSON.stringify(v))})`,
      });
    }
    return n;
  };
  // Durations: a number of seconds, or a string such as 30s / 5m that the schema checks.
  const seconds = (v: string) => (NUMBER.test(v.trim()) ? Number(v) : v);

  // The provider is guessed from the URL's host, so the URL must parse first.
  const endpointError = endpoint === 'simulator' ? undefined : endpointProblem(endpoint);
  if (endpointError) {
    throw new ScenarioError([{ file: FLAGS_FILE, line: 1, column: 1, path: 'targets[0].endpoint', flag: 'perflab load <endpoint>', message: endpointError }]);
  }
  const provider = f.provider ?? providerFromEndpoint(endpoint);
  const shape: Record<string, unknown> = { shape: f.shapeProfile };
  if (f.contextTokens !== undefined) shape.context_tokens = num('--context-tokens', 'prompts.context_tokens', f.contextTokens);
  if (f.maxTokens !== undefined) shape.max_tokens = num('--max-tokens', 'prompts.max_tokens', f.maxTokens);
  const auth =
    provider === 'simulator' || (provider === 'openai-compatible' && f.apiKeyEnv === undefined)
      ? { type: 'none' }
      : { type: 'api-key', ...(f.apiKeyEnv ? { env: f.apiKeyEnv } : {}) };
  const target: Record<string, unknown> = { name: f.deployment ?? f.model ?? 'target', provider, endpoint, auth };
  if (f.deployment !== undefined) target.deployment = f.deployment;
  if (f.model !== undefined) target.model = f.model;
  else if (provider !== 'azure' && f.deployment !== undefined) target.model = f.deployment;
  // The simulator needs a model name like any OpenAI route; without one every request would be a 400.
  else if (provider === 'simulator') target.model = SIMULATOR_DEFAULT_MODEL;
  if (f.apiVersion !== undefined) target.api_version = f.apiVersion;
  if (f.api !== undefined) target.api = f.api;
  const workload: Record<string, unknown> = { mode: f.rate === undefined ? 'closed' : 'open', clients: num('--clients', 'workload.clients', f.clients) ?? 20 };
  if (f.rate !== undefined) workload.rate = num('--rate', 'workload.rate', f.rate);
  if (f.arrival !== undefined) workload.arrival = f.arrival;
  if (f.duration !== undefined) workload.duration = seconds(f.duration);
  if (f.requests !== undefined) workload.requests = num('--requests', 'workload.requests', f.requests);
  if (f.warmup !== undefined) workload.warm_up = num('--warmup', 'workload.warm_up', f.warmup);
  const doc: Record<string, unknown> = {
    name: `load ${f.deployment ?? f.model ?? endpoint}`,
    targets: [target],
    workload,
    prompts: shape,
    retry: f.retry,
    aggregation_window: seconds(f.aggregationWindow),
    prevent_server_caching: f.preventServerCaching,
    record_chunks: f.recordChunks === true,
  };
  const request: Record<string, unknown> = {};
  if (f.temperature !== undefined) request.temperature = num('--temperature', 'request.temperature', f.temperature);
  if (f.reasoningEffort !== undefined) request.reasoning_effort = f.reasoningEffort;
  if (Object.keys(request).length > 0) doc.request = request;
  if (f.slo?.length) doc.slos = f.slo;
  if (flagProblems.length > 0) throw new ScenarioError(flagProblems);

  // Validated through the one schema; each problem is then told by the flag its field came from.
  const { scenario, problems } = validateScenarioText(stringify(doc), FLAGS_FILE);
  if (scenario) return scenario;
  throw new ScenarioError(namedByFlag(problems, f, provider));
}

/** The flag (or the endpoint argument) each field of the generated scenario comes from. */
function flagOfPath(f: LoadFlags, provider: string): Record<string, string> {
  const nameFlag = f.deployment !== undefined ? '--deployment' : f.model !== undefined ? '--model' : '<endpoint>';
  return {
    '': '<endpoint>',
    name: nameFlag,
    targets: '<endpoint>',
    'targets[0]': '<endpoint>',
    'targets[0].name': nameFlag,
    'targets[0].provider': '--provider',
    'targets[0].endpoint': '<endpoint>',
    'targets[0].deployment': '--deployment',
    // Without --model, the model of a non-Azure target is the --deployment value.
    'targets[0].model': f.model === undefined && provider !== 'azure' && f.deployment !== undefined ? '--deployment' : '--model',
    'targets[0].api_version': '--api-version',
    'targets[0].api': '--api',
    'targets[0].auth': '--api-key-env',
    workload: '--duration',
    'workload.mode': '--rate',
    'workload.rate': '--rate',
    'workload.arrival': '--arrival',
    'workload.clients': '--clients',
    'workload.duration': '--duration',
    'workload.requests': '--requests',
    'workload.warm_up': '--warmup',
    prompts: '--shape-profile',
    'prompts.shape': '--shape-profile',
    'prompts.context_tokens': '--context-tokens',
    'prompts.max_tokens': '--max-tokens',
    retry: '--retry',
    aggregation_window: '--aggregation-window',
    prevent_server_caching: '--no-prevent-server-caching',
    record_chunks: '--record-chunks',
    request: '--temperature',
    'request.temperature': '--temperature',
    'request.reasoning_effort': '--reasoning-effort',
    slos: '--slo',
  };
}

/** Problems of the generated text, each named by its flag (`perflab load --rate: must be …`), once. */
function namedByFlag(problems: ScenarioProblem[], f: LoadFlags, provider: string): ScenarioProblem[] {
  const flags = flagOfPath(f, provider);
  const seen = new Set<string>();
  const out: ScenarioProblem[] = [];
  for (const p of problems) {
    // The field's own flag, else its nearest enclosing field's (`targets[0].auth.env` → `--api-key-env`).
    let at = p.path;
    while (flags[at] === undefined && at !== '') at = at.replace(/(?:^|\.)[^.[\]]*$|\[\d+\]$/, '');
    const flag = `perflab load ${flags[at] ?? '<endpoint>'}`;
    const named = { ...p, flag };
    const text = formatProblem(named);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(named);
  }
  return out;
}
