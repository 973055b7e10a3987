// Regression rules for `perflab compare --fail-on`: "fail when a later run is this much worse than the
// baseline". Pure logic (no I/O): parse a rule's text, then evaluate it for every run/target after the
// first against the first.
//
//   <metric>.<stat> > +N%     relative rise of a latency (ttft ttfr tbt chunk_gap e2e; p50 p95 p99 avg max)
//   <metric>.<stat> > +N ms   absolute rise of a latency
//   rpm < -N%   /  rpm < -N rpm    achieved requests per minute fell
//   errors > +N%  /  throttled > +N%   the failed / HTTP 429 share rose by N percentage points
//
// The comparison states when the rule FAILS. An unsigned number is positive; `<` needs an explicit sign
// (`rpm < 5%` would fail unless the rate rose by 5%, which is never what was meant).

import type { LatencyStats } from '../engine/records';
import { METRIC_ALIASES } from '../engine/scenario/slo';
import type { TargetSummary } from '../engine/summary';
import { errorPercent, throttledPercent, type CompareEntry } from '../results/compare-metrics';

export const LATENCY_METRICS = ['ttft', 'ttfr', 'tbt', 'chunk_gap', 'e2e'] as const;
export const LATENCY_STATS = ['p50', 'p95', 'p99', 'avg', 'max'] as const;
type LatencyMetric = (typeof LATENCY_METRICS)[number];
type LatencyStat = (typeof LATENCY_STATS)[number];

export type RuleMetric = LatencyMetric | 'rpm' | 'errors' | 'throttled';
/** `%`: relative to the baseline; `ms`/`rpm`: absolute; `pts`: percentage points (errors, throttled). */
export type RuleUnit = '%' | 'ms' | 'rpm' | 'pts';

export interface RegressionRule {
  /** As the user wrote it. */
  text: string;
  metric: RuleMetric;
  /** Latency metrics only. */
  stat: LatencyStat | null;
  op: '>' | '<';
  /** Signed threshold of the change: +10 in `ttft.p95 > +10%`, −5 in `rpm < -5%`. */
  limit: number;
  unit: RuleUnit;
}

export const RULE_GRAMMAR = [
  'Regression rules (the comparison says when the rule fails, against the first run):',
  `  <metric>.<stat> > +N%      metric: ${LATENCY_METRICS.join(' | ')}; stat: ${LATENCY_STATS.join(' | ')}`,
  '  <metric>.<stat> > +N ms    e.g. "ttft.p95 > +10%", "e2e.p99 > +250ms"',
  '  rpm < -N%   (or -N rpm)    achieved requests per minute fell, e.g. "rpm < -5%"',
  '  errors > +N%               failed share rose by N percentage points, e.g. "errors > +1%"',
  '  throttled > +N%            HTTP 429 share rose by N percentage points',
].join('\n');

export class RuleError extends Error {}

const RULE = /^([a-z][a-z0-9_]*)(?:\.([a-z0-9]+))?\s*([<>])\s*([+-]?)(\d+(?:\.\d+)?)\s*([a-z%]*)$/i;

/** Parses one rule; throws RuleError naming what is wrong and the allowed grammar. */
export function parseRule(text: string): RegressionRule {
  const bad = (why: string): never => {
    throw new RuleError(`--fail-on "${text}": ${why}\n${RULE_GRAMMAR}`);
  };
  const m = RULE.exec(text.trim());
  if (!m) return bad('not a rule');
  const [, metricText, statText, op, sign, number, unitText] = m;
  const metric = METRIC_ALIASES[metricText.toLowerCase()] ?? metricText.toLowerCase();
  const stat = statText?.toLowerCase() ?? null;
  const unitWritten = unitText.toLowerCase();
  let unit: RuleUnit;
  if ((LATENCY_METRICS as readonly string[]).includes(metric)) {
    if (stat === null) return bad(`give a statistic: ${metric}.p95 (one of ${LATENCY_STATS.join(', ')})`);
    if (!(LATENCY_STATS as readonly string[]).includes(stat)) return bad(`unknown statistic "${stat}" (one of ${LATENCY_STATS.join(', ')})`);
    if (unitWritten === '%') unit = '%';
    else if (unitWritten === 'ms') unit = 'ms';
    else return bad(`${metric} changes are in % or ms`);
  } else if (metric === 'rpm' || metric === 'errors' || metric === 'throttled') {
    if (stat !== null) return bad(`${metric} has no statistic: write "${metric} ${op} …"`);
    if (metric === 'rpm') {
      if (unitWritten === '%') unit = '%';
      else if (unitWritten === 'rpm') unit = 'rpm';
      else return bad('rpm changes are in % or rpm');
    } else if (['%', 'pts', 'pt', 'pp'].includes(unitWritten)) unit = 'pts';
    else return bad(`${metric} changes are in percentage points: write %`);
  } else {
    return bad(`unknown metric "${metricText}" (one of ${[...LATENCY_METRICS, 'rpm', 'errors', 'throttled'].join(', ')})`);
  }
  if (op === '<' && sign === '')
    return bad(`write the sign: "${metric}${stat ? `.${stat}` : ''} < -${number}${unitWritten}" fails when it falls by more than ${number}${unitWritten}`);
  const limit = Number(number) * (sign === '-' ? -1 : 1);
  return { text: text.trim(), metric: metric as RuleMetric, stat: stat as LatencyStat | null, op: op as '>' | '<', limit, unit };
}

/** Every rule in the --fail-on values; one value may hold several separated by commas. */
export function parseRules(values: readonly string[]): RegressionRule[] {
  return values
    .flatMap((v) => v.split(','))
    .filter((v) => v.trim() !== '')
    .map(parseRule);
}

/** The rule's metric for one target, in its natural unit (ms, RPM, %); null when not measured. */
export function ruleValue(rule: Pick<RegressionRule, 'metric' | 'stat'>, t: TargetSummary): number | null {
  switch (rule.metric) {
    case 'rpm':
      return t.schedule.achieved_rpm;
    case 'errors':
      return errorPercent(t);
    case 'throttled':
      return throttledPercent(t);
    case 'ttfr': {
      const ttfr = t.reasoning_latency_ms?.ttfr;
      return ttfr?.count ? (ttfr[rule.stat as keyof LatencyStats] ?? null) : null;
    }
    default: {
      const stats = t.latency_ms[rule.metric];
      return stats?.count ? (stats[rule.stat as keyof LatencyStats] ?? null) : null;
    }
  }
}

export interface RuleCheck {
  rule: RegressionRule;
  /** The compared entry's label (the baseline is entry 0). */
  label: string;
  /** Index of the compared entry (1 … n−1). */
  index: number;
  baseline: number | null;
  value: number | null;
  /** The change in the rule's unit (%, ms, RPM or percentage points); null when it cannot be computed. */
  change: number | null;
  pass: boolean;
  /** e.g. `198 ms vs 150 ms: +32.0%`, or why there is no verdict. */
  detail: string;
}

/** Checks every rule for every entry after the first against the first. No data never passes. */
export function evaluateRules(rules: readonly RegressionRule[], entries: readonly CompareEntry[]): RuleCheck[] {
  const [baseline, ...others] = entries;
  if (!baseline) return [];
  return rules.flatMap((rule) =>
    others.map((e, i): RuleCheck => {
      const a = ruleValue(rule, baseline.target);
      const b = ruleValue(rule, e.target);
      const base = { rule, label: e.label, index: i + 1, baseline: a, value: b };
      if (a === null || b === null) {
        const missing = a === null && b === null ? 'neither run measured it' : a === null ? 'the baseline did not measure it' : 'this run did not measure it';
        return { ...base, change: null, pass: false, detail: `no data: ${missing}` };
      }
      const change = changeOf(rule.unit, a, b);
      const pass = rule.op === '>' ? !(change > rule.limit) : !(change < rule.limit);
      const natural = rule.metric === 'rpm' ? 'rpm' : rule.metric === 'errors' || rule.metric === 'throttled' ? '%' : 'ms';
      return { ...base, change, pass, detail: `${fmtValue(b, natural)} vs ${fmtValue(a, natural)}: ${fmtChange(change, rule.unit)}` };
    }),
  );
}

/** b against a in the rule's unit. A rise from 0 is an infinite relative rise. */
function changeOf(unit: RuleUnit, a: number, b: number): number {
  if (unit !== '%') return b - a;
  if (a === 0) return b === 0 ? 0 : b > 0 ? Infinity : -Infinity;
  return ((b - a) / Math.abs(a)) * 100;
}

function fmtValue(v: number, unit: 'ms' | 'rpm' | '%'): string {
  if (unit === '%') return `${round(v, 2)}%`;
  if (unit === 'rpm') return `${round(v, 1)} RPM`;
  return `${v < 100 ? round(v, 1) : Math.round(v)} ms`;
}

function fmtChange(change: number, unit: RuleUnit): string {
  if (!Number.isFinite(change)) return `${change > 0 ? '+' : '−'}∞% (baseline 0)`;
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const size = Math.abs(change);
  if (unit === '%') return `${sign}${round(size, 1)}%`;
  if (unit === 'pts') return `${sign}${round(size, 2)} percentage points`;
  if (unit === 'rpm') return `${sign}${round(size, 1)} RPM`;
  return `${sign}${size < 100 ? round(size, 1) : Math.round(size)} ms`;
}

function round(v: number, digits: number): string {
  return String(Math.round(v * 10 ** digits) / 10 ** digits);
}
