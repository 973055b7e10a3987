// The production package: `npm run package` builds perflab.vsix from the esbuild bundles (no
// node_modules, no sources inside). run-all.ts then installs it into code-server's VS Code and runs
// the vsix suite against it (extension/vsix.test.ts: activation, a run, the language server, a panel).

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
export const VSIX = path.join(ROOT, 'perflab.vsix');
/** The empty extension loaded for development beside the installed package (its package.json says why). */
export const VSIX_TESTS_HOST = path.join(__dirname, 'fixtures', 'vsix-tests');

/** Builds perflab.vsix and checks what is inside. Leaves dist/ minified: call restoreDevBundles after. */
export function buildVsix(): void {
  fs.rmSync(VSIX, { force: true });
  execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'inherit' });
  const entries = execFileSync('python3', ['-m', 'zipfile', '-l', VSIX], { encoding: 'utf8' });
  for (const file of [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/engine-worker.js',
    'extension/dist/capacity-worker.js',
    'extension/dist/engine-shard.js',
    'extension/dist/server.js',
    'extension/dist/piece-worker.js',
    'extension/dist/webview/webview.js',
    'extension/dist/webview/webview.css',
    'extension/dist/webview/codicon.ttf',
    'extension/dist/webview/report.css',
    'extension/schemas/perf.schema.json',
    'extension/media/perflab.svg',
  ]) {
    assert.ok(entries.includes(file), `${file} is in the .vsix`);
  }
  assert.ok(!entries.includes('node_modules/'), 'no node_modules in the .vsix');
  assert.ok(!entries.includes('extension/src/'), 'no sources in the .vsix');
}

/** `package` minifies dist/; put the development bundles (with source maps) back. */
export function restoreDevBundles(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
