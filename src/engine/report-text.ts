// Plain-text rendering of live snapshots and the run summary, shared by the CLI and the editor:
// status lines as users of the Azure OpenAI benchmarking tool know them, and a summary table at the end.

import { kqlForRun } from '../shared/kql';
import type { LatencyStats, WindowSnapshot } from './records';
import { VERDICT_LABEL, verdictStatus, type ImportedRun, type RunSummary, type TargetSummary } from './summary';
import { costNote } from '../tokens/pricing';
import { serverLines } from './server-metrics/report-lines';

const fmt = (x: number | null | undefined, digits = 0): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));

export function statusLine(s: WindowSnapshot, showTarget: boolean): string {
  const time = s.time.replace('T', ' ').replace(/\.\d+Z$/, '');
  const parts = [
    time,
    showTarget ? `[${s.target}]` : '',
    `rpm: ${fmt(s.rpm, 1)}${s.target_rpm !== null ? `/${fmt(s.target_rpm, 0)}` : ''}`,
    `requests: ${s.requests}`,
    `in-flight: ${s.in_flight}`,
    `failures: ${s.failures}`,
    `throttled: ${s.throttled}`,
    `ctx tpm: ${s.ctx_tpm}`,
    `gen tpm: ${s.gen_tpm}`,
    // Reasoning models: time to first reasoning token before ttft (first visible token), and reasoning
    // tokens per minute (part of gen tpm). Shown only once reasoning has been seen.
    s.ttfr?.count ? `ttfr avg: ${fmt(s.ttfr.avg)} 95th: ${fmt(s.ttfr.p95)}` : '',
    `ttft avg: ${fmt(s.ttft.avg)} 95th: ${fmt(s.ttft.p95)}`,
    `tbt avg: ${fmt(s.tbt.avg, 1)} 95th: ${fmt(s.tbt.p95, 1)}`,
    s.ttfr?.count || s.reasoning_tpm ? `reasoning tpm: ${s.reasoning_tpm ?? 0}` : '',
    `e2e avg: ${fmt(s.e2e.avg)} 95th: ${fmt(s.e2e.p95)}`,
    `util avg: ${s.util.count ? `${fmt(s.util.avg, 1)}%` : 'n/a'} 95th: ${s.util.count ? `${fmt(s.util.p95, 1)}%` : 'n/a'}`,
    `lag 95th: ${fmt(s.lag.p95, 1)}`,
    s.behind ? `BEHIND SCHEDULE (queued: ${s.queued})` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

/** Wide enough for the longest row label, "TBT (per token, reasoning too)". */
const LABEL_WIDTH = 32;

function row(label: string, st: LatencyStats, unit = 'ms'): string {
  const cell = (v: number | null) => (v === null ? 'n/a' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)).padStart(9);
  return `  ${label.padEnd(LABEL_WIDTH)}${cell(st.p50)}${cell(st.p90)}${cell(st.p95)}${cell(st.p99)}${cell(st.max)}${cell(st.avg)}  ${unit}  (n=${st.count})`;
}

/** The cost and, under it, what priced it (list price as of a date, or the user's own) and where to set
 *  one's own price. */
function costLines(t: TargetSummary): string[] {
  const c = t.cost_usd;
  const model = c.model ?? t.model;
  const note = costNote(c, model);
  if (c.total === null) return [`  cost: n/a, ${note}`];
  return [
    `  cost (${model ?? 'unknown model'}): ${money(c.total)} total, ${money(c.per_request)} per request, ${money(c.per_1k_requests)} per 1,000${c.per_hour_at_target_rate !== null ? `, ${money(c.per_hour_at_target_rate)} per hour at the target rate` : ''}`,
    ...(note ? [`    price: ${note}`] : []),
  ];
}

function money(x: number | null): string {
  if (x === null) return 'n/a';
  return x < 0.01 ? `$${x.toFixed(6)}` : `$${x.toFixed(4)}`;
}

function targetBlock(t: TargetSummary): string[] {
  const s = t.schedule;
  const r = t.requests;
  const r0 = t.reasoning_latency_ms;
  const reasoning = (r0?.ttfr.count ?? 0) > 0 || (t.tokens.reasoning ?? 0) > 0;
  const lines = [
    `Target ${t.target} (${t.provider}${t.api === 'responses' ? ', Responses API' : ''}${t.response_stream ? `, ${t.response_stream} response` : ''}${t.model ? `, ${t.model}` : ''}) — ${t.duration_s.toFixed(1)} s`,
    `  ${''.padEnd(LABEL_WIDTH)}${['p50', 'p90', 'p95', 'p99', 'max', 'avg'].map((h) => h.padStart(9)).join('')}`,
    row('TTFB (to headers)', t.latency_ms.ttfb),
    ...(reasoning && r0 ? [row('TTFR (first reasoning token)', r0.ttfr)] : []),
    row('TTFT (first visible token)', t.latency_ms.ttft),
    row('TBT (per visible token)', t.latency_ms.tbt),
    ...(reasoning && r0 ? [row('TBT (per token, reasoning too)', r0.tbt_all)] : []),
    row('chunk gap (per chunk)', t.latency_ms.chunk_gap),
    row('E2E', t.latency_ms.e2e),
    row('schedule lag', s.lag_ms),
    s.mode === 'open'
      ? `  rate: target ${fmt(s.target_rpm, 1)} RPM, achieved ${fmt(s.achieved_rpm, 1)} RPM (sent ${s.sent} of ${fmt(s.scheduled, 0)} scheduled, mean expected ${fmt(s.expected, 1)}; ${s.achieved_ratio !== null ? (s.achieved_ratio * 100).toFixed(1) : 'n/a'}%; ${s.late} late, ${s.unsent} never sent)`
      : `  closed loop: ${fmt(t.throughput_rpm, 1)} RPM completed`,
    `  requests: ${r.sent} sent, ${r.succeeded} ok, ${r.failed} failed${
      Object.keys(r.errors).length
        ? ` (${Object.entries(r.errors)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')})`
        : ''
    }, ${r.throttled_responses} throttled responses, ${r.retried} retried, ${r.warmup_excluded} warm-up excluded, ${r.cancelled} cancelled`,
    `  tokens: prompt ${t.tokens.prompt} (${t.tokens.prompt_tpm}/min), completion ${t.tokens.completion} (${t.tokens.completion_tpm}/min)${t.tokens.cached ? `, cached ${t.tokens.cached}` : ''}${reasoning ? `, reasoning ${t.tokens.reasoning} (in ${t.tokens.reasoning_records} requests)` : ''}${t.tokens.tokens_per_chunk !== null ? `, ${t.tokens.tokens_per_chunk} tokens per chunk` : ''}${t.tokens.estimated_records ? `, ${t.tokens.estimated_records} estimated` : ''}`,
    ...costLines(t),
    ...sessionLines(t),
  ];
  if (t.utilization_pct.count) lines.push(row('utilization', t.utilization_pct, '%'));
  lines.push(...serverLines(t));
  if (t.error_messages?.length) {
    lines.push('  top errors:');
    for (const m of t.error_messages) lines.push(`    ${String(m.count).padStart(6)} × ${m.error}: ${m.message}`);
  }
  for (const w of t.warnings) lines.push(`  ! ${w}`);
  return lines;
}

/** `workload.sessions`: how many ran, how long users thought, and how the prompt grew turn by turn. */
export function sessionLines(t: TargetSummary): string[] {
  const s = t.sessions;
  if (!s) return [];
  const byTurn = s.prompt_tokens_by_turn.map((n) => (n === null ? 'n/a' : String(Math.round(n)))).join(' → ');
  return [
    `  sessions: ${s.started} started (${s.interactions} turns each), ${s.completed} completed, ${s.cut_short} cut short by the end; think time avg ${s.think_ms_avg === null ? 'n/a' : `${s.think_ms_avg} ms`}`,
    `    mean prompt tokens by turn: ${byTurn}`,
  ];
}

/** An imported run: which engine sent the load, how many of its requests came back, what its numbers mean. */
export function importedLines(i: ImportedRun): string[] {
  const c = i.coverage;
  const engine = i.engine === 'locust' ? 'Locust' : 'JMeter';
  const who = i.engine === 'locust' ? `${i.workers} ${i.workers === 1 ? 'worker' : 'workers'}` : `${i.workers} result ${i.workers === 1 ? 'file' : 'files'}`;
  const coverage =
    c.counted === null
      ? `${c.found} requests read${c.unreadable_lines ? `, ${c.unreadable_lines} unreadable lines left out` : ''}`
      : `coverage ${((c.ratio ?? 0) * 100).toFixed(1)}%: records for ${Math.min(c.found, c.counted)} of the ${c.counted} requests ${engine} counted${c.unreadable_lines ? `, ${c.unreadable_lines} unreadable lines left out` : ''}`;
  return [
    `Imported from ${engine} (${who}): ${coverage}${c.complete ? '' : ' — INCOMPLETE'}`,
    ...(c.missing_workers.length ? [`  ! missing: ${c.missing_workers.join(', ')}`] : []),
    ...i.notes.map((n) => `  ! ${n}`),
  ];
}

export function summaryText(summary: RunSummary, runDir: string | null): string {
  const ended = summary.stopped_by === 'stop' ? 'stopped' : summary.stopped_by === 'error' ? 'ended by an error' : 'completed';
  const lines: string[] = [
    '',
    `Summary of "${summary.scenario.name}" (${ended}; in-flight requests at the end: ${summary.on_end === 'drain' ? 'drained' : 'aborted'})`,
  ];
  if (summary.error) lines.push(`  ! the run failed: ${summary.error}`);
  for (const t of summary.targets) lines.push('', ...targetBlock(t));
  const c = summary.client;
  if (summary.imported) lines.push('', ...importedLines(summary.imported));
  else
    lines.push(
      '',
      `Client: CPU avg ${(c.cpu_avg * 100).toFixed(0)}% / max ${(c.cpu_max * 100).toFixed(0)}% of a core, event-loop delay p99 ${c.event_loop_delay_ms.p99} ms${
        c.threads && c.threads > 1
          ? `; ${c.threads} engine threads, the busiest at ${((c.thread_cpu_max ?? 0) * 100).toFixed(0)}% of a core (its loop's delay shown)`
          : ''
      }`,
    );
  if (c.bottleneck) lines.push(`  ! the client itself was a bottleneck: ${c.reasons.join('; ')} — latencies include client queueing`);
  if (summary.slos.length) {
    lines.push('', 'SLOs:');
    for (const v of summary.slos) {
      const unit = v.unit === 'ratio' ? '' : v.unit;
      const actual = v.actual === null ? 'no data' : v.unit === 'ratio' ? `${(v.actual * 100).toFixed(2)}%` : `${v.actual}${unit}`;
      lines.push(`  ${VERDICT_LABEL[verdictStatus(v)]}  ${v.target}: ${v.slo}  (actual ${actual}${v.note ? `; ${v.note}` : ''})`);
    }
  }
  // Azure targets: the Log Analytics query for the same window, unindented so it pastes as it is.
  for (const { target, kql } of kqlForRun(summary))
    lines.push('', `Azure Monitor, server-side latency of "${target}" in this window (KQL for Log Analytics):`, kql);
  if (runDir) lines.push('', `Results: ${runDir}`);
  return lines.join('\n');
}
