// The Run panel's headline cards for one target. Once the run has ended they are the summary's own
// numbers (so the panel and summary.json never disagree); while it runs they come from the latest
// sliding window, and each card says so.

import { errorPercent } from '../../../src/shared/compare-metrics';
import type { LatencyStats, WindowSnapshot } from '../../../src/engine/records';
import type { Slo } from '../../../src/engine/scenario/types';
import type { RunSummary, SloVerdict } from '../../../src/engine/summary';
import type { TokenPrice } from '../../../src/shared/panel-messages';

export type CardId =
  | `${'ttft' | 'ttfr' | 'tbt' | 'tbt_all' | 'e2e'}_${'p50' | 'p95' | 'p99'}`
  | 'achieved_rpm'
  | 'error_pct'
  | 'tokens_in'
  | 'tokens_out'
  | 'cost_so_far'
  | 'cost_per_hour';

export interface Card {
  id: CardId;
  label: string;
  value: number | null;
  unit: 'ms' | 'rpm' | '%' | 'tokens' | 'USD' | 'USD/h';
  /** What the number covers when that is not obvious (a window, an estimate). */
  note?: string;
}

export interface SloCard {
  slo: string;
  /** `pending` while the run is live: SLOs are judged on the whole run, not on a window. */
  status: 'pass' | 'fail' | 'pending';
  actual: number | null;
  threshold: number;
  unit: Slo['unit'];
}

export interface Headline {
  target: string;
  /** `summary`: whole-run figures from summary.json; `window`: the latest sliding window (live). */
  source: 'summary' | 'window';
  cards: Card[];
  slos: SloCard[];
}

const LATENCY: [key: 'ttft' | 'tbt' | 'e2e', label: string][] = [
  ['ttft', 'TTFT'],
  ['tbt', 'TBT'],
  ['e2e', 'E2E'],
];
const STATS = ['p50', 'p95', 'p99'] as const;

/** Whole-run cards from the summary. Cost falls back to tokens × `price` when the summary has none. */
export function headlineFromSummary(summary: RunSummary, target: string, price: TokenPrice | null): Headline {
  const t = summary.targets.find((s) => s.target === target);
  if (!t) throw new Error(`target "${target}" is not in this run's summary`);
  const cost = t.cost_usd.total ?? (price ? tokenCostUsd(price, t.tokens.prompt, t.tokens.cached, t.tokens.completion) : null);
  return {
    target,
    source: 'summary',
    cards: [
      ...latencyCards(t.latency_ms),
      ...reasoningCards(t.reasoning_latency_ms),
      { id: 'achieved_rpm', label: 'Achieved RPM', value: t.schedule.achieved_rpm, unit: 'rpm' },
      { id: 'error_pct', label: 'Errors', value: errorPercent(t), unit: '%' },
      { id: 'tokens_in', label: 'Tokens in', value: t.tokens.prompt, unit: 'tokens' },
      { id: 'tokens_out', label: 'Tokens out', value: t.tokens.completion, unit: 'tokens' },
      { id: 'cost_so_far', label: 'Cost', value: cost, unit: 'USD' },
      {
        id: 'cost_per_hour',
        label: 'Projected cost per hour',
        value: cost !== null && t.duration_s > 0 ? (cost / t.duration_s) * 3600 : null,
        unit: 'USD/h',
        note: 'at the achieved rate',
      },
    ],
    slos: summary.slos.filter((v) => v.target === target).map(sloCard),
  };
}

/**
 * Live cards from the latest window. Token totals are estimated (see TokenTally); cached prompt tokens
 * are unknown until the summary, so they are priced at the full input rate (an upper bound).
 */
export function headlineFromWindow(latest: WindowSnapshot | null, tally: TokenTally, slos: readonly Slo[], target: string, price: TokenPrice | null): Headline {
  // The window covers min(window_s, t) seconds (the engine's own span), shorter at the start of a run.
  const spanS = latest ? Math.max(1e-3, Math.min(latest.window_s, latest.t)) : 0;
  const span = latest ? `last ${Math.round(spanS)} s` : undefined;
  const empty: LatencyStats = { count: 0, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
  // The window's rpm is completions per minute over its span; turn it back into a count.
  const completed = latest ? Math.round((latest.rpm * spanS) / 60) : 0;
  return {
    target,
    source: 'window',
    cards: [
      ...latencyCards(latest ?? { ttft: empty, tbt: empty, e2e: empty }, span),
      ...reasoningCards(latest?.ttfr && latest.tbt_all ? { ttfr: latest.ttfr, tbt_all: latest.tbt_all } : undefined, span),
      { id: 'achieved_rpm', label: 'Achieved RPM', value: latest?.rpm ?? null, unit: 'rpm', note: span && `completed, ${span}` },
      { id: 'error_pct', label: 'Errors', value: latest && completed > 0 ? (latest.failures / completed) * 100 : null, unit: '%', note: span },
      { id: 'tokens_in', label: 'Tokens in', value: Math.round(tally.prompt), unit: 'tokens', note: 'estimated from window rates' },
      { id: 'tokens_out', label: 'Tokens out', value: Math.round(tally.completion), unit: 'tokens', note: 'estimated from window rates' },
      { id: 'cost_so_far', label: 'Cost so far', value: price ? tokenCostUsd(price, tally.prompt, 0, tally.completion) : null, unit: 'USD', note: 'estimated' },
      {
        id: 'cost_per_hour',
        label: 'Projected cost per hour',
        value: price && latest ? tokenCostUsd(price, latest.ctx_tpm, 0, latest.gen_tpm) * 60 : null,
        unit: 'USD/h',
        note: span && `at the rate of the ${span}`,
      },
    ],
    slos: slos.map((s) => ({ slo: s.text, status: 'pending', actual: null, threshold: s.value, unit: s.unit })),
  };
}

/**
 * Running token totals while live. Windows overlap (a 10 s window every second), so summing their
 * token counts would count each token ten times; integrating each window's rate over the time since
 * the previous window estimates the total instead, in constant memory.
 */
export class TokenTally {
  prompt = 0;
  completion = 0;
  private lastT = 0;

  add(w: WindowSnapshot): void {
    const dt = Math.max(0, w.t - this.lastT);
    this.prompt += (w.ctx_tpm * dt) / 60;
    this.completion += (w.gen_tpm * dt) / 60;
    this.lastT = Math.max(this.lastT, w.t);
  }
}

/** USD for token counts at per-1M prices; cached prompt tokens at `cached_input` when the model has it. */
export function tokenCostUsd(price: TokenPrice, prompt: number, cached: number, completion: number): number {
  const c = Math.min(Math.max(cached, 0), prompt);
  return ((prompt - c) * price.input + c * (price.cached_input ?? price.input) + completion * price.output) / 1_000_000;
}

function latencyCards(latency: Record<'ttft' | 'tbt' | 'e2e', LatencyStats>, note?: string): Card[] {
  return LATENCY.flatMap(([key, name]) =>
    STATS.map(
      (stat): Card => ({
        id: `${key}_${stat}`,
        label: `${name} ${stat}${key === 'tbt' ? ' (per token)' : ''}`,
        value: latency[key][stat],
        unit: 'ms',
        ...(note ? { note } : {}),
      }),
    ),
  );
}

/** Reasoning models only (TTFR counted at all): time to the first reasoning token, and TBT over every
 *  output token (reasoning included) beside the visible-token TBT. */
function reasoningCards(r: { ttfr: LatencyStats; tbt_all: LatencyStats } | undefined, note?: string): Card[] {
  if (!r || r.ttfr.count === 0) return [];
  const extra = note ? { note } : {};
  return [
    ...STATS.map((stat): Card => ({ id: `ttfr_${stat}`, label: `TTFR ${stat} (first reasoning token)`, value: r.ttfr[stat], unit: 'ms', ...extra })),
    { id: 'tbt_all_p95', label: 'TBT p95 (all output tokens)', value: r.tbt_all.p95, unit: 'ms', ...extra },
  ];
}

function sloCard(v: SloVerdict): SloCard {
  return { slo: v.slo, status: v.pass ? 'pass' : 'fail', actual: v.actual, threshold: v.threshold, unit: v.unit };
}
