// The Run panel's headline cards for one target. Once the run has ended they are the summary's own
// numbers (so the panel and summary.json never disagree); while it runs they come from the latest
// sliding window, and each card says so. Throttling and work that was never measured (cancelled, never
// sent) get a card and a banner of their own: an "Errors 0%" must not hide them.

import { errorPercent } from '../../../src/results/compare-metrics';
import type { LatencyStats, WindowSnapshot } from '../../../src/engine/records';
import type { Slo } from '../../../src/engine/scenario/types';
import { verdictStatus, type RunSummary, type SloVerdict, type TargetSummary, type VerdictStatus } from '../../../src/engine/summary';
import { costUsd, PRICE_OVERRIDE_HINT, priceBasis, type Price } from '../../../src/tokens/pricing';
import { formatCount, formatDuration } from './format';

export type CardId =
  | `${'ttft' | 'ttfr' | 'tbt' | 'tbt_all' | 'e2e'}_${'p50' | 'p95' | 'p99'}`
  | 'achieved_rpm'
  | 'error_pct'
  | 'throttling'
  | 'not_measured'
  | 'tokens_in'
  | 'tokens_out'
  | 'cost_so_far'
  | 'cost_per_hour';

export interface Card {
  id: CardId;
  label: string;
  value: number | null;
  unit: 'ms' | 'rpm' | '%' | 'tokens' | 'USD' | 'USD/h' | 'requests';
  /** What the number covers when that is not obvious (a window, an estimate, a denominator). */
  note?: string;
  /** Further lines under the note: what the number is made of. */
  details?: string[];
  /** The exact counts behind the card (drawn as data-* attributes, e.g. data-attempts). */
  counts?: Record<string, number>;
  /** Cards that need attention (throttling, unmeasured work) stand out. */
  tone?: 'warning';
}

export interface SloCard {
  slo: string;
  /** `pending` while the run is live: SLOs are judged on the whole run, not on a window.
   *  `not_judged` and `incomplete` are neither pass nor fail (src/engine/summary.ts). */
  status: VerdictStatus | 'pending';
  actual: number | null;
  threshold: number;
  unit: Slo['unit'];
  /** What the number counts, or why it was not judged. */
  note?: string;
}

/** A line above the headline for what changes how every number reads. */
export interface Banner {
  id: 'throttled' | 'retried' | 'not_measured';
  text: string;
}

export interface Headline {
  target: string;
  /** `summary`: whole-run figures from summary.json; `window`: the latest sliding window (live). */
  source: 'summary' | 'window';
  cards: Card[];
  slos: SloCard[];
  banners: Banner[];
}

const LATENCY: [key: 'ttft' | 'tbt' | 'e2e', label: string][] = [
  ['ttft', 'TTFT'],
  ['tbt', 'TBT'],
  ['e2e', 'E2E'],
];
const STATS = ['p50', 'p95', 'p99'] as const;

/** Whole-run cards from the summary. Cost falls back to tokens × `price` when the summary has none. */
export function headlineFromSummary(summary: RunSummary, target: string, price: Price | null): Headline {
  const t = summary.targets.find((s) => s.target === target);
  if (!t) throw new Error(`target "${target}" is not in this run's summary`);
  const cost = t.cost_usd.total ?? (price ? costUsd(price, { prompt: t.tokens.prompt, cached: t.tokens.cached, completion: t.tokens.completion }) : null);
  // The price behind the cost: the one the summary recorded, else the panel's (a summary written before
  // prices were recorded has a cost but no price to name).
  const used = t.cost_usd.total !== null ? t.cost_usd.price : price;
  const throttling = throttlingCard(t);
  const notMeasured = notMeasuredCard(summary, t);
  return {
    target,
    source: 'summary',
    cards: [
      ...latencyCards(t.latency_ms),
      ...reasoningCards(t.reasoning_latency_ms),
      { id: 'achieved_rpm', label: 'Achieved RPM', value: t.schedule.achieved_rpm, unit: 'rpm' },
      errorsCard(t),
      ...(throttling ? [throttling] : []),
      ...(notMeasured ? [notMeasured] : []),
      { id: 'tokens_in', label: 'Tokens in', value: t.tokens.prompt, unit: 'tokens' },
      { id: 'tokens_out', label: 'Tokens out', value: t.tokens.completion, unit: 'tokens' },
      { id: 'cost_so_far', label: 'Cost', value: cost, unit: 'USD', ...priceCardNote(used, t.model) },
      {
        id: 'cost_per_hour',
        label: 'Projected cost per hour',
        value: cost !== null && t.duration_s > 0 ? (cost / t.duration_s) * 3600 : null,
        unit: 'USD/h',
        note: 'at the achieved rate',
      },
    ],
    slos: summary.slos.filter((v) => v.target === target).map(sloCard),
    banners: summaryBanners(summary, t),
  };
}

/** Failed share of the completed requests, saying what it counts and what it leaves out. */
function errorsCard(t: TargetSummary): Card {
  const r = t.requests;
  const counted = r.completed - r.warmup_excluded;
  const kinds = Object.entries(r.errors)
    .filter(([kind, n]) => kind !== 'cancelled' && n > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([kind, n]) => `${formatCount(n)} ${kind.replace(/_/g, ' ')}`);
  const unmeasured = r.cancelled + t.schedule.unsent;
  const details = [
    ...(kinds.length > 0 ? [kinds.join(', ')] : []),
    ...(unmeasured > 0 ? [`${unmeasuredParts(r.cancelled, t.schedule.unsent).join(' and ')} ${unmeasured === 1 ? 'is' : 'are'} not counted`] : []),
  ];
  return {
    id: 'error_pct',
    label: 'Errors',
    value: errorPercent(t),
    unit: '%',
    note: `${formatCount(r.failed)} of ${formatCount(counted)} completed requests failed`,
    ...(details.length > 0 && { details }),
    counts: { failed: r.failed, counted },
    ...(r.failed > 0 && { tone: 'warning' as const }),
  };
}

/** HTTP 429s, retries and the time spent waiting to retry: shown when any happened. */
function throttlingCard(t: TargetSummary): Card | null {
  const r = t.requests;
  const endedThrottled = r.errors.throttled ?? 0;
  if (r.throttled_responses === 0 && r.retried === 0 && r.backoff_ms === 0 && endedThrottled === 0) return null;
  return {
    id: 'throttling',
    label: 'Throttled (HTTP 429)',
    value: r.attempts > 0 ? (r.throttled_responses / r.attempts) * 100 : null,
    unit: '%',
    note: `${formatCount(r.throttled_responses)} of ${formatCount(r.attempts)} attempts answered 429`,
    details: [
      `${formatCount(r.retried)} ${plural(r.retried, 'request')} retried`,
      `${formatDuration(r.backoff_ms)} spent backing off (all requests together)`,
      `${formatCount(endedThrottled)} ended throttled (counted as failed)`,
    ],
    counts: {
      'throttled-responses': r.throttled_responses,
      attempts: r.attempts,
      retried: r.retried,
      'backoff-ms': r.backoff_ms,
      'ended-throttled': endedThrottled,
    },
    tone: 'warning',
  };
}

/** Requests the run meant to make but measured no result for: cancelled in flight, or never sent. */
function notMeasuredCard(summary: RunSummary, t: TargetSummary): Card | null {
  const { cancelled } = t.requests;
  const { unsent } = t.schedule;
  if (cancelled + unsent === 0) return null;
  const all = t.requests.sent + unsent;
  return {
    id: 'not_measured',
    label: 'Not measured',
    value: cancelled + unsent,
    unit: 'requests',
    note: `of ${formatCount(all)} requests: no result, not in any number above`,
    details: [
      ...(cancelled > 0 ? [`${formatCount(cancelled)} cancelled — ${cancelledWhy(summary)}`] : []),
      ...(unsent > 0 ? [`${formatCount(unsent)} never sent — every client was busy until the end`] : []),
    ],
    counts: { cancelled, unsent, all },
    tone: 'warning',
  };
}

/** `29 cancelled`, `12 never sent`: the parts that are not zero. */
function unmeasuredParts(cancelled: number, unsent: number): string[] {
  return [...(cancelled > 0 ? [`${formatCount(cancelled)} cancelled`] : []), ...(unsent > 0 ? [`${formatCount(unsent)} never sent`] : [])];
}

function cancelledWhy(summary: RunSummary): string {
  if (summary.stopped_by === 'stop') return 'in flight when the run was stopped';
  return summary.on_end === 'abort' ? 'in flight when the run ended (on_end: abort)' : 'in flight when the run ended';
}

function summaryBanners(summary: RunSummary, t: TargetSummary): Banner[] {
  const r = t.requests;
  const banners: Banner[] = [];
  const endedThrottled = r.errors.throttled ?? 0;
  const retried =
    r.retried > 0
      ? ` ${formatCount(r.retried)} ${plural(r.retried, 'request')} retried after waiting ${formatDuration(r.backoff_ms)} in all: their latencies include the waits.`
      : '';
  const ended = endedThrottled > 0 ? ` ${formatCount(endedThrottled)} ended throttled and count as failed.` : '';
  if (r.throttled_responses > 0) {
    banners.push({
      id: 'throttled',
      text: `Throttled: ${formatCount(r.throttled_responses)} of ${formatCount(r.attempts)} attempts answered 429 — the deployment or its quota limited this run.${retried}${ended}`,
    });
  } else if (r.retried > 0) {
    banners.push({ id: 'retried', text: `Retried:${retried}` });
  }
  const { cancelled } = r;
  const { unsent } = t.schedule;
  if (cancelled + unsent > 0) {
    const parts = [
      ...(cancelled > 0 ? [`${formatCount(cancelled)} cancelled ${cancelledWhy(summary)}`] : []),
      ...(unsent > 0 ? [`${formatCount(unsent)} never sent because every client was busy`] : []),
    ];
    banners.push({
      id: 'not_measured',
      text: `Incomplete: ${formatCount(cancelled + unsent)} of ${formatCount(r.sent + unsent)} requests were not measured (${parts.join('; ')}). Latencies and SLOs cover only the requests that finished — and the ones cut off are the slow ones.`,
    });
  }
  return banners;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/**
 * Live cards from the latest window. Token totals are the engine's counts so far (estimated only for
 * runs recorded before windows carried them, see TokenTally); the cost so far prices them as the
 * summary will.
 */
export function headlineFromWindow(
  latest: WindowSnapshot | null,
  tally: TokenTally,
  slos: readonly Slo[],
  target: string,
  price: Price | null,
  model: string | null = null,
): Headline {
  // The window covers min(window_s, t) seconds (the engine's own span), shorter at the start of a run.
  const spanS = latest ? Math.max(1e-3, Math.min(latest.window_s, latest.t)) : 0;
  const span = latest ? `last ${Math.round(spanS)} s` : undefined;
  const empty: LatencyStats = { count: 0, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
  // The window's rpm is completions per minute over its span; turn it back into a count.
  const completed = latest ? Math.round((latest.rpm * spanS) / 60) : 0;
  const throttling = liveThrottling(latest, tally, span);
  return {
    target,
    source: 'window',
    cards: [
      ...latencyCards(latest ?? { ttft: empty, tbt: empty, e2e: empty }, span),
      ...reasoningCards(latest?.ttfr && latest.tbt_all ? { ttfr: latest.ttfr, tbt_all: latest.tbt_all } : undefined, span),
      { id: 'achieved_rpm', label: 'Achieved RPM', value: latest?.rpm ?? null, unit: 'rpm', note: span && `completed, ${span}` },
      {
        id: 'error_pct',
        label: 'Errors',
        value: latest && completed > 0 ? (latest.failures / completed) * 100 : null,
        unit: '%',
        note: latest ? `${formatCount(latest.failures)} of ${formatCount(completed)} completed, ${span}` : undefined,
      },
      ...(throttling ? [throttling.card] : []),
      { id: 'tokens_in', label: 'Tokens in', value: Math.round(tally.prompt), unit: 'tokens', note: tally.exact ? 'so far' : 'estimated from window rates' },
      {
        id: 'tokens_out',
        label: 'Tokens out',
        value: Math.round(tally.completion),
        unit: 'tokens',
        note: tally.exact ? 'so far' : 'estimated from window rates',
      },
      {
        id: 'cost_so_far',
        label: 'Cost so far',
        value: price ? costUsd(price, { prompt: tally.prompt, cached: tally.cached, completion: tally.completion }) : null,
        unit: 'USD',
        ...priceCardNote(price, model, 'estimated'),
      },
      {
        id: 'cost_per_hour',
        label: 'Projected cost per hour',
        value: price && latest ? costUsd(price, { prompt: latest.ctx_tpm, completion: latest.gen_tpm }) * 60 : null,
        unit: 'USD/h',
        note: span && `at the rate of the ${span}`,
      },
    ],
    slos: slos.map((s) => ({ slo: s.text, status: 'pending', actual: null, threshold: s.value, unit: s.unit })),
    banners: throttling ? [throttling.banner] : [],
  };
}

/** While live: the 429s of the latest window, and about how many so far (the summary has the exact count). */
function liveThrottling(latest: WindowSnapshot | null, tally: TokenTally, span: string | undefined): { card: Card; banner: Banner } | null {
  if (!latest || !tally.throttledSeen) return null;
  const soFar = Math.max(latest.throttled, Math.round(tally.throttled));
  const soFarText = tally.exact ? `${formatCount(soFar)} so far` : `≈ ${formatCount(soFar)} so far (from the windows; exact when the run ends)`;
  return {
    card: {
      id: 'throttling',
      label: 'Throttled (HTTP 429)',
      value: latest.throttled,
      unit: 'requests',
      note: `429 responses, ${span}`,
      details: [soFarText],
      counts: { 'throttled-responses': latest.throttled },
      tone: 'warning',
    },
    banner: {
      id: 'throttled',
      text: `Throttled: ${formatCount(latest.throttled)} HTTP 429 ${latest.throttled === 1 ? 'response' : 'responses'} in the ${span}, ${tally.exact ? '' : '≈ '}${formatCount(soFar)} so far — the deployment or its quota is limiting this run.`,
    },
  };
}

/**
 * Running totals while live. Windows carry the engine's own counts so far (`totals`), which are exact.
 * Windows of runs recorded before they did overlap (a 10 s window every second), so summing their
 * token counts would count each token ten times; for those, integrating each window's rate over the
 * time since the previous window estimates the totals instead, in constant memory.
 */
export class TokenTally {
  prompt = 0;
  cached = 0;
  completion = 0;
  /** HTTP 429 responses so far. */
  throttled = 0;
  /** Has any window counted a 429? */
  throttledSeen = false;
  /** True while every window so far carried the engine's totals (no estimate involved). */
  exact = true;
  private lastT = 0;

  add(w: WindowSnapshot): void {
    if (w.throttled > 0 || (w.totals?.throttled_responses ?? 0) > 0) this.throttledSeen = true;
    if (w.totals) {
      this.prompt = w.totals.prompt_tokens;
      this.cached = w.totals.cached_tokens;
      this.completion = w.totals.completion_tokens;
      this.throttled = w.totals.throttled_responses;
    } else {
      this.exact = false;
      const dt = Math.max(0, w.t - this.lastT);
      this.prompt += (w.ctx_tpm * dt) / 60;
      this.completion += (w.gen_tpm * dt) / 60;
      const spanS = Math.max(1e-3, Math.min(w.window_s, w.t));
      this.throttled += (w.throttled / spanS) * dt;
    }
    this.lastT = Math.max(this.lastT, w.t);
  }
}

/** The cost card's note: what the cost was priced with, and where to set a price of one's own when it
 *  is the list price or there is none. `undefined`: a cost whose price was not recorded (older runs). */
function priceCardNote(price: Price | null | undefined, model: string | null, prefix?: string): Pick<Card, 'note' | 'details'> {
  if (price === undefined) return prefix ? { note: prefix } : {};
  const basis = priceBasis(price, model);
  return { note: prefix ? `${prefix} · ${basis}` : basis, ...(!price || price.origin === 'list' ? { details: [PRICE_OVERRIDE_HINT] } : {}) };
}

function latencyCards(latency: Record<'ttft' | 'tbt' | 'e2e', LatencyStats>, note?: string): Card[] {
  return LATENCY.flatMap(([key, name]) =>
    STATS.map((stat): Card => ({
      id: `${key}_${stat}`,
      label: `${name} ${stat}${key === 'tbt' ? ' (per token)' : ''}`,
      value: latency[key][stat],
      unit: 'ms',
      ...(note ? { note } : {}),
    })),
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
  return { slo: v.slo, status: verdictStatus(v), actual: v.actual, threshold: v.threshold, unit: v.unit, ...(v.note !== undefined && { note: v.note }) };
}

/** The run's SLO outcome in a few words: any fail → failed; else anything not judged or incomplete →
 *  not all judged; else met. Null without SLOs. */
export function sloOutcome(verdicts: readonly SloVerdict[]): 'met' | 'failed' | 'not_all_judged' | null {
  if (verdicts.length === 0) return null;
  const statuses = verdicts.map(verdictStatus);
  if (statuses.includes('fail')) return 'failed';
  return statuses.every((s) => s === 'pass') ? 'met' : 'not_all_judged';
}
