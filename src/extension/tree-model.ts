// The Scenarios tree as plain data: every scenario file in the workspace → its targets → its past runs,
// with their labels, descriptions and tooltips. No 'vscode' here: the TreeDataProvider
// (scenario-tree.ts) maps these nodes 1:1 onto TreeItems, and tests build real folders. Scenario files
// are found by src/engine/scenario/files.ts, runs read by src/results/run-list.ts; a folder without
// summary.json is a crashed or still-running run and is listed as unfinished with what it has recorded
// so far.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { verdictStatus, type ImportedRun, type TargetSummary, type SloVerdict } from '../engine/summary';
import { findScenarioFiles } from '../engine/scenario/files';
import { readScenarioLeniently } from '../engine/scenario/lenient';
import { formatProblem, validateScenarioText, type ScenarioProblem } from '../engine/scenario/load';
import { scenarioNameFromFile } from '../engine/scenario/normalize';
import { readRuns, resolveRunsDir, runBelongsTo, runHasTarget, type RunRecord } from '../results/run-list';
import { formatMs } from '../shared/format-duration';
import { lenientNeedsKey, needsApiKey } from './key-need';

/** pass / fail / incomplete / not-judged: the SLO verdicts (src/engine/summary.ts verdictStatus());
 *  stopped: by the user; error: the run failed as a whole; unfinished: no usable summary.json yet. */
export type RunStatus = 'pass' | 'fail' | 'incomplete' | 'not-judged' | 'stopped' | 'error' | 'unfinished';

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
  /** Absolute path of the scenario file. */
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
  return {
    ...node,
    demo: true,
    label: 'Demo',
    description: `${node.name} on the simulator · kept in extension storage`,
    tooltip: `${node.tooltip}\n${demoFile}`,
  };
}

/** Runs of one scenario file (whole-run nodes), or of one of its targets, newest first. */
export function runsFor(runsDir: string | RunRecord[], scenarioFile: string, scenarioName: string, target?: string): RunNode[] {
  const records = typeof runsDir === 'string' ? readRuns(runsDir) : runsDir;
  return records
    .filter((r) => runBelongsTo(r, scenarioFile, scenarioName))
    .filter((r) => target === undefined || runHasTarget(r, target))
    .map((r) => runNode(r, scenarioFile, target ?? null));
}

// ---------------------------------------------------------------------------------------------

function scenarioNode(root: string, file: string, runs: RunRecord[]): ScenarioNode {
  const relativePath = path.relative(root, file).split(path.sep).join('/');
  let text: string | undefined;
  let problems: ScenarioProblem[] = [];
  let name = scenarioNameFromFile(file);
  let targets: TargetFacts[] = [];
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
      targets = v.scenario.targets.map((t) => ({
        name: t.name,
        provider: t.provider,
        endpoint: t.endpoint,
        resource: t.deployment ?? t.model,
        needsKey: needsApiKey(t),
      }));
    } else {
      // Invalid files still show what targets they name, so runs stay reachable while the file is being fixed.
      const read = readScenarioLeniently(text);
      name = read.name ?? name;
      targets = read.targets.map((t) => ({
        name: t.name,
        provider: t.provider,
        endpoint: t.endpoint,
        resource: t.deployment ?? t.model,
        needsKey: lenientNeedsKey(t),
      }));
    }
  }
  const valid = problems.length === 0;
  const own = runs.filter((r) => runBelongsTo(r, file, name));
  const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  const tooltipLines = [
    relativePath,
    valid ? `${targets.length} ${targets.length === 1 ? 'target' : 'targets'} · ${own.length} ${own.length === 1 ? 'run' : 'runs'}` : count,
  ];
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

/** What a target node shows, from a validated scenario or one read leniently. */
interface TargetFacts {
  name: string;
  provider?: string;
  endpoint?: string;
  resource?: string;
  needsKey: boolean;
}

function targetNode(scenarioFile: string, t: TargetFacts, runs: RunRecord[]): TargetNode {
  const host = t.endpoint === undefined || t.endpoint === 'simulator' ? t.endpoint : hostOf(t.endpoint);
  // `simulator · gpt-4o`, not `simulator · gpt-4o · simulator`: a word already shown is not repeated.
  const parts = [...new Set([t.provider, t.resource, host].filter((p): p is string => !!p))];
  const own = runs.filter((r) => runHasTarget(r, t.name));
  return {
    kind: 'target',
    scenarioFile,
    name: t.name,
    needsKey: t.needsKey,
    label: t.name,
    description: parts.join(' · '),
    tooltip: [
      `${t.name}`,
      t.provider && `provider: ${t.provider}`,
      t.endpoint && `endpoint: ${t.endpoint}`,
      t.resource && `deployment/model: ${t.resource}`,
      `${own.length} ${own.length === 1 ? 'run' : 'runs'}`,
    ]
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
    const recorded = r.recorded ? (target === null ? (r.recorded.get('*') ?? 0) : (r.recorded.get(target) ?? 0)) : 0;
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
      tooltip: [
        `${scenarioName}${target ? ` · ${target}` : ''}`,
        `unfinished: no summary.json (the run crashed, was killed, or is still running); ${what}`,
        r.summaryProblem,
        r.dir,
      ]
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
    description: [
      headline(ttftP95Ms, achievedRpm, errors),
      ...unmeasured(throttled, cancelled, unsent),
      ...(targets.some((t) => t.client_limited) ? ['⚠ client-limited'] : []),
      ...(s.imported ? [importedLabel(s.imported)] : []),
    ].join(' · '),
    tooltip: [
      `${scenarioName}${target ? ` · ${target}` : ''}`,
      statusLine,
      ...(s.imported ? [importedTooltip(s.imported)] : []),
      ...targets
        .filter((t) => t.client_limited)
        .map((t) => `⚠ ${t.target}: this machine may have inflated the latencies (${(t.client_limited_reasons ?? []).join('; ')})`),
      ...targets.map((t) => targetLine(t, target === null && s.targets.length > 1)),
      r.dir,
    ].join('\n'),
  };
}

/** An imported run (`perflab import`): `Locust, 2 workers`, `JMeter, 3 files`, flagged when records are missing. */
function importedLabel(i: ImportedRun): string {
  const engine = i.engine === 'locust' ? 'Locust' : 'JMeter';
  const who = `${i.workers} ${i.engine === 'locust' ? (i.workers === 1 ? 'worker' : 'workers') : i.workers === 1 ? 'file' : 'files'}`;
  return `${engine}, ${who}${i.coverage.complete ? '' : ' ⚠ incomplete'}`;
}

function importedTooltip(i: ImportedRun): string {
  const c = i.coverage;
  const coverage =
    c.counted === null
      ? `${c.found} requests read`
      : `records for ${Math.min(c.found, c.counted)} of the ${c.counted} requests counted (${((c.ratio ?? 0) * 100).toFixed(1)}%)`;
  return [
    `imported from ${i.engine === 'locust' ? 'Locust' : 'JMeter'}: ${coverage}`,
    ...(c.missing_workers.length ? [`missing workers: ${c.missing_workers.join(', ')}`] : []),
  ].join('\n');
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
  const lines = [
    `${named ? `${t.target}: ` : ''}TTFT p50 ${formatMs(l.ttft.p50)} / p95 ${formatMs(l.ttft.p95)}, E2E p95 ${formatMs(l.e2e.p95)}, ${r.completed} completed, ${r.failed} failed`,
  ];
  const indent = named ? '  ' : '';
  if (r.throttled_responses > 0) {
    lines.push(
      `${indent}throttled: ${r.throttled_responses} of ${r.attempts} attempts answered HTTP 429; ${r.retried} retried, ${formatMs(r.backoff_ms)} spent backing off`,
    );
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

function worst(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
