// What the editor says when a run ends: one output-channel line per target, one per SLO verdict, and
// the end-of-run notification. Throttling (HTTP 429), cancelled and never-sent requests and every
// verdict status are named, so "89 ok, 0 failed" never hides a run that was mostly throttled or cut
// short. No VS Code here (unit-tested directly).

import { VERDICT_LABEL, verdictStatus, type RunSummary, type SloVerdict, type TargetSummary, type VerdictStatus } from '../engine/summary';

const ms = (x: number | null): string => (x === null ? '–' : String(Math.round(x)));

/** `paygo: 108 sent, 68 ok, 40 failed (40 ended throttled); 784 throttled responses (HTTP 429) of 883 attempts, 3 retried; 0 cancelled, 12 never sent; 161.7 RPM; TTFT …`. */
export function targetLogLine(t: TargetSummary): string {
  const r = t.requests;
  const endedThrottled = r.errors.throttled ?? 0;
  const failed = `${r.failed} failed${endedThrottled > 0 ? ` (${endedThrottled} ended throttled)` : ''}`;
  const l = t.latency_ms;
  return (
    `${t.target}: ${r.sent} sent, ${r.succeeded} ok, ${failed}; ` +
    `${r.throttled_responses} throttled responses (HTTP 429) of ${r.attempts} attempts, ${r.retried} retried; ` +
    `${r.cancelled} cancelled, ${t.schedule.unsent} never sent; ` +
    `${t.schedule.achieved_rpm} RPM; TTFT p50 ${ms(l.ttft.p50)} / p95 ${ms(l.ttft.p95)} ms; TBT p95 ${l.tbt.p95 ?? '–'} ms/token; E2E p95 ${ms(l.e2e.p95)} ms`
  );
}

/** `INCOMPLETE ptu: ttft.p95 < 1500ms (actual 662.527 ms; 41 of 132 requests were not measured …)`. */
export function verdictLogLine(v: SloVerdict): string {
  const actual = v.actual === null ? 'no data' : v.unit === 'ratio' ? `${(v.actual * 100).toFixed(2)}%` : `${v.actual} ${v.unit}`;
  return `${VERDICT_LABEL[verdictStatus(v)]} ${v.target}: ${v.slo} (actual ${actual}${v.note ? `; ${v.note}` : ''})`;
}

/** How many verdicts have each status. */
export function verdictCounts(slos: readonly SloVerdict[]): Record<VerdictStatus, number> {
  const counts: Record<VerdictStatus, number> = { pass: 0, fail: 0, not_judged: 0, incomplete: 0 };
  for (const v of slos) counts[verdictStatus(v)]++;
  return counts;
}

/** ` — 2 SLOs failed, 1 incomplete, 1 not judged` / ` — 2 of 2 SLOs not judged` / ` — all 3 SLOs met` / '' without SLOs. */
export function verdictPhrase(slos: readonly SloVerdict[]): string {
  if (slos.length === 0) return '';
  const c = verdictCounts(slos);
  if (c.pass === slos.length) return ` — all ${slos.length === 1 ? 'SLOs' : `${slos.length} SLOs`} met`;
  const parts = (
    [
      [c.fail, 'failed'],
      [c.incomplete, 'incomplete'],
      [c.not_judged, 'not judged'],
      [c.pass, 'met'],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`);
  // The first part says of what: "2 SLOs failed", or "1 of 2 SLOs incomplete" when none failed.
  parts[0] = c.fail > 0 ? `${c.fail} ${c.fail === 1 ? 'SLO' : 'SLOs'} failed` : parts[0].replace(/^(\d+) /, `$1 of ${slos.length} SLOs `);
  return ` — ${parts.join(', ')}`;
}

/** ` · 784 throttled responses (HTTP 429), 40 requests ended throttled · 29 cancelled · 12 never sent` over all targets; '' when none. */
export function incompletePhrase(summary: RunSummary): string {
  let throttled = 0;
  let endedThrottled = 0;
  let cancelled = 0;
  let unsent = 0;
  for (const t of summary.targets) {
    throttled += t.requests.throttled_responses;
    endedThrottled += t.requests.errors.throttled ?? 0;
    cancelled += t.requests.cancelled;
    unsent += t.schedule.unsent;
  }
  const parts: string[] = [];
  if (throttled > 0 || endedThrottled > 0)
    parts.push(
      `${throttled} throttled ${throttled === 1 ? 'response' : 'responses'} (HTTP 429)${endedThrottled > 0 ? `, ${endedThrottled} ${endedThrottled === 1 ? 'request' : 'requests'} ended throttled` : ''}`,
    );
  if (cancelled > 0) parts.push(`${cancelled} cancelled`);
  if (unsent > 0) parts.push(`${unsent} never sent`);
  return parts.map((p) => ` · ${p}`).join('');
}

/** The end-of-run notification (without the "LLM Perf Lab:" prefix). */
export function endOfRunMessage(summary: RunSummary): string {
  const how = summary.stopped_by === 'stop' ? 'stopped' : 'finished';
  return `"${summary.scenario.name}" ${how}${verdictPhrase(summary.slos)}${incompletePhrase(summary)}.`;
}
