// The built webview bundle (dist/webview) the HTML report embeds. `npm test` builds first; a direct
// mocha run builds it here when it is missing.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const WEBVIEW_DIST = path.join(REPO_ROOT, 'dist', 'webview');

export function ensureWebviewBuilt(): void {
  if (fs.existsSync(path.join(WEBVIEW_DIST, 'webview.js')) && fs.existsSync(path.join(WEBVIEW_DIST, 'report.css'))) return;
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
