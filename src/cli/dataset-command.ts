// `perflab dataset generate|from-csv`: realistic test data (a `.jsonl` dataset of varied user
// messages, each line's prompt tokens recorded) for a scenario's `prompts: { dataset: … }`.
// Exit codes: 0 written, 2 bad input (scenario, target, CSV, flags), 3 requests failed (nothing or
// less than asked was collected because the deployment did not answer), 130 interrupted (what was
// collected is still written).

import * as path from 'node:path';
import type { Command } from 'commander';
import { loadScenarioFile } from '../engine/scenario/load';
import type { Scenario, Target } from '../engine/scenario/types';
import { CsvError } from '../dataset/csv';
import { encodingFor, slug, tokenStats, writeDataset, type DatasetLine } from '../dataset/dataset-file';
import { datasetFromCsv, DEFAULT_COLUMNS } from '../dataset/from-csv';
import { DEFAULT_BATCH_SIZE, generateDataset, MAX_BATCH_SIZE } from '../dataset/generate';
import { readTextFile, TextFileError } from '../tokens/text-file';
import { resolveCliCredential } from './credentials';
import { EXIT_OK, EXIT_RUN_ERROR, EXIT_USAGE } from './execute';

export type Guarded = (body: () => Promise<number> | number) => Promise<void>;

const EXIT_INTERRUPTED = 130;

interface GenerateFlags {
  target?: string;
  count: string;
  about?: string;
  system?: string;
  out?: string;
  batchSize?: string;
  maxCalls?: string;
}

interface FromCsvFlags {
  column?: string;
  model: string;
  system?: string;
  out?: string;
}

export function registerDatasetCommands(program: Command, run: Guarded): void {
  const dataset = program.command('dataset').description('make a .jsonl test dataset of varied user messages (generate with a model, or from a CSV column)');

  dataset
    .command('generate')
    .description('ask a scenario target (or the simulator) for N varied user messages about your application')
    .argument('<scenario>', 'scenario file whose target (endpoint, deployment, auth) is asked')
    .option('--target <name>', "which of the scenario's targets (default: the only one)")
    .requiredOption('--count <n>', 'how many unique messages')
    .requiredOption('--about <text>', 'the application\'s domain, e.g. "support chat of a bank\'s mobile app"')
    .option('--system <text>', 'system message added to every line of the dataset')
    .option('--out <file>', 'output .jsonl (default: <about>.jsonl next to the scenario)')
    .option('--batch-size <n>', `messages asked for per request (default ${DEFAULT_BATCH_SIZE}, at most ${MAX_BATCH_SIZE})`)
    .option('--max-calls <n>', 'give up after this many requests (default: 3 × the batches needed, + 2)')
    .action(async (file: string, o: GenerateFlags) => run(() => generateCommand(file, o)));

  dataset
    .command('from-csv')
    .description(`turn one column of a CSV file into a dataset (default column: ${DEFAULT_COLUMNS.join(' / ')}, else the first)`)
    .argument('<file>', 'CSV file with a header row')
    .option('--column <name>', 'the column holding the messages')
    .option('--model <name>', 'model whose tokenizer counts prompt_tokens', 'gpt-4o')
    .option('--system <text>', 'system message added to every line of the dataset')
    .option('--out <file>', 'output .jsonl (default: the CSV file name with .jsonl)')
    .action(async (file: string, o: FromCsvFlags) => run(() => fromCsvCommand(file, o)));
}

function usage(message: string): number {
  process.stderr.write(`perflab dataset: ${message}\n`);
  return EXIT_USAGE;
}

function positiveInt(flag: string, value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : `${flag} must be a whole number ≥ 1 (got ${JSON.stringify(value)})`;
}

export function pickTarget(scenario: Scenario, name: string | undefined): Target | string {
  const names = scenario.targets.map((t) => `"${t.name}"`).join(', ');
  if (name === undefined) {
    return scenario.targets.length === 1 ? scenario.targets[0] : `the scenario has ${scenario.targets.length} targets (${names}); pick one with --target`;
  }
  return scenario.targets.find((t) => t.name === name) ?? `no target "${name}" in ${scenario.file ?? 'the scenario'}; its targets: ${names}`;
}

async function generateCommand(file: string, o: GenerateFlags): Promise<number> {
  const count = positiveInt('--count', o.count);
  const batchSize = positiveInt('--batch-size', o.batchSize);
  const maxCalls = positiveInt('--max-calls', o.maxCalls);
  for (const v of [count, batchSize, maxCalls]) if (typeof v === 'string') return usage(v);
  if (!o.about || o.about.trim() === '') return usage("--about needs a description of the application's domain");
  const scenario = loadScenarioFile(file); // a ScenarioError is reported with file:line:column (exit 2)
  const target = pickTarget(scenario, o.target);
  if (typeof target === 'string') return usage(target);
  const credential = target.endpoint === 'simulator' ? null : await resolveCliCredential(target);
  const out = path.resolve(o.out ?? path.join(path.dirname(path.resolve(file)), `${slug(o.about)}.jsonl`));

  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nperflab: stopping — the messages collected so far are written\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const model = target.model ?? target.deployment ?? '(no model)';
  process.stderr.write(
    `perflab: asking "${target.name}" (${target.endpoint === 'simulator' ? 'simulator' : new URL(target.endpoint).origin}, ${model}) for ${count} messages\n`,
  );
  let result;
  try {
    result = await generateDataset({
      target,
      credential,
      count: count as number,
      about: o.about,
      system: o.system,
      batchSize: batchSize as number | undefined,
      maxCalls: maxCalls as number | undefined,
      timeouts: scenario.timeouts,
      maxRetryS: scenario.retry.max_retry_s,
      signal: abort.signal,
      onProgress: (p) => process.stderr.write(`perflab: ${p.message}\n`),
    });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (result.lines.length > 0) report(out, result.lines, model);
  if (result.shortfall !== null) process.stderr.write(`perflab: ${result.lines.length > 0 ? 'warning' : 'error'}: ${result.shortfall}\n`);
  if (result.stopReason === 'cancelled') return EXIT_INTERRUPTED;
  if (result.lines.length === 0 || result.stopReason === 'failures') return EXIT_RUN_ERROR;
  return EXIT_OK;
}

function fromCsvCommand(file: string, o: FromCsvFlags): number {
  let text: string;
  try {
    text = readTextFile(file); // a binary or UTF-16 file is refused with its position, not parsed as garbage
  } catch (e) {
    if (e instanceof TextFileError) return usage(e.message);
    return usage(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let result;
  try {
    result = datasetFromCsv(text, file, { column: o.column, system: o.system, encoding: encodingFor(o.model) });
  } catch (e) {
    if (e instanceof CsvError) return usage(e.message);
    throw e;
  }
  const out = path.resolve(o.out ?? file.replace(/(\.csv)?$/i, '.jsonl'));
  const skipped = [result.blank > 0 ? `${result.blank} blank` : '', result.duplicates > 0 ? `${result.duplicates} repeated` : ''].filter(Boolean);
  process.stderr.write(`perflab: column "${result.column}": ${result.rows} rows${skipped.length > 0 ? `, skipped ${skipped.join(' and ')}` : ''}\n`);
  if (result.lines.length === 0) return usage(`${file}: column "${result.column}" holds no messages`);
  report(out, result.lines, o.model);
  return EXIT_OK;
}

function report(out: string, lines: DatasetLine[], model: string): void {
  writeDataset(out, lines);
  const s = tokenStats(lines)!;
  process.stdout.write(
    `wrote ${lines.length} messages to ${out} (prompt tokens for ${model}: min ${s.min}, median ${s.median}, max ${s.max}, total ${s.total})\n`,
  );
}
