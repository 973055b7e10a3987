// The one typed message module shared by the extension host and the Run/Compare webview.
// Both sides import these types, so a renamed field fails to compile on both ends at once.
// Pure types plus a small runtime guard: no 'vscode', no DOM, so the webview bundle can import it.

import type { CapacityReport } from '../engine/capacity/types';
import type { TargetDistributions } from '../engine/distribution';
import type { WindowSnapshot } from '../engine/records';
import type { Scenario } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import type { ServerSeries } from '../results/server-series';
import type { Price } from '../tokens/pricing';

/** One target as the panel lists it. */
export interface PanelTarget {
  name: string;
  model: string | null;
  /** The scenario's target rate (open loop), RPM; null in closed loop. */
  target_rpm: number | null;
  /** USD per 1M tokens, resolved by the host (src/shared/panel-targets.ts): the catalog's list price or
   *  the user's own. Null when neither prices this model. */
  price: Price | null;
}

// ---- host → webview ----

/** Sent once the webview says `ready`: everything needed to draw the panel from scratch. A past run
 *  (tree → Open Results) arrives as one `init` with all its windows and its summary. */
export interface InitMessage {
  type: 'init';
  /** Stable id of the run (its folder), so the webview can keep its state per run. */
  runId: string;
  scenario: Scenario;
  targets: PanelTarget[];
  /** Windows already recorded (all targets, in time order); empty for a run that just started. */
  windows: WindowSnapshot[];
  /** Present when the run has ended. */
  summary: RunSummary | null;
  /** Whole-run histograms so far, by target (empty object when none yet). */
  distributions: Record<string, TargetDistributions>;
  /** The server's series so far (`server_metrics:`; src/results/server-series.ts); absent or empty
   *  when no target asked for them. */
  server?: ServerSeries[];
  live: boolean;
  /** False in the self-contained HTML report: no host to export to, so the export buttons are hidden. */
  interactive: boolean;
}

/** New windows since the last batch (throttled by the host, so several seconds may arrive at once). */
export interface WindowsMessage {
  type: 'windows';
  windows: WindowSnapshot[];
}

/** The server's points since the last batch (each series carries only its new points; batched with
 *  the windows). */
export interface ServerMessage {
  type: 'server';
  series: ServerSeries[];
}

/** Whole-run histograms so far (replaces the previous ones; they are small: ~70 bins each). */
export interface DistributionsMessage {
  type: 'distributions';
  distributions: Record<string, TargetDistributions>;
}

/** One run (or one target of a run) in the Compare panel. */
export interface CompareRunData {
  /** Column label, e.g. `gpt-4o-eastus · 2026-11-28 10:02`. */
  label: string;
  summary: RunSummary;
  windows: WindowSnapshot[];
}

/** Everything the Compare panel draws. `alignment`: parallel targets share one clock; sequential runs
 *  are overlaid from their own start. */
export interface CompareInitMessage {
  type: 'compareInit';
  /** The run folders compared (kept in the webview's state so the panel survives a window reload). */
  runIds: string[];
  runs: CompareRunData[];
  alignment: 'clock' | 'start';
  interactive: boolean;
}

/** The run ended: its final summary (headline numbers switch from window to whole-run figures). */
export interface SummaryMessage {
  type: 'summary';
  summary: RunSummary;
}

/** A capacity search (capacity.json): the capacity curve per target, each step a link to its run. */
export interface CapacityInitMessage {
  type: 'capacityInit';
  /** The capacity folder (kept in the webview's state so the panel survives a window reload). */
  capacityId: string;
  report: CapacityReport;
  /** The step running now, while the search is live. */
  current: CapacityCurrentStep | null;
  live: boolean;
  interactive: boolean;
}

/** What the search is doing right now. */
export interface CapacityCurrentStep {
  target: string;
  /** 1-based step number within the target's search. */
  index: number;
  offered_rpm: number;
  bracket: { passed: number | null; failed: number | null };
}

/** The search moved on: a step started (`current`) or ended (`report` holds it), or it finished
 *  (`live` false). */
export interface CapacityUpdateMessage {
  type: 'capacityUpdate';
  report: CapacityReport;
  current: CapacityCurrentStep | null;
  live: boolean;
}

/** VS Code's theme kind changed (chart colours are not CSS, so they must be re-read). */
export interface ThemeMessage {
  type: 'theme';
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
}

export type HostToWebview =
  | InitMessage
  | WindowsMessage
  | ServerMessage
  | DistributionsMessage
  | SummaryMessage
  | ThemeMessage
  | CompareInitMessage
  | CapacityInitMessage
  | CapacityUpdateMessage;

// ---- webview → host ----

/** The webview has loaded its script and can receive `init`. */
export interface ReadyMessage {
  type: 'ready';
}

/** Save one chart as PNG; the webview cannot write files, so it hands the host a data URL. */
export interface ExportPngMessage {
  type: 'exportPng';
  chartId: string;
  /** `data:image/png;base64,…` */
  dataUrl: string;
}

/** Save the run's windows or requests as CSV or JSON (the host reads them from the run folder). */
export interface ExportDataMessage {
  type: 'exportData';
  format: 'csv' | 'json';
  what: 'windows' | 'requests';
}

/** Copy a KQL query (Azure Monitor) for the run's time range and request ids, for one target. */
export interface CopyKqlMessage {
  type: 'copyKql';
  target: string;
}

/** Save the panel as one self-contained HTML file (same charts, works offline). */
export interface ExportHtmlMessage {
  type: 'exportHtml';
}

/** Open the Compare panel for this run's targets (a multi-target scenario). */
export interface CompareTargetsMessage {
  type: 'compareTargets';
}

/** Open one step of a capacity search in the Run panel; `runDir` is relative to the capacity folder
 *  (the host refuses anything outside it). */
export interface OpenStepRunMessage {
  type: 'openStepRun';
  runDir: string;
}

/** Fetch the run's Azure Monitor metrics now (signing in to the Microsoft account if needed). */
export interface FetchServerMetricsMessage {
  type: 'fetchServerMetrics';
}

export type WebviewToHost =
  | ReadyMessage
  | ExportPngMessage
  | ExportDataMessage
  | CopyKqlMessage
  | ExportHtmlMessage
  | CompareTargetsMessage
  | OpenStepRunMessage
  | FetchServerMetricsMessage;

export type PanelMessage = HostToWebview | WebviewToHost;

// ---- runtime guards ----
// postMessage data is untyped at run time; check the shape before acting on it (the host writes
// files on `exportPng`/`exportData`, so those fields are checked, not trusted).

const PNG_DATA_URL = 'data:image/png;base64,';

type Checks = { [K in PanelMessage['type']]: (m: Record<string, unknown>) => boolean };

const CHECKS: Checks = {
  init: (m) =>
    typeof m.runId === 'string' &&
    isObject(m.scenario) &&
    Array.isArray(m.targets) &&
    Array.isArray(m.windows) &&
    (m.summary === null || isObject(m.summary)) &&
    isObject(m.distributions) &&
    (m.server === undefined || isServerSeriesList(m.server)) &&
    typeof m.live === 'boolean' &&
    typeof m.interactive === 'boolean',
  windows: (m) => Array.isArray(m.windows),
  server: (m) => isServerSeriesList(m.series),
  distributions: (m) => isObject(m.distributions),
  compareInit: (m) =>
    Array.isArray(m.runIds) &&
    m.runIds.every((id) => typeof id === 'string') &&
    Array.isArray(m.runs) &&
    m.runs.every((r) => isObject(r) && typeof r.label === 'string' && isObject(r.summary) && Array.isArray(r.windows)) &&
    (m.alignment === 'clock' || m.alignment === 'start') &&
    typeof m.interactive === 'boolean',
  summary: (m) => isObject(m.summary),
  capacityInit: (m) =>
    typeof m.capacityId === 'string' &&
    isCapacityReport(m.report) &&
    (m.current === null || isObject(m.current)) &&
    typeof m.live === 'boolean' &&
    typeof m.interactive === 'boolean',
  capacityUpdate: (m) => isCapacityReport(m.report) && (m.current === null || isObject(m.current)) && typeof m.live === 'boolean',
  theme: (m) => m.kind === 'light' || m.kind === 'dark' || m.kind === 'high-contrast' || m.kind === 'high-contrast-light',
  ready: () => true,
  exportPng: (m) => typeof m.chartId === 'string' && typeof m.dataUrl === 'string' && m.dataUrl.startsWith(PNG_DATA_URL),
  exportData: (m) => (m.format === 'csv' || m.format === 'json') && (m.what === 'windows' || m.what === 'requests'),
  copyKql: (m) => typeof m.target === 'string',
  exportHtml: () => true,
  compareTargets: () => true,
  openStepRun: (m) => typeof m.runDir === 'string' && m.runDir.length > 0,
  fetchServerMetrics: () => true,
};

const HOST_TYPES: ReadonlySet<string> = new Set<HostToWebview['type']>([
  'init',
  'windows',
  'server',
  'distributions',
  'summary',
  'theme',
  'compareInit',
  'capacityInit',
  'capacityUpdate',
]);
const WEBVIEW_TYPES: ReadonlySet<string> = new Set<WebviewToHost['type']>([
  'ready',
  'exportPng',
  'exportData',
  'copyKql',
  'exportHtml',
  'compareTargets',
  'openStepRun',
  'fetchServerMetrics',
]);

/** True when `x` is a well-formed message of either direction. */
export function isPanelMessage(x: unknown): x is PanelMessage {
  if (!isObject(x) || typeof x.type !== 'string' || !Object.hasOwn(CHECKS, x.type)) return false;
  return CHECKS[x.type as PanelMessage['type']](x);
}

/** For the webview's `message` listener. */
export function isHostToWebview(x: unknown): x is HostToWebview {
  return isPanelMessage(x) && HOST_TYPES.has(x.type);
}

/** For the host's `onDidReceiveMessage`. */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  return isPanelMessage(x) && WEBVIEW_TYPES.has(x.type);
}

function isCapacityReport(x: unknown): boolean {
  return (
    isObject(x) && x.type === 'capacity' && Array.isArray(x.targets) && Array.isArray(x.slos) && x.targets.every((t) => isObject(t) && Array.isArray(t.steps))
  );
}

function isServerSeriesList(x: unknown): boolean {
  return Array.isArray(x) && x.every((s) => isObject(s) && typeof s.target === 'string' && typeof s.id === 'string' && Array.isArray(s.points));
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
