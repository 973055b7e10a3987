// The standard runner for machines with internet: @vscode/test-electron downloads VS Code (the minimum
// supported version from package.json's engines, and the current stable) and runs the same suite the
// code-server harness runs here. On this project's offline machines use run-code-server-tests.ts.
//   npx tsx test/integration/run-test-electron.ts

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { vscode: string } };
  const minimum = pkg.engines.vscode.replace(/^\^/, '');
  for (const version of [minimum, 'stable']) {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-it-'));
    await runTests({
      version,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
