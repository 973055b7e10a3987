// `perflab import locust <folder-or-files…>` and `perflab import jmeter <results.jtl|csv…>`: a distributed
// run's results (src/import/) become a perflab run folder — summary, windows, SLO verdicts, cost — and the
// exit code gates as `perflab run`'s does: 0 ok, 1 an SLO failed, 2 bad input, 3 the run failed (no
// request of a target succeeded, or less of it came back than --min-coverage asks).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Argument, type Command, Option } from 'commander';
import { summaryText } from '../engine/report-text';
import type { RunSummary } from '../engine/summary';
import { defaultRunDir, runFilesIn } from '../results/files';
import { ImportError, importJmeter, importLocust, type ImportOptions } from '../import/import-run';
import { EXIT_OK, EXIT_RUN_ERROR, EXIT_SLO_FAILED, UsageError } from './execute';
import { toJunitXml } from './junit';

export interface ImportFlags {
  out?: string;
  scenario?: string;
  overwrite?: boolean;
  junit?: string;
  format: 'human' | 'json';
  minCoverage?: string;
}

type Guard = (body: () => Promise<number> | number) => Promise<void>;

export function registerImportCommand(program: Command, guard: Guard): void {
  program
    .command('import')
    .description("make a perflab run of a Locust or JMeter run's results (exit code 1 when an SLO fails)")
    .addArgument(new Argument('<engine>', 'locust or jmeter').choices(['locust', 'jmeter']))
    .argument(
      '<files...>',
      'locust: folders or perflab-records-*.jsonl files (and perflab-locust-master.json); jmeter: results .jtl / .csv files, one per engine',
    )
    .option('--out <dir>', 'run folder to write (default .perflab/runs/<start time>-<name>)')
    .option('--scenario <file>', 'the scenario that was run (jmeter: required; locust: the one in the records by default)')
    .option('--overwrite', 'replace a run already in --out')
    .option('--junit <file>', 'write SLO verdicts as JUnit XML')
    .addOption(new Option('--format <format>', 'terminal output').choices(['human', 'json']).default('human'))
    .option('--min-coverage <percent>', 'exit 3 when fewer of the requests Locust counted have records (e.g. 99)')
    .action(async (engine: 'locust' | 'jmeter', files: string[], o: ImportFlags) => {
      await guard(() => importCommand(engine, files, o));
    });
}

export async function importCommand(engine: 'locust' | 'jmeter', files: string[], o: ImportFlags): Promise<number> {
  const minCoverage = o.minCoverage === undefined ? null : Number(o.minCoverage);
  if (minCoverage !== null && !(minCoverage >= 0 && minCoverage <= 100))
    throw new UsageError(`--min-coverage: expected a percentage from 0 to 100, got ${o.minCoverage}`);
  const options: ImportOptions = {
    scenarioFile: o.scenario,
    out: (scenario, startedAt) => {
      const dir = path.resolve(o.out ?? defaultRunDir(process.cwd(), scenario.name, startedAt));
      prepareOutDir(dir, o.overwrite === true);
      return dir;
    },
  };
  let result;
  try {
    result = engine === 'locust' ? await importLocust(files, options) : await importJmeter(files, options);
  } catch (error) {
    if (error instanceof ImportError) throw new UsageError(`perflab import ${engine}: ${error.message}`);
    throw error;
  }
  const { summary, outDir } = result;
  if (o.format === 'human') process.stdout.write(`${summaryText(summary, outDir)}\n`);
  else
    process.stdout.write(
      `${JSON.stringify({ type: 'summary', run_dir: outDir, passed: summary.passed, imported: summary.imported, targets: summary.targets, slos: summary.slos })}\n`,
    );
  if (o.junit) {
    fs.mkdirSync(path.dirname(path.resolve(o.junit)), { recursive: true });
    fs.writeFileSync(o.junit, toJunitXml(summary));
  }
  return exitCode(summary, minCoverage);
}

function exitCode(summary: RunSummary, minCoverage: number | null): number {
  if (summary.error) {
    process.stderr.write(`perflab: the imported run failed: ${summary.error}\n`);
    return EXIT_RUN_ERROR;
  }
  const ratio = summary.imported?.coverage.ratio;
  if (minCoverage !== null && ratio !== null && ratio !== undefined && ratio * 100 < minCoverage) {
    process.stderr.write(`perflab: --min-coverage ${minCoverage}: only ${(ratio * 100).toFixed(1)}% of the requests Locust counted have records\n`);
    return EXIT_RUN_ERROR;
  }
  return summary.passed ? EXIT_OK : EXIT_SLO_FAILED;
}

/** Never mixed into an earlier run's files (as `perflab run --out`). */
function prepareOutDir(dir: string, overwrite: boolean): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${dir}: exists and is not a folder`);
  const existing = runFilesIn(dir);
  if (existing.length > 0) {
    if (!overwrite)
      throw new UsageError(`--out ${dir}: already holds a run (${existing.join(', ')}); choose another folder, or pass --overwrite to replace it`);
    for (const name of existing) fs.rmSync(path.join(dir, name), { force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
}
