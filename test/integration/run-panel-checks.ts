// Checks of the Run panel in the browser against the run folder (used by panel-ui.ts): every card
// on the panel equals the number summary.json (or requests.jsonl) gives for it — a card this file does
// not know fails, so a new card gets a check — and every point of every time chart equals its
// window in windows.jsonl, read from the Chart.js instances themselves (chart-data.ts), not from the
// panel's own counters.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { RunSummary, TargetSummary } from '../../src/engine/summary';
import { plottedCharts, type PlottedPoint } from './chart-data';

type Stats = { count: number; p50: number | null; p95: number | null; p99: number | null };
/** The fields of a windows.jsonl line the charts draw (`itl` is the old name of `chunk_gap`). */
interface WindowLine {
  target: string;
  t: number;
  ttft: Stats;
  tbt: Stats;
  e2e: Stats;
  chunk_gap?: Stats;
  itl?: Stats;
  rpm: number;
  target_rpm: number | null;
  ctx_tpm: number;
  gen_tpm: number;
  failures: number;
  throttled: number;
  in_flight: number;
  lag: Stats;
}
interface RecordLine {
  target: string;
  warmup: boolean;
  error: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
}

const readLines = <T>(file: string): T[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

/** Each card's number, from the run's files, for one target (webview-ui/src/model/headline.ts and cost.ts
 *  say which cards exist and when). */
export function expectedCards(runDir: string, summary: RunSummary, t: TargetSummary): Record<string, number | null> {
  const cards: Record<string, number | null> = {};
  for (const key of ['ttft', 'tbt', 'e2e'] as const) for (const stat of ['p50', 'p95', 'p99'] as const) cards[`${key}_${stat}`] = t.latency_ms[key][stat];
  const reasoning = t.reasoning_latency_ms;
  if (reasoning && reasoning.ttfr.count > 0) {
    for (const stat of ['p50', 'p95', 'p99'] as const) cards[`ttfr_${stat}`] = reasoning.ttfr[stat];
    cards.tbt_all_p95 = reasoning.tbt_all.p95;
  }
  const r = t.requests;
  cards.achieved_rpm = t.schedule.achieved_rpm;
  const counted = r.completed - r.warmup_excluded;
  cards.error_pct = counted > 0 ? (r.failed / counted) * 100 : null;
  if (r.throttled_responses > 0 || r.retried > 0 || r.backoff_ms > 0 || (r.errors.throttled ?? 0) > 0)
    cards.throttling = r.attempts > 0 ? (r.throttled_responses / r.attempts) * 100 : null;
  if (r.cancelled + t.schedule.unsent > 0) cards.not_measured = r.cancelled + t.schedule.unsent;
  cards.tokens_in = t.tokens.prompt;
  cards.tokens_out = t.tokens.completion;
  cards.cost_so_far = t.cost_usd.total;
  cards.cost_per_hour = t.cost_usd.total === null || t.duration_s <= 0 ? null : (t.cost_usd.total / t.duration_s) * 3600;
  // The cost section: tokens per request from the records (requests.jsonl), cost from the summary.
  const records = readLines<RecordLine>(path.join(runDir, 'requests.jsonl')).filter((x) => x.target === t.target && !x.warmup && x.error !== 'cancelled');
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
  cards.prompt_tokens_mean = mean(records.flatMap((x) => (x.prompt_tokens === null ? [] : [x.prompt_tokens])));
  cards.completion_tokens_mean = mean(records.flatMap((x) => (x.error === null && x.completion_tokens !== null ? [x.completion_tokens] : [])));
  cards.cost_per_request = t.cost_usd.per_request;
  cards.cost_per_1k = t.cost_usd.per_1k_requests;
  cards.cost_per_hour_target = t.cost_usd.per_hour_at_target_rate;
  if (summary.targets.every((x) => x.target !== t.target)) throw new Error(`${t.target} is not in summary.json`);
  return cards;
}

/** Every card on the panel (the target it shows) against expectedCards: same set of cards, same numbers. */
export async function checkEveryCard(frame: Frame, runDir: string, target: string): Promise<number> {
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  const t = summary.targets.find((x) => x.target === target);
  if (!t) throw new Error(`${target} is not in ${runDir}/summary.json`);
  const expected = expectedCards(runDir, summary, t);
  const shown = await frame
    .locator('[data-card-id]')
    .evaluateAll((cards) => cards.map((c) => [c.getAttribute('data-card-id'), c.getAttribute('data-value')] as [string, string]));
  const ids = shown.map(([id]) => id);
  const unknown = ids.filter((id) => !(id in expected));
  const missing = Object.keys(expected).filter((id) => !ids.includes(id));
  if (unknown.length || missing.length)
    throw new Error(
      `${target}: cards shown ${ids.join(', ')}; not checked here: ${unknown.join(', ') || 'none'}; expected but missing: ${missing.join(', ') || 'none'}`,
    );
  for (const [id, value] of shown) {
    const want = expected[id];
    const got = value === '' ? null : Number(value);
    if (!same(got, want)) throw new Error(`${target}: card ${id} shows ${value}, the run's files say ${want}`);
  }
  return shown.length;
}

type Series = [label: RegExp, value: (w: WindowLine) => number | null];
const gap = (w: WindowLine): Stats => (w.chunk_gap ?? w.itl)!;
/** Each time chart's lines and the windows.jsonl field each draws. */
const TIME_CHARTS: Record<string, Series[]> = {
  ttft: [
    [/^TTFT p50$/, (w) => w.ttft.p50],
    [/^TTFT p95$/, (w) => w.ttft.p95],
  ],
  tbt: [
    [/^TBT p50 \(per token\)$/, (w) => w.tbt.p50],
    [/^TBT p95 \(per token\)$/, (w) => w.tbt.p95],
  ],
  chunk_gap: [
    [/^Chunk gap p50/, (w) => gap(w).p50],
    [/^Chunk gap p95/, (w) => gap(w).p95],
  ],
  e2e: [
    [/^E2E p50$/, (w) => w.e2e.p50],
    [/^E2E p95$/, (w) => w.e2e.p95],
  ],
  rpm: [
    [/^Achieved RPM/, (w) => w.rpm],
    [/^Target RPM$/, (w) => w.target_rpm],
  ],
  tpm: [
    [/^Prompt TPM$/, (w) => w.ctx_tpm],
    [/^Generated TPM$/, (w) => w.gen_tpm],
  ],
  errors: [
    [/^Failed requests/, (w) => w.failures],
    [/^Throttled responses/, (w) => w.throttled],
  ],
  in_flight: [[/^In-flight requests$/, (w) => w.in_flight]],
  lag: [[/^Schedule lag p95/, (w) => (w.lag.count > 0 ? w.lag.p95 : null)]],
};
/** Histograms whose bars must add up to a count of the summary. */
const HISTOGRAM_TOTALS: Record<string, (t: TargetSummary) => number> = {
  ttft_hist: (t) => t.latency_ms.ttft.count,
  e2e_hist: (t) => t.latency_ms.e2e.count,
};

/**
 * Every time chart of the panel (the target it shows) drawn from windows.jsonl: the same lines, one
 * point per window at its `t`, with its value; histogram bars add up to the summary's counts. Charts
 * are scrolled into view first: the panel draws a chart only when it is on screen, as a person sees it.
 */
export async function checkChartsAgainstWindows(page: Page, frame: Frame, runDir: string, target: string): Promise<string> {
  const windows = readLines<WindowLine>(path.join(runDir, 'windows.jsonl')).filter((w) => w.target === target);
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  const t = summary.targets.find((x) => x.target === target)!;
  for (const id of [...Object.keys(TIME_CHARTS), ...Object.keys(HISTOGRAM_TOTALS)]) {
    const card = frame.locator(`[data-chart-id="${id}"]`).first();
    if (!(await card.isVisible())) throw new Error(`${target}: chart ${id} is not shown`);
    await card.scrollIntoViewIfNeeded();
  }
  // The charts redraw when their card comes into view (an IntersectionObserver callback).
  await page.waitForTimeout(500);
  const charts = await plottedCharts(page, frame);
  let points = 0;
  for (const [id, series] of Object.entries(TIME_CHARTS)) {
    const chart = charts.find((c) => c.id === id);
    if (!chart) throw new Error(`${target}: no Chart.js chart for ${id} (found ${charts.map((c) => c.id).join(', ')})`);
    const labels = chart.datasets.map((d) => d.label);
    if (labels.length !== series.length) throw new Error(`${target}: chart ${id} draws ${labels.join(' | ')}; expected ${series.length} lines`);
    for (const [label, value] of series) {
      const dataset = chart.datasets.find((d) => label.test(d.label));
      if (!dataset) throw new Error(`${target}: chart ${id} has no line ${label} (it draws ${labels.join(' | ')})`);
      const data = dataset.data as PlottedPoint[];
      if (data.length !== windows.length)
        throw new Error(`${target}: ${id} "${dataset.label}" has ${data.length} points, windows.jsonl ${windows.length} windows`);
      windows.forEach((w, i) => {
        const p = data[i];
        if (!same(p.x, w.t) || !same(p.y ?? null, value(w)))
          throw new Error(`${target}: ${id} "${dataset.label}" point ${i} is (${p.x}, ${p.y}), window ${i} of windows.jsonl is (${w.t}, ${value(w)})`);
      });
      points += data.length;
    }
  }
  for (const [id, total] of Object.entries(HISTOGRAM_TOTALS)) {
    const chart = charts.find((c) => c.id === id);
    const bars = (chart?.datasets[0]?.data ?? []) as number[];
    const sum = bars.reduce((a, b) => a + b, 0);
    if (sum !== total(t)) throw new Error(`${target}: the bars of ${id} add up to ${sum}, summary.json counts ${total(t)}`);
  }
  // Back to the top, as the panel opened (the suite's screenshots show its headline).
  await frame.evaluate('window.scrollTo(0, 0)');
  return `${points} points of ${Object.keys(TIME_CHARTS).length} time charts equal windows.jsonl (${windows.length} windows); ${Object.keys(HISTOGRAM_TOTALS).join(', ')} add up to the summary's counts`;
}

/** Equal, or both null, or within a relative 1e-9 (the page and this file may round differently). */
function same(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
