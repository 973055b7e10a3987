// A run's summary as GitHub-flavoured markdown, for a CI job summary ($GITHUB_STEP_SUMMARY, Azure
// Pipelines' `##vso[task.uploadsummary]`) or a pull-request comment: the verdict first, then per
// target the latency percentiles, rate, errors, tokens and cost, the server's own numbers (`server_metrics:`),
// the SLO verdicts, the warnings, and the KQL query for each Azure target. Pure logic (no I/O).

import type { LatencyStats } from '../engine/records';
import type { ServerLatency, ServerSeriesStats, ServerSummary } from '../engine/server-metrics/types';
import { shortResource } from '../results/server-series';
import { VERDICT_LABEL, verdictStatus, type RunSummary, type SloVerdict, type TargetSummary } from '../engine/summary';
import { errorPercent, throttledPercent } from '../results/compare-metrics';
import { kqlForRun } from './kql';
import { costNote } from '../tokens/pricing';

export interface MarkdownReportOptions {
  /** The run folder, named under the heading. */
  runDir?: string;
  /** Heading level of the title (default 2: a job summary holds several steps' summaries). */
  level?: number;
}

/** A latency in ms as the report prints it: 2 decimals under 10, 1 under 100, whole above. */
export function formatMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

export function markdownReport(summary: RunSummary, options: MarkdownReportOptions = {}): string {
  const h = '#'.repeat(Math.min(Math.max(options.level ?? 2, 1), 5));
  const failed = summary.slos.filter((v) => !v.pass).length;
  const unjudged = summary.slos.filter((v) => !v.pass && verdictStatus(v) !== 'fail').length;
  const verdict =
    summary.stopped_by === 'error' || summary.error
      ? `❌ the run failed${summary.error ? `: ${summary.error}` : ''}`
      : summary.slos.length === 0
        ? 'no SLOs'
        : failed === 0
          ? `✅ ${summary.slos.length} ${plural(summary.slos.length, 'SLO')} passed`
          : unjudged === 0
            ? `❌ ${failed} of ${summary.slos.length} ${plural(summary.slos.length, 'SLO')} failed`
            : `❌ ${failed} of ${summary.slos.length} ${plural(summary.slos.length, 'SLO')} not passed (${unjudged} not judged or incomplete)`;
  const seconds = (Date.parse(summary.ended_at) - Date.parse(summary.started_at)) / 1000;
  const lines: string[] = [
    `${h} LLM Perf Lab: ${inline(summary.scenario.name)} — ${verdict}`,
    '',
    `${summary.started_at} – ${summary.ended_at} (${seconds.toFixed(1)} s, ${summary.stopped_by === 'stop' ? 'stopped by the user' : summary.stopped_by === 'error' ? 'ended with an error' : 'completed'}), ${summary.targets.length} ${plural(summary.targets.length, 'target')}${summary.scenario.target_mode === 'sequential' ? ' in sequence' : ''}${options.runDir ? `; results in \`${options.runDir.replace(/`/g, "'")}\`` : ''}.`,
  ];

  for (const t of summary.targets) lines.push('', ...targetSection(t, h));

  if (summary.slos.length) {
    lines.push('', `${h}# SLOs`, '', '| | Target | SLO | Actual | |', '|---|---|---|---:|---|');
    for (const v of summary.slos) {
      const status = verdictStatus(v);
      const mark = status === 'pass' ? '✅' : status === 'fail' ? '❌' : `⚠️ ${VERDICT_LABEL[status].toLowerCase()}`;
      lines.push(`| ${mark} | ${cell(v.target)} | ${code(v.slo)} | ${sloActual(v)} |${v.note ? ` ${cell(v.note)} |` : ' |'}`);
    }
  }

  const warnings = [
    ...summary.targets.flatMap((t) => t.warnings.map((w) => (summary.targets.length > 1 ? `${t.target}: ${w}` : w))),
    ...(summary.client.bottleneck ? [`the client itself was a bottleneck (${summary.client.reasons.join('; ')}): latencies include client queueing`] : []),
  ];
  if (warnings.length) {
    lines.push('', `${h}# Warnings`, '');
    for (const w of warnings) lines.push(`- ⚠️ ${inline(w)}`);
  }

  const kql = kqlForRun(summary);
  if (kql.length) {
    lines.push(
      '',
      `${h}# Azure Monitor`,
      '',
      'Server-side latency and status for the same window (paste into the Log Analytics workspace of the Azure OpenAI resource; needs its diagnostic logs):',
    );
    for (const k of kql) lines.push('', `**${inline(k.target)}**`, '', '```kusto', k.kql, '```');
  }
  return `${lines.join('\n')}\n`;
}

function targetSection(t: TargetSummary, h: string): string[] {
  const r = t.requests;
  const s = t.schedule;
  const ttfr = t.reasoning_latency_ms?.ttfr;
  const latency: [string, LatencyStats][] = [
    ...(ttfr?.count ? ([['TTFR (first reasoning token)', ttfr]] as [string, LatencyStats][]) : []),
    ['TTFT (first token)', t.latency_ms.ttft],
    ['TBT (per token)', t.latency_ms.tbt],
    ['Chunk gap (per chunk)', t.latency_ms.chunk_gap],
    ['E2E', t.latency_ms.e2e],
  ];
  const errors = errorPercent(t);
  const throttled = throttledPercent(t);
  const rate =
    s.mode === 'open'
      ? `${s.achieved_rpm.toFixed(1)} achieved of ${s.target_rpm ?? '–'} target${s.achieved_ratio !== null ? ` (${(s.achieved_ratio * 100).toFixed(1)}%)` : ''}${s.unsent ? `, ${s.unsent} never sent` : ''}${s.late ? `, ${s.late} sent late` : ''}`
      : `${t.throughput_rpm.toFixed(1)} completed (closed loop)`;
  const cost = t.cost_usd;
  // What priced the cost (list price as of a date, or the user's own) and where to set one's own.
  const note = costNote(cost, cost.model ?? t.model);
  return [
    `${h}# ${inline(t.target)} (${inline(t.provider)}${t.api === 'responses' ? ', Responses API' : ''}${t.response_stream ? `, ${t.response_stream} response` : ''}${t.model ? `, ${inline(t.model)}` : ''})`,
    '',
    '| Latency (ms) | p50 | p95 | p99 | n |',
    '|---|---:|---:|---:|---:|',
    ...latency.map(([name, st]) => `| ${name} | ${formatMs(st.p50)} | ${formatMs(st.p95)} | ${formatMs(st.p99)} | ${st.count} |`),
    '',
    '| | |',
    '|---|---|',
    `| RPM | ${rate} |`,
    `| Requests | ${r.sent} sent, ${r.succeeded} ok, ${r.failed} failed (${pct(errors)})${
      Object.keys(r.errors).length
        ? `: ${Object.entries(r.errors)
            .map(([k, v]) => `${cell(k)} ${v}`)
            .join(', ')}`
        : ''
    }${r.warmup_excluded ? `, ${r.warmup_excluded} warm-up excluded` : ''} |`,
    `| Throttled | ${r.throttled_responses} HTTP 429 of ${r.attempts} attempts (${pct(throttled)}), ${r.retried} retried |`,
    `| Tokens | prompt ${r0(t.tokens.prompt)} (${r0(t.tokens.prompt_tpm)}/min), completion ${r0(t.tokens.completion)} (${r0(t.tokens.completion_tpm)}/min)${t.tokens.cached ? `, cached ${r0(t.tokens.cached)}` : ''}${t.tokens.reasoning ? `, reasoning ${r0(t.tokens.reasoning)}` : ''}${t.tokens.estimated_records ? ` (${t.tokens.estimated_records} requests estimated)` : ''} |`,
    `| Cost | ${cost.total === null ? `n/a (${cell(note!)})` : `${money(cost.total)} total, ${money(cost.per_1k_requests)} per 1,000 requests${cost.per_hour_at_target_rate !== null ? `, ${money(cost.per_hour_at_target_rate)} per hour at the target rate` : ''}${note ? ` (${cell(note)})` : ''}`} |`,
    ...(t.sessions
      ? [
          `| Sessions | ${t.sessions.started} started (${t.sessions.interactions} turns each), ${t.sessions.completed} completed, ${t.sessions.cut_short} cut short; think time avg ${t.sessions.think_ms_avg ?? 'n/a'} ms; mean prompt tokens by turn ${t.sessions.prompt_tokens_by_turn.map((n) => (n === null ? 'n/a' : r0(n))).join(' → ')} |`,
        ]
      : []),
    ...(t.server ? ['', ...serverSection(t.server, h)] : []),
  ];
}

/** The server's side (`server_metrics:`): its latency percentiles beside the client's, its load, and
 *  Azure Monitor's metrics with where the fetch stands. */
export function serverSection(s: ServerSummary, h: string): string[] {
  const lines: string[] = [];
  const p = s.prometheus;
  if (p) {
    const scrapes = `${p.scrapes} ${plural(p.scrapes, 'scrape')}${p.failed ? `, ${p.failed} failed` : ''}, every ${p.interval_s} s`;
    lines.push(`${h}## Server${p.server ? `: ${inline(p.server)}` : ''} at ${code(p.url)} (${scrapes})`);
    const l = s.latency_ms;
    const rows: [string, ServerLatency | undefined, boolean][] = [
      ['TTFT', l?.ttft, true],
      ['E2E', l?.e2e, true],
      ['Inter-token; client: TBT per token', l?.itl, false],
      ['Queue time; server only', l?.queue, false],
    ];
    const latency = rows.filter((r): r is [string, ServerLatency, boolean] => r[1] !== undefined);
    if (latency.length) {
      lines.push(
        '',
        '| Latency (ms) | server p50 | server p95 | client p50 | client p95 | client − server p50 | client − server p95 | n (server) |',
        '|---|---:|---:|---:|---:|---:|---:|---:|',
        ...latency.map(([name, x, outside]) => {
          const diff = (c: number | null, v: number | null) => (!outside || c === null || v === null ? '–' : signed(c - v));
          const p50 = diff(x.client_p50, x.p50);
          const within =
            outside && x.client_p50 !== null && x.p50 !== null && x.p50_resolution_ms !== null && Math.abs(x.client_p50 - x.p50) < x.p50_resolution_ms;
          return `| ${name} — ${code(x.metric)} | ${formatMs(x.p50)} | ${formatMs(x.p95)} | ${formatMs(x.client_p50)} | ${formatMs(x.client_p95)} | ${p50}${within ? ` (within the ${formatMs(x.p50_resolution_ms)} ms bucket)` : ''} | ${diff(x.client_p95, x.p95)} | ${x.count} |`;
        }),
      );
      const ref = l?.ttft ?? l?.e2e;
      lines.push(
        '',
        `Server percentiles are interpolated within the buckets of its histograms${ref?.p50_resolution_ms != null ? ` (at ${ref === l?.ttft ? 'TTFT' : 'E2E'} p50 the bucket is ${formatMs(ref.p50_resolution_ms)} ms wide)` : ''}: a client − server difference smaller than the bucket says nothing. Client − server is the time spent outside the server (network, gateway, a queue in front of it, this client), a difference of percentiles, not a percentile of differences.`,
      );
    }
    const load: [string, { avg: number; max: number } | undefined, boolean][] = [
      ['Requests running (batch)', s.running, false],
      ['Requests waiting (queue)', s.waiting, false],
      ['KV-cache usage', s.kv_cache, true],
    ];
    const shown = load.filter((r): r is [string, { avg: number; max: number }, boolean] => r[1] !== undefined);
    if (shown.length) {
      lines.push(
        '',
        '| Server load (per scrape) | avg | max |',
        '|---|---:|---:|',
        ...shown.map(([name, v, ratio]) => `| ${name} | ${ratio ? pct(v.avg * 100) : num(v.avg)} | ${ratio ? pct(v.max * 100) : num(v.max)} |`),
      );
    }
    if (p.error) lines.push('', `⚠️ ${inline(p.error)}`);
  }
  const a = s.azure_monitor;
  if (a) {
    if (lines.length) lines.push('');
    const fetched = a.fetched_at ? `, fetched ${a.fetched_at}` : '';
    lines.push(`${h}## Azure Monitor${a.resource_id ? ` (${code(shortResource(a.resource_id))})` : ''}: ${a.status}${fetched}`);
    if (a.message) lines.push('', inline(a.message));
    const resources: [string | null, ServerSeriesStats[]][] = [
      [null, a.series],
      ...(a.extra ?? []).map((e): [string, ServerSeriesStats[]] => [shortResource(e.resource_id), e.series]),
    ];
    const rows = resources.flatMap(([where, series]) => series.map((x) => azureRow(x, where)));
    if (rows.length) lines.push('', '| Metric (per minute) | aggregation | min | avg | max | total over the run |', '|---|---|---:|---:|---:|---:|', ...rows);
    // Other resources on the request path (App Service, API Management, Cosmos DB): each one's own state.
    if (a.extra?.length)
      lines.push('', ...a.extra.map((e) => `- ${code(shortResource(e.resource_id))}: ${e.status}${e.message ? ` — ${inline(e.message)}` : ''}`));
  }
  return lines;
}

function azureRow(x: ServerSeriesStats, where: string | null): string {
  const name = `${inline(x.label ?? x.name)}${where ? ` — ${inline(where)}` : ''}${x.unit && x.unit !== 'Count' ? ` (${inline(x.unit)})` : ''}`;
  return `| ${cell(name)} | ${x.aggregation ?? ''} | ${num(x.min)} | ${num(x.avg)} | ${num(x.max)} | ${x.increase !== undefined ? num(x.increase) : '–'} |`;
}

function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return Math.abs(x) >= 100 || Number.isInteger(x) ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(3)).toString();
}

function signed(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${formatMs(Math.abs(x))}`;
}

function sloActual(v: SloVerdict): string {
  if (v.actual === null) return 'no data';
  return v.unit === 'ratio' ? `${(v.actual * 100).toFixed(2)}%` : `${v.actual} ${v.unit}`;
}

function pct(v: number | null): string {
  return v === null ? 'n/a' : `${Number(v.toFixed(2))}%`;
}

function money(x: number | null): string {
  if (x === null) return 'n/a';
  return x < 0.01 ? `$${x.toFixed(6)}` : `$${x.toFixed(4)}`;
}

function r0(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** Literal text (an SLO such as `ttft.p95 < 800ms`) as a code span, safe in a table cell. */
export function code(text: string): string {
  return `\`${text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|')}\``;
}

/** Text in a table cell: no pipe or line break may end the cell or the row. */
export function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

/** Text on one markdown line: line breaks become spaces, and HTML cannot be injected. */
export function inline(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
