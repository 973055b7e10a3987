// The files an exported locustfile leaves behind (src/export/locust_runtime.py, "Records"): one
// perflab-records-<worker>.jsonl per process that ran users — a `perflab_worker` first line, one
// RequestRecord per request with the worker's id, and `perflab_end` lines with how many requests that
// process reported to Locust — and, from a distributed run's master, perflab-locust-master.json with
// what each worker's stats reports told it.
//
// Read twice, streaming: a first pass counts (records, unreadable lines, Locust's counts, send times);
// a second pass merges the workers' records in the order they completed, one line of each file held at
// a time, so memory does not grow with the run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RequestRecord } from '../engine/records';
import type { Scenario } from '../engine/scenario/types';
import type { ImportCoverage, WorkerCoverage } from '../engine/summary';
import { linesOfAsync } from '../results/jsonl';
import { completion, mergeByCompletion } from './merge';

export const RECORDS_FILE_PATTERN = /^perflab-records-.+\.jsonl$/;
export const MASTER_FILE = 'perflab-locust-master.json';

/** A request line of a worker file: a RequestRecord (its id is given at import) and the runtime's extras. */
export interface WorkerRecord extends Omit<RequestRecord, 'id'> {
  worker: string;
  seq: number;
  /** Only when the import has to count tokens: the last visible output's offset and the text to count;
   *  `prompt_messages` when the prompt carried a session's history (no count was made in advance). */
  last_visible_ms?: number | null;
  estimate_text?: { output?: string | null; reasoning?: string | null; prompt_messages?: { role: string; content: string }[] };
}

interface WorkerHeader {
  type: 'perflab_worker';
  worker: string;
  role?: string;
  hostname?: string;
  scenario?: Scenario | null;
}

interface WorkerEnd {
  type: 'perflab_end';
  worker: string;
  locust_requests: number;
}

interface MasterFile {
  type: 'perflab_master';
  workers: Record<string, { locust_requests: number }>;
  scenario?: Scenario | null;
}

/** One worker file after the first pass. */
export interface WorkerFileScan {
  file: string;
  worker: string;
  /** The scenario the locustfile carried (null: exported without one). */
  scenario: Scenario | null;
  records: number;
  /** Warm-up and cancelled excluded: the requests Locust counts. */
  measured: number;
  unreadable: number;
  /** The last `perflab_end` line's count: what this process reported to Locust. */
  counted: number | null;
  /** Its first request's start and last request's end (epoch ms). */
  firstStartMs: number;
  lastEndMs: number;
}

/** What the first pass learned from every file. */
export interface LocustScan {
  workers: WorkerFileScan[];
  /** Per worker id, the master's count (union of the master files found). */
  master: Map<string, number> | null;
  masterScenario: Scenario | null;
  /** Each request's send time (epoch ms), 429 responses and target, in file order. */
  sends: { target: string; startMs: number; throttled: number }[];
  targets: Set<string>;
}

export class ImportError extends Error {}

/** The records and master files named by `paths`: files as given, folders searched (a few levels deep,
 *  as Azure Load Testing's downloads nest them). */
export function findLocustFiles(paths: string[]): { records: string[]; masters: string[] } {
  const records: string[] = [];
  const masters: string[] = [];
  const visit = (p: string, depth: number) => {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) throw new ImportError(`${p}: no such file or folder`);
    if (stat.isDirectory()) {
      if (depth > 4) return;
      for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name), depth + 1);
      return;
    }
    const name = path.basename(p);
    if (name === MASTER_FILE) masters.push(p);
    else if (RECORDS_FILE_PATTERN.test(name) || depth === 0) records.push(p);
  };
  for (const p of paths) visit(path.resolve(p), 0);
  if (records.length === 0) {
    throw new ImportError(
      `no perflab-records-*.jsonl in ${paths.join(', ')}: each Locust process writes one to $PERFLAB_RECORDS_DIR (default: its working folder)`,
    );
  }
  return { records, masters };
}

function parse(line: string): { type?: unknown } | null {
  try {
    const value = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(v: { type?: unknown }): v is WorkerRecord {
  const r = v as Partial<WorkerRecord>;
  return r.type === 'request' && typeof r.target === 'string' && typeof r.start_ms === 'number' && Number.isFinite(r.start_ms);
}

/** The first pass over every file. */
export async function scanLocustFiles(files: { records: string[]; masters: string[] }): Promise<LocustScan> {
  const scan: LocustScan = { workers: [], master: null, masterScenario: null, sends: [], targets: new Set() };
  for (const file of files.records) {
    const w: WorkerFileScan = {
      file,
      worker: '',
      scenario: null,
      records: 0,
      measured: 0,
      unreadable: 0,
      counted: null,
      firstStartMs: Infinity,
      lastEndMs: -Infinity,
    };
    for await (const line of linesOfAsync(file)) {
      const v = parse(line);
      if (v && isRecord(v)) {
        w.records++;
        if (!v.warmup && v.error !== 'cancelled') w.measured++;
        if (!w.worker && typeof v.worker === 'string') w.worker = v.worker;
        scan.targets.add(v.target);
        scan.sends.push({ target: v.target, startMs: v.start_ms, throttled: v.throttled_attempts ?? 0 });
        w.firstStartMs = Math.min(w.firstStartMs, v.start_ms);
        w.lastEndMs = Math.max(w.lastEndMs, completion(v));
      } else if (v?.type === 'perflab_worker') {
        const h = v as WorkerHeader;
        if (typeof h.worker === 'string') w.worker = h.worker;
        if (h.scenario && typeof h.scenario === 'object') w.scenario = h.scenario;
      } else if (v?.type === 'perflab_end' && typeof (v as WorkerEnd).locust_requests === 'number') {
        w.counted = (v as WorkerEnd).locust_requests; // cumulative: the last one wins
      } else {
        w.unreadable++;
      }
    }
    if (!w.worker)
      w.worker = path
        .basename(file)
        .replace(/^perflab-records-/, '')
        .replace(/\.jsonl$/, '');
    scan.workers.push(w);
  }
  for (const file of files.masters) {
    let m: MasterFile;
    try {
      m = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ImportError(`${file}: not readable as JSON (${(error as Error).message})`);
    }
    if (m?.type !== 'perflab_master' || typeof m.workers !== 'object') throw new ImportError(`${file}: not a perflab Locust master file`);
    scan.master ??= new Map();
    for (const [id, c] of Object.entries(m.workers)) scan.master.set(id, Math.max(scan.master.get(id) ?? 0, Number(c?.locust_requests) || 0));
    scan.masterScenario ??= m.scenario ?? null;
  }
  return scan;
}

/** Requests Locust counted vs records found, per worker; a worker the master heard from with no file is missing. */
export function locustCoverage(scan: LocustScan): ImportCoverage {
  const workers: WorkerCoverage[] = scan.workers.map((w) => {
    const byMaster = scan.master?.get(w.worker);
    // The worker's own last line is exact; the master's count can lag its last report (a few requests).
    const counted = w.counted ?? byMaster ?? null;
    const countedBy = w.counted !== null ? 'worker' : byMaster !== undefined ? 'master' : null;
    const short = counted !== null && w.measured < counted;
    return {
      worker: w.worker,
      file: w.file,
      records: w.records,
      measured: w.measured,
      counted,
      counted_by: countedBy,
      unreadable_lines: w.unreadable,
      status: short || w.unreadable > 0 ? 'incomplete' : counted === null ? 'unknown' : 'complete',
    };
  });
  const present = new Set(scan.workers.map((w) => w.worker));
  const missing = [...(scan.master?.entries() ?? [])].filter(([id]) => !present.has(id));
  for (const [id, counted] of missing) {
    workers.push({ worker: id, file: null, records: 0, measured: 0, counted, counted_by: 'master', unreadable_lines: 0, status: 'missing' });
  }
  const known = workers.filter((w) => w.counted !== null);
  const counted = known.length > 0 ? known.reduce((n, w) => n + w.counted!, 0) : null;
  const found = workers.reduce((n, w) => n + w.measured, 0);
  // Found beyond a lagging count is no gap: a worker's share counts up to what Locust counted for it.
  const covered = known.reduce((n, w) => n + Math.min(w.measured, w.counted!), 0);
  const unreadable = workers.reduce((n, w) => n + w.unreadable_lines, 0);
  return {
    counted,
    found,
    ratio: counted === null ? null : counted === 0 ? 1 : round4(covered / counted),
    complete: workers.every((w) => w.status === 'complete'),
    unreadable_lines: unreadable,
    workers,
    missing_workers: missing.map(([id]) => id),
  };
}

/** Files whose requests all came after every other file's had ended were most likely written by another
 *  run (successive runs in one folder): said, so two runs are not read as one. */
export function separateRunsNote(scan: LocustScan): string | null {
  const spans = scan.workers.filter((w) => w.records > 0).sort((a, b) => a.firstStartMs - b.firstStartMs);
  let end = -Infinity;
  const groups: WorkerFileScan[][] = [];
  for (const w of spans) {
    if (w.firstStartMs > end) groups.push([]);
    groups[groups.length - 1].push(w);
    end = Math.max(end, w.lastEndMs);
  }
  if (groups.length < 2) return null;
  const when = (g: WorkerFileScan[]) => `${new Date(g[0].firstStartMs).toISOString()} (${g.map((w) => path.basename(w.file)).join(', ')})`;
  return `the records fall into ${groups.length} separate periods — were they written by different runs? ${groups.map(when).join('; ')}: import one run's files at a time`;
}

/** Every file's request records, merged in the order the requests completed (start + E2E). */
export function mergedRecords(files: string[]): AsyncGenerator<WorkerRecord> {
  return mergeByCompletion(files.map((file) => recordsOf(file)));
}

async function* recordsOf(file: string): AsyncGenerator<WorkerRecord> {
  for await (const line of linesOfAsync(file)) {
    const v = parse(line);
    if (v && isRecord(v)) yield v;
  }
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
