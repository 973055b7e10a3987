// Which files are scenarios (src/engine/scenario/files.ts): one answer for the tree, the watchers, the
// pickers, the language client and server — `*.perf.yaml` and `*.perf.yml`, as SCENARIO_GLOB says.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findScenarioFiles, isScenarioFile, SCENARIO_EXTENSION, SCENARIO_GLOB, scenarioFilesIn } from '../../../src/engine/scenario/files';

describe('scenario files', () => {
  it('isScenarioFile: *.perf.yaml and *.perf.yml, paths and URIs alike; nothing else', () => {
    for (const yes of ['a.perf.yaml', 'b.perf.yml', '/w/x/c.perf.yaml', 'file:///w/d.perf.yml', 'C:\\w\\e.perf.yaml'])
      assert.equal(isScenarioFile(yes), true, yes);
    for (const no of ['a.yaml', 'perf.yaml', 'a.perf.yaml.bak', 'a.perf', 'a.prompt.md', 'a.jsonl', 'a.perf.json']) assert.equal(isScenarioFile(no), false, no);
    assert.equal(isScenarioFile(`new${SCENARIO_EXTENSION}`), true);
  });

  it('the glob names the same two endings', () => {
    const m = /^\*\*\/\*\.perf\.\{(.+)\}$/.exec(SCENARIO_GLOB);
    assert.ok(m, SCENARIO_GLOB);
    const endings = m[1].split(',').map((e) => `.perf.${e}`);
    assert.deepEqual(endings, ['.perf.yaml', '.perf.yml']);
    for (const ending of endings) assert.equal(isScenarioFile(`x${ending}`), true);
  });

  it('findScenarioFiles walks the workspace (not node_modules, .git or .perflab); scenarioFilesIn one folder', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-scenario-files-'));
    try {
      const write = (...parts: string[]) => {
        const file = path.join(root, ...parts);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, 'name: x\n');
        return file;
      };
      const files = [write('b.perf.yml'), write('a.perf.yaml'), write('deep', 'er', 'c.perf.yaml')];
      write('node_modules', 'p', 'x.perf.yaml');
      write('.git', 'y.perf.yaml');
      write('.perflab', 'z.perf.yml');
      write('notes.yaml');
      assert.deepEqual(findScenarioFiles(root), [files[1], files[0], files[2]]);
      assert.deepEqual(scenarioFilesIn(root), [files[1], files[0]]);
      assert.deepEqual(scenarioFilesIn(path.join(root, 'missing')), []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
