// `perflab import locust|jmeter`: a distributed run's results as a perflab run folder, so the Run panel,
// Compare, the reports and the CI gate read it like any other. The files are read here (Locust workers'
// records: locust-records.ts; JMeter's CSV results: jtl.ts) and the run is recomputed by the engine's
// own code (replay.ts). Used by the CLI (src/cli/import-command.ts) and the editor
// (src/extension/import-command.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../engine/scenario/load';
import { apiOf, type Scenario } from '../engine/scenario/types';
import type { ImportCoverage, ImportedRun, RunSummary } from '../engine/summary';
import { countChatTokens, countTokens, encodingForModel, lookupModel, type Encoding, type ModelOverrides } from '../tokens';
import { JtlError, jtlSamples, recordOfSample, targetOfLabel, type JtlSample } from './jtl';
import {
  findLocustFiles,
  ImportError,
  locustCoverage,
  mergedRecords,
  scanLocustFiles,
  separateRunsNote,
  type LocustScan,
  type WorkerRecord,
} from './locust-records';
import { replayRun, type ImportedRequest } from './replay';

export { ImportError } from './locust-records';

export interface ImportOptions {
  /** The run folder to write, or how to name it once the scenario and the run's start are known. */
  out: string | ((scenario: Scenario, startedAt: Date) => string);
  /** The scenario that was run. Locust: optional (the exported locustfile wrote it into every records
   *  file); a file given here wins, e.g. to judge the run against other SLOs. JMeter: required. */
  scenarioFile?: string;
  /** Catalog overrides (the editor's perflab.pricing); the scenario's own `pricing:` goes over them. */
  modelOverrides?: ModelOverrides;
}

export interface ImportResult {
  summary: RunSummary;
  outDir: string;
}

const LOCUST_NOTE =
  'imported from Locust: each worker timed its own requests; Locust paced them (users × constant_throughput or think time), so schedule lag and never-sent requests are not known';

export async function importLocust(paths: string[], options: ImportOptions): Promise<ImportResult> {
  const files = findLocustFiles(paths);
  const scan = await scanLocustFiles(files);
  if (scan.sends.length === 0) throw new ImportError(`no request records in ${files.records.join(', ')}`);
  const scenario = scenarioFor(scan, options.scenarioFile);
  const coverage = locustCoverage(scan);
  const outDir = outDirOf(options, scenario, scan.sends);
  const encodings = encodingsOf(scenario, options.modelOverrides);
  const imported: ImportedRun = {
    engine: 'locust',
    workers: coverage.workers.length,
    sources: paths.map((p) => path.resolve(p)),
    imported_at: new Date().toISOString(),
    coverage,
    notes: [...coverageNotes(coverage), ...[separateRunsNote(scan)].filter((n): n is string => n !== null)],
  };
  const requests = (async function* (): AsyncGenerator<ImportedRequest> {
    for await (const r of mergedRecords(files.records)) yield fromWorkerRecord(r, encodings.get(r.target));
  })();
  const summary = await replayRun({ scenario, sends: scan.sends, requests, outDir, imported, targetNote: LOCUST_NOTE, modelOverrides: options.modelOverrides });
  return { summary, outDir };
}

/** The scenario: the file given, else the one the locustfile carried. The records' targets must be its
 *  targets; targets no record names are left out (a locustfile exported with --target). */
function scenarioFor(scan: LocustScan, file: string | undefined): Scenario {
  const embedded = scan.workers.find((w) => w.scenario)?.scenario ?? scan.masterScenario;
  let scenario: Scenario;
  if (file) scenario = loadScenarioFile(file);
  else if (embedded && Array.isArray(embedded.targets) && typeof embedded.name === 'string') scenario = embedded;
  else throw new ImportError('these records do not say which scenario was run (a locustfile exported by an older perflab): give --scenario FILE');
  return withRecordedTargets(scenario, scan.targets, file ?? 'the scenario in the records');
}

function withRecordedTargets(scenario: Scenario, recorded: Set<string>, source: string): Scenario {
  const names = scenario.targets.map((t) => t.name);
  const unknown = [...recorded].filter((t) => !names.includes(t));
  if (unknown.length > 0) {
    throw new ImportError(`the records name ${unknown.map((t) => `"${t}"`).join(', ')}, which ${source} does not have (its targets: ${names.join(', ')})`);
  }
  return { ...scenario, targets: scenario.targets.filter((t) => recorded.has(t.name)) };
}

function outDirOf(options: ImportOptions, scenario: Scenario, sends: { startMs: number }[]): string {
  if (typeof options.out === 'string') return path.resolve(options.out);
  const start = sends.reduce((min, s) => Math.min(min, s.startMs), Infinity);
  return path.resolve(options.out(scenario, new Date(start)));
}

function encodingsOf(scenario: Scenario, overrides?: ModelOverrides): Map<string, Encoding> {
  return new Map(
    scenario.targets.map((t) => {
      const model = t.model ?? t.deployment ?? '';
      return [t.name, lookupModel(model, overrides)?.encoding ?? encodingForModel(model)];
    }),
  );
}

/** A worker's line as the engine's record; token counts the worker could not make are made here with
 *  the target's tokenizer, as the engine makes them when a server reports no usage (request-runner.ts). */
function fromWorkerRecord(r: WorkerRecord, encoding: Encoding | undefined): ImportedRequest {
  const { seq: _seq, last_visible_ms: lastVisible, estimate_text: estimate, ...record } = r;
  const contentTimes = record.chunk_offsets_ms ?? [];
  if (estimate && encoding) {
    // A turn that carried a session's history: its prompt is counted here, as the engine counts it.
    if (record.prompt_tokens === null && Array.isArray(estimate.prompt_messages))
      record.prompt_tokens = countChatTokens(estimate.prompt_messages, encoding).total;
    const countedReasoning = (record.reasoning_chunks ?? 0) > 0 ? countTokens(estimate.reasoning ?? '', encoding) : null;
    if (typeof estimate.output === 'string') {
      record.completion_tokens = countTokens(estimate.output, encoding) + (countedReasoning ?? 0);
      record.tokens_estimated = true;
    }
    record.reasoning_tokens = countedReasoning;
    const completion = record.completion_tokens;
    if (record.error === null && completion !== null) {
      const reasoning = record.reasoning_tokens ?? 0;
      const visible = completion - reasoning;
      if (visible > 1 && record.ttft_ms !== null && lastVisible != null) record.tbt_ms = round3((lastVisible - record.ttft_ms) / (visible - 1));
      const allStreamed = (record.reasoning_chunks ?? 0) > 0 || !reasoning;
      if (allStreamed && completion > 1 && contentTimes.length > 0)
        record.tbt_all_ms = round3((contentTimes[contentTimes.length - 1] - contentTimes[0]) / (completion - 1));
    }
  }
  return { record, contentTimes };
}

function coverageNotes(c: ImportCoverage): string[] {
  const notes: string[] = [];
  for (const w of c.workers) {
    if (w.status === 'missing')
      notes.push(`worker ${w.worker} is missing: the Locust master counted ${w.counted} requests from it, and no records file of it was found`);
    else if (w.status === 'incomplete') {
      const parts = [
        w.counted !== null && w.measured < w.counted ? `${w.counted - w.measured} of the ${w.counted} requests Locust counted have no record` : '',
        w.unreadable_lines > 0 ? `${w.unreadable_lines} unreadable line(s) (a file cut mid-line?) left out` : '',
      ]
        .filter(Boolean)
        .join('; ');
      notes.push(`worker ${w.worker}: ${parts}`);
    } else if (w.status === 'unknown')
      notes.push(`worker ${w.worker}: Locust's count of its requests did not survive (the process was killed?): its records cannot be checked`);
  }
  return notes;
}

const JMETER_NOTES = [
  "TTFB is JMeter's Latency: from just before sending the request to the first bytes of the response (its headers). It is NOT time to first token: JMeter does not read the stream, so TTFT, TBT, chunk gaps, token counts and cost are not known",
  "E2E is JMeter's elapsed time: from just before sending the request to the end of the stream",
  "each sample's timeStamp is read as its start (JMeter's default, sampleresult.timestamp.start=true)",
];

const JMETER_NOTE =
  'imported from JMeter: E2E and TTFB (to the first response bytes) only — JMeter does not read the stream, so there is no TTFT, TBT or token count';

export async function importJmeter(paths: string[], options: ImportOptions): Promise<ImportResult> {
  if (!options.scenarioFile) throw new ImportError('perflab import jmeter needs the scenario that was run: --scenario FILE (its targets, SLOs and models)');
  const files = paths.map((p) => path.resolve(p));
  for (const f of files) if (!fs.statSync(f, { throwIfNoEntry: false })?.isFile()) throw new ImportError(`${f}: no such file`);
  const scenario = loadScenarioFile(options.scenarioFile);
  const names = scenario.targets.map((t) => t.name);
  // JMeter writes a sample when it finishes, but a file may come sorted otherwise: its samples (small,
  // no chunk times) are held and put in completion order.
  const counts = { unreadable: 0 };
  const kept: { sample: JtlSample; target: string }[] = [];
  const unmatched = new Map<string, number>();
  try {
    for (const file of files) {
      for await (const sample of jtlSamples(file, counts)) {
        const target = targetOfLabel(sample.label, names);
        if (target === null) unmatched.set(sample.label, (unmatched.get(sample.label) ?? 0) + 1);
        else kept.push({ sample, target });
      }
    }
  } catch (error) {
    if (error instanceof JtlError) throw new ImportError(error.message);
    throw error;
  }
  const samples = kept.length;
  if (samples === 0) {
    throw new ImportError(
      `no JMeter samples for the scenario's targets (${names.join(', ')}) in ${files.join(', ')}${unmatched.size ? `; labels found: ${[...unmatched.keys()].slice(0, 5).join(', ')}` : ''}`,
    );
  }
  kept.sort((a, b) => a.sample.startMs + a.sample.elapsedMs - (b.sample.startMs + b.sample.elapsedMs));
  const sends = kept.map(({ sample, target }) => ({ target, startMs: sample.startMs, throttled: sample.responseCode.trim() === '429' ? 1 : 0 }));
  const recorded = new Set(sends.map((s) => s.target));
  const used = { ...scenario, targets: scenario.targets.filter((t) => recorded.has(t.name)) };
  const coverage: ImportCoverage = {
    counted: null,
    found: samples,
    ratio: null,
    complete: counts.unreadable === 0,
    unreadable_lines: counts.unreadable,
    workers: [],
    missing_workers: [],
  };
  const notes = [...JMETER_NOTES];
  if (counts.unreadable > 0) notes.push(`${counts.unreadable} line(s) could not be read as samples (a file cut mid-line?) and were left out`);
  if (unmatched.size > 0)
    notes.push(
      `${[...unmatched.values()].reduce((a, b) => a + b, 0)} samples whose label names no target of the scenario were left out (${[...unmatched.keys()].slice(0, 5).join(', ')})`,
    );
  const imported: ImportedRun = { engine: 'jmeter', workers: files.length, sources: files, imported_at: new Date().toISOString(), coverage, notes };
  const apis = new Map(used.targets.map((t) => [t.name, t.http ? ('http' as const) : apiOf(t)]));
  const requests = (async function* (): AsyncGenerator<ImportedRequest> {
    for (const { sample, target } of kept) yield { record: recordOfSample(sample, target, apis.get(target)!), contentTimes: [] };
  })();
  const outDir = outDirOf(options, used, sends);
  const summary = await replayRun({
    scenario: used,
    sends,
    requests,
    outDir,
    imported,
    targetNote: JMETER_NOTE,
    markWarmup: true,
    modelOverrides: options.modelOverrides,
  });
  return { summary, outDir };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
