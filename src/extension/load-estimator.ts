// "Estimate Load…": the usage model for a new application, and writing its result into a scenario.
//   RPM = users × active share × sessions per active user × interactions per session / peak hours / 60
// The same model's sessions become `workload.sessions` (virtual users: interactions in turn with think
// time between them), so the test sends what those users would send.
// Pure logic (no 'vscode'): the command only asks the questions and shows `explanation`.

import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from 'yaml';
import { DurationError, formatDuration, parseDurationMs } from '../engine/scenario/durations';
import { LIMITS } from '../engine/scenario/limits';

export const DEFAULT_HEADROOM = 0.1;
export const DEFAULT_THINK_TIME = '30s';

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

/** What `workload.sessions` gets from an estimate: the same users, each session `interactions` requests. */
export interface SessionPlan {
  /** Whole requests per session (the schema's `interactions` is an integer ≥ 1). */
  interactions: number;
  /** `think_time` as written into the scenario: "30s", "1m", "1m30s". */
  thinkTime: string;
  thinkTimeMs: number;
  carryHistory: boolean;
  /** Open loop: sessions started per minute at the suggested rate. */
  sessionsPerMinute: number;
  /** Open loop: sessions open at once from think time alone (answers add more); `clients` caps them. */
  openSessions: number;
  /** What the sessions mean for an open-loop scenario, one line per point. */
  explanation: string[];
}

/** The message for a typed think time, or undefined when it is a duration the scenario accepts. */
export function checkThinkTime(text: string): string | undefined {
  try {
    const ms = parseDurationMs(text);
    return ms / 1000 > LIMITS.think_time.max ? `the think time ${LIMITS.think_time.message}` : undefined;
  } catch (error) {
    if (error instanceof DurationError) return `the think time ${error.message}`;
    throw error;
  }
}

/** The sessions of an estimate with this think time (typed: "30s", "1m", "45" = 45 s). Throws LoadInputError. */
export function planSessions(estimate: LoadEstimate, thinkTime: string): SessionPlan {
  const problem = checkThinkTime(thinkTime);
  if (problem) throw new LoadInputError([problem]);
  const thinkTimeMs = parseDurationMs(thinkTime);
  const asked = estimate.inputs.interactionsPerSession;
  const interactions = Math.min(LIMITS_INTERACTIONS, Math.max(1, Math.round(asked)));
  const sessionsPerMinute = estimate.suggestedRate / interactions;
  const think = formatDuration(thinkTimeMs);
  const explanation = [
    `workload.sessions: each session is one user asking ${interactions} ${plural(interactions, 'question')} in turn, ` +
      `${thinkTimeMs > 0 ? `thinking ${think} between an answer and the next question, ` : ''}each question sent with the conversation so far`,
  ];
  if (interactions !== asked) explanation.push(`${fmt(asked)} interactions per session rounded to ${interactions}: a session is whole requests`);
  explanation.push(`sessions start at ${fmt(estimate.suggestedRate)} RPM ÷ ${interactions} = ${fmt(sessionsPerMinute)} per minute`);
  const thinkingS = ((interactions - 1) * thinkTimeMs) / 1000;
  // Think time alone keeps a session open this long; its answers add to it.
  const open = Math.max(0, Math.ceil((sessionsPerMinute * thinkingS) / 60 - 1e-9));
  if (thinkingS > 0) {
    explanation.push(
      `a session lasts ${interactions - 1} × ${think} = ${formatDuration(thinkingS * 1000)} plus its answers, so at least ${fmt(open)} ` +
        `${plural(open, 'session is', 'sessions are')} open at once: workload.clients caps them, keep it above that`,
    );
  }
  return { interactions, thinkTime: think, thinkTimeMs, carryHistory: true, sessionsPerMinute, openSessions: open, explanation };
}

/** The schema's largest `interactions`. */
const LIMITS_INTERACTIONS = 1000;

/** What the sessions mean in a closed-loop scenario, which has no rate to set. */
export function closedLoopSessionsText(plan: SessionPlan): string {
  return (
    'This scenario runs closed loop (workload.mode: closed): it has no rate to set, each client sends its next request once its last answer is back. ' +
    `With sessions each client plays one user after another: ${plan.interactions} ${plural(plan.interactions, 'question')} in turn` +
    `${plan.thinkTimeMs > 0 ? `, ${plan.thinkTime} of think time between an answer and the next question` : ''}, ` +
    'each question sent with the conversation so far; then the next user starts. Only workload.sessions is written.'
  );
}

/** "33.3", "10,000", "0.05": one decimal from 1 up, two significant digits below. */
export function fmt(x: number): string {
  const opts: Intl.NumberFormatOptions = Math.abs(x) >= 1 || x === 0 ? { maximumFractionDigits: 1 } : { maximumSignificantDigits: 2 };
  return x.toLocaleString('en-US', opts);
}

function pct(share: number): string {
  return `${(share * 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}

// ---------------------------------------------------------------------------------------------
// Writing the rate and the sessions into a scenario. The text is edited in place at the positions the
// YAML parser reports, so every comment, alignment and quoting style elsewhere in the file stays as it
// was (yaml's own toString would re-space aligned trailing comments).

/** Whether the scenario runs closed loop (`workload.mode: closed`): it has no rate, only clients. */
export function isClosedLoop(yamlText: string): boolean {
  return parseDocument(yamlText).getIn(['workload', 'mode']) === 'closed';
}

/** Set `workload.rate` to `rpm`, adding it (and `workload`) when missing. Throws with a clear message. */
export function setScenarioRate(yamlText: string, rpm: number): string {
  if (typeof rpm !== 'number' || !Number.isFinite(rpm) || rpm <= 0) {
    throw new Error(`the rate must be a number of requests per minute above 0 (got ${rpm})`);
  }
  const doc = editableDocument(yamlText, 'setting the rate');
  if (doc.getIn(['workload', 'mode']) === 'closed') {
    throw new Error('workload.mode is closed: a rate only applies to mode: open (set mode: open, or size the test by clients)');
  }
  const result = setEntry(yamlText, ['workload', 'rate'], String(rpm));
  // Re-read what was written: the edit must parse and hold exactly the new rate.
  const check = parseDocument(result);
  if (check.errors.length > 0 || check.getIn(['workload', 'rate']) !== rpm) {
    throw new Error('could not set workload.rate in this file without breaking it; edit it by hand');
  }
  return result;
}

/**
 * Set `workload.sessions` to the plan's interactions, think time and carry_history: a new
 * `sessions: { … }` when there is none, else each of the three set in the existing block (its other
 * settings, such as think_time_jitter, and its comments stay). Throws with a clear message.
 */
export function setScenarioSessions(yamlText: string, plan: Pick<SessionPlan, 'interactions' | 'thinkTime' | 'carryHistory'>): string {
  const values: [string, string][] = [
    ['interactions', String(plan.interactions)],
    ['think_time', plan.thinkTime],
    ['carry_history', String(plan.carryHistory)],
  ];
  const doc = editableDocument(yamlText, 'writing the sessions');
  const existing = doc.getIn(['workload', 'sessions'], true);
  let result: string;
  if (isMap(existing)) {
    // A flow map takes new keys at its start: set them last to first so they read in order.
    result = yamlText;
    for (const [key, value] of existing.flow ? [...values].reverse() : values) result = setEntry(result, ['workload', 'sessions', key], value);
  } else if (existing !== undefined && !isEmpty(existing)) {
    throw new Error('workload.sessions must be a mapping (e.g. sessions: { interactions: 3, think_time: 30s })');
  } else {
    const flow = `{ ${values.map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
    const workload = doc.get('workload', true);
    result =
      (existing === undefined && isMap(workload) && !workload.flow && replaceCommentedEntry(yamlText, workload, 'sessions', flow)) ||
      setEntry(yamlText, ['workload', 'sessions'], flow);
  }
  const check = parseDocument(result);
  if (
    check.errors.length > 0 ||
    !isMap(check.getIn(['workload', 'sessions'], true)) ||
    check.getIn(['workload', 'sessions', 'interactions']) !== plan.interactions ||
    check.getIn(['workload', 'sessions', 'think_time']) !== plan.thinkTime ||
    check.getIn(['workload', 'sessions', 'carry_history']) !== plan.carryHistory
  ) {
    throw new Error('could not set workload.sessions in this file without breaking it; edit it by hand');
  }
  return result;
}

/**
 * A commented example of `key:` among a block mapping's lines (New Scenario… writes
 * `# sessions: { … }` in workload) made the live entry, so the comments above it describe it.
 * Undefined when the mapping has no such line.
 */
function replaceCommentedEntry(text: string, map: YAMLMap, key: string, value: string): string | undefined {
  const keyStart = (map.items[0].key as { range: Range }).range[0];
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = text.slice(lineStart, keyStart);
  if (!/^ +$/.test(indent)) return undefined;
  // The mapping's lines: from its first key to the first line indented less (the next top-level key or comment).
  let at = lineStart;
  while (at < text.length) {
    const end = lineEnd(text, at);
    const line = text.slice(at, end);
    if (line.trim() !== '' && !line.startsWith(indent)) return undefined;
    if (line.startsWith(`${indent}# ${key}:`)) return text.slice(0, at) + `${indent}${key}: ${value}` + text.slice(end);
    at = end + 1;
  }
  return undefined;
}

function editableDocument(yamlText: string, doing: string): Document {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    throw new Error(`the scenario has YAML syntax errors; fix them before ${doing} (${doc.errors[0].message.split('\n')[0]})`);
  }
  if (!isMap(doc.contents)) throw new Error('the scenario is not a YAML mapping (expected keys such as targets and workload)');
  return doc;
}

interface PairLike {
  key: unknown;
  value: unknown;
}

type Range = [number, number, number];

/**
 * `path` (such as workload.sessions.think_time) set to `value` (YAML text) by editing the text: a
 * scalar is replaced where it stands, a missing key is added to its mapping, missing or empty
 * mappings on the way are created.
 */
function setEntry(text: string, path: string[], value: string): string {
  const doc = parseDocument(text);
  let map = doc.contents as YAMLMap;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const rest = path.slice(i + 1);
    // What goes under `key` when it has to be written: the value itself, or the rest of the path around it.
    const entry = rest.length === 0 ? value : nested(rest, value);
    const pair = pairOf(map, key);
    if (!pair) {
      if (map === doc.contents && rest.length > 0)
        return appendBlock(text, `${key}:\n  ${rest[0]}: ${rest.length === 1 ? value : nested(rest.slice(1), value)}\n`);
      return insertIntoMap(text, map, `${key}: ${entry}`);
    }
    if (rest.length > 0 && isMap(pair.value)) {
      map = pair.value;
      continue;
    }
    const name = path.slice(0, i + 1).join('.');
    if (isEmpty(pair.value))
      return fillEmpty(text, pair, rest.length === 0 ? value : `{ ${rest[0]}: ${rest.length === 1 ? value : nested(rest.slice(1), value)} }`);
    if (rest.length > 0) throw new Error(`${name} must be a mapping (e.g. ${name}: { ${rest[0]}: ${rest.length === 1 ? value : '…'} })`);
    if (isScalar(pair.value) && pair.value.range) {
      const [start, end] = pair.value.range;
      return text.slice(0, start) + value + keepCommentColumn(text.slice(end), value.length - (end - start));
    }
    throw new Error(`${name} is not a plain value; edit it by hand`);
  }
  return text;
}

/** `['sessions', 'interactions'], '3'` → `{ sessions: { interactions: 3 } }`. */
function nested(path: string[], value: string): string {
  return path.reduceRight((inner, key) => `{ ${key}: ${inner} }`, value);
}

function isEmpty(value: unknown): boolean {
  return value === null || (isScalar(value) && value.value === null);
}

/** `key:` with nothing after it (or an explicit null) gets `value`. */
function fillEmpty(text: string, pair: PairLike, value: string): string {
  const node = pair.value as { range?: Range } | null;
  if (node?.range && node.range[1] > node.range[0]) return text.slice(0, node.range[0]) + value + text.slice(node.range[1]);
  const keyEnd = (pair.key as { range: Range }).range[1];
  const colon = text.indexOf(':', keyEnd);
  return text.slice(0, colon + 1) + ` ${value}` + text.slice(colon + 1);
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
  const firstKey = map.items[0].key as { range?: Range };
  const lastValue = map.items[map.items.length - 1].value as { range?: Range } | null;
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
