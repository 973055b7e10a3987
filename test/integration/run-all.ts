// Runs every integration suite inside a real VS Code (code-server), each in a fresh temporary
// workspace: the harness self-test, the main suite, the untrusted-workspace suite (workspace trust
// on), the UI smoke test (Playwright drives the workbench), the language suite, the panel suite (Run
// and Compare webviews checked in the browser against summary.json and windows.jsonl), the server suite
// (the Run panel's Server section live and after the run, Azure Monitor fetched from it), the keys suite
// (driven only from the browser, so VS Code shows its modal dialogs), the http suite (a REST Client
// file's "Load test this request", from the browser), and the vsix suite (the
// production package built, installed and run). Each suite must run exactly the number of tests it
// holds, and together they must run every command package.json contributes. Exit code 0 only when all
// pass. Part of `npm test`.
//   npx tsx test/integration/run-all.ts
//   PERFLAB_SUITES=keys,vsix npx tsx test/integration/run-all.ts   (only those; CI runs everything)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contributedCommands, readCommandLog } from './command-log';
import { simulatorScenario } from './extension/fixtures';
import type { SuiteResult } from './suite-result';
import { buildVsix, restoreDevBundles, VSIX, VSIX_TESTS_HOST } from './vsix';

const ROOT = path.join(__dirname, '..', '..');
const HARNESS = path.join(__dirname, 'run-code-server-tests.ts');
const TESTS = path.join(ROOT, 'out', 'integration', 'index.js');

const UI_SCENARIO = simulatorScenario('ui-smoke', '3s');
// Screenshots of these suites go into the README: no chat side bar, no welcome page.
const CLEAN_WORKBENCH = JSON.stringify({
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
});

interface Suite {
  name: string;
  /** How many tests the suite holds (mocha tests in the extension host, or the steps of a suite driven
   *  only from the browser): a run that reports another number fails. */
  tests: number;
  files?: Record<string, string>;
  args?: string[];
  /** Runs mocha in the extension host (out/integration/index.js); false: the --ui module is the suite. */
  hostTests?: boolean;
  /** The extension loaded for development (default: this repository). */
  extension?: string;
  env?: Record<string, string>;
  before?: () => void;
  after?: () => void;
}

const suites: Suite[] = [
  { name: 'main', tests: 10, args: ['--screenshot', path.join(ROOT, 'test-artifacts', 'integration-main.png')] },
  {
    name: 'untrusted',
    tests: 1,
    files: { 'quickstart.perf.yaml': fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.perf.yaml'), 'utf8') },
    args: ['--trust'],
  },
  { name: 'ui', tests: 2, files: { 'ui-smoke.perf.yaml': UI_SCENARIO }, args: ['--ui', path.join(__dirname, 'ui-smoke.ts')] },
  {
    name: 'language',
    tests: 7,
    files: { '.vscode/settings.json': CLEAN_WORKBENCH, 'quickstart.perf.yaml': fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.perf.yaml'), 'utf8') },
    args: ['--ui', path.join(__dirname, 'language-ui.ts')],
  },
  { name: 'panel', tests: 6, files: { '.vscode/settings.json': CLEAN_WORKBENCH }, args: ['--ui', path.join(__dirname, 'panel-ui.ts')] },
  // server_metrics: the Run panel's Server section live, its cards, and Azure Monitor fetched from it.
  { name: 'server', tests: 1, files: { '.vscode/settings.json': CLEAN_WORKBENCH }, args: ['--ui', path.join(__dirname, 'server-panel-ui.ts')] },
  // The value a scenario names in `auth.env`; made up for this run.
  {
    name: 'keys',
    tests: 11,
    hostTests: false,
    files: { '.vscode/settings.json': CLEAN_WORKBENCH },
    args: ['--ui', path.join(__dirname, 'keys-ui.ts')],
    env: { PERFLAB_IT_ENV_KEY: `env-key-${process.pid}` },
  },
  // REST Client interop: the workspace holds only a .http file (a stand-in until http-ui.ts has started
  // its simulator and knows the address to write into it), so the extension must start for it.
  {
    name: 'http',
    tests: 5,
    hostTests: false,
    files: { '.vscode/settings.json': CLEAN_WORKBENCH, 'support.http': '# http-ui.ts writes the requests here once its simulator is up\n' },
    args: ['--ui', path.join(__dirname, 'http-ui.ts')],
  },
  {
    name: 'vsix',
    tests: 3,
    files: { 'packaged.perf.yaml': simulatorScenario('packaged', '3s') },
    extension: VSIX_TESTS_HOST,
    args: ['--install-extension', VSIX],
    before: buildVsix,
    after: restoreDevBundles,
  },
];

// PERFLAB_SUITES=language,vsix runs only those (while working on one part; CI runs everything).
const only = process.env.PERFLAB_SUITES?.split(',').map((s) => s.trim());
const known = ['selftest', ...suites.map((s) => s.name)];
const unknown = only?.filter((name) => !known.includes(name)) ?? [];
if (only && (unknown.length > 0 || only.length === 0)) {
  console.log(`integration: PERFLAB_SUITES names no suite it knows (${unknown.join(', ') || 'empty'}); the suites are ${known.join(', ')}`);
  process.exit(1);
}
const runs = (name: string) => !only || only.includes(name);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-it-run-'));
const commandLog = path.join(scratch, 'commands');
const results: string[] = [];
const report = (line: string) => {
  results.push(line);
  console.log(`integration: ${line}`);
};
const fail = (line: string) => report(`FAILED ${line}`);
const pass = (line: string) => report(`passed ${line}`);

// The harness itself first: a broken harness could hide failures or pass with nothing checked.
if (runs('selftest')) {
  const started = Date.now();
  const selftest = spawnSync(process.execPath, [path.join(__dirname, 'selftest.mjs')], { stdio: 'inherit', cwd: ROOT });
  const line = `"selftest" (the harness: a passing suite exits 0, a failing one 1) in ${seconds(started)} s`;
  if (selftest.status === 0) pass(line);
  else fail(`${line}: exit ${selftest.status}`);
}

for (const suite of suites.filter((s) => runs(s.name))) {
  const started = Date.now();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `perflab-it-${suite.name}-`));
  const resultFile = path.join(scratch, `${suite.name}.result.json`);
  try {
    for (const [name, text] of Object.entries(suite.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
      fs.writeFileSync(path.join(workspace, name), text);
    }
    suite.before?.();
    const tests = suite.hostTests === false ? [] : ['--tests', TESTS];
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', HARNESS, '--extension', suite.extension ?? ROOT, ...tests, '--workspace', workspace, '--timeout', '300', ...(suite.args ?? [])],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          ...suite.env,
          PERFLAB_INTEGRATION_SUITE: suite.name,
          PERFLAB_INTEGRATION_WORKSPACE: workspace,
          PERFLAB_INTEGRATION_RESULT: resultFile,
          PERFLAB_COMMAND_LOG: commandLog,
        },
      },
    );
    const counted = readResult(resultFile);
    const line = `"${suite.name}" in ${seconds(started)} s: ${counted ? `${counted.passes} passing, ${counted.failures} failing, ${counted.pending} pending or not run` : 'no test count reported'}`;
    if (result.status !== 0) fail(`${line} (exit ${result.status})`);
    else if (!counted) fail(line);
    else if (counted.passes !== suite.tests || counted.pending > 0)
      fail(`${line}; the suite holds ${suite.tests} tests (run-all.ts): a filter or a skip left some out, or a test was added without updating the count`);
    else pass(line);
  } catch (error) {
    fail(`"${suite.name}": ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    try {
      suite.after?.();
    } catch (error) {
      fail(`"${suite.name}" clean-up: ${error instanceof Error ? error.message : String(error)}`);
    }
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

// Every contributed command ran in some suite (command-log.ts); only meaningful when all ran.
if (!only) {
  const seen = readCommandLog(commandLog);
  const missing = contributedCommands().filter((c) => !seen.has(c.command));
  const line = `"commands" (every command of package.json ran in a suite: ${seen.size} recorded)`;
  if (missing.length === 0) pass(line);
  else fail(`${line}: never ran ${missing.map((c) => `${c.command} (${c.title})`).join(', ')}`);
} else {
  console.log(`integration: command coverage not checked (PERFLAB_SUITES=${process.env.PERFLAB_SUITES} runs only some suites)`);
}
fs.rmSync(scratch, { recursive: true, force: true });

console.log('\nintegration results:');
for (const line of results) console.log(`  ${line}`);
const failed = results.filter((l) => l.startsWith('FAILED')).length;
console.log(`integration: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

function readResult(file: string): SuiteResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteResult;
  } catch {
    return undefined;
  }
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(0);
}
