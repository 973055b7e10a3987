// SLO expressions from scenario files:
//   <metric>.<stat> <op> <value><unit>   latency: ttft|ttfr|ttfb|tbt|tbt_all|e2e|chunk_gap . avg|p50|p90|p95|p99|max, unit ms|s
//   failures < 1%   throttled < 5%        share of requests (normalized to a ratio 0..1)
//   rpm >= 590                            achieved requests per minute
// with op one of < <= > >=.

import { didYouMean } from './errors';
import type { Slo, SloMetric, SloStat } from './types';

export const LATENCY_METRICS = ['ttft', 'ttfr', 'ttfb', 'tbt', 'tbt_all', 'e2e', 'chunk_gap'] as const;
export const LATENCY_STATS = ['avg', 'p50', 'p90', 'p95', 'p99', 'max'] as const;
export const RATIO_METRICS = ['failures', 'throttled'] as const;
export const SLO_OPERATORS = ['<', '<=', '>', '>='] as const;
/** Names older scenarios used: `itl` was the chunk-gap metric's first name (it is per chunk, not per token). */
export const METRIC_ALIASES: Readonly<Record<string, string>> = { itl: 'chunk_gap' };
const ALL_METRICS: readonly string[] = [...LATENCY_METRICS, ...RATIO_METRICS, 'rpm'];

/** Examples used in messages and as completion snippets. */
export const SLO_EXAMPLES = ['ttft.p95 < 800ms', 'e2e.p95 < 10s', 'tbt.avg < 50ms', 'failures < 1%', 'throttled < 5%', 'rpm >= 590'];

export class SloError extends Error {
  /** Valid alternatives for the part that was wrong (metric, statistic, operator or unit). */
  readonly allowed?: string[];

  constructor(text: string, reason: string, allowed?: readonly string[]) {
    super(`invalid SLO ${JSON.stringify(text)}: ${reason}`);
    this.name = 'SloError';
    this.allowed = allowed ? [...allowed] : undefined;
  }
}

export function parseSlo(text: string): Slo {
  const fail = (reason: string, allowed?: readonly string[]): never => {
    throw new SloError(text, reason, allowed);
  };
  const m = /^\s*([^\s<>=!≤≥]+)\s*([<>=!≤≥]+)\s*(.*?)\s*$/.exec(text);
  if (!m) fail('expected "<metric>.<stat> <op> <value>", e.g. "ttft.p95 < 800ms", "failures < 1%" or "rpm >= 590"');
  const [, lhs, op, rhs] = m!;

  if (!(SLO_OPERATORS as readonly string[]).includes(op)) {
    fail(`operator must be one of <, <=, >, >= (got "${op}")`, SLO_OPERATORS);
  }
  const parts = lhs.toLowerCase().split('.');
  if (parts.length > 2) fail(`expected "<metric>.<stat>" before the operator (got "${lhs}")`);
  const [written, stat] = parts;
  const metric = METRIC_ALIASES[written] ?? written;
  if (!ALL_METRICS.includes(metric)) {
    fail(`unknown metric "${metric}" (expected one of ${ALL_METRICS.join(', ')}${hint(metric, ALL_METRICS)})`, ALL_METRICS);
  }

  const value = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z%]*)$/i.exec(rhs);
  if (!value) fail(`expected a number after "${op}" (got "${rhs}")`);
  const num = Number(value![1]);
  const unit = value![2].toLowerCase();
  const slo = (s: SloStat, v: number, u: Slo['unit']): Slo => ({
    text: text.trim(),
    metric: metric as SloMetric,
    stat: s,
    op: op as Slo['op'],
    value: v,
    unit: u,
  });

  if ((LATENCY_METRICS as readonly string[]).includes(metric)) {
    const stats = LATENCY_STATS as readonly string[];
    if (stat === undefined) fail(`"${metric}" needs a statistic, e.g. ${metric}.p95 (one of ${stats.join(', ')})`, stats);
    if (!stats.includes(stat)) {
      fail(`unknown statistic "${stat}" (expected one of ${stats.join(', ')}${hint(stat, stats)})`, stats);
    }
    if (unit === '') fail(`"${value![1]}" needs a unit: ms or s (e.g. ${value![1]}ms)`, ['ms', 's']);
    if (unit !== 'ms' && unit !== 's') fail(`unknown unit "${unit}" (expected ms or s)`, ['ms', 's']);
    return slo(stat as SloStat, unit === 's' ? num * 1000 : num, 'ms');
  }

  if (stat !== undefined && stat !== 'rate') fail(`"${metric}" has no statistic "${stat}"; write e.g. "${metric} ${op} ${rhs}"`);
  if (metric === 'rpm') {
    if (unit !== '' && unit !== 'rpm') fail(`rpm is a plain number of requests per minute (got unit "${unit}")`);
    return slo('rate', num, 'rpm');
  }
  if (unit !== '%') fail(`"${metric}" is a percentage of requests, e.g. "${metric} ${op} 1%"`, ['%']);
  if (num > 100) fail(`a percentage must be between 0 and 100 (got ${num}%)`);
  return slo('rate', num / 100, 'ratio');
}

function hint(word: string, candidates: readonly string[]): string {
  const text = didYouMean(word, candidates);
  return text ? `; ${text}` : '';
}
