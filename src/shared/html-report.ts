// The self-contained HTML report: the same webview script and styles as the Run/Compare/Capacity
// panels, with the run's (or the capacity search's) data embedded, in one file. It makes no network
// request (no remote script, style, font or image: the codicon font is inlined), so it opens offline
// and can be attached to a CI job.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { kqlForRun } from './kql';
import type { CapacityInitMessage, CompareInitMessage, InitMessage } from '../protocol/panel';

/** What a report can draw: a run, a comparison, or a capacity search. */
export type ReportData = InitMessage | CompareInitMessage | CapacityInitMessage;

export interface ReportAssets {
  script: string;
  css: string;
}

/** Reads the webview bundle built by esbuild (`dist/webview/webview.js` and `report.css`). */
export function readReportAssets(webviewDist: string): ReportAssets {
  const read = (name: string) => {
    const file = path.join(webviewDist, name);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
    return fs.readFileSync(file, 'utf8');
  };
  return { script: read('webview.js'), css: read('report.css') };
}

export interface KqlQuery {
  /** What the query is for (a target, or a run and target in a comparison). */
  label: string;
  kql: string;
}

export interface HtmlReportOptions {
  /** Azure Monitor queries shown under the charts; default: one per Azure target of the data's runs. */
  kql?: KqlQuery[];
}

/** The KQL query of every Azure target in the report's runs (deduplicated: compared targets share runs).
 *  A capacity search has none: each step is a run of its own, with its own report. */
export function reportKql(data: ReportData): KqlQuery[] {
  if (data.type === 'capacityInit') return [];
  const runs =
    data.type === 'init'
      ? data.summary
        ? [{ summary: data.summary, label: null }]
        : []
      : data.runs.map((r) => ({ summary: r.summary, label: r.summary.scenario.name }));
  const seen = new Set<string>();
  return runs.flatMap(({ summary, label }) =>
    kqlForRun(summary)
      .filter((k) => !seen.has(k.kql) && seen.add(k.kql))
      .map((k) => ({ label: label === null ? k.target : `${label} · ${k.target}`, kql: k.kql })),
  );
}

/** One HTML document that draws `data` exactly as the panel does, with the runs' KQL queries below. */
export function htmlReport(title: string, data: ReportData, assets: ReportAssets, options: HtmlReportOptions = {}): string {
  // The report has no host: hide the export actions.
  const embedded = { ...data, interactive: false };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="generator" content="LLM Perf Lab">
<title>${escapeHtml(title)}</title>
<style>
${REPORT_THEME}
${assets.css}
</style>
</head>
<body class="perflab-report">
<div id="root"></div>
${kqlSection(options.kql ?? reportKql(data))}<script type="application/json" id="perflab-data">${jsonForScript(embedded)}</script>
<script>${assets.script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** A closed <details> under the charts: each query as selectable text (the report runs no copy script). */
function kqlSection(queries: KqlQuery[]): string {
  if (queries.length === 0) return '';
  const blocks = queries.map((q) => `<h3>${escapeHtml(q.label)}</h3>\n<pre><code>${escapeHtml(q.kql)}</code></pre>`).join('\n');
  return `<details class="perflab-kql">
<summary>Azure Monitor: KQL for server-side latency in this run's window</summary>
<p>Paste into the Log Analytics workspace that receives the Azure OpenAI resource's diagnostic logs.</p>
${blocks}
</details>
`;
}

/** Outside VS Code there are no theme variables: a light and a dark set with the same names, VS Code
 *  1.139's Light Modern and Dark Modern values, except that every chart colour is opaque and reaches
 *  3:1 against the background and every verdict colour 4.5:1 against the background and the cards
 *  (test/unit/webview/colours.test.ts checks both sets). */
export const REPORT_THEME = `
:root {
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  --vscode-editor-font-family: ui-monospace, Menlo, Consolas, monospace;
  --vscode-font-size: 13px;
  --vscode-foreground: #3b3b3b;
  --vscode-descriptionForeground: #616161;
  --vscode-editor-background: #ffffff;
  --vscode-editorWidget-background: #f8f8f8;
  --vscode-panel-border: #d4d4d4;
  --vscode-editorWidget-border: #d4d4d4;
  --vscode-focusBorder: #005fb8;
  --vscode-errorForeground: #b01011;
  --vscode-editorWarning-foreground: #8a6100;
  --vscode-inputValidation-warningBackground: #f6f5d2;
  --vscode-charts-lines: rgba(59, 59, 59, 0.5);
  --vscode-charts-blue: #0063d3;
  --vscode-charts-orange: #c34d00;
  --vscode-charts-green: #388a34;
  --vscode-charts-purple: #652d90;
  --vscode-charts-red: #e51400;
  --vscode-charts-yellow: #895503;
  --vscode-testing-iconPassed: #2f7d2b;
  --vscode-testing-iconFailed: #b01011;
}
@media (prefers-color-scheme: dark) {
  :root {
    --vscode-foreground: #cccccc;
    --vscode-descriptionForeground: #9d9d9d;
    --vscode-editor-background: #1f1f1f;
    --vscode-editorWidget-background: #252526;
    --vscode-panel-border: #3c3c3c;
    --vscode-editorWidget-border: #454545;
    --vscode-errorForeground: #f88070;
    --vscode-editorWarning-foreground: #cca700;
    --vscode-inputValidation-warningBackground: #352a05;
    --vscode-charts-lines: rgba(204, 204, 204, 0.5);
    --vscode-charts-blue: #59a4f9;
    --vscode-charts-orange: #ea5c00;
    --vscode-charts-green: #89d185;
    --vscode-charts-purple: #b180d7;
    --vscode-charts-red: #f88070;
    --vscode-charts-yellow: #cca700;
    --vscode-testing-iconPassed: #73c991;
    --vscode-testing-iconFailed: #f88070;
  }
}
.perflab-kql { margin: 16px 0; padding: 8px 12px; border: 1px solid var(--vscode-panel-border); background: var(--vscode-editorWidget-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
.perflab-kql summary { cursor: pointer; font-weight: 600; }
.perflab-kql h3 { font-size: 1em; margin: 12px 0 4px; }
.perflab-kql pre { margin: 0; padding: 8px; overflow-x: auto; background: var(--vscode-editor-background); font-family: var(--vscode-editor-font-family); user-select: all; }`;

/** JSON inside a <script> element: `<` escaped so no string in the data can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
