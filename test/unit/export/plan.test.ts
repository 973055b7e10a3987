// The export plan: the same URLs, headers, bodies and prompt-token counts as the engine, and the
// workload mapped to users / spawn rate / run time.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpRequestFactory } from '../../../src/engine/http-target/http-request';
import { parseTemplate, renderTemplate } from '../../../src/engine/http-target/template';
import { parseScenario } from '../../../src/engine/scenario/load';
import { locustExport } from '../../../src/export/locust';
import { ExportError, buildExportPlan, PREFIX_PLACEHOLDER } from '../../../src/export/plan';
import { countChatTokens } from '../../../src/tokens';
import { tmpDir } from './helpers';

const app = (
  target: string,
  rest = 'workload: { rate: 60, clients: 4, duration: 30s }\nprompts: { shape: custom, context_tokens: 100, max_tokens: 20 }\n',
  dir = __dirname,
) => parseScenario(`name: app-plan\ntargets:\n${target}\n${rest}`, path.join(dir, 'app.perf.yaml'));

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

  it('http targets: the URL joined as the engine joins it, its default headers, the key by header name, no anti-cache prefix', () => {
    const cases = [
      {
        target: `  - name: app
    provider: http
    endpoint: "http://127.0.0.1:8080/base?code=abc"
    model: gpt-4o-mini
    auth: { type: api-key, header: X-Api-Key, env: APP_KEY }
    request: { url: "/chat/{{turn}}?stream=sse&s={{session_id}}", body: '{"q": "{{prompt}}"}' }
    response: { stream: sse, text_path: delta.text }`,
        url: 'http://127.0.0.1:8080/base/chat/{{turn}}?code=abc&stream=sse&s={{session_id}}',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        key: { env: 'APP_KEY', header: 'x-api-key', scheme: '', required: true },
      },
      {
        target: `  - name: abs
    provider: http
    model: gpt-4o-mini
    auth: { type: bearer, env: APP_TOKEN }
    request: { method: GET, url: "https://app.example.com/api/answer?q={{prompt}}", headers: { x-tenant: "t-{{turn}}" } }
    response: { stream: json, text_path: answer }`,
        url: 'https://app.example.com/api/answer?q={{prompt}}',
        headers: { accept: 'application/json', 'x-tenant': 't-{{turn}}' },
        key: { env: 'APP_TOKEN', header: 'authorization', scheme: 'Bearer ', required: true },
      },
      {
        target: `  - name: text
    provider: http
    endpoint: "http://127.0.0.1:8080/"
    model: gpt-4o-mini
    request: { url: "api/chat", headers: { content-type: text/markdown }, body: "Q: {{prompt}}" }
    response: { stream: text }`,
        url: 'http://127.0.0.1:8080/api/chat',
        headers: { accept: 'text/plain', 'content-type': 'text/markdown' },
        key: null,
      },
    ];
    for (const c of cases) {
      const scenario = app(c.target);
      const t = buildExportPlan(scenario).targets[0];
      assert.equal(t.api, 'http');
      assert.equal(t.http!.url, c.url, t.name);
      assert.equal(t.origin + t.path, c.url);
      assert.deepEqual(t.headers, c.headers, t.name);
      assert.deepEqual(t.key, c.key, t.name);
      // The engine builds the same URL once the placeholders are filled.
      const values = { turn: 2, session_id: 'app-s4', prompt: 'why', messages: [], model: 'gpt-4o-mini' };
      const built = httpRequestFactory(scenario.targets[0], scenario.targets[0].endpoint, null).build({
        messages: [{ role: 'user', content: 'why' }],
        fields: {},
        sessionId: 'app-s4',
        turn: 2,
      });
      assert.equal(renderTemplate(parseTemplate(t.http!.url, 'url'), values), built.url.href, t.name);
      assert.equal(t.http!.method, built.method);
      // The engine sends its prompts as written to an app: the export has no anti-cache prefix either.
      assert.equal(t.http!.inputs.length, 1);
      assert.ok(!JSON.stringify(t.http!.inputs).includes(PREFIX_PLACEHOLDER));
      assert.equal(t.http!.inputs[0].prompt_tokens, 100);
      assert.deepEqual(t.prompts, [], 'no model request bodies');
    }

    // The simulator: perflab simulate's address, no key; --endpoint moves an absolute URL's origin too.
    const sim = buildExportPlan(
      app(
        `  - { name: s, provider: http, endpoint: simulator, model: gpt-4o-mini, auth: { type: api-key, header: x-api-key, env: K }, request: { url: "/app/chat?stream=sse" }, response: { stream: sse, text_path: delta.text } }`,
      ),
    );
    assert.equal(sim.targets[0].http!.url, 'http://127.0.0.1:8089/app/chat?stream=sse');
    assert.equal(sim.targets[0].key, null);
    assert.match(sim.warnings.join(), /perflab simulate --port 8089/);
    const moved = buildExportPlan(app(cases[1].target), { endpoint: 'http://127.0.0.1:3000/x' });
    assert.equal(moved.targets[0].http!.url, 'http://127.0.0.1:3000/x/api/answer?q={{prompt}}');

    // A placeholder in the host cannot be a load engine's host.
    const bad = app(cases[0].target);
    bad.targets[0].http!.request.url = 'http://{{tenant}}.example.com/chat';
    assert.throws(() => buildExportPlan(bad), /must name its host without placeholders/);
  });

  it("http targets: a dataset's messages, token counts and fields for the templates", () => {
    const dir = tmpDir('perflab-plan-');
    const lines = [
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Refund window?' },
        ],
        topic: 'refunds',
        priority: 2,
      },
      { messages: [{ role: 'user', content: 'Reset my password' }], topic: 'account', priority: null },
    ];
    fs.writeFileSync(path.join(dir, 'chats.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const plan = buildExportPlan(
      app(
        `  - { name: a, provider: http, endpoint: "http://127.0.0.1:1", model: gpt-4o, request: { url: /c, body: '{"m": {{messages}}, "t": "{{topic}}"}' }, response: { stream: sse, text_path: t } }`,
        'workload: { rate: 60, duration: 10s }\nprompts: { dataset: chats.jsonl }\n',
        dir,
      ),
    );
    const http = plan.targets[0].http!;
    assert.deepEqual(http.placeholders, ['messages', 'topic']);
    assert.equal(http.body_kind, 'json');
    assert.deepEqual(
      http.inputs.map((i) => ({ messages: i.messages, fields: i.fields, tokens: i.prompt_tokens })),
      lines.map(({ messages, ...fields }) => ({ messages, fields, tokens: countChatTokens(messages, 'o200k_base').total })),
    );
  });

  it('sessions: sessions per minute from the rate, and a warning when the users cannot start them in time', () => {
    const target = `  - { name: a, provider: http, endpoint: "http://127.0.0.1:1", model: m, request: { url: /c }, response: { stream: text } }`;
    const plan = buildExportPlan(
      app(
        target,
        'workload:\n  rate: 120\n  clients: 10\n  duration: 1m\n  sessions: { interactions: 3, think_time: 4s, think_time_jitter: 0.5, carry_history: true }\nprompts: { shape: custom, context_tokens: 50, max_tokens: 10 }\n',
      ),
    );
    assert.deepEqual(plan.load.sessions, { interactions: 3, think_time_s: 4, think_time_jitter: 0.5, carry_history: true, rate_per_min: 40 });
    assert.equal(plan.load.rate_rpm, 120, "the request rate is still the scenario's");
    assert.deepEqual(plan.warnings, []);
    const locustfile = locustExport(plan).find((f) => f.name === 'locustfile.py')!.text;
    assert.match(locustfile, /^PER_USER_RPS = SETTINGS\["sessions"\]\["rate_per_min"\] \/ 60\.0 \/ SETTINGS\["users_per_target"\]$/m);
    // 2 users for 40 sessions a minute: each must start one every 3 s, but a session thinks at least 2 × 2 s.
    const short = buildExportPlan(
      app(
        target,
        'workload:\n  rate: 120\n  clients: 2\n  duration: 1m\n  sessions: { interactions: 3, think_time: 4s, think_time_jitter: 0.5 }\nprompts: { shape: custom, context_tokens: 50, max_tokens: 10 }\n',
      ),
    );
    assert.match(
      short.warnings.join('\n'),
      /start a session every 3 s \(2 users for 40 sessions\/min\), but a session thinks for at least 4 s: raise workload.clients/,
    );
    const closed = buildExportPlan(
      app(
        target,
        'workload:\n  mode: closed\n  clients: 2\n  requests: 12\n  sessions: { interactions: 3, think_time: 1s }\nprompts: { shape: custom, context_tokens: 50, max_tokens: 10 }\n',
      ),
    );
    assert.equal(closed.load.sessions!.rate_per_min, null, 'closed loop: sessions back to back');
  });
});
