// Default options, option validation, and the `--faults` mini-language of the CLI.
import { isIP } from 'node:net';
import type { SimulatorFaults, SimulatorOptions } from './types';

/** Latency slowdown per request in flight outside PTU mode (see latency-model.ts). */
export const DEFAULT_INFLIGHT_SLOWDOWN = 0.0005;
/** The app route's retrieval step when `app_retrieval_ms` is unset, ms (app-handler.ts). */
export const DEFAULT_APP_RETRIEVAL_MS = 150;

export function defaultFaults(): SimulatorFaults {
  return { error_rate: 0, drop_rate: 0, stall_rate: 0, stall_ms: 5000, malformed_rate: 0 };
}

export function defaultSimulatorOptions(): SimulatorOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    ttft_ms: 120,
    ttft_per_1k_prompt_ms: 20,
    tpot_ms: 15,
    tokens_per_chunk: 1,
    jitter: 0.1,
    default_max_tokens: 200,
    rpm_limit: 0,
    tpm_limit: 0,
    ptu_capacity_tpm: 0,
    faults: defaultFaults(),
    azure_prompt_filter: true,
    azure_async_filter: false,
    reasoning_tokens: 0,
    reasoning_field: 'reasoning_content',
    reasoning_event: 'summary',
    usage: 'requested',
    coalesce_events: 1,
    seed: 1,
    keep_log: false,
    inflight_slowdown: DEFAULT_INFLIGHT_SLOWDOWN,
    quota_window_s: 60,
    max_concurrency: 0,
  };
}

const FAULT_KEYS: Record<string, keyof SimulatorFaults> = {
  error: 'error_rate',
  drop: 'drop_rate',
  stall: 'stall_rate',
  malformed: 'malformed_rate',
};

/** Parses `error=0.01,drop=0.02,stall=0.01:3000,malformed=0.005` (rates as fractions or `1%`;
 *  `stall=rate:ms` sets stall_ms too). Unnamed faults stay 0. Throws with the offending part. */
export function parseFaults(spec: string): SimulatorFaults {
  const faults = defaultFaults();
  const seen = new Set<string>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`faults: "${part}" is not name=rate (expected e.g. "error=0.01,stall=0.01:3000")`);
    const name = part.slice(0, eq).trim().toLowerCase();
    const key = FAULT_KEYS[name];
    if (!key) {
      throw new Error(`faults: unknown fault "${name}" in "${part}" (known: ${Object.keys(FAULT_KEYS).join(', ')})`);
    }
    if (seen.has(name)) throw new Error(`faults: "${name}" is given twice`);
    seen.add(name);
    let value = part.slice(eq + 1).trim();
    if (name === 'stall') {
      const colon = value.indexOf(':');
      if (colon >= 0) {
        const msText = value.slice(colon + 1).trim();
        const ms = Number(msText);
        if (msText === '' || !Number.isFinite(ms) || ms < 0) {
          throw new Error(`faults: stall duration "${msText}" in "${part}" must be a number of milliseconds ≥ 0`);
        }
        faults.stall_ms = ms;
        value = value.slice(0, colon).trim();
      }
    } else if (value.includes(':')) {
      throw new Error(`faults: only stall takes a duration (rate:ms); got "${part}"`);
    }
    faults[key] = parseRate(value, part);
  }
  checkFaults(faults);
  return faults;
}

function parseRate(text: string, part: string): number {
  const percent = text.endsWith('%');
  const n = Number(percent ? text.slice(0, -1) : text);
  if (text === '' || text === '%' || !Number.isFinite(n)) {
    throw new Error(`faults: rate "${text}" in "${part}" is not a number (use 0.01 or 1%)`);
  }
  const rate = percent ? n / 100 : n;
  if (rate < 0 || rate > 1) throw new Error(`faults: rate in "${part}" must be between 0 and 1 (or 0%–100%)`);
  return rate;
}

function checkFaults(f: SimulatorFaults): void {
  for (const key of ['error_rate', 'drop_rate', 'stall_rate', 'malformed_rate'] as const) {
    const v = f[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new Error(`simulator: faults.${key} must be a number between 0 and 1 (got ${String(v)})`);
    }
  }
  if (!Number.isFinite(f.stall_ms) || f.stall_ms < 0) {
    throw new Error(`simulator: faults.stall_ms must be ≥ 0 (got ${String(f.stall_ms)})`);
  }
  // Each request gets at most one fault, drawn from one uniform number, so the rates must fit in 1.
  const sum = f.error_rate + f.drop_rate + f.stall_rate + f.malformed_rate;
  if (sum > 1 + 1e-9) throw new Error(`simulator: fault rates add up to ${sum}, more than 1`);
}

export const REASONING_FIELDS: readonly SimulatorOptions['reasoning_field'][] = ['reasoning_content', 'reasoning', 'hidden'];
export const REASONING_EVENTS: readonly SimulatorOptions['reasoning_event'][] = ['summary', 'text', 'hidden'];
export const USAGE_MODES: readonly SimulatorOptions['usage'][] = ['requested', 'continuous', 'none'];

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) {
    throw new Error(`simulator: ${name} must be one of ${allowed.join(', ')} (got ${String(value)})`);
  }
}

/** Loopback only: the simulator has no auth worth the name and must never face a network. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const kind = isIP(bare);
  if (kind === 4) return bare.startsWith('127.');
  if (kind === 6) return bare === '::1' || /^::ffff:127\./i.test(bare) || /^0*:(0*:){6}0*1$/.test(bare);
  return false;
}

/** Defaults overlaid with `partial` (faults merged field by field), validated. Throws on bad values. */
export function resolveOptions(partial: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const base = defaultSimulatorOptions();
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const opts: SimulatorOptions = { ...base, ...defined, faults: { ...base.faults, ...(partial.faults ?? {}) } };

  if (!isLoopbackHost(opts.host)) {
    throw new Error(`simulator: host "${opts.host}" is not a loopback address; use 127.0.0.1, ::1 or localhost`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error(`simulator: port must be an integer 0–65535 (got ${String(opts.port)})`);
  }
  const nonNegative = [
    'ttft_ms',
    'ttft_per_1k_prompt_ms',
    'tpot_ms',
    'rpm_limit',
    'tpm_limit',
    'ptu_capacity_tpm',
    'inflight_slowdown',
    'app_retrieval_ms',
  ] as const;
  for (const key of nonNegative) {
    const v = opts[key];
    if (v === undefined && (key === 'inflight_slowdown' || key === 'app_retrieval_ms')) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`simulator: ${key} must be a number ≥ 0 (got ${String(v)})`);
    }
  }
  const window = opts.quota_window_s ?? 60;
  if (typeof window !== 'number' || !(window > 0 && window <= 3600)) {
    throw new Error(`simulator: quota_window_s must be a number of seconds > 0 and ≤ 3600 (got ${String(window)})`);
  }
  if (!Number.isInteger(opts.max_concurrency ?? 0) || (opts.max_concurrency ?? 0) < 0) {
    throw new Error(`simulator: max_concurrency must be an integer ≥ 0 (got ${String(opts.max_concurrency)})`);
  }
  if (!Number.isInteger(opts.tokens_per_chunk) || opts.tokens_per_chunk < 1) {
    throw new Error(`simulator: tokens_per_chunk must be an integer ≥ 1 (got ${String(opts.tokens_per_chunk)})`);
  }
  for (const key of ['reasoning_tokens', 'coalesce_events'] as const) {
    const min = key === 'coalesce_events' ? 1 : 0;
    if (!Number.isInteger(opts[key]) || opts[key] < min) throw new Error(`simulator: ${key} must be an integer ≥ ${min} (got ${String(opts[key])})`);
  }
  oneOf('reasoning_field', opts.reasoning_field, REASONING_FIELDS);
  oneOf('reasoning_event', opts.reasoning_event, REASONING_EVENTS);
  oneOf('usage', opts.usage, USAGE_MODES);
  if (!Number.isInteger(opts.default_max_tokens) || opts.default_max_tokens < 1) {
    throw new Error(`simulator: default_max_tokens must be an integer ≥ 1 (got ${String(opts.default_max_tokens)})`);
  }
  if (typeof opts.jitter !== 'number' || !(opts.jitter >= 0 && opts.jitter < 1)) {
    throw new Error(`simulator: jitter must be in [0, 1) (got ${String(opts.jitter)})`);
  }
  if (!Number.isFinite(opts.seed)) throw new Error(`simulator: seed must be a number (got ${String(opts.seed)})`);
  if (opts.api_key === '') throw new Error('simulator: api_key must not be empty (leave it unset for no auth)');
  checkFaults(opts.faults);
  return opts;
}
