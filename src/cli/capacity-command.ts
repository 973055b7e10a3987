// `perflab capacity <scenario>`: the highest offered rate each target carries within the scenario's
// SLOs, and what limits it (src/engine/capacity/). One line per step while searching, a table at the
// end; with --json the capacity.json object is the last line of stdout (progress goes to stderr).
// Exit codes: 0 found, 1 a target's capacity is below `capacity.require`, 2 bad input, 3 the search
// failed (a step measured nothing, or results could not be written).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { startCapacitySearch } from '../engine/capacity/capacity-search';
import type { CapacityReport, CapacityStep } from '../engine/capacity/types';
import { CAPACITY_FILE, defaultCapacityDir } from '../results/files';
import { loadScenarioFile } from '../engine/scenario/load';
import { capacitySettingsOf } from '../engine/scenario/normalize';
import { resolveCliCredential } from './credentials';
import { EXIT_OK, EXIT_RUN_ERROR, EXIT_SLO_FAILED, UsageError } from './execute';

interface CapacityFlags {
  target?: string[];
  out?: string;
  json?: boolean;
  seed?: number;
  overwrite?: boolean;
}

export function registerCapacityCommand(program: Command, run: (body: () => Promise<number>) => Promise<void>): void {
  program
    .command('capacity')
    .description('find the highest rate each target carries within the SLOs, and what limits it (exit 1 below capacity.require)')
    .argument('<scenario>', 'scenario file (its capacity: block, SLOs, prompts, clients and retry policy are used)')
    .option('--target <name...>', 'search only these targets')
    .option('--out <dir>', 'capacity folder (default .perflab/capacity/<time>-<name>)')
    .option('--json', 'print capacity.json as the last line of stdout (progress on stderr)')
    .option('--seed <n>', 'seed for arrivals and prefixes', (v) => Number(v))
    .option('--overwrite', 'replace a search already in --out')
    .action(async (file: string, flags: CapacityFlags) => run(() => capacityCommand(file, flags)));
}

export async function capacityCommand(file: string, flags: CapacityFlags): Promise<number> {
  const scenario = loadScenarioFile(file);
  const settings = capacitySettingsOf(scenario);
  const unknown = (flags.target ?? []).filter((name) => !scenario.targets.some((t) => t.name === name));
  if (unknown.length > 0)
    throw new UsageError(`--target ${unknown.join(', ')}: no such target in ${file} (targets: ${scenario.targets.map((t) => t.name).join(', ')})`);
  const chosen = scenario.targets.filter((t) => !flags.target?.length || flags.target.includes(t.name));
  // Every credential first: a missing key stops the search before anything is sent.
  const credentials = new Map<string, Awaited<ReturnType<typeof resolveCliCredential>>>();
  for (const target of chosen) if (target.endpoint !== 'simulator') credentials.set(target.name, await resolveCliCredential(target));

  const outDir = path.resolve(flags.out ?? defaultCapacityDir(process.cwd(), scenario.name));
  prepareCapacityDir(outDir, flags.overwrite === true);
  const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(
    `perflab: capacity of "${scenario.name}" — ${chosen.length} target(s); steps of ${settings.step_duration_s} s (first ${settings.warm_up_s} s excluded) from ${settings.min_rpm} to at most ${settings.max_rpm} RPM, precision ${settings.precision * 100}%, budget ${settings.budget_s} s per target; results in ${outDir}`,
  );
  const search = startCapacitySearch(scenario, {
    outDir,
    settings,
    targets: flags.target,
    seed: flags.seed,
    resolveCredential: async (target) => credentials.get(target.name) ?? null,
    onMessage: (m) => say(`perflab: ${m}`),
    onStepStart: (target, index, rpm, bracket) => {
      const range = bracket.passed !== null || bracket.failed !== null ? ` (holds at ${bracket.passed ?? '–'}, fails at ${bracket.failed ?? '–'})` : '';
      say(`perflab: ${target}: step ${index} at ${rpm} RPM${range}`);
    },
    onStep: (target, step) => say(`perflab: ${target}: ${stepLine(step)}`),
  });

  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    process.stderr.write('\nperflab: stopping the search — the current step is aborted, capacity.json keeps every finished step\n');
    if (interrupts === 1) search.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  let report: CapacityReport;
  try {
    report = await search.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }

  say(capacityText(report, outDir));
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  if (report.status === 'error' || report.targets.some((t) => t.search === 'error')) {
    process.stderr.write(
      `perflab: the search failed: ${
        report.error ??
        report.targets
          .filter((t) => t.search === 'error')
          .map((t) => `${t.target}: ${t.detail}`)
          .join('; ')
      }\n`,
    );
    return EXIT_RUN_ERROR;
  }
  const need = settings.require_rpm;
  const below = need === undefined ? [] : report.targets.filter((t) => (t.capacity_rpm ?? 0) < need);
  if (below.length > 0) {
    process.stderr.write(
      `perflab: below the required ${need} RPM: ${below.map((t) => `${t.target} (${t.capacity_rpm ?? `< ${settings.min_rpm}`} RPM)`).join(', ')}\n`,
    );
    return EXIT_SLO_FAILED;
  }
  return EXIT_OK;
}

/** A capacity folder is never mixed with an earlier search. */
function prepareCapacityDir(outDir: string, overwrite: boolean): void {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir}: exists and is not a folder`);
  if (fs.existsSync(path.join(outDir, CAPACITY_FILE))) {
    if (!overwrite) throw new UsageError(`--out ${outDir}: already holds a capacity search; choose another folder, or pass --overwrite to replace it`);
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  fs.mkdirSync(outDir, { recursive: true });
}

function stepLine(s: CapacityStep): string {
  const verdict = s.passed ? 'PASS' : `FAIL (${s.limited_by})`;
  return `${verdict} ${s.offered_rpm} RPM offered, ${s.achieved_rpm} sent/min, ttft p95 ${ms(s.ttft_p95_ms)}, e2e p95 ${ms(s.e2e_p95_ms)}, errors ${pct(s.error_rate)}, 429s ${pct(s.throttled_rate)}, goodput ${s.goodput_rpm} RPM${s.passed ? '' : ` — ${s.reasons.join('; ')}`}`;
}

/** The steps as a table and the answer per target. */
export function capacityText(report: CapacityReport, dir: string): string {
  const lines: string[] = [];
  lines.push(
    `Capacity of "${report.scenario.name}" — every step must hold: ${report.slos.join(', ')}; schedule kept; the deployment keeping up; this machine not the bottleneck`,
  );
  for (const t of report.targets) {
    lines.push('', `Target ${t.target}`);
    lines.push('  step   offered  sent/min  ttft p95   e2e p95  errors    429s  goodput  verdict');
    t.steps.forEach((s, i) => {
      lines.push(
        `  ${pad(String(i + 1), 4)}  ${pad(String(s.offered_rpm), 8)}  ${pad(String(s.achieved_rpm), 8)}  ${pad(ms(s.ttft_p95_ms), 8)}  ${pad(ms(s.e2e_p95_ms), 8)}  ${pad(pct(s.error_rate), 6)}  ${pad(pct(s.throttled_rate), 6)}  ${pad(String(s.goodput_rpm), 7)}  ${s.passed ? 'pass' : `FAIL ${s.limited_by}`}`,
      );
    });
    const answer = t.capacity_rpm === null ? 'none found' : `${t.capacity_rpm} RPM${t.lower_bound ? ' (lower bound)' : ''}`;
    lines.push(`  capacity: ${answer}; limited by ${t.limited_by ?? '–'} — ${t.detail}`);
    if (t.goodput_rpm !== null) lines.push(`  goodput at the capacity: ${t.goodput_rpm} RPM, ${t.goodput_tokens_per_s} output tokens/s`);
    if (t.expected_rpm !== null && t.headroom !== null)
      lines.push(
        `  the scenario's rate: ${t.expected_rpm} RPM → headroom ×${t.headroom}${t.headroom < 1.1 ? ' (less than the 10% headroom to plan for)' : ''}`,
      );
    if (t.per_ptu_rpm !== null)
      lines.push(`  per PTU: ${t.per_ptu_rpm} RPM${t.ptus_needed !== null ? `; ${t.ptus_needed} PTUs carry ${t.expected_rpm} RPM with 10% headroom` : ''}`);
  }
  lines.push('', `Search: ${report.status}; ${path.join(dir, CAPACITY_FILE)} (each step's run folder beside it)`);
  return lines.join('\n');
}

function ms(v: number | null): string {
  return v === null ? '–' : `${Math.round(v)} ms`;
}

function pct(v: number | null): string {
  return v === null ? '–' : `${(v * 100).toFixed(1)}%`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}
