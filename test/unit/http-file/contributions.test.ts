// The editor's side of REST Client files in package.json: the extension starts for a workspace with
// .http or .rest files (and for the `http` language REST Client contributes), and "Load Test This
// Request" is contributed, in the palette only when a .http / .rest file is the active editor (without
// arguments the command takes the request at the cursor: src/extension/http-codelens.ts).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HTTP_FILE_GLOB, isHttpFile } from '../../../src/http-file/http-file';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { commands: { command: string; title: string; category?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};

describe('http-file: package.json contributions', () => {
  it('activates for every file the CodeLens serves, and for the http language', () => {
    const endings = /\{(.+)\}$/.exec(HTTP_FILE_GLOB)![1].split(',');
    assert.deepEqual(endings, ['http', 'rest']);
    for (const ending of endings) {
      assert.ok(manifest.activationEvents.includes(`workspaceContains:**/*.${ending}`), ending);
      assert.ok(isHttpFile(`requests.${ending}`));
    }
    assert.ok(manifest.activationEvents.includes('onLanguage:http'));
    assert.ok(!isHttpFile('requests.http.bak') && !isHttpFile('requests.perf.yaml'));
  });

  it('contributes Load Test This Request, in the palette only for .http and .rest editors', () => {
    const command = manifest.contributes.commands.find((c) => c.command === 'perflab.loadTestHttpRequest');
    assert.deepEqual(command && { title: command.title, category: command.category }, { title: 'Load Test This Request', category: 'LLM Perf Lab' });
    const palette = manifest.contributes.menus.commandPalette.filter((m) => m.command === 'perflab.loadTestHttpRequest');
    assert.deepEqual(palette, [{ command: 'perflab.loadTestHttpRequest', when: 'resourceExtname == .http || resourceExtname == .rest' }]);
  });
});
