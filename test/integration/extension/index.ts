// Entry point the extension host loads (extensionTestsPath): runs the suite with mocha inside the
// real VS Code — code-server here (test/integration/run-code-server-tests.ts), or the desktop build
// through @vscode/test-electron on machines with internet (test/integration/run-test-electron.ts).

import * as path from 'node:path';

export async function run(): Promise<void> {
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const only = process.env.PERFLAB_INTEGRATION_SUITE; // 'untrusted' runs only the untrusted-workspace suite
  mocha.addFile(path.join(__dirname, only === 'untrusted' ? 'untrusted.test.js' : 'extension.test.js'));
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
