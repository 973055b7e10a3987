// Entry point the extension host loads (extensionTestsPath): runs the suite with mocha inside the
// real VS Code — code-server here (test/integration/run-code-server-tests.ts), or the desktop build
// through @vscode/test-electron on machines with internet (test/integration/run-test-electron.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SuiteResult } from '../suite-result';

export async function run(): Promise<void> {
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // PERFLAB_INTEGRATION_SUITE picks the suite: 'untrusted' (workspace trust on, folder untrusted),
  // 'ui' (the host side of the Playwright smoke test), 'panel' (host side of the webview checks),
  // 'server' (host side of the Server section's checks), 'language' (prompt and scenario files with the
  // language server), 'vsix' (the installed package),
  // default: the main suite.
  const suite = process.env.PERFLAB_INTEGRATION_SUITE;
  const files: Record<string, string> = {
    untrusted: 'untrusted.test.js',
    ui: 'ui-smoke.test.js',
    panel: 'panel.test.js',
    server: 'server.test.js',
    language: 'language.test.js',
    vsix: 'vsix.test.js',
  };
  const file = files[suite ?? ''] ?? 'extension.test.js';
  mocha.addFile(path.join(__dirname, file));
  await mocha.loadFilesAsync();
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats!));
    // Said at once: a suite whose browser side then fails never reaches the reporter's summary.
    runner.on('fail', (test, error: Error) => console.log(`    failed: ${test.fullTitle()}: ${error.message}`));
  });
  // How many tests ran, for run-all.ts to compare with what the suite holds (an empty or filtered
  // suite must not pass).
  const resultFile = process.env.PERFLAB_INTEGRATION_RESULT;
  if (resultFile) {
    const result: SuiteResult = { passes: stats.passes, failures: stats.failures, pending: stats.pending };
    fs.writeFileSync(resultFile, JSON.stringify(result));
  }
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed`);
}
