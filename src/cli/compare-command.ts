// `perflab compare <run-dir> <run-dir>…`: p50/p95/p99 per metric for every run (or a single run's
// targets), each against the first (the baseline), better or worse only when significant — the Compare
// panel's table (src/results/compare.ts) — and `--fail-on` regression rules that set the exit code so
// CI can gate on a baseline run. The rules judge the change in the reported numbers, whatever its
// significance: a rule is a threshold the user chose.

import type { Command } from 'commander';
import { compareRuns } from '../results/compare';
import { compareEntries } from '../results/compare-metrics';
import { compareRunsText, letter } from '../results/compare-text';
import { evaluateRules, parseRules, RULE_GRAMMAR, type RuleCheck } from '../shared/regression-rules';
import { EXIT_SLO_FAILED } from './execute';
import { CommandError, loadFinishedRun, withInputErrors, type RunCommand } from './report-command';

export interface CompareFlags {
  failOn: string[];
  markdown?: boolean;
  json?: boolean;
}

export async function compareCommand(dirs: string[], flags: CompareFlags): Promise<number> {
  // Rules first: a typo must not wait for the runs to be read.
  const rules = parseRules(flags.failOn);
  const summaries = dirs.map(loadFinishedRun);
  // Columns are named as the user named the folders (`baseline/`, `current/`).
  const labels = dirs.map((d) => d.replace(/[\\/]+$/, '') || d);
  const entries = compareEntries(summaries, labels);
  if (entries.length < 2) {
    throw new CommandError(
      `nothing to compare: ${dirs[0]} has one target; give two or more run folders (the first is the baseline), or one run with several targets`,
    );
  }
  const checks = evaluateRules(rules, entries);
  const passed = checks.every((c) => c.pass);

  if (flags.json) {
    const result = {
      baseline: entries[0].label,
      ...compareRuns(summaries, labels),
      rules: checks.map((c) => ({
        rule: c.rule.text,
        against: c.label,
        baseline: c.baseline,
        value: c.value,
        change: c.change,
        unit: c.rule.unit,
        pass: c.pass,
        detail: c.detail,
      })),
      passed,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (flags.markdown) {
    const lines = ['## LLM Perf Lab: compare', '', compareRunsText(summaries, labels).trimEnd()];
    if (checks.length) {
      lines.push('', `### Regression rules: ${passed ? '✅ all passed' : `❌ ${checks.filter((c) => !c.pass).length} failed`}`, '');
      for (const c of checks) lines.push(`- ${c.pass ? '✅' : '❌'} \`${c.rule.text}\` ${letter(c.index)} (${c.label}): ${c.detail}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    process.stdout.write(compareRunsText(summaries, labels));
    if (checks.length) process.stdout.write(`\nRegression rules (against A):\n${checks.map(ruleLine).join('\n')}\n`);
  }
  return passed ? 0 : EXIT_SLO_FAILED;
}

function ruleLine(c: RuleCheck): string {
  return `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.rule.text}  ${letter(c.index)} (${c.label}): ${c.detail}`;
}

export function registerCompareCommand(program: Command, run: RunCommand): void {
  program
    .command('compare')
    .description("compare finished runs, or one run's targets: p50/p95/p99 per metric against the first (exit 1 when a --fail-on rule is broken)")
    .argument('<run-dirs...>', 'run folders; the first is the baseline')
    .option(
      '--fail-on <rule>',
      'regression rule such as "ttft.p95>+10%" (repeatable; commas separate several)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--markdown', 'markdown for a CI job summary')
    .option('--json', 'the comparison and rule results as JSON')
    .addHelpText(
      'after',
      `
${RULE_GRAMMAR}

Exit codes: 0 compared (every rule passed), 1 a rule failed (or had no data), 2 bad input.

Examples:
  perflab compare baseline/ current/
  perflab compare baseline/ current/ --fail-on "ttft.p95>+10%" --fail-on "rpm<-5%" --fail-on "errors>+1%"
  perflab compare .perflab/runs/2026-01-05T10-00-00-two-regions   (its targets side by side)
`,
    )
    .action(async (dirs: string[], flags: CompareFlags) => {
      await run(() =>
        withInputErrors(() => {
          if (flags.json && flags.markdown) throw new CommandError('give one of --markdown and --json');
          return compareCommand(dirs, flags);
        }),
      );
    });
}
