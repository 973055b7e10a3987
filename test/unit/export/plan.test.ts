// The export plan: the same URLs, headers, bodies and prompt-token counts as the engine, and the
// workload mapped to users / spawn rate / run time.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { parseScenario } from '../../../src/engine/scenario/load';
import { locustExport } from '../../../src/export/locust';
import { ExportError, buildExportPlan, PREFIX_PLACEHOLDER } from '../../../src/export/plan';
import { countChatTokens } from '../../../src/tokens';

const scenario = (
  targets: string,
  rest = 'workload:\n  rate: 120\n  clients: 8\n  duration: 30s\nprompts:\n  shape: custom\n  context_tokens: 250\n  max_tokens: 50\n',
) => parseScenario(`name: plan-test\ntargets:\n${targets}\n${rest}`, path.join(__dirname, 'plan.perf.yaml'));

describe('export plan', () => {
  it('routes and headers per provider and API: Azure dated and v1, OpenAI, compatible', () => {
    const plan = buildExportPlan(
      scenario(`  - { name: dated, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d1, model: gpt-4o }
  - { name: v1, provider: azure, endpoint: "https://r.openai.azure.com/openai/v1", deployment: gpt-4o, model: gpt-4o, auth: { type: api-key, env: MY_KEY } }
  - { name: resp, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d2, model: gpt-4o, api: responses }
  - { name: oai, provider: openai, endpoint: "https://api.openai.com", model: gpt-4o-mini }
  - { name: local, provider: openai-compatible, endpoint: "http://localhost:8000/v1", model: llama }
  - { name: tok, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d1, model: gpt-4o, auth: { type: bearer, env: TOKEN } }`),
    );
    const t = Object.fromEntries(plan.targets.map((x) => [x.name, x]));
    assert.equal(t.dated.url.href, 'https://r.openai.azure.com/openai/deployments/d1/chat/completions?api-version=2024-10-21');
    assert.deepEqual(t.dated.key, { env: 'AZURE_OPENAI_API_KEY', header: 'api-key', scheme: '', required: true });
    assert.equal(t.v1.url.href, 'https://r.openai.azure.com/openai/v1/chat/completions');
    assert.deepEqual(t.v1.key, { env: 'MY_KEY', header: 'api-key', scheme: '', required: true });
    assert.equal(t.resp.url.href, 'https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview');
    assert.equal(t.resp.prompts[0].body.model, 'd2', 'the dated Responses route names the deployment in model');
    assert.equal(t.oai.url.href, 'https://api.openai.com/v1/chat/completions');
    assert.deepEqual(t.oai.key, { env: 'OPENAI_API_KEY', header: 'authorization', scheme: 'Bearer ', required: true });
    assert.equal(t.local.url.href, 'http://localhost:8000/v1/chat/completions');
    assert.equal(t.local.key, null, 'compatible servers need no key by default');
    assert.deepEqual(t.tok.key, { env: 'TOKEN', header: 'authorization', scheme: 'Bearer ', required: true });
    for (const x of plan.targets) assert.deepEqual(x.headers, { 'content-type': 'application/json', accept: 'text/event-stream' });
  });

  it('synthetic prompts are exact to the token whatever digits replace the prefix placeholder', () => {
    const plan = buildExportPlan(scenario(`  - { name: a, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d, model: gpt-4o }`));
    const [line] = plan.targets[0].prompts;
    assert.equal(line.prompt_tokens, 250);
    assert.deepEqual(line.prefix_at, ['messages', 0, 'content']);
    const messages = line.body.messages as { role: string; content: string }[];
    assert.ok(messages[0].content.startsWith(`${PREFIX_PLACEHOLDER}\n`));
    for (const digits of ['000000000000', '987654321098', '123456789012', '500000000001']) {
      const m = [{ ...messages[0], content: digits + messages[0].content.slice(12) }, messages[1]];
      assert.equal(countChatTokens(m, 'o200k_base').total, 250, digits);
    }
    assert.equal(line.body.max_tokens, 50);
    assert.deepEqual(line.body.stream_options, { include_usage: true });
  });

  it('workload: users, spawn rate from ramp-up, run time, drain; sequential targets need --target', () => {
    const plan = buildExportPlan(
      scenario(
        `  - { name: a, provider: openai-compatible, endpoint: "http://127.0.0.1:1", model: m }`,
        'workload:\n  rate: 600\n  clients: 20\n  duration: 2m\n  ramp_up: 10s\n  warm_up: 40\nprompts:\n  shape: balanced\n',
      ),
    );
    assert.deepEqual(
      { users: plan.load.users, spawn: plan.load.spawn_rate, run: plan.load.run_time_s, warm: plan.load.warm_up_per_user, stop: plan.load.stop_timeout_s },
      { users: 20, spawn: 2, run: 120, warm: 2, stop: 30 },
    );
    const conf = locustExport(plan).find((f) => f.name === 'locust.conf')!.text;
    assert.match(conf, /^users = 20$/m);
    assert.match(conf, /^spawn-rate = 2$/m);
    assert.match(conf, /^run-time = 120s$/m);
    assert.match(conf, /^host = http:\/\/127\.0\.0\.1:1$/m);
    const locustfile = locustExport(plan).find((f) => f.name === 'locustfile.py')!.text;
    // The pacing follows from these (locust-python.test.ts checks the wait_time Locust gets).
    assert.match(locustfile, /^ {4}"mode": "open",$/m);
    assert.match(locustfile, /^ {4}"arrival": "constant",$/m);
    assert.match(locustfile, /^PER_USER_RPS = SETTINGS\["rate_rpm"\] \/ 60\.0 \/ SETTINGS\["users_per_target"\]$/m);
    assert.match(locustfile, /fixed_count = 20/);

    const seq = scenario(
      `  - { name: a, provider: openai-compatible, endpoint: "http://127.0.0.1:1", model: m }\n  - { name: b, provider: openai-compatible, endpoint: "http://127.0.0.1:2", model: m }\ntarget_mode: sequential`,
    );
    assert.throws(() => buildExportPlan(seq), ExportError);
    assert.equal(buildExportPlan(seq, { target: 'b' }).targets[0].origin, 'http://127.0.0.1:2');
    assert.throws(() => buildExportPlan(seq, { target: 'zzz' }), /no target named "zzz"/);
  });
});
