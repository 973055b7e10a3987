// The lenient scenario reader (src/engine/scenario/lenient.ts): what the editor shows of a scenario
// that does not validate — name, targets with their endpoint, model and auth, the prompt files — read
// as far as the YAML allows, never thrown.
import * as assert from 'node:assert/strict';
import { readScenarioLeniently } from '../../../src/engine/scenario/lenient';

describe('lenient scenario reader', () => {
  it('reads the name, the named targets and the prompt files of a scenario that does not validate', () => {
    const text = [
      'name: draft',
      'targets:',
      '  - name: prod',
      '    provider: azure',
      '    endpoint: https://x.openai.azure.com',
      '    deployment: gpt-4o',
      '    auth: { type: entra }',
      '  - name: local',
      '    model: llama',
      '    auth: none', // not a mapping: no auth type
      '  - provider: azure', // no name: not a target to show
      '  - 7',
      'prompts: { file: prompts/a.prompty, dataset: 12 }',
      'workload: { rate: -5 }',
      'pricing: { llama: { input: 1, output: "two" }, other: 3, none: { output: null } }',
    ].join('\n');
    assert.deepEqual(readScenarioLeniently(text), {
      name: 'draft',
      targets: [
        { name: 'prod', provider: 'azure', endpoint: 'https://x.openai.azure.com', model: undefined, deployment: 'gpt-4o', authType: 'entra' },
        { name: 'local', provider: undefined, endpoint: undefined, model: 'llama', deployment: undefined, authType: undefined },
      ],
      promptsFile: 'prompts/a.prompty',
      promptsDataset: undefined,
      // Only rates that are numbers; a model with none is left out.
      pricing: { llama: { input: 1 } },
    });
  });

  it('a half-typed file: what comes before the damage; nothing at all: an empty reading', () => {
    const half = readScenarioLeniently('name: x\ntargets:\n  - name: a\n    model: gpt-4o\n  - name: [\n');
    assert.equal(half.name, 'x');
    assert.deepEqual(
      half.targets.map((t) => [t.name, t.model]),
      [['a', 'gpt-4o']],
    );
    for (const text of ['', '- a list', 'just text', 'targets: 7', ': : :']) assert.deepEqual(readScenarioLeniently(text).targets, [], text);
    assert.equal(readScenarioLeniently('name: 12').name, undefined);
  });
});
