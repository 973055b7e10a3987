// The extension starts for the files it serves and no others: package.json's activation events
// against the patterns the language client registers (src/extension/served-files.ts).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isScenarioFile } from '../../../src/engine/scenario/files';
import { HTTP_FILE_GLOB } from '../../../src/http-file/http-file';
import { PROMPT_PATTERNS, SCENARIO_PATTERN } from '../../../src/extension/served-files';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: {
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    walkthroughs: { featuredFor: string[]; steps: { media: { image?: string; markdown?: string } }[] }[];
    yamlValidation: { fileMatch: string[]; url: string }[];
  };
  icon: string;
};

/** `**\/*.perf.{yaml,yml}` → both globs. */
function expand(pattern: string): string[] {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(pattern);
  return m ? m[2].split(',').map((alt) => `${m[1]}${alt}${m[3]}`) : [pattern];
}

describe('extension activation and contributions (package.json)', () => {
  it('activates for every file the language client serves', () => {
    for (const pattern of [...PROMPT_PATTERNS, SCENARIO_PATTERN].flatMap(expand)) {
      assert.ok(manifest.activationEvents.includes(`workspaceContains:${pattern}`), `workspaceContains:${pattern}`);
    }
  });

  it('does not activate for every Markdown file, nor at startup', () => {
    for (const event of manifest.activationEvents) {
      assert.ok(!/^onLanguage:markdown$|^\*$|^onStartupFinished$/.test(event), event);
      // A workspaceContains glob must end in one of the served patterns, never a bare `*.md`.
      if (event.startsWith('workspaceContains:'))
        assert.ok([...PROMPT_PATTERNS, SCENARIO_PATTERN, HTTP_FILE_GLOB].flatMap(expand).includes(event.slice('workspaceContains:'.length)), event);
    }
  });

  it('names scenario files as src/engine/scenario/files.ts does: *.perf.yaml and *.perf.yml, everywhere', () => {
    const endings = expand(SCENARIO_PATTERN).map((p) => p.replace('**/*', ''));
    assert.deepEqual(endings, ['.perf.yaml', '.perf.yml']);
    for (const ending of endings) assert.ok(isScenarioFile(`x${ending}`), ending);
    // The schema for the YAML extension, the walkthrough, and the editor title's Run button.
    const schema = manifest.contributes.yamlValidation.find((v) => v.url.endsWith('perf.schema.json'))!;
    assert.deepEqual(
      schema.fileMatch,
      endings.map((e) => `*${e}`),
    );
    assert.deepEqual(
      manifest.contributes.walkthroughs[0].featuredFor.filter((g) => g.includes('.perf.')),
      expand(SCENARIO_PATTERN),
    );
    const run = manifest.contributes.menus['editor/title'].find((m) => m.command === 'perflab.runScenario')!;
    const filename = new RegExp(/^resourceFilename =~ \/(.+)\/$/.exec(run.when!)![1]);
    for (const name of ['a.perf.yaml', 'a.perf.yml', 'a.yaml', 'a.perf.json', 'a.perf.yaml.bak']) assert.equal(filename.test(name), isScenarioFile(name), name);
  });

  it('offers Set API Key… in the tree only on targets that read a key', () => {
    const key = manifest.contributes.menus['view/item/context'].filter((m) => m.command === 'perflab.setApiKey');
    assert.deepEqual(
      key.map((m) => [m.when, m.group]),
      [
        ['view == perflab.scenarios && viewItem == target-key', 'inline'],
        ['view == perflab.scenarios && viewItem == target-key', '2_key@1'],
      ],
    );
  });

  it('ships its icon and the walkthrough media', () => {
    const root = path.resolve(__dirname, '../../..');
    const icon = fs.readFileSync(path.join(root, manifest.icon));
    assert.equal(icon.subarray(1, 4).toString('ascii'), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
    const media = manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.image ?? s.media.markdown!));
    assert.equal(media.length, 5);
    for (const file of media) assert.ok(fs.existsSync(path.join(root, file)), file);
  });
});
