// "Estimate Load…": the usage model for a new application, and writing its result into a scenario.
//   RPM = users × active share × sessions per active user × interactions per session / peak hours / 60
// Pure logic (no 'vscode'): the command only asks the questions and shows `explanation`.

import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';

export const DEFAULT_HEADROOM = 0.1;

export interface LoadInputs {
  /** Total users of the application (u). */
  users: number;
  /** Share of them active in the peak period, 0..1 (p); 0.1 means 10%. */
  activeShare: number;
  /** Sessions per active user in the peak period (s). */
  sessionsPerUser: number;
  /** Model calls per session (i). */
  interactionsPerSession: number;
  /** Length of the peak period in hours (n). */
  peakHours: number;
  /** Extra capacity on top of the estimate, as a fraction; default 0.1 (10%). */
  headroom?: number;
}

export interface LoadEstimate {
  inputs: Required<LoadInputs>;
  activeUsers: number;
  sessions: number;
  /** Requests in the whole peak period. */
  peakRequests: number;
  /** The usage model's rate, unrounded. */
  rpm: number;
  /** rpm × (1 + headroom), unrounded. */
  rpmWithHeadroom: number;
  /** The value to write into `workload.rate`: rpmWithHeadroom rounded up to 0.1 (never below the estimate). */
  suggestedRate: number;
  /** One line per step of the arithmetic, for the user to check. */
  explanation: string[];
}

export class LoadInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'LoadInputError';
  }
}

type Field = keyof LoadInputs;

/** Field names as the user sees them in messages. */
const LABELS: Record<Field, string> = {
  users: 'total users',
  activeShare: 'share of users active in the peak period',
  sessionsPerUser: 'sessions per active user',
  interactionsPerSession: 'interactions per session',
  peakHours: 'length of the peak period (hours)',
  headroom: 'headroom',
};

/** The message for one field's value, or undefined when it is acceptable (used by input boxes too). */
export function checkLoadInput(field: Field, value: number): string | undefined {
  const label = LABELS[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${label} must be a number`;
  switch (field) {
    case 'activeShare':
      if (value > 1 && value <= 100) return `${label} must be between 0 and 1 (did you mean ${value}%? enter ${fmt(value / 100)})`;
      if (value <= 0 || value > 1) return `${label} must be more than 0 and at most 1 (0.1 means 10%)`;
      return undefined;
    case 'headroom':
      if (value < 0) return `${label} cannot be negative (0.1 means 10% extra)`;
      if (value > 10) return `${label} must be a fraction (0.1 means 10%), got ${value}`;
      return undefined;
    default:
      return value > 0 ? undefined : `${label} must be more than 0 (got ${value})`;
  }
}

/**
 * Text typed into an input box → a number. Accepts thousands separators ("10,000") and, for
 * shares, percentages ("10%" → 0.1). Returns undefined for anything else.
 */
export function parseLoadNumber(text: string, options: { percent?: boolean } = {}): number | undefined {
  let t = text.trim().replace(/[,_\s]/g, '');
  let scale = 1;
  if (options.percent && t.endsWith('%')) {
    t = t.slice(0, -1);
    scale = 0.01;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t) * scale;
}

export function estimateLoad(inputs: LoadInputs): LoadEstimate {
  const all: Required<LoadInputs> = { ...inputs, headroom: inputs.headroom ?? DEFAULT_HEADROOM };
  const problems = (Object.keys(LABELS) as Field[]).map((f) => checkLoadInput(f, all[f])).filter((m): m is string => m !== undefined);
  if (problems.length > 0) throw new LoadInputError(problems);

  const activeUsers = all.users * all.activeShare;
  const sessions = activeUsers * all.sessionsPerUser;
  const peakRequests = sessions * all.interactionsPerSession;
  const rpm = peakRequests / all.peakHours / 60;
  const rpmWithHeadroom = rpm * (1 + all.headroom);
  // Rounded up so the tested rate never falls below the estimate; the epsilon keeps 36.7 at 36.7.
  const suggestedRate = Math.max(0.1, Math.ceil(rpmWithHeadroom * 10 - 1e-9) / 10);

  const explanation = [
    `${fmt(all.users)} users × ${pct(all.activeShare)} active in the peak = ${fmt(activeUsers)} active users`,
    `${fmt(activeUsers)} active users × ${fmt(all.sessionsPerUser)} ${plural(all.sessionsPerUser, 'session')} = ${fmt(sessions)} sessions`,
    `${fmt(sessions)} sessions × ${fmt(all.interactionsPerSession)} ${plural(all.interactionsPerSession, 'interaction')} = ${fmt(peakRequests)} requests in the peak period`,
    `${fmt(peakRequests)} requests / ${fmt(all.peakHours)} ${plural(all.peakHours, 'hour')} / 60 = ${fmt(rpm)} RPM`,
    all.headroom > 0 ? `${fmt(rpm)} RPM + ${pct(all.headroom)} headroom = ${fmt(rpmWithHeadroom)} RPM` : `no headroom: ${fmt(rpm)} RPM`,
  ];
  return { inputs: all, activeUsers, sessions, peakRequests, rpm, rpmWithHeadroom, suggestedRate, explanation };
}

/** "33.3", "10,000", "0.05": one decimal from 1 up, two significant digits below. */
export function fmt(x: number): string {
  const opts: Intl.NumberFormatOptions = Math.abs(x) >= 1 || x === 0 ? { maximumFractionDigits: 1 } : { maximumSignificantDigits: 2 };
  return x.toLocaleString('en-US', opts);
}

function pct(share: number): string {
  return `${(share * 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

// ---------------------------------------------------------------------------------------------
// Writing the rate into a scenario. The text is edited in place at the positions the YAML parser
// reports, so every comment, alignment and quoting style elsewhere in the file stays as it was
// (yaml's own toString would re-space aligned trailing comments).

/** Set `workload.rate` to `rpm`, adding it (and `workload`) when missing. Throws with a clear message. */
export function setScenarioRate(yamlText: string, rpm: number): string {
  if (typeof rpm !== 'number' || !Number.isFinite(rpm) || rpm <= 0) {
    throw new Error(`the rate must be a number of requests per minute above 0 (got ${rpm})`);
  }
  const value = String(rpm);
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    throw new Error(`the scenario has YAML syntax errors; fix them before setting the rate (${doc.errors[0].message.split('\n')[0]})`);
  }
  if (!isMap(doc.contents)) throw new Error('the scenario is not a YAML mapping (expected keys such as targets and workload)');

  const workloadPair = pairOf(doc.contents, 'workload');
  let result: string;
  if (!workloadPair) {
    result = appendBlock(yamlText, `workload:\n  rate: ${value}\n`);
  } else if (isMap(workloadPair.value)) {
    const workload = workloadPair.value;
    if (workload.get('mode') === 'closed') {
      throw new Error('workload.mode is closed: a rate only applies to mode: open (set mode: open, or size the test by clients)');
    }
    const ratePair = pairOf(workload, 'rate');
    if (ratePair && isScalar(ratePair.value) && ratePair.value.range) {
      const [start, end] = ratePair.value.range;
      result = yamlText.slice(0, start) + value + keepCommentColumn(yamlText.slice(end), value.length - (end - start));
    } else if (ratePair) {
      throw new Error('workload.rate is not a plain number; edit it by hand');
    } else {
      result = insertIntoMap(yamlText, workload, `rate: ${value}`);
    }
  } else if (workloadPair.value === null || (isScalar(workloadPair.value) && workloadPair.value.value === null)) {
    // `workload:` with nothing after it (or an explicit null): give it a one-entry map.
    const node = workloadPair.value as { range?: [number, number, number] } | null;
    if (node?.range && node.range[1] > node.range[0]) {
      result = yamlText.slice(0, node.range[0]) + `{ rate: ${value} }` + yamlText.slice(node.range[1]);
    } else {
      const keyEnd = (workloadPair.key as { range: [number, number, number] }).range[1];
      const eol = lineEnd(yamlText, keyEnd);
      result = yamlText.slice(0, eol) + `\n  rate: ${value}` + yamlText.slice(eol);
    }
  } else {
    throw new Error('workload must be a mapping (e.g. workload: { rate: 60, duration: 60s })');
  }

  // Re-read what was written: the edit must parse and hold exactly the new rate.
  const check = parseDocument(result);
  if (check.errors.length > 0 || check.getIn(['workload', 'rate']) !== rpm) {
    throw new Error('could not set workload.rate in this file without breaking it; edit it by hand');
  }
  return result;
}

interface PairLike {
  key: unknown;
  value: unknown;
}

function pairOf(map: YAMLMap, key: string): PairLike | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as PairLike | undefined;
}

function insertIntoMap(text: string, map: YAMLMap, entry: string): string {
  const range = map.range;
  if (!range) throw new Error('cannot locate workload in the file');
  if (map.flow) {
    // `{ duration: 60s }` → `{ rate: 60, duration: 60s }`
    const open = text.indexOf('{', range[0]);
    const empty = map.items.length === 0;
    return text.slice(0, open + 1) + (empty ? ` ${entry} ` : ` ${entry},`) + text.slice(open + 1);
  }
  // Block map: a new line after the last entry, at the indentation of the first key.
  const firstKey = map.items[0].key as { range?: [number, number, number] };
  const lastValue = map.items[map.items.length - 1].value as { range?: [number, number, number] } | null;
  const keyStart = firstKey.range![0];
  const indent = ' '.repeat(keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1));
  const after = lastValue?.range ? lastValue.range[1] : (map.items[map.items.length - 1].key as { range: number[] }).range[1];
  const eol = lineEnd(text, Math.max(after - 1, keyStart));
  return text.slice(0, eol) + `\n${indent}${entry}` + text.slice(eol);
}

/** After a value grew or shrank by `delta` characters, pad so an aligned trailing comment stays in its column. */
function keepCommentColumn(rest: string, delta: number): string {
  const m = /^( +)#/.exec(rest);
  if (!m) return rest;
  const spaces = Math.max(1, m[1].length - delta);
  return ' '.repeat(spaces) + rest.slice(m[1].length);
}

/** Index of the newline ending the line that contains `pos` (or the text length). */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl;
}

function appendBlock(text: string, block: string): string {
  if (text.length === 0) return block;
  return text + (text.endsWith('\n') ? '\n' : '\n\n') + block;
}
