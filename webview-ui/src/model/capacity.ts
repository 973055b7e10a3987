// What the capacity view draws for one capacity search (capacity.json), per target: achieved against
// offered rate, latency against achieved rate, the SLO thresholds, where the answer and the first
// failing rate lie, the headline and the steps table. Pure (no DOM), so every number the view shows
// is tested without a page.

import type { CapacityReport, CapacityStep, CapacityTarget, LimitedBy } from '../../../src/engine/capacity/types';
import { parseSlo } from '../../../src/engine/scenario/slo';
import type { CapacityCurrentStep } from '../../../src/protocol/panel';
import { formatCount, formatDecimal } from './format';

export interface XY {
  x: number;
  y: number;
}

/** One step on a chart; `step` is its 1-based number in the target's search. */
export interface StepPoint extends XY {
  step: number;
  passed: boolean;
}

/** A straight line drawn as a two-point series (the y = x reference, a threshold or a marker). */
export interface Line {
  label: string;
  points: XY[];
}

/** A vertical marker: the answer (`capacity`, the highest passing offered rate) or the knee (the lowest
 *  failing offered rate). `rpm` is that offered rate; `points` are where it sits on the chart's x axis. */
export interface Marker extends Line {
  kind: 'capacity' | 'knee';
  rpm: number;
}

/** A latency SLO of the search as a horizontal line at its threshold (ms). */
export interface SloLine extends Line {
  slo: string;
  metric: 'ttft' | 'e2e';
  value: number;
}

/** Chart A: achieved (sent/min) against offered rate, passing and failing steps apart, with y = x. */
export interface AchievedChart {
  passed: StepPoint[];
  failed: StepPoint[];
  /** y = x: every offered request sent. */
  reference: Line | null;
  markers: Marker[];
}

export type LatencySeriesId = 'ttft_p50' | 'ttft_p95' | 'e2e_p50' | 'e2e_p95';

export interface LatencySeries {
  id: LatencySeriesId;
  label: string;
  /** x: achieved RPM, sorted; steps without that number are left out. */
  points: StepPoint[];
}

/** Chart B: TTFT and E2E against achieved rate, with the SLO thresholds and the markers. */
export interface LatencyChart {
  series: LatencySeries[];
  slos: SloLine[];
  /** On this chart's x axis (achieved RPM) a marker sits where its step was sent. */
  markers: Marker[];
}

export interface CapacityFact {
  id: 'goodput' | 'headroom' | 'per_ptu' | 'ptus_needed' | 'steps';
  label: string;
  text: string;
  note?: string;
}

export interface CapacityHeadline {
  /** `2,063 RPM`, `at least 2,063 RPM` (a lower bound), `none found` or `searching…`. */
  answer: string;
  capacity_rpm: number | null;
  limited_by: LimitedBy | null;
  /** `limited by saturation: the deployment fell behind …` */
  limitedText: string;
  detail: string;
  lower_bound: boolean;
  search: CapacityTarget['search'];
  searchText: string;
  facts: CapacityFact[];
}

export interface StepRow {
  step: number;
  offered_rpm: number;
  achieved_rpm: number;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  e2e_p95_ms: number | null;
  error_rate: number | null;
  throttled_rate: number | null;
  goodput_rpm: number;
  passed: boolean;
  /** `pass` or `FAIL <limited_by>`, as the CLI's table says it. */
  verdict: string;
  reasons: string[];
  run_dir: string;
}

export interface CapacityTargetView {
  target: string;
  headline: CapacityHeadline;
  achieved: AchievedChart;
  latency: LatencyChart;
  steps: StepRow[];
}

const LATENCY: { id: LatencySeriesId; label: string; value: (s: CapacityStep) => number | null }[] = [
  { id: 'ttft_p50', label: 'TTFT p50', value: (s) => s.ttft_p50_ms },
  { id: 'ttft_p95', label: 'TTFT p95', value: (s) => s.ttft_p95_ms },
  { id: 'e2e_p50', label: 'E2E p50', value: (s) => s.e2e_p50_ms },
  { id: 'e2e_p95', label: 'E2E p95', value: (s) => s.e2e_p95_ms },
];

/** Everything the view draws, one entry per target of the search. */
export function capacityView(report: CapacityReport): CapacityTargetView[] {
  const slos = latencySlos(report.slos);
  return report.targets.map((t) => ({
    target: t.target,
    headline: capacityHeadline(t),
    achieved: achievedChart(t),
    latency: latencyChart(t, slos),
    steps: t.steps.map(stepRow),
  }));
}

/** The search's TTFT and E2E SLOs (other SLOs have no line on a latency chart); unreadable ones are skipped. */
export function latencySlos(texts: readonly string[]): { slo: string; metric: 'ttft' | 'e2e'; value: number }[] {
  return texts.flatMap((text) => {
    try {
      const slo = parseSlo(text);
      return slo.metric === 'ttft' || slo.metric === 'e2e' ? [{ slo: slo.text, metric: slo.metric, value: slo.value }] : [];
    } catch {
      return [];
    }
  });
}

export function achievedChart(t: CapacityTarget): AchievedChart {
  const points = t.steps.map((s, i): StepPoint => ({ x: s.offered_rpm, y: s.achieved_rpm, step: i + 1, passed: s.passed }));
  if (points.length === 0) return { passed: [], failed: [], reference: null, markers: [] };
  const top = Math.max(...points.flatMap((p) => [p.x, p.y]));
  const markers = markersOf(t).map((m) => ({
    ...m,
    points: [
      { x: m.rpm, y: 0 },
      { x: m.rpm, y: top },
    ],
  }));
  return {
    passed: points.filter((p) => p.passed),
    failed: points.filter((p) => !p.passed),
    reference: {
      label: 'y = x (every offered request sent)',
      points: [
        { x: 0, y: 0 },
        { x: top, y: top },
      ],
    },
    markers,
  };
}

export function latencyChart(t: CapacityTarget, slos: ReturnType<typeof latencySlos>): LatencyChart {
  if (t.steps.length === 0) return { series: [], slos: [], markers: [] };
  const series = LATENCY.map((def) => ({
    id: def.id,
    label: def.label,
    points: t.steps
      .flatMap((s, i): StepPoint[] => {
        const y = def.value(s);
        return y === null ? [] : [{ x: s.achieved_rpm, y, step: i + 1, passed: s.passed }];
      })
      .sort((a, b) => a.x - b.x || a.step - b.step),
  }));
  // A marker's offered rate sits where that step's requests were sent on this axis.
  const atX = (rpm: number) => t.steps.findLast((s) => s.offered_rpm === rpm)?.achieved_rpm ?? rpm;
  const marks = markersOf(t).map((m) => ({ ...m, x: atX(m.rpm) }));
  const right = Math.max(...t.steps.map((s) => s.achieved_rpm), ...marks.map((m) => m.x));
  const top = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y)), ...slos.map((s) => s.value));
  return {
    series,
    slos: slos.map((s) => ({
      ...s,
      label: `SLO ${s.slo}`,
      points: [
        { x: 0, y: s.value },
        { x: right, y: s.value },
      ],
    })),
    markers: marks.map(({ x, ...m }) => ({
      ...m,
      points: [
        { x, y: 0 },
        { x, y: top },
      ],
    })),
  };
}

/** The answer and the knee, without their place on a chart yet. */
function markersOf(t: CapacityTarget): Omit<Marker, 'points'>[] {
  const markers: Omit<Marker, 'points'>[] = [];
  if (t.capacity_rpm !== null)
    markers.push({ kind: 'capacity', rpm: t.capacity_rpm, label: `Capacity: ${formatCount(t.capacity_rpm)} RPM${t.lower_bound ? ' (lower bound)' : ''}` });
  const knee = t.bracket.failed;
  if (knee !== null) markers.push({ kind: 'knee', rpm: knee, label: `Knee: fails at ${formatCount(knee)} RPM` });
  return markers;
}

export function capacityHeadline(t: CapacityTarget): CapacityHeadline {
  const running = t.search === 'running';
  const answer =
    t.capacity_rpm === null
      ? running
        ? 'searching…'
        : 'none found'
      : `${t.lower_bound ? 'at least ' : ''}${formatDecimal(t.capacity_rpm)} RPM${running ? ' so far' : ''}`;
  const facts: CapacityFact[] = [];
  if (t.goodput_rpm !== null) {
    facts.push({
      id: 'goodput',
      label: 'Goodput at the capacity',
      text: `${formatDecimal(t.goodput_rpm)} RPM`,
      note:
        t.goodput_tokens_per_s === null ? 'requests that met every SLO threshold' : `${formatDecimal(t.goodput_tokens_per_s)} output tokens/s within the SLOs`,
    });
  }
  if (t.headroom !== null && t.expected_rpm !== null) {
    facts.push({
      id: 'headroom',
      label: 'Headroom',
      text: `×${t.headroom}`,
      note: `over the scenario's ${formatDecimal(t.expected_rpm)} RPM${t.headroom < 1.1 ? ' — less than the 10% to plan for' : ''}`,
    });
  }
  if (t.per_ptu_rpm !== null) facts.push({ id: 'per_ptu', label: 'Per PTU', text: `${formatDecimal(t.per_ptu_rpm)} RPM` });
  if (t.ptus_needed !== null) {
    facts.push({
      id: 'ptus_needed',
      label: 'PTUs needed',
      text: formatCount(t.ptus_needed),
      note: `to carry ${formatDecimal(t.expected_rpm)} RPM with 10% headroom`,
    });
  }
  facts.push({
    id: 'steps',
    label: 'Steps',
    text: formatCount(t.steps.length),
    note: `holds at ${rateOrDash(t.bracket.passed)}, fails at ${rateOrDash(t.bracket.failed)}`,
  });
  return {
    answer,
    capacity_rpm: t.capacity_rpm,
    limited_by: t.limited_by,
    limitedText: limitedText(t.limited_by, running),
    detail: t.detail,
    lower_bound: t.lower_bound,
    search: t.search,
    searchText: SEARCH_TEXT[t.search],
    facts,
  };
}

const SEARCH_TEXT: Record<CapacityTarget['search'], string> = {
  running: 'still searching',
  complete: 'search complete: the bracket is within the precision',
  budget: 'the time budget ended the search early',
  stopped: 'the search was stopped early',
  error: 'the search failed',
};

/** What stopped the load from going higher, in words. */
export function limitedText(limitedBy: LimitedBy | null, running = false): string {
  if (limitedBy === null) return running ? 'not limited yet: still searching' : 'limit unknown';
  if (limitedBy.startsWith('slo:')) return `limited by the SLO ${limitedBy.slice(4)}: the deployment answered too slowly or failed too often`;
  switch (limitedBy) {
    case 'quota':
      return 'limited by quota: HTTP 429s or an exhausted rate limit';
    case 'saturation':
      return 'limited by saturation: the deployment fell behind (requests queued, latency kept growing)';
    case 'client':
      return 'limited by this machine: it could not offer more, so the capacity is a lower bound';
    case 'max':
      return "limited by the search's maximum: every rate up to it held";
    default:
      return 'limited by an error: a step measured nothing';
  }
}

export function stepRow(s: CapacityStep, i: number): StepRow {
  return {
    step: i + 1,
    offered_rpm: s.offered_rpm,
    achieved_rpm: s.achieved_rpm,
    ttft_p50_ms: s.ttft_p50_ms,
    ttft_p95_ms: s.ttft_p95_ms,
    e2e_p95_ms: s.e2e_p95_ms,
    error_rate: s.error_rate,
    throttled_rate: s.throttled_rate,
    goodput_rpm: s.goodput_rpm,
    passed: s.passed,
    verdict: s.passed ? 'pass' : `FAIL ${s.limited_by ?? 'error'}`,
    reasons: s.reasons,
    run_dir: s.run_dir,
  };
}

/** The live banner: `Step 5 at 4,000 RPM — holds at 2,000, fails at –`. */
export function currentStepText(current: CapacityCurrentStep): string {
  return `Step ${current.index} at ${formatCount(current.offered_rpm)} RPM — holds at ${rateOrDash(current.bracket.passed)}, fails at ${rateOrDash(current.bracket.failed)}`;
}

function rateOrDash(rpm: number | null): string {
  return rpm === null ? '–' : formatCount(rpm);
}
