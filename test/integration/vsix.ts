// "Build and install": `npm run package` builds perflab.vsix from the esbuild bundles (no node_modules
// inside), and code-server's VS Code installs it. Part of test/integration/run-all.ts.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export function checkVsix(): void {
  const vsix = path.join(ROOT, 'perflab.vsix');
  fs.rmSync(vsix, { force: true });
  execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'inherit' });
  try {
    const entries = execFileSync('python3', ['-m', 'zipfile', '-l', vsix], { encoding: 'utf8' });
    for (const file of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/engine-worker.js', 'extension/dist/capacity-worker.js', 'extension/dist/engine-shard.js', 'extension/dist/server.js', 'extension/dist/piece-worker.js', 'extension/dist/webview/webview.js', 'extension/dist/webview/webview.css', 'extension/dist/webview/codicon.ttf', 'extension/dist/webview/report.css', 'extension/schemas/perf.schema.json', 'extension/media/perflab.svg']) {
      assert.ok(entries.includes(file), `${file} is in the .vsix`);
    }
    assert.ok(!entries.includes('node_modules/'), 'no node_modules in the .vsix');
    assert.ok(!entries.includes('extension/src/'), 'no sources in the .vsix');

    const marker = JSON.parse(fs.readFileSync(path.join(ROOT, '.cache', 'code-server', 'provisioned.json'), 'utf8')) as { node: string; entry: string };
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-vsix-'));
    const dirs = ['--extensions-dir', path.join(home, 'extensions'), '--user-data-dir', path.join(home, 'data')];
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'share') };
    execFileSync(marker.node, [marker.entry, '--install-extension', vsix, ...dirs], { env, stdio: 'inherit' });
    const listed = execFileSync(marker.node, [marker.entry, '--list-extensions', '--show-versions', ...dirs], { env, encoding: 'utf8' });
    assert.match(listed, /llm-perf-lab\.llm-perf-lab@0\.1\.0/, `installed extensions: ${listed}`);
    fs.rmSync(home, { recursive: true, force: true });
  } finally {
    // `package` minifies dist/; put the development bundles (with source maps) back.
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  }
}
