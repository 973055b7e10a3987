// `perflab import locust <folder-or-files…>` and `perflab import jmeter <results.jtl|csv…>`: a distributed
// run's results (src/import/) become a perflab run folder — summary, windows, SLO verdicts, cost — and the
// exit code gates as `perflab run`'s does: 0 ok, 1 an SLO failed, 2 bad input, 3 the run failed (no
// request of a target succeeded, or less of it came back than --min-coverage asks).
// `perflab import http <file.http|.rest> [--request NAME|N] [--out FILE.perf.yaml]`: one request of a
// REST Client file becomes a scenario file (src/http-file/); `perflab run file.http --request NAME`
// runs it without writing one (httpScenarioToRun).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Argument, type Command, Option } from 'commander';
import { summaryText } from '../engine/report-text';
import type { RunSummary } from '../engine/summary';
import { defaultRunDir, runFilesIn } from '../results/files';
import { ImportError, importJmeter, importLocust, type ImportOptions } from '../import/import-run';
import { conversionMessages, convertHttpFile, isHttpFile, scenarioFromHttpFile, writeScenarioBeside, type HttpConversion } from '../http-file/http-file';
import type { Scenario } from '../engine/scenario/types';
import { EXIT_OK, EXIT_RUN_ERROR, EXIT_SLO_FAILED, UsageError } from './execute';
import { toJunitXml } from './junit';

export interface ImportFlags {
  out?: string;
  scenario?: string;
  overwrite?: boolean;
  junit?: string;
  format: 'human' | 'json';
  minCoverage?: string;
  request?: string;
}

type Guard = (body: () => Promise<number> | number) => Promise<void>;

export function registerImportCommand(program: Command, guard: Guard): void {
  program
    .command('import')
    .description(
      "make a perflab run of a Locust or JMeter run's results (exit code 1 when an SLO fails), or a scenario file of a request in a REST Client .http / .rest file",
    )
    .addArgument(new Argument('<engine>', 'locust, jmeter or http').choices(['locust', 'jmeter', 'http']))
    .argument(
      '<files...>',
      'locust: folders or perflab-records-*.jsonl files (and perflab-locust-master.json); jmeter: results .jtl / .csv files, one per engine; http: one .http / .rest file',
    )
    .option(
      '--out <path>',
      'locust, jmeter: run folder to write (default .perflab/runs/<start time>-<name>); http: scenario file to write (default <file>-<request>.perf.yaml beside the .http file)',
    )
    .option('--request <name|n>', "http: which request (its # @name, its ### title, or its number); default the file's only request")
    .option('--scenario <file>', 'the scenario that was run (jmeter: required; locust: the one in the records by default)')
    .option('--overwrite', 'replace a run already in --out (http: the file at --out)')
    .option('--junit <file>', 'write SLO verdicts as JUnit XML')
    .addOption(new Option('--format <format>', 'terminal output').choices(['human', 'json']).default('human'))
    .option('--min-coverage <percent>', 'exit 3 when fewer of the requests Locust counted have records (e.g. 99)')
    .action(async (engine: 'locust' | 'jmeter' | 'http', files: string[], o: ImportFlags) => {
      await guard(() => (engine === 'http' ? importHttpCommand(files, o) : importCommand(engine, files, o)));
    });
}

/** `perflab import http`: writes the scenario of one request, says what was left out (secrets) and how to run it. */
export function importHttpCommand(files: string[], o: ImportFlags): number {
  if (files.length !== 1) throw new UsageError(`perflab import http: give one .http or .rest file (got ${files.length})`);
  const [file] = files;
  if (!isHttpFile(file)) throw new UsageError(`perflab import http: ${file} is not a .http or .rest file`);
  const runFlag = (['scenario', 'junit', 'minCoverage'] as const).find((k) => o[k] !== undefined);
  if (runFlag) throw new UsageError(`perflab import http: --${runFlag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for imported runs (locust, jmeter)`);
  const conversion = convertHttpFile(file, o.request);
  const written = o.out ? writeOut(o.out, conversion, o.overwrite === true) : writeScenarioBeside(file, conversion);
  tellLeftOut(conversion);
  process.stdout.write(
    `perflab: wrote ${written} (request "${conversion.request.label}" of ${path.basename(file)}); check its response: section, then: perflab run ${written}\n`,
  );
  return EXIT_OK;
}

/** `perflab run file.http --request NAME`: the request's scenario, validated, and what was left out said. */
export function httpScenarioToRun(file: string, request: string | undefined): Scenario {
  const { scenario, conversion } = scenarioFromHttpFile(file, request);
  tellLeftOut(conversion);
  return scenario;
}

/** `--request` belongs to .http files only. */
export function checkRequestFlag(file: string, request: string | undefined): void {
  if (request !== undefined && !isHttpFile(file)) throw new UsageError(`--request: ${file} is not a .http or .rest file (a scenario file runs as a whole)`);
}

function tellLeftOut(conversion: HttpConversion): void {
  for (const m of conversionMessages(conversion)) process.stderr.write(`perflab: ${m}\n`);
}

function writeOut(out: string, conversion: HttpConversion, overwrite: boolean): string {
  const file = path.resolve(out);
  if (!overwrite && fs.existsSync(file)) throw new UsageError(`--out ${out}: already exists; choose another name, or pass --overwrite to replace it`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, conversion.yaml);
  return file;
}

export async function importCommand(engine: 'locust' | 'jmeter', files: string[], o: ImportFlags): Promise<number> {
  if (o.request !== undefined) throw new UsageError(`--request: only for perflab import http`);
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
