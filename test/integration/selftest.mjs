#!/usr/bin/env node
// Proves the code-server harness end to end with the throwaway hello-extension:
//   1. its passing suite must give exit 0 while ui-check.ts drives the workbench (palette, webview),
//   2. the same suite with a deliberately failing test must give exit 1,
// so a broken harness can neither hide failures nor pass vacuously.
// Provisions code-server first (a no-op when already installed).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(root, 'test', 'integration', 'fixtures', 'hello-extension');
const t0 = Date.now();
const secs = (since) => ((Date.now() - since) / 1000).toFixed(1) + ' s';

function step(name, cmd, args, env = {}) {
  const t = Date.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  console.log(`=== ${name}: exit ${r.status ?? r.signal} in ${secs(t)}`);
  return r.status;
}

const runner = [
  '--import',
  'tsx',
  join(root, 'test', 'integration', 'run-code-server-tests.ts'),
  '--extension',
  fixture,
  '--tests',
  join(fixture, 'suite', 'index.js'),
  '--timeout',
  '180',
];

const failures = [];
if (step('provision', process.execPath, [join(root, 'scripts', 'provision-code-server.mjs')]) !== 0) {
  console.error('selftest: provisioning failed');
  process.exit(1);
}
// The passing run also drives the UI (ui-check.ts: palette, webview frame, screenshot).
const pass = step(
  'passing suite + UI helpers (expect exit 0)',
  process.execPath,
  [...runner, '--ui', join(fixture, 'ui-check.ts'), '--screenshot', 'test-artifacts/selftest-workbench.png'],
  { HELLO_SELFTEST_UI: '1' },
);
if (pass !== 0) failures.push(`passing suite exited ${pass}, expected 0`);
const fail = step('failing suite (expect exit 1)', process.execPath, runner, { HELLO_SELFTEST_FAIL: '1' });
if (fail !== 1) failures.push(`failing suite exited ${fail}, expected 1`);

console.log(`\nselftest ${failures.length ? 'FAILED' : 'OK'} in ${secs(t0)}`);
for (const f of failures) console.error(`  - ${f}`);
process.exit(failures.length ? 1 : 0);
