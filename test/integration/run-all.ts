// Runs every integration suite inside a real VS Code (code-server) — the main suite, the untrusted-
// workspace suite (workspace trust on), the UI smoke test (Playwright drives the workbench) and the
// panel suite (Run and Compare webviews checked in the browser against summary.json) —
// each in a fresh temporary workspace — then builds the .vsix and installs it. Exit code 0 only when
// all pass. Part of `npm test`.
//   npx tsx test/integration/run-all.ts

import { spawnSync } from 'node:child_process';
import { checkVsix } from './vsix';
import { simulatorScenario } from './extension/fixtures';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const HARNESS = path.join(__dirname, 'run-code-server-tests.ts');
const TESTS = path.join(ROOT, 'out', 'integration', 'index.js');

const UI_SCENARIO = simulatorScenario('ui-smoke', '3s');

interface Suite {
  name: string;
  files: Record<string, string>;
  args: string[];
}

const suites: Suite[] = [
  { name: 'main', files: {}, args: ['--screenshot', path.join(ROOT, 'test-artifacts', 'integration-main.png')] },
  { name: 'untrusted', files: { 'quickstart.perf.yaml': fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.perf.yaml'), 'utf8') }, args: ['--trust'] },
  { name: 'ui', files: { 'ui-smoke.perf.yaml': UI_SCENARIO }, args: ['--ui', path.join(__dirname, 'ui-smoke.ts')] },
  // The panel suite's screenshots go into the README: no chat side bar, no welcome page.
  {
    name: 'language',
    files: {
      '.vscode/settings.json': JSON.stringify({ 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true, 'workbench.startupEditor': 'none' }),
      'quickstart.perf.yaml': fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.perf.yaml'), 'utf8'),
    },
    args: ['--ui', path.join(__dirname, 'language-ui.ts')],
  },
  { name: 'panel', files: { '.vscode/settings.json': JSON.stringify({ 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true, 'workbench.startupEditor': 'none' }) }, args: ['--ui', path.join(__dirname, 'panel-ui.ts')] },
];

// PERFLAB_SUITES=language,vsix runs only those (while working on one part; CI runs everything).
const only = process.env.PERFLAB_SUITES?.split(',');
const runs = (name: string) => !only || only.includes(name);
let failed = 0;
for (const suite of suites.filter((s) => runs(s.name))) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `perflab-it-${suite.name}-`));
  for (const [name, text] of Object.entries(suite.files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(workspace, name), text);
  }
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', HARNESS, '--extension', ROOT, '--tests', TESTS, '--workspace', workspace, '--timeout', '300', ...suite.args], {
    stdio: 'inherit',
    env: { ...process.env, PERFLAB_INTEGRATION_SUITE: suite.name, PERFLAB_INTEGRATION_WORKSPACE: workspace },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`integration suite "${suite.name}": ${result.status === 0 ? 'passed' : `FAILED (exit ${result.status})`} in ${seconds} s`);
  if (result.status !== 0) failed++;
  fs.rmSync(workspace, { recursive: true, force: true });
}
if (runs('vsix')) {
  try {
    checkVsix();
    console.log('integration check "vsix" (npm run package, install into VS Code): passed');
  } catch (error) {
    console.log(`integration check "vsix": FAILED: ${error instanceof Error ? error.message : String(error)}`);
    failed++;
  }
}
const ran = suites.filter((s) => runs(s.name)).length + (runs('vsix') ? 1 : 0);
console.log(`integration: ${ran - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
