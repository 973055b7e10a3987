// Defaults with one home each: the environment variable that holds a provider's key when a target
// names none (src/engine/secrets.ts, read by the scenario loader and the CLI), and the simulator's
// faults (src/simulator/defaults.ts, filled in by the scenario loader for faults left unnamed).
import { strict as assert } from 'node:assert';
import { resolveCliCredential } from '../../../src/cli/credentials';
import { validateScenarioText } from '../../../src/engine/scenario/validate';
import { defaultKeyEnv } from '../../../src/engine/secrets';
import { defaultFaults } from '../../../src/simulator/defaults';

const scenario = (targets: string) => {
  const { scenario: s, problems } = validateScenarioText(
    `name: d\ntargets:\n${targets}\nworkload: { rate: 60, duration: 10s }\nprompts: { shape: balanced }\n`,
    'd.perf.yaml',
  );
  assert.deepEqual(problems, []);
  return s!;
};

describe('defaults with one home', () => {
  it('the key variable of a target without auth is the provider’s default, and the CLI reads that one', async () => {
    assert.equal(defaultKeyEnv('azure'), 'AZURE_OPENAI_API_KEY');
    assert.equal(defaultKeyEnv('openai'), 'OPENAI_API_KEY');
    assert.equal(defaultKeyEnv('openai-compatible'), undefined);
    const s = scenario(
      [
        '  - { name: az, provider: azure, endpoint: "https://r.openai.azure.com", deployment: gpt-4o }',
        '  - { name: oa, provider: openai, model: gpt-4o }',
        '  - { name: az-typed, provider: azure, endpoint: "https://r.openai.azure.com", deployment: gpt-4o, auth: { type: api-key } }',
        '  - { name: local, provider: openai-compatible, endpoint: "http://127.0.0.1:8000/v1", model: my-llama }',
      ].join('\n'),
    );
    const [az, oa, typed, local] = s.targets;
    assert.deepEqual(
      [az.auth, oa.auth, local.auth],
      [{ type: 'api-key', env: defaultKeyEnv('azure') }, { type: 'api-key', env: defaultKeyEnv('openai') }, { type: 'none' }],
    );
    // `auth: { type: api-key }` without env: the CLI falls back to the same variable.
    const env = { AZURE_OPENAI_API_KEY: 'azure-key', OPENAI_API_KEY: 'openai-key' };
    assert.deepEqual(await resolveCliCredential(typed, env), { header: 'api-key', value: 'azure-key' });
    assert.deepEqual(await resolveCliCredential(oa, env), { header: 'api-key', value: 'openai-key' });
    assert.equal(await resolveCliCredential(local, env), null);
  });

  it('a scenario naming some faults gets the simulator’s defaults for the others', () => {
    const s = scenario('  - { name: sim, provider: simulator, endpoint: simulator, simulator: { faults: { error_rate: 0.1 } } }');
    assert.deepEqual(s.targets[0].simulator!.faults, { ...defaultFaults(), error_rate: 0.1 });
    assert.equal(s.targets[0].simulator!.faults!.stall_ms, 5_000);
  });
});
