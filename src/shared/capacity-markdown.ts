// A capacity search's markdown summary for a CI job (`perflab report --markdown` on a capacity folder):
// per target the answer, what limits it, and the steps table. No 'vscode' here.

import type { CapacityReport, CapacityStep, CapacityTarget } from '../engine/capacity/types';
import { cell, code, formatMs, inline } from './markdown-report';

export interface CapacityMarkdownOptions {
  /** The capacity folder, named under the heading. */
  dir?: string;
  /** Heading level of the title (default 2, as for a run's summary). */
  level?: number;
}

/** The search as GitHub-flavoured markdown: the answer first, then per target its figures and steps. */
export function capacityMarkdown(report: CapacityReport, options: CapacityMarkdownOptions = {}): string {
  const h = '#'.repeat(Math.min(Math.max(options.level ?? 2, 1), 5));
  const limit = (t: CapacityTarget) => (t.limited_by ? `limited by ${inline(t.limited_by)}` : '');
  const answers = report.targets.map((t) =>
    report.targets.length > 1 ? `${inline(t.target)} ${answer(t)}${t.limited_by ? ` (${limit(t)})` : ''}` : [answer(t), limit(t)].filter(Boolean).join(', '),
  );
  const verdict = report.status === 'error' ? `❌ the search failed${report.error ? `: ${inline(report.error)}` : ''}` : answers.join(', ') || 'no target';
  const seconds = report.ended_at ? (Date.parse(report.ended_at) - Date.parse(report.started_at)) / 1000 : null;
  const lines = [
    `${h} LLM Perf Lab: capacity of ${inline(report.scenario.name)} — ${verdict}`,
    '',
    `Search ${report.status === 'running' ? 'not finished (still running, or killed)' : report.status}, ${report.started_at} – ${report.ended_at ?? 'still running'}${seconds === null ? '' : ` (${seconds.toFixed(1)} s)`}, ${report.targets.length} ${report.targets.length === 1 ? 'target' : 'targets'}; every step must hold ${report.slos.map(code).join(', ') || 'no SLO'}, keep its schedule, and the deployment and this machine must keep up${options.dir ? `; results in ${code(options.dir)}` : ''}.`,
  ];
  for (const t of report.targets) lines.push('', ...targetSection(t, h));
  return `${lines.join('\n')}\n`;
}

function targetSection(t: CapacityTarget, h: string): string[] {
  const facts: string[] = [];
  if (t.goodput_rpm !== null)
    facts.push(`- Goodput at the capacity: ${t.goodput_rpm} RPM${t.goodput_tokens_per_s === null ? '' : `, ${t.goodput_tokens_per_s} output tokens/s`}`);
  if (t.expected_rpm !== null && t.headroom !== null)
    facts.push(`- Headroom: ×${t.headroom} over the scenario's ${t.expected_rpm} RPM${t.headroom < 1.1 ? ' (less than the 10% to plan for)' : ''}`);
  if (t.per_ptu_rpm !== null)
    facts.push(`- Per PTU: ${t.per_ptu_rpm} RPM${t.ptus_needed !== null ? `; ${t.ptus_needed} PTUs carry ${t.expected_rpm} RPM with 10% headroom` : ''}`);
  facts.push(`- Search: ${t.search}; holds at ${t.bracket.passed ?? '–'}, fails at ${t.bracket.failed ?? '–'} RPM`);
  return [
    `${h}# ${inline(t.target)} — ${[answer(t), t.limited_by ? `limited by ${inline(t.limited_by)}` : ''].filter(Boolean).join(', ')}`,
    '',
    inline(t.detail),
    '',
    ...facts,
    '',
    '| Step | Offered RPM | Sent/min | TTFT p50 (ms) | TTFT p95 (ms) | E2E p95 (ms) | Errors | 429s | Goodput RPM | Verdict | Why | Run |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|',
    ...t.steps.map((s, i) => stepRow(s, i + 1)),
  ];
}

function stepRow(s: CapacityStep, n: number): string {
  const verdict = s.passed ? '✅ pass' : `❌ FAIL ${cell(s.limited_by ?? 'error')}`;
  return `| ${n} | ${s.offered_rpm} | ${s.achieved_rpm} | ${formatMs(s.ttft_p50_ms)} | ${formatMs(s.ttft_p95_ms)} | ${formatMs(s.e2e_p95_ms)} | ${pct(s.error_rate)} | ${pct(s.throttled_rate)} | ${s.goodput_rpm} | ${verdict} | ${s.reasons.length ? cell(s.reasons.join('; ')) : '–'} | ${code(s.run_dir)} |`;
}

/** `2063 RPM`, `≥ 2063 RPM (lower bound)`, `none found`, `searching`. */
function answer(t: CapacityTarget): string {
  if (t.capacity_rpm === null) return t.search === 'running' ? 'searching' : 'none found';
  return t.lower_bound ? `≥ ${t.capacity_rpm} RPM (lower bound)` : `${t.capacity_rpm} RPM`;
}

function pct(v: number | null): string {
  return v === null ? '–' : `${(v * 100).toFixed(1)}%`;
}
