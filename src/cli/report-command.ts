// `perflab report <run-dir>`: the self-contained HTML report (the Run panel's charts, offline), the
// windows and requests as CSV, and a markdown summary for a CI job summary. Only finished runs (with a
// summary.json): a report of half a run would read as a result. A capacity folder (capacity.json, by
// `perflab capacity`) gets the Capacity panel's HTML report and a markdown summary the same way.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { RunSummary } from '../engine/summary';
import { isCapacityFolder, readCapacityFile } from '../results/capacity-files';
import { exportRunData } from '../results/export-data';
import { CAPACITY_FILE, RUN_FILES, runFilesIn, SUMMARY_FILE } from '../results/files';
import { readRunFiles, readSummaryFile, RunFilesError } from '../results/run-files';
import { capacityMarkdown } from '../shared/capacity-markdown';
import { htmlReport, readReportAssets, type ReportAssets } from '../shared/html-report';
import { markdownReport } from '../shared/markdown-report';
import { runInitMessage } from '../shared/panel-targets';
import { RuleError } from '../shared/regression-rules';
import { EXIT_RUN_ERROR, EXIT_USAGE } from './execute';

/** Runs a command body through main.ts's guarded() and records its exit code. */
export type RunCommand = (body: () => Promise<number> | number) => Promise<void>;

/** An error the user can act on: its message alone is printed (no stack), with its exit code. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_USAGE,
  ) {
    super(message);
  }
}

/** Input errors of report/compare (bad folder, bad rule) become a clear message and exit 2. */
export async function withInputErrors(body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CommandError || error instanceof RunFilesError || error instanceof RuleError) {
      process.stderr.write(`perflab: ${error.message}\n`);
      return error instanceof CommandError ? error.exitCode : EXIT_USAGE;
    }
    throw error;
  }
}

/** The summary of a finished run folder; a clear CommandError for anything else. */
export function loadFinishedRun(dir: string): RunSummary {
  if (!fs.existsSync(dir)) throw new CommandError(`${dir}: no such run folder`);
  if (!fs.statSync(dir).isDirectory()) throw new CommandError(`${dir} is a file, not a run folder (give the folder that holds ${SUMMARY_FILE})`);
  if (runFilesIn(dir).length === 0) {
    throw new CommandError(
      `${dir} is not a run folder: it has none of ${RUN_FILES.join(', ')} (runs are in .perflab/runs/<time>-<name> or the folder given to --out), nor a capacity folder (no ${CAPACITY_FILE})`,
    );
  }
  const summary = readSummaryFile(dir);
  if (!summary) {
    throw new CommandError(`${dir}: the run has not finished (no ${SUMMARY_FILE}): it is still going, or it was killed before it could write its summary`);
  }
  return summary;
}

/** The webview bundle: beside dist/cli.js when bundled; <repo>/dist/webview when run from src (tsx). */
export function webviewDist(): string {
  const candidates = [path.join(__dirname, 'webview'), path.resolve(__dirname, '..', '..', 'dist', 'webview')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'webview.js'))) ?? candidates[0];
}

export interface ReportFlags {
  html?: boolean;
  csv?: boolean;
  markdown?: boolean;
  out?: string;
}

export async function reportCommand(dir: string, flags: ReportFlags): Promise<number> {
  if (isCapacityFolder(dir)) return capacityReportCommand(dir, flags);
  const summary = loadFinishedRun(dir);
  const out = plan(dir, flags);

  if (out.wanted.html) {
    const file = out.fileFor('report.html');
    const assets = reportAssets();
    const files = await readRunFiles(dir);
    const html = htmlReport(`${summary.scenario.name} — LLM Perf Lab`, runInitMessage(files, { interactive: false, summary }), assets);
    fs.writeFileSync(file, html);
    out.tell(`HTML report: ${file}`);
    if (files.unreadableLines) process.stderr.write(`perflab: ${files.unreadableLines} unreadable lines in ${dir} were left out\n`);
  }
  if (out.wanted.csv) {
    const windows = out.fileFor('windows.csv');
    const requests = out.fileFor('requests.csv');
    const w = await exportRunData(dir, 'windows', 'csv', windows);
    const r = await exportRunData(dir, 'requests', 'csv', requests);
    out.tell(`CSV: ${windows} (${w} windows), ${requests} (${r} requests)`);
  }
  if (out.wanted.markdown) out.markdown(markdownReport(summary, { runDir: dir }));
  return 0;
}

/** A capacity folder: the Capacity panel as an HTML report, and the steps as markdown. The steps'
 *  own windows and requests are in their run folders (`perflab report <folder>/<target>/step-…`). */
function capacityReportCommand(dir: string, flags: ReportFlags): number {
  const report = readCapacityFile(dir);
  if (flags.csv) {
    throw new CommandError(
      `${dir} is a capacity folder: --csv exports one run's windows and requests; give a step's run folder instead (e.g. ${path.join(dir, report.targets[0]?.steps[0]?.run_dir ?? '<target>/step-01-<rpm>rpm')})`,
    );
  }
  const out = plan(dir, flags);
  if (out.wanted.html) {
    const file = out.fileFor('report.html');
    const html = htmlReport(
      `${report.scenario.name} capacity — LLM Perf Lab`,
      { type: 'capacityInit', capacityId: dir, report, current: null, live: false, interactive: false },
      reportAssets(),
    );
    fs.writeFileSync(file, html);
    out.tell(`HTML report: ${file}`);
  }
  if (out.wanted.markdown) out.markdown(capacityMarkdown(report, { dir }));
  if (report.status === 'running')
    process.stderr.write(`perflab: the search in ${dir} has not finished (still running, or killed): the report shows the steps so far\n`);
  return 0;
}

interface Outputs {
  wanted: { html: boolean; csv: boolean; markdown: boolean };
  /** Where the file `name` goes. */
  fileFor(name: string): string;
  /** Says what was written (on stderr when stdout carries the markdown). */
  tell(text: string): void;
  /** Prints the markdown, or writes summary.md when --out says where. */
  markdown(text: string): void;
}

/** Which formats, and where each goes: the run (or capacity) folder, or --out. */
function plan(dir: string, flags: ReportFlags): Outputs {
  const wanted = { html: !!flags.html, csv: !!flags.csv, markdown: !!flags.markdown };
  if (!wanted.html && !wanted.csv && !wanted.markdown) wanted.html = true;
  const several = Number(wanted.html) + Number(wanted.csv) + Number(wanted.markdown) > 1;
  // --out names the file for one file format; a folder for CSV, for several formats, or when it is one.
  const outIsDir = flags.out !== undefined && (several || wanted.csv || isDirectory(flags.out) || /[\\/]$/.test(flags.out));
  const outDir = flags.out === undefined ? dir : outIsDir ? flags.out : null;
  const fileFor = (name: string) => (outDir !== null ? path.join(outDir, name) : flags.out!);
  if (outDir !== null) fs.mkdirSync(outDir, { recursive: true });
  else fs.mkdirSync(path.dirname(path.resolve(flags.out!)), { recursive: true });

  // Markdown goes to stdout unless --out says where: then what was written is told on stderr.
  const markdownToStdout = wanted.markdown && flags.out === undefined;
  const tell = (text: string) => (markdownToStdout ? process.stderr : process.stdout).write(`${text}\n`);
  const markdown = (text: string) => {
    if (markdownToStdout) process.stdout.write(text);
    else {
      const file = fileFor('summary.md');
      fs.writeFileSync(file, text);
      tell(`Markdown summary: ${file}`);
    }
  };
  return { wanted, fileFor, tell, markdown };
}

function reportAssets(): ReportAssets {
  try {
    return readReportAssets(webviewDist());
  } catch (error) {
    throw new CommandError(`cannot write the HTML report: ${(error as Error).message}`, EXIT_RUN_ERROR);
  }
}

function isDirectory(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

export function registerReportCommand(program: Command, run: RunCommand): void {
  program
    .command('report')
    .description('write the HTML report of a finished run or a capacity search (default), its CSV exports or a markdown summary for CI')
    .argument('<run-dir>', 'run folder (holds summary.json), or capacity folder (holds capacity.json)')
    .option('--html', "self-contained HTML report: the Run panel's charts and tables, offline (the default)")
    .option('--csv', 'windows.csv and requests.csv')
    .option('--markdown', 'markdown summary for a CI job summary: printed to stdout unless --out is given')
    .option('--out <path>', 'file for one of --html/--markdown; a folder for --csv or several formats (default: the run folder)')
    .addHelpText(
      'after',
      `
With no format flag, writes <run-dir>/report.html. Files: report.html, windows.csv, requests.csv,
summary.md (markdown goes to stdout when there is no --out). A capacity folder (perflab capacity)
gets report.html and summary.md with every step; CSV is per run, so give a step's folder for it.
Exit codes: 0 written, 2 not a finished run or capacity folder, 3 the report could not be written.

Examples:
  perflab report .perflab/runs/2026-01-05T10-00-00-chat
  perflab report run/ --markdown >> "$GITHUB_STEP_SUMMARY"
  perflab report run/ --html --csv --out artifacts/
  perflab report .perflab/capacity/2026-01-05T10-00-00-chat --markdown >> "$GITHUB_STEP_SUMMARY"
`,
    )
    .action(async (dir: string, flags: ReportFlags) => {
      await run(() => withInputErrors(() => reportCommand(dir, flags)));
    });
}
