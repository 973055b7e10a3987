// From the raw YAML value to the normalized Scenario: defaults, unit conversion, and the rules
// JSON Schema does not express (provider-dependent fields, one prompt source, SLO syntax, files
// that must exist). Every finding goes to `report` with a path; the caller adds positions.
// The input may still contain values the schema rejected, so nothing here trusts a type blindly.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDurationMs } from './durations';
import { shorten } from './errors';
import { LIMITS, type Limit } from './limits';
import type { PathSegment } from './locate';
import { DEFAULT_API_VERSION, DEFAULT_RESPONSES_API_VERSION, FIRST_RESPONSES_API_VERSION, SHAPE_PROFILES } from './schema';
import { parseSlo, SloError } from './slo';
import type {
  Api,
  CapacitySettings,
  PromptSource,
  Provider,
  RequestOptions,
  RetryPolicy,
  Scenario,
  SessionSettings,
  ShapeProfile,
  Slo,
  Target,
  TargetAuth,
  Timeouts,
  Workload,
} from './types';
import { defaultFaults } from '../../simulator/defaults';
import { promptFieldNames } from '../../tokens/prompt-files';
import type { SimulatorOptions } from '../../simulator/types';
import { defaultKeyEnv } from '../secrets';
import { serverMetricsSettings } from '../server-metrics/settings';
import { bool, list, num, obj, str, type Obj } from './raw-values';
import { checkHttpTemplates, httpEndpoint, httpTargetSpec } from './http-target';

/** Where a problem is: the key, the value, or a character inside a string value (templates). */
export type ReportAt = 'key' | 'value' | { textOffset: number };
export type Report = (path: PathSegment[], at: ReportAt, message: string, allowed?: string[]) => void;

export interface NormalizeContext {
  /** Absolute path of the scenario file; relative prompt paths resolve against its folder. */
  filePath: string;
  /** Check that referenced prompt files exist (off for pure syntax checks). */
  checkFiles: boolean;
  report: Report;
}

export const OPENAI_ENDPOINT = 'https://api.openai.com/v1';

/** `capacity:` defaults (schema.ts says the same to the user). */
export const DEFAULT_CAPACITY: CapacitySettings = {
  min_rpm: 10,
  max_rpm: 10_000,
  precision: 0.05,
  step_duration_s: 30,
  warm_up_s: 6,
  budget_s: 15 * 60,
  cooldown_s: 10,
};

/** The scenario's capacity settings, or the defaults when it has no `capacity:` block. */
export function capacitySettingsOf(scenario: Scenario): CapacitySettings {
  return scenario.capacity ?? DEFAULT_CAPACITY;
}

/** Request options of Chat Completions that the Responses API does not take. */
const CHAT_ONLY_REQUEST_OPTIONS = ['seed', 'stop', 'presence_penalty', 'frequency_penalty'] as const;

export function normalizeScenario(data: unknown, ctx: NormalizeContext): Scenario {
  const root = obj(data);
  const n = new Normalizer(ctx);
  const scenario = normalizedScenario(root, n, ctx);
  scenario.targets.forEach((t, i) => {
    if (t.http) checkHttpTemplates(t.http, ['targets', i], promptFields(scenario.prompts, ctx), ctx.report);
  });
  return scenario;
}

/** The field names an HTTP target's template may use from the prompts: a dataset line's fields, or
 *  a prompt file's input variables; null when the files are not read (syntax-only checks) or unreadable. */
function promptFields(prompts: PromptSource, ctx: NormalizeContext): string[] | null {
  if (prompts.kind === 'shape') return [];
  if (!ctx.checkFiles) return null;
  try {
    return promptFieldNames(prompts, path.dirname(ctx.filePath));
  } catch {
    return null; // the prompts' own problems are reported where they are
  }
}

function normalizedScenario(root: Obj, n: Normalizer, ctx: NormalizeContext): Scenario {
  return {
    name: str(root.name) ?? scenarioNameFromFile(ctx.filePath),
    file: ctx.filePath,
    targets: n.targets(root.targets),
    target_mode: (str(root.target_mode) as Scenario['target_mode']) ?? 'parallel',
    workload: n.workload(root.workload),
    prompts: n.prompts(root.prompts),
    request: n.request(
      root.request,
      list(root.targets).some((t) => obj(t).api === 'responses'),
    ),
    retry: n.retry(root.retry),
    timeouts: n.timeouts(root.timeouts),
    aggregation_window_s: n.seconds(['aggregation_window'], root.aggregation_window, LIMITS.aggregation_window, { positive: true }) ?? 60,
    prevent_server_caching: bool(root.prevent_server_caching) ?? true,
    record_chunks: bool(root.record_chunks) ?? false,
    slos: n.slos(root.slos),
    ...(obj(root.engine).threads !== undefined && { engine_threads: engineThreads(obj(root.engine).threads) }),
    ...(root.capacity !== undefined && { capacity: n.capacity(root.capacity) }),
    ...(root.pricing !== undefined ? { pricing: root.pricing as Scenario['pricing'] } : {}),
  };
}

/** `engine.threads`: a number as given (the schema checks its range), or `auto`: one per available
 *  core but one, left for the parent thread (records, windows, files) and the OS; at least 1. */
export function engineThreads(value: unknown): number {
  if (value === 'auto') return Math.max(1, os.availableParallelism() - 1);
  const n = num(value);
  return n !== undefined && Number.isInteger(n) && n >= 1 ? Math.min(n, LIMITS.engine_threads.max) : 1;
}

/** `support.perf.yaml` → `support`. */
export function scenarioNameFromFile(file: string): string {
  return path.basename(file).replace(/(\.perf)?\.ya?ml$/i, '');
}

class Normalizer {
  constructor(private readonly ctx: NormalizeContext) {}

  private report: Report = (...args) => this.ctx.report(...args);

  targets(value: unknown): Target[] {
    const targets = list(value).map((t, i) => this.target(obj(t), ['targets', i]));
    const seen = new Map<string, number>();
    targets.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined && t.name) {
        this.report(['targets', i, 'name'], 'value', `duplicate target name "${t.name}" (already used by targets[${first}])`);
      }
      if (first === undefined) seen.set(t.name, i);
    });
    return targets;
  }

  private target(t: Obj, at: PathSegment[]): Target {
    let provider = str(t.provider) as Provider | undefined;
    const endpointGiven = provider === 'http' ? httpEndpoint(t) : str(t.endpoint);
    if (provider === undefined) {
      if (endpointGiven === 'simulator') provider = 'simulator';
      else this.report([...at, 'provider'], 'key', 'is required (azure, openai, openai-compatible, simulator or http)');
    }

    let endpoint = endpointGiven;
    if (endpoint !== undefined && endpoint !== 'simulator') {
      const problem = endpointProblem(endpoint);
      if (problem) this.report([...at, 'endpoint'], 'value', problem);
    }
    if (endpoint === undefined) {
      if (provider === 'simulator') endpoint = 'simulator';
      else if (provider === 'openai') endpoint = OPENAI_ENDPOINT;
      else if (provider === 'http') this.report([...at, 'endpoint'], 'key', 'is required for provider http unless request.url is an absolute URL');
      else if (provider) this.report([...at, 'endpoint'], 'key', `is required for provider ${provider} (a base URL, or "simulator")`);
    }
    if (provider !== 'http') {
      for (const key of ['request', 'response'] as const) if (t[key] !== undefined) this.report([...at, key], 'key', 'only applies to provider: http');
    } else {
      if (t.api !== undefined) this.report([...at, 'api'], 'key', 'does not apply to provider http (the request template says what is sent)');
      const url = str(obj(t.request).url);
      if (url !== undefined && /^https?:\/\//i.test(url) && endpointGiven === 'simulator') {
        this.report([...at, 'request', 'url'], 'value', 'must be a path (e.g. /app/chat) with endpoint: simulator');
      } else if (url !== undefined && /^https?:\/\//i.test(url) && endpointGiven !== undefined && str(t.endpoint) !== undefined) {
        const origin = (u: string) => {
          try {
            return new URL(u).origin;
          } catch {
            return u;
          }
        };
        if (origin(url) !== origin(endpointGiven)) {
          this.report(
            [...at, 'request', 'url'],
            'value',
            `is on another origin than the endpoint (${origin(endpointGiven)}): a key is only sent where it was saved; use a path, or drop endpoint`,
          );
        }
      }
    }

    const deployment = str(t.deployment);
    const model = str(t.model);
    if (provider === 'azure' && deployment === undefined) {
      this.report([...at, 'deployment'], 'key', 'is required for provider azure (the Azure deployment name)');
    }
    if ((provider === 'openai' || provider === 'openai-compatible') && model === undefined) {
      this.report([...at, 'model'], 'key', `is required for provider ${provider} (the model name sent in the request)`);
    }
    if (t.simulator !== undefined && endpoint !== 'simulator') {
      this.report([...at, 'simulator'], 'key', 'only applies with endpoint: simulator');
    }

    const api: Api = str(t.api) === 'responses' ? 'responses' : 'chat';
    const defaultVersion = api === 'responses' ? DEFAULT_RESPONSES_API_VERSION : DEFAULT_API_VERSION;
    const apiVersion = str(t.api_version) ?? (provider === 'azure' ? defaultVersion : undefined);
    // api-versions are dates (YYYY-MM-DD[-preview]); they compare correctly as strings.
    if (api === 'responses' && str(t.api_version) !== undefined && apiVersion! < FIRST_RESPONSES_API_VERSION) {
      this.report(
        [...at, 'api_version'],
        'value',
        `the Responses API needs api-version ${FIRST_RESPONSES_API_VERSION} or later on dated Azure routes (got ${apiVersion}); or use an endpoint ending in /openai/v1, which takes none`,
      );
    }
    const target: Target = {
      name: str(t.name) ?? '',
      provider: provider ?? 'simulator',
      endpoint: endpoint ?? '',
      ...(deployment !== undefined && { deployment }),
      ...(model !== undefined && { model }),
      ...(apiVersion !== undefined && { api_version: apiVersion }),
      api,
      auth: this.auth(t.auth, provider, [...at, 'auth']),
    };
    if (provider === 'http') target.http = httpTargetSpec(t, at, this.report);
    if (t.server_metrics !== undefined) {
      const settings = serverMetricsSettings(t.server_metrics, [...at, 'server_metrics'], endpoint, this.report, (p, v, l, o) => this.seconds(p, v, l, o));
      if (settings) target.server_metrics = settings;
    }
    if (t.simulator !== undefined) {
      target.simulator = simulatorOptions(obj(t.simulator));
      const window = this.seconds([...at, 'simulator', 'quota_window'], obj(t.simulator).quota_window, LIMITS.quota_window, { positive: true });
      if (window !== undefined) target.simulator.quota_window_s = window;
    }
    return target;
  }

  private auth(value: unknown, provider: Provider | undefined, at: PathSegment[]): TargetAuth {
    if (value === undefined) {
      const env = defaultKeyEnv(provider);
      return env ? { type: 'api-key', env } : { type: 'none' };
    }
    const a = obj(value);
    const type = str(a.type) as TargetAuth['type'] | undefined;
    const env = str(a.env);
    const header = str(a.header);
    if (header !== undefined && (provider !== 'http' || type !== 'api-key'))
      this.report([...at, 'header'], 'key', 'only applies to provider http with type api-key');
    if (type === 'api-key' && header !== undefined && provider === 'http') return { type, ...(env !== undefined && { env }), header: header.toLowerCase() };
    if (type === 'api-key' || type === 'bearer') return env === undefined ? { type } : { type, env };
    if (env !== undefined && type !== undefined) this.report([...at, 'env'], 'key', 'only applies to auth type api-key or bearer');
    return { type: type === 'entra' ? 'entra' : 'none' };
  }

  workload(value: unknown): Workload {
    const w = obj(value);
    const at = (key: string): PathSegment[] => ['workload', key];
    const mode = str(w.mode) === 'closed' ? 'closed' : 'open';
    const rate = num(w.rate);
    if (mode === 'open' && w.rate === undefined) {
      this.report(at('rate'), 'key', 'is required in open mode (requests per minute)');
    }
    if (mode === 'closed' && w.rate !== undefined) {
      this.report(at('rate'), 'key', 'only applies to mode: open (in closed mode the rate follows from clients and latency)');
    }
    if (mode === 'open' && w.think_time !== undefined) {
      this.report(at('think_time'), 'key', 'only applies to mode: closed');
    }
    if (value !== undefined && w.duration === undefined && w.requests === undefined) {
      this.report(['workload'], 'key', 'needs duration, requests or both (when to stop)');
    }
    const duration = this.seconds(at('duration'), w.duration, LIMITS.duration, { positive: true });
    const rampUp = this.seconds(at('ramp_up'), w.ramp_up, LIMITS.ramp_up) ?? 0;
    if (duration !== undefined && rampUp > duration) {
      this.report(at('ramp_up'), 'value', `is longer than the duration (${rampUp} s > ${duration} s)`);
    }
    const requests = num(w.requests);
    const sessions = w.sessions === undefined ? undefined : this.sessions(obj(w.sessions));
    return {
      mode,
      ...(rate !== undefined && { rate_rpm: rate }),
      arrival: str(w.arrival) === 'poisson' ? 'poisson' : 'constant',
      clients: num(w.clients) ?? 20,
      ...(duration !== undefined && { duration_s: duration }),
      ...(requests !== undefined && { requests }),
      ramp_up_s: rampUp,
      think_time_ms: (this.seconds(at('think_time'), w.think_time, LIMITS.think_time) ?? 0) * 1000,
      warm_up_requests: num(w.warm_up) ?? 0,
      on_end: str(w.on_end) === 'abort' ? 'abort' : 'drain',
      drain_timeout_s: this.seconds(at('drain_timeout'), w.drain_timeout, LIMITS.drain_timeout) ?? 30,
      ...(sessions !== undefined && { sessions }),
    };
  }

  private sessions(s: Obj): SessionSettings {
    const at = (key: string): PathSegment[] => ['workload', 'sessions', key];
    return {
      interactions: num(s.interactions) ?? 1,
      think_time_ms: (this.seconds(at('think_time'), s.think_time, LIMITS.think_time) ?? 0) * 1000,
      think_time_jitter: num(s.think_time_jitter) ?? 0,
      carry_history: bool(s.carry_history) ?? false,
    };
  }

  prompts(value: unknown): PromptSource {
    if (value === undefined) return { kind: 'shape', profile: 'balanced', ...SHAPE_PROFILES.balanced };
    const p = obj(value);
    const at = (key: string): PathSegment[] => ['prompts', key];
    const sources = (['shape', 'file', 'dataset'] as const).filter((k) => p[k] !== undefined);
    if (sources.length === 0) {
      this.report(['prompts'], 'key', 'needs one of shape, file or dataset');
    } else if (sources.length > 1) {
      this.report(at(sources[1]), 'key', `use only one of shape, file or dataset (this one conflicts with "${sources[0]}")`);
    }
    const source = sources[0] ?? 'shape';
    const maxTokens = num(p.max_tokens);
    if (source !== 'shape' && p.context_tokens !== undefined) {
      this.report(at('context_tokens'), 'key', 'only applies with shape (prompt files have their own length)');
    }
    if (source !== 'file' && p.inputs !== undefined) this.report(at('inputs'), 'key', 'only applies with file');

    if (source === 'shape') {
      const profile = (str(p.shape) ?? 'balanced') as ShapeProfile;
      const contextTokens = num(p.context_tokens);
      if (profile === 'custom') {
        if (contextTokens === undefined) this.report(at('context_tokens'), 'key', 'is required with shape: custom');
        if (maxTokens === undefined) this.report(at('max_tokens'), 'key', 'is required with shape: custom');
      }
      const base = profile === 'custom' ? { context_tokens: 0, max_tokens: 0 } : (SHAPE_PROFILES[profile] ?? SHAPE_PROFILES.balanced);
      return {
        kind: 'shape',
        profile,
        context_tokens: contextTokens ?? base.context_tokens,
        max_tokens: maxTokens ?? base.max_tokens,
      };
    }
    const withMax = maxTokens !== undefined ? { max_tokens: maxTokens } : {};
    if (source === 'file') {
      const file = this.promptFile(at('file'), p.file, ['.prompty', '.md', '.txt']);
      const inputs = p.inputs === undefined ? undefined : this.promptFile(at('inputs'), p.inputs, ['.jsonl']);
      return { kind: 'prompty', file, ...(inputs !== undefined && { inputs }), ...withMax };
    }
    return { kind: 'dataset', file: this.promptFile(at('dataset'), p.dataset, ['.jsonl']), ...withMax };
  }

  /** A referenced file: the right kind, and present (relative to the scenario's folder). */
  private promptFile(at: PathSegment[], value: unknown, extensions: string[]): string {
    const file = str(value);
    if (file === undefined) return '';
    if (!extensions.some((ext) => file.toLowerCase().endsWith(ext))) {
      this.report(at, 'value', `must be a ${extensions.join(', ')} file (got "${file}")`);
      return file;
    }
    if (this.ctx.checkFiles) {
      const resolved = path.resolve(path.dirname(this.ctx.filePath), file);
      if (!isFile(resolved)) this.report(at, 'value', `file not found: ${file} (looked for ${resolved})`);
    }
    return file;
  }

  request(value: unknown, responsesApi: boolean): RequestOptions {
    const r = obj(value);
    const keys = ['temperature', 'top_p', 'max_tokens', 'seed', 'stop', 'presence_penalty', 'frequency_penalty', 'reasoning_effort', 'extra_body'] as const;
    const out: Record<string, unknown> = {};
    for (const key of keys) if (r[key] !== undefined) out[key] = r[key];
    // The Responses API rejects these Chat Completions parameters; say so before anything is sent.
    if (responsesApi) {
      for (const key of CHAT_ONLY_REQUEST_OPTIONS) {
        if (r[key] !== undefined)
          this.report(['request', key], 'key', 'is not a Responses API parameter (a target has api: responses); remove it or use api: chat');
      }
    }
    return out as RequestOptions;
  }

  retry(value: unknown): RetryPolicy {
    if (typeof value === 'string') return { policy: value === 'none' ? 'none' : 'exponential', max_retry_s: 60 };
    const r = obj(value);
    return {
      policy: str(r.policy) === 'none' ? 'none' : 'exponential',
      max_retry_s: this.seconds(['retry', 'max_retry'], r.max_retry, LIMITS.max_retry) ?? 60,
    };
  }

  timeouts(value: unknown): Timeouts {
    const t = obj(value);
    return {
      request_s: this.seconds(['timeouts', 'request'], t.request, LIMITS.request_timeout, { positive: true }) ?? 120,
      idle_s: this.seconds(['timeouts', 'idle'], t.idle, LIMITS.idle_timeout, { positive: true }) ?? 30,
    };
  }

  capacity(value: unknown): CapacitySettings {
    const c = obj(value);
    const at = (key: string): PathSegment[] => ['capacity', key];
    const d = DEFAULT_CAPACITY;
    const min = num(c.min) ?? d.min_rpm;
    const max = num(c.max) ?? Math.max(d.max_rpm, min);
    if (c.min !== undefined && c.max !== undefined && min > max) this.report(at('max'), 'value', `is below min (${max} < ${min} requests per minute)`);
    const step = this.seconds(at('step_duration'), c.step_duration, LIMITS.duration, { positive: true }) ?? d.step_duration_s;
    const warmUp = this.seconds(at('warm_up'), c.warm_up, LIMITS.duration) ?? step / 5;
    if (warmUp >= step) this.report(at('warm_up'), 'value', `must be shorter than step_duration (${warmUp} s ≥ ${step} s)`);
    const budget = this.seconds(at('budget'), c.budget, LIMITS.duration, { positive: true }) ?? d.budget_s;
    if (budget < step) this.report(at('budget'), 'value', `is shorter than one step (${budget} s < step_duration ${step} s)`);
    const require = num(c.require);
    const ptus = num(c.ptus);
    return {
      min_rpm: min,
      max_rpm: max,
      precision: num(c.precision) ?? d.precision,
      step_duration_s: step,
      warm_up_s: warmUp,
      budget_s: budget,
      cooldown_s: this.seconds(at('cooldown'), c.cooldown, LIMITS.duration) ?? d.cooldown_s,
      ...(require !== undefined && { require_rpm: require }),
      ...(ptus !== undefined && { ptus }),
    };
  }

  slos(value: unknown): Slo[] {
    const slos: Slo[] = [];
    list(value).forEach((text, i) => {
      if (typeof text !== 'string') return;
      try {
        slos.push(parseSlo(text));
      } catch (err) {
        if (!(err instanceof SloError)) throw err;
        this.report(['slos', i], 'value', err.message, err.allowed);
      }
    });
    return slos;
  }

  /** A duration in seconds, or undefined when absent or invalid (invalid ones are reported). The
   *  schema compares numbers with the limit; strings ("99999h") are compared here. */
  seconds(at: PathSegment[], value: unknown, limit: Limit, opts: { positive?: boolean } = {}): number | undefined {
    if (value === undefined || value === null) return undefined;
    let ms: number;
    try {
      ms = parseDurationMs(value);
    } catch (err) {
      this.report(at, 'value', (err as Error).message);
      return undefined;
    }
    if (opts.positive && ms <= 0) {
      this.report(at, 'value', 'must be longer than 0');
      return undefined;
    }
    if (ms / 1000 > limit.max) {
      this.report(at, 'value', `${limit.message} (got ${typeof value === 'string' ? shorten(JSON.stringify(value)) : String(value)})`);
      return undefined;
    }
    return ms / 1000;
  }
}

/**
 * Why an endpoint URL cannot be used, or undefined when it can. Checked here because the schema's
 * pattern only sees `http(s)://…`: a port above 65535 or an unclosed IPv6 bracket would otherwise
 * fail on the first request. A query string (`/v1?code=…`, Azure Functions and APIM keys) is kept.
 * Messages never repeat the URL: it may carry a password.
 */
export function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(endpoint)?.[1];
    if (port !== undefined && Number(port) > 65535) return `is not a valid URL: port ${shorten(port)} is out of range (1-65535)`;
    if (/^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?\[(?![^\]/?#]*\])/i.test(endpoint))
      return 'is not a valid URL: an IPv6 address needs its closing bracket, e.g. http://[::1]:8000/v1';
    return 'is not a valid URL (check the host name, the port and the [brackets] of an IPv6 address)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL (got ${shorten(url.protocol)})`;
  if (url.username || url.password) {
    return 'the endpoint URL carries a user name/password; remove it and put the key in an environment variable (auth.env)';
  }
  if (url.port === '0') return 'is not a valid URL: port 0 cannot be connected to (1-65535)';
  if (!url.hostname) return 'is not a valid URL: it has no host name';
  return undefined;
}

function simulatorOptions(s: Obj): Partial<SimulatorOptions> {
  const keys = [
    'ttft_ms',
    'ttft_per_1k_prompt_ms',
    'tpot_ms',
    'tokens_per_chunk',
    'jitter',
    'rpm_limit',
    'tpm_limit',
    'ptu_capacity_tpm',
    'azure_prompt_filter',
    'seed',
    'azure_async_filter',
    'reasoning_tokens',
    'reasoning_field',
    'reasoning_event',
    'usage',
    'coalesce_events',
    'max_concurrency',
    'app_retrieval_ms',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (s[key] !== undefined) out[key] = s[key];
  // The simulator needs a complete faults record; unnamed faults are off.
  if (s.faults !== undefined) out.faults = { ...defaultFaults(), ...obj(s.faults) };
  return out as Partial<SimulatorOptions>;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
