// The self-contained HTML report: the same webview script and styles as the Run/Compare panels, with
// the run's data embedded, in one file. It makes no network request (no remote script, style, font or
// image: the codicon font is inlined), so it opens offline and can be attached to a CI job.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompareInitMessage, InitMessage } from './panel-messages';

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

/** One HTML document that draws `data` exactly as the panel does. */
export function htmlReport(title: string, data: InitMessage | CompareInitMessage, assets: ReportAssets): string {
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
<script type="application/json" id="perflab-data">${jsonForScript(embedded)}</script>
<script>${assets.script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** Outside VS Code there are no theme variables: a light and a dark set with the same names. */
const REPORT_THEME = `
:root {
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  --vscode-editor-font-family: ui-monospace, Menlo, Consolas, monospace;
  --vscode-font-size: 13px;
  --vscode-foreground: #1f1f1f;
  --vscode-descriptionForeground: #616161;
  --vscode-editor-background: #ffffff;
  --vscode-editorWidget-background: #f8f8f8;
  --vscode-panel-border: #d4d4d4;
  --vscode-editorWidget-border: #d4d4d4;
  --vscode-focusBorder: #005fb8;
  --vscode-errorForeground: #e51400;
  --vscode-charts-blue: #1a85ff;
  --vscode-charts-orange: #d18616;
  --vscode-charts-green: #388a34;
  --vscode-charts-purple: #652d90;
  --vscode-charts-red: #e51400;
  --vscode-charts-yellow: #bf8803;
}
@media (prefers-color-scheme: dark) {
  :root {
    --vscode-foreground: #cccccc;
    --vscode-descriptionForeground: #9d9d9d;
    --vscode-editor-background: #1f1f1f;
    --vscode-editorWidget-background: #252526;
    --vscode-panel-border: #3c3c3c;
    --vscode-editorWidget-border: #454545;
    --vscode-charts-blue: #3794ff;
    --vscode-charts-orange: #d18616;
    --vscode-charts-green: #89d185;
    --vscode-charts-purple: #b180d7;
    --vscode-charts-red: #f14c4c;
    --vscode-charts-yellow: #cca700;
  }
}`;

/** JSON inside a <script> element: `<` escaped so no string in the data can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
