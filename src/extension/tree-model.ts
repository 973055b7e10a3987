// The Scenarios tree as plain data: every `*.perf.yaml` in the workspace → its targets → its past runs.
// No 'vscode' here: the TreeDataProvider maps these nodes 1:1 onto TreeItems, and tests build real
// folders. Runs come from the run folders (src/shared/run-files.ts); a folder without summary.json is a
// crashed or still-running run and is listed as incomplete with what it has recorded so far.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { verdictStatus, type TargetSummary, type RunSummary, type SloVerdict } from '../engine/summary';
import { formatProblem, validateScenarioText, type ScenarioProblem } from '../engine/scenario/load';
import { scenarioNameFromFile } from '../engine/scenario/normalize';
import type { Target } from '../engine/scenario/types';
import { formatMs } from '../shared/format-duration';

export const DEFAULT_RUNS_DIR = path.join('.perflab', 'runs');
/** Optional file the extension writes when a run starts, so an unfinished run still knows its scenario. */
export const RUN_META_FILE = 'run.json';
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.perflab']);
const SCENARIO_SUFFIX = '.perf.yaml';

/** pass / fail / incomplete / not-judged: the SLO verdicts (src/engine/summary.ts verdictStatus());
 *  stopped: by the user; error: the run failed as a whole; unfinished: no usable summary.json yet. */
export type RunStatus = 'pass' | 'fail' | 'incomplete' | 'not-judged' | 'stopped' | 'error' | 'unfinished';

export interface RunMeta {
  scenario: { name: string; file?: string };
  started_at: string;
}

export interface RunNode {
  kind: 'run';
  /** Absolute path of the run folder (what Open Results / Reveal / Delete / Compare act on). */
  dir: string;
  /** The folder name. */
  id: string;
  scenarioName: string;
  scenarioFile: string | null;
  /** The target this node shows; null for the whole run (all targets). */
  target: string | null;
  status: RunStatus;
  startedAt: Date | null;
  /** Headline numbers (null when unknown). For a whole run with several targets: worst p95, summed RPM and errors. */
  ttftP95Ms: number | null;
  achievedRpm: number | null;
  errors: number | null;
  /** HTTP 429 answers, requests cancelled at the end and arrivals never sent (null when unfinished). */
  throttled: number | null;
  cancelled: number | null;
  unsent: number | null;
  /** Unfinished runs: lines in requests.jsonl (for this target, or all). */
  recordedRequests: number | null;
  /** Targets in the run (from its summary; 0 when unfinished): several can be compared with each other. */
  targetCount: number;
  label: string;
  description: string;
  tooltip: string;
}

export interface TargetNode {
  kind: 'target';
  scenarioFile: string;
  name: string;
  /** Whether "Set API Key…" applies: not for the simulator, `auth: none` or `auth: entra`. */
  needsKey: boolean;
  label: string;
  description: string;
  tooltip: string;
  runs: RunNode[];
}

export interface ScenarioNode {
  kind: 'scenario';
  /** Absolute path of the `*.perf.yaml`. */
  file: string;
  /** Relative to the workspace root, with forward slashes. */
  relativePath: string;
  name: string;
  valid: boolean;
  problems: ScenarioProblem[];
  targets: TargetNode[];
  /** Every run of this scenario (whole-run nodes), newest first, including runs of renamed targets. */
  runs: RunNode[];
  /** The scenario "Run Demo on the Simulator" keeps in extension storage (see scanDemo). */
  demo?: boolean;
  label: string;
  description: string;
  tooltip: string;
}

/** One run folder as read from disk, before it is attached to a scenario. */
export interface RunRecord {
  dir: string;
  id: string;
  summary: RunSummary | null;
  meta: RunMeta | null;
  startedAt: Date | null;
  /** Incomplete runs: requests.jsonl lines per target name (all lines under '*'). */
  recorded: Map<string, number> | null;
  /** Why summary.json could not be used, when it exists but is broken. */
  summaryProblem?: string;
}

/** The runs folder for a workspace: the setting's value (absolute, or relative to the root) or `.perflab/runs`. */
export function resolveRunsDir(root: string, setting?: string): string {
  return path.resolve(root, setting && setting.trim() !== '' ? setting : DEFAULT_RUNS_DIR);
}

export function scanWorkspace(root: string, runsDir: string = resolveRunsDir(root)): ScenarioNode[] {
  const runs = readRuns(path.resolve(root, runsDir));
  return findScenarioFiles(root).map((file) => scenarioNode(root, file, runs));
}

/**
 * The demo scenario (written by "Run Demo on the Simulator" outside the workspace, in extension
 * storage) with its runs, once it has any: without this node its runs could not be reopened.
 */
export function scanDemo(demoFile: string, runsDir: string): ScenarioNode | undefined {
  if (!fs.existsSync(demoFile)) return undefined;
  const node = scenarioNode(path.dirname(demoFile), demoFile, readRuns(runsDir));
  if (node.runs.length === 0) return undefined;
  return { ...node, demo: true, label: 'Demo', description: `${node.name} on the simulator · kept in extension storage`, tooltip: `${node.tooltip}\n${demoFile}` };
}

/** `*.perf.yaml` files under root, sorted by path; node_modules, .git and .perflab are skipped, symlinked folders not followed. */
export function findScenarioFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: skip it rather than fail the whole tree
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith(SCENARIO_SUFFIX)) {
        found.push(full);
      }
    }
  };
  walk(path.resolve(root));
  return found.sort((a, b) => a.localeCompare(b));
}

/** Runs of one scenario file (whole-run nodes), or of one of its targets, newest first. */
export function runsFor(runsDir: string | RunRecord[], scenarioFile: string, scenarioName: string, target?: string): RunNode[] {
  const records = typeof runsDir === 'string' ? readRuns(runsDir) : runsDir;
  return records
    .filter((r) => belongsTo(r, scenarioFile, scenarioName))
    .filter((r) => target === undefined || hasTarget(r, target))
    .map((r) => runNode(r, scenarioFile, target ?? null));
}

/** Every run folder directly under runsDir, newest first. A missing runs folder means no runs. */
export function readRuns(runsDir: string): RunRecord[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const records = entries.filter((e) => e.isDirectory()).map((e) => readRun(path.join(runsDir, e.name)));
  return records.sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) || b.id.localeCompare(a.id));
}

export function readRun(dir: string): RunRecord {
  const id = path.basename(dir);
  const meta = readJson<RunMeta>(path.join(dir, RUN_META_FILE)).value ?? null;
  const summaryFile = path.join(dir, 'summary.json');
  const { value: summary, problem } = fs.existsSync(summaryFile) ? readJson<RunSummary>(summaryFile) : { value: undefined, problem: undefined };
  const usable = summary && summary.type === 'summary' && Array.isArray(summary.targets) ? summary : null;
  const startedAt = parseDate(usable?.started_at) ?? parseDate(meta?.started_at) ?? dateFromFolderName(id) ?? mtime(dir);
  return {
    dir,
    id,
    summary: usable,
    meta,
    startedAt,
    recorded: usable ? null : countRecords(path.join(dir, 'requests.jsonl')),
    ...(problem ? { summaryProblem: problem } : summary && !usable ? { summaryProblem: 'summary.json is not a run summary' } : {}),
  };
}

/**
 * Delete a run folder. Refuses anything that is not a run folder directly inside the runs root
 * (after resolving symlinks), so a bad path or a mis-set setting cannot delete other files.
 */
export function deleteRun(runDir: string, runsRoot: string): void {
  const root = realpathOrThrow(runsRoot, 'runs folder');
  const lst = lstatOrThrow(runDir);
  if (lst.isSymbolicLink()) throw new Error(`refusing to delete ${runDir}: it is a symbolic link, not a run folder`);
  if (!lst.isDirectory()) throw new Error(`refusing to delete ${runDir}: not a folder`);
  const dir = fs.realpathSync(runDir);
  if (path.dirname(dir) !== root) {
    throw new Error(`refusing to delete ${runDir}: it is not a run folder inside the runs folder ${runsRoot}`);
  }
  const runFiles = ['summary.json', 'requests.jsonl', 'windows.jsonl', RUN_META_FILE];
  if (!runFiles.some((f) => fs.existsSync(path.join(dir, f)))) {
    throw new Error(`refusing to delete ${runDir}: it has none of ${runFiles.join(', ')}, so it does not look like a run`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------

function scenarioNode(root: string, file: string, runs: RunRecord[]): ScenarioNode {
  const relativePath = path.relative(root, file).split(path.sep).join('/');
  let text: string | undefined;
  let problems: ScenarioProblem[] = [];
  let name = scenarioNameFromFile(file);
  let targets: RawTarget[] = [];
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems = [{ file: relativePath, line: 1, column: 1, path: '', message: `cannot read file: ${(err as Error).message}` }];
  }
  if (text !== undefined) {
    const v = validateScenarioText(text, file);
    problems = v.problems.map((p) => ({ ...p, file: relativePath }));
    if (v.scenario) {
      name = v.scenario.name;
      targets = v.scenario.targets.map((t) => ({ name: t.name, provider: t.provider, endpoint: t.endpoint, resource: t.deployment ?? t.model, needsKey: needsApiKey(t) }));
    } else {
      // Invalid files still show what targets they name, so runs stay reachable while the file is being fixed.
      const raw = rawScenario(text);
      name = raw.name ?? name;
      targets = raw.targets;
    }
  }
  const valid = problems.length === 0;
  const own = runs.filter((r) => belongsTo(r, file, name));
  const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  const tooltipLines = [relativePath, valid ? `${targets.length} ${targets.length === 1 ? 'target' : 'targets'} · ${own.length} ${own.length === 1 ? 'run' : 'runs'}` : count];
  for (const p of problems.slice(0, 5)) tooltipLines.push(formatProblem(p));
  if (problems.length > 5) tooltipLines.push(`… and ${problems.length - 5} more`);
  return {
    kind: 'scenario',
    file,
    relativePath,
    name,
    valid,
    problems,
    targets: targets.map((t) => targetNode(file, t, own)),
    runs: own.map((r) => runNode(r, file, null)),
    label: name,
    description: valid ? relativePath : `${count} · ${relativePath}`,
    tooltip: tooltipLines.join('\n'),
  };
}

interface RawTarget {
  name: string;
  provider?: string;
  endpoint?: string;
  resource?: string;
  needsKey: boolean;
}

/** Whether a target reads a key ("Set API Key…" applies): the simulator, `auth: none` and `auth: entra` need none. */
export function needsApiKey(t: Pick<Target, 'endpoint' | 'auth'>): boolean {
  return t.endpoint !== 'simulator' && (t.auth.type === 'api-key' || t.auth.type === 'bearer');
}

/** Whether any target of a scenario's text needs a key (the scenario CodeLens offers "Set API Key…" then). */
export function scenarioNeedsKey(text: string, fileName: string): boolean {
  const v = validateScenarioText(text, fileName);
  return v.scenario ? v.scenario.targets.some(needsApiKey) : rawScenario(text).targets.some((t) => t.needsKey);
}

function targetNode(scenarioFile: string, t: RawTarget, runs: RunRecord[]): TargetNode {
  const host = t.endpoint === undefined || t.endpoint === 'simulator' ? t.endpoint : hostOf(t.endpoint);
  // `simulator · gpt-4o`, not `simulator · gpt-4o · simulator`: a word already shown is not repeated.
  const parts = [...new Set([t.provider, t.resource, host].filter((p): p is string => !!p))];
  const own = runs.filter((r) => hasTarget(r, t.name));
  return {
    kind: 'target',
    scenarioFile,
    name: t.name,
    needsKey: t.needsKey,
    label: t.name,
    description: parts.join(' · '),
    tooltip: [`${t.name}`, t.provider && `provider: ${t.provider}`, t.endpoint && `endpoint: ${t.endpoint}`, t.resource && `deployment/model: ${t.resource}`, `${own.length} ${own.length === 1 ? 'run' : 'runs'}`]
      .filter(Boolean)
      .join('\n'),
    runs: own.map((r) => runNode(r, scenarioFile, t.name)),
  };
}

function runNode(r: RunRecord, scenarioFile: string, target: string | null): RunNode {
  const scenarioName = r.summary?.scenario.name ?? r.meta?.scenario.name ?? r.id;
  const base = {
    kind: 'run' as const,
    dir: r.dir,
    id: r.id,
    scenarioName,
    scenarioFile,
    target,
    startedAt: r.startedAt,
    label: formatRunDate(r.startedAt) ?? r.id,
    targetCount: r.summary?.targets.length ?? 0,
  };

  if (!r.summary) {
    const recorded = r.recorded ? (target === null ? r.recorded.get('*') ?? 0 : r.recorded.get(target) ?? 0) : 0;
    const what = `${recorded} ${recorded === 1 ? 'request' : 'requests'} recorded`;
    return {
      ...base,
      status: 'unfinished',
      ttftP95Ms: null,
      achievedRpm: null,
      errors: null,
      throttled: null,
      cancelled: null,
      unsent: null,
      recordedRequests: recorded,
      description: `unfinished · ${what}`,
      tooltip: [`${scenarioName}${target ? ` · ${target}` : ''}`, `unfinished: no summary.json (the run crashed, was killed, or is still running); ${what}`, r.summaryProblem, r.dir]
        .filter(Boolean)
        .join('\n'),
    };
  }

  const s = r.summary;
  const targets = target === null ? s.targets : s.targets.filter((t) => t.target === target);
  const verdicts = target === null ? s.slos : s.slos.filter((v) => v.target === target);
  // `error`: the run failed as a whole (results not written, or no request of a target succeeded).
  const status: RunStatus = s.stopped_by === 'stop' ? 'stopped' : s.stopped_by === 'error' || s.error ? 'error' : verdictsStatus(verdicts);
  const ttftP95Ms = worst(targets.map((t) => t.latency_ms.ttft.p95));
  const achievedRpm = targets.length > 0 ? targets.reduce((sum, t) => sum + t.schedule.achieved_rpm, 0) : null;
  const sum = (of: (t: TargetSummary) => number | undefined) => targets.reduce((n, t) => n + (of(t) ?? 0), 0);
  const errors = sum((t) => t.requests.failed);
  const throttled = sum((t) => t.requests.throttled_responses);
  const cancelled = sum((t) => t.requests.cancelled);
  const unsent = sum((t) => t.schedule.unsent);
  const named = (v: SloVerdict) => (target === null && s.targets.length > 1 ? `${v.target}: ${v.slo}` : v.slo);
  const withStatus = (st: ReturnType<typeof verdictStatus>) => verdicts.filter((v) => verdictStatus(v) === st).map(named);
  const statusLine = {
    pass: verdicts.length > 0 ? `passed ${verdicts.length} ${verdicts.length === 1 ? 'SLO' : 'SLOs'}` : 'completed (no SLOs)',
    fail: `failed: ${withStatus('fail').join(', ')}`,
    incomplete: `incomplete — too many requests cancelled or never sent to call it a pass: ${withStatus('incomplete').join(', ')}`,
    'not-judged': `not judged — nothing measured to judge: ${withStatus('not_judged').join(', ')}`,
    stopped: 'stopped by the user',
    error: s.error ? `failed: ${s.error}` : 'ended with an error',
    unfinished: '',
  }[status];
  return {
    ...base,
    status,
    ttftP95Ms,
    achievedRpm,
    errors,
    throttled,
    cancelled,
    unsent,
    recordedRequests: null,
    // Throttling, cut-off work and a run this machine may have inflated (summary's client_limited) show at a glance.
    description: [headline(ttftP95Ms, achievedRpm, errors), ...unmeasured(throttled, cancelled, unsent), ...(targets.some((t) => t.client_limited) ? ['⚠ client-limited'] : [])].join(' · '),
    tooltip: [
      `${scenarioName}${target ? ` · ${target}` : ''}`,
      statusLine,
      ...targets.filter((t) => t.client_limited).map((t) => `⚠ ${t.target}: this machine may have inflated the latencies (${(t.client_limited_reasons ?? []).join('; ')})`),
      ...targets.map((t) => targetLine(t, target === null && s.targets.length > 1)),
      r.dir,
    ].join('\n'),
  };
}

/** The run's status from its SLO verdicts: any fail fails it; then incomplete, then not judged; else pass. */
function verdictsStatus(verdicts: SloVerdict[]): RunStatus {
  const statuses = new Set(verdicts.map(verdictStatus));
  if (statuses.has('fail')) return 'fail';
  if (statuses.has('incomplete')) return 'incomplete';
  if (statuses.has('not_judged')) return 'not-judged';
  return 'pass';
}

/** `p95 TTFT 175 ms · 240 RPM · 0 errors` */
export function headline(ttftP95Ms: number | null, rpm: number | null, errors: number | null): string {
  const ttft = `p95 TTFT ${formatMs(ttftP95Ms)}`;
  const r = rpm === null ? '– RPM' : `${rpm >= 10 ? Math.round(rpm) : Math.round(rpm * 10) / 10} RPM`;
  const e = errors === null ? '– errors' : `${errors} ${errors === 1 ? 'error' : 'errors'}`;
  return `${ttft} · ${r} · ${e}`;
}

/** `784 throttled`, `29 cancelled`, `12 unsent`: only the ones that happened. */
function unmeasured(throttled: number, cancelled: number, unsent: number): string[] {
  return [throttled > 0 ? `${throttled} throttled` : '', cancelled > 0 ? `${cancelled} cancelled` : '', unsent > 0 ? `${unsent} unsent` : ''].filter(Boolean);
}

function targetLine(t: TargetSummary, named: boolean): string {
  const l = t.latency_ms;
  const r = t.requests;
  const lines = [`${named ? `${t.target}: ` : ''}TTFT p50 ${formatMs(l.ttft.p50)} / p95 ${formatMs(l.ttft.p95)}, E2E p95 ${formatMs(l.e2e.p95)}, ${r.completed} completed, ${r.failed} failed`];
  const indent = named ? '  ' : '';
  if (r.throttled_responses > 0) {
    lines.push(`${indent}throttled: ${r.throttled_responses} of ${r.attempts} attempts answered HTTP 429; ${r.retried} retried, ${formatMs(r.backoff_ms)} spent backing off`);
  }
  if (r.cancelled > 0 || t.schedule.unsent > 0) {
    lines.push(`${indent}not measured: ${r.cancelled} cancelled at the end, ${t.schedule.unsent} never sent (all clients busy)`);
  }
  return lines.join('\n');
}

/** Local `YYYY-MM-DD HH:MM:SS`. */
export function formatRunDate(d: Date | null): string | undefined {
  if (!d) return undefined;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A run belongs to a scenario by the absolute file in its summary (or run.json); a run that only has a
 *  folder name (`<stamp>-<scenario name>`, see engine/run-folder.ts) is matched by that name. */
function belongsTo(r: RunRecord, scenarioFile: string, scenarioName: string): boolean {
  const file = r.summary?.scenario.file ?? r.meta?.scenario.file;
  if (file) return samePath(file, scenarioFile);
  if (r.summary || r.meta) return (r.summary?.scenario.name ?? r.meta?.scenario.name) === scenarioName;
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-(.+)$/.exec(r.id);
  return m !== null && m[1] === safeName(scenarioName);
}

function hasTarget(r: RunRecord, target: string): boolean {
  if (r.summary) return r.summary.targets.some((t) => t.target === target);
  // Unfinished: it belongs to every target of its scenario (it may not have recorded any yet).
  return true;
}

function samePath(a: string, b: string): boolean {
  const na = path.resolve(a);
  const nb = path.resolve(b);
  return process.platform === 'win32' || process.platform === 'darwin' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

/** Same rule as engine/run-folder.ts defaultRunDir. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
}

function worst(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

function countRecords(file: string): Map<string, number> {
  const counts = new Map<string, number>([['*', 0]]);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    counts.set('*', counts.get('*')! + 1);
    try {
      const rec = JSON.parse(line) as { target?: unknown };
      if (typeof rec.target === 'string') counts.set(rec.target, (counts.get(rec.target) ?? 0) + 1);
    } catch {
      // A line cut off by a crash still counts as recorded; it just names no target.
    }
  }
  return counts;
}

function rawScenario(text: string): { name?: string; targets: RawTarget[] } {
  try {
    const data = parseDocument(text).toJS() as { name?: unknown; targets?: unknown } | null;
    const name = typeof data?.name === 'string' ? data.name : undefined;
    const list = Array.isArray(data?.targets) ? (data.targets as unknown[]) : [];
    const targets = list
      .filter((t): t is Record<string, unknown> => typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string')
      .map((t) => ({
        name: t.name as string,
        provider: typeof t.provider === 'string' ? t.provider : undefined,
        endpoint: typeof t.endpoint === 'string' ? t.endpoint : undefined,
        resource: typeof t.deployment === 'string' ? t.deployment : typeof t.model === 'string' ? t.model : undefined,
        needsKey: rawNeedsKey(t),
      }));
    return { name, targets };
  } catch {
    return { targets: [] };
  }
}

/** needsApiKey for a target of a file that does not validate: a guess from what it says. */
function rawNeedsKey(t: Record<string, unknown>): boolean {
  if (t.provider === 'simulator' || t.endpoint === 'simulator') return false;
  const auth = typeof t.auth === 'object' && t.auth !== null ? (t.auth as { type?: unknown }).type : undefined;
  return auth !== 'none' && auth !== 'entra';
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function readJson<T>(file: string): { value?: T; problem?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return { value: JSON.parse(text) as T };
  } catch (err) {
    return { problem: `${path.basename(file)} is not valid JSON (${(err as Error).message})` };
  }
}

function parseDate(s: string | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `2026-11-27T23-40-12-quickstart` → that UTC time (engine/run-folder.ts names folders so). */
function dateFromFolderName(id: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})/.exec(id);
  return m ? parseDate(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`) : null;
}

function mtime(dir: string): Date | null {
  try {
    return fs.statSync(dir).mtime;
  } catch {
    return null;
  }
}

function realpathOrThrow(p: string, what: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    throw new Error(`the ${what} ${p} does not exist`);
  }
}

function lstatOrThrow(p: string): fs.Stats {
  try {
    return fs.lstatSync(p);
  } catch {
    throw new Error(`refusing to delete ${p}: it does not exist`);
  }
}
