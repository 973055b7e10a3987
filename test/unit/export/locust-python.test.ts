// The generated locustfile is real Python: for every example scenario and every provider / API / workload
// kind the exporter knows (apps of every response kind, sessions), it compiles (python3 -m py_compile), pyflakes finds nothing in it, and Locust
// imports it into one user class per target with the scenario's pacing. The runtime it is built from
// (src/export/locust_runtime.py) passes pyflakes on its own.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile, parseScenario } from '../../../src/engine/scenario/load';
import { locustExport, LOCUSTFILE, RUNTIME_FILE, withScenario } from '../../../src/export/locust';
import { buildExportPlan, type ExportPlan } from '../../../src/export/plan';
import { PYTHON, tmpDir } from './helpers';

const ROOT = path.join(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const RUNTIME = path.join(ROOT, 'src', 'export', RUNTIME_FILE);

function python(args: string[], cwd?: string): { status: number | null; out: string } {
  const r = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Every provider and API: Azure dated and v1 routes, Azure and OpenAI Responses, OpenAI, a compatible
 *  server without a key, bearer and Entra tokens. */
const ALL_TARGETS = `targets:
  - { name: dated, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d1, model: gpt-4o }
  - { name: v1, provider: azure, endpoint: "https://r.openai.azure.com/openai/v1", deployment: gpt-4o, model: gpt-4o, auth: { type: api-key, env: MY_KEY } }
  - { name: azure-resp, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d2, model: o4-mini, api: responses }
  - { name: entra, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d1, model: gpt-4o, auth: { type: entra } }
  - { name: tok, provider: azure, endpoint: "https://r.openai.azure.com", deployment: d1, model: gpt-4o, auth: { type: bearer, env: TOKEN } }
  - { name: oai, provider: openai, endpoint: "https://api.openai.com", model: gpt-4o-mini }
  - { name: oai-resp, provider: openai, endpoint: "https://api.openai.com", model: o4-mini, api: responses }
  - { name: local, provider: openai-compatible, endpoint: "http://127.0.0.1:8000/v1", model: llama }
`;

/** Apps (provider: http): each response kind, a key in a header of the app's choosing, a bearer token,
 *  an absolute URL, a text body and a GET without one. */
const HTTP_TARGETS = `targets:
  - name: app-sse
    provider: http
    endpoint: "http://127.0.0.1:8080/api"
    model: gpt-4o-mini
    auth: { type: api-key, header: x-api-key, env: APP_KEY }
    request: { url: "/chat?stream=sse&s={{session_id}}", headers: { x-turn: "{{turn}}" }, body: '{"messages": {{messages}}, "q": "{{prompt}}", "turn": {{turn}}}' }
    response: { stream: sse, text_path: delta.text, done_when: done == true, usage_path: usage }
  - name: app-ndjson
    provider: http
    model: gpt-4o-mini
    auth: { type: bearer, env: APP_TOKEN }
    request: { url: "https://app.example.com/chat", body: '[{{messages}}, "{{model}}"]' }
    response: { stream: ndjson, text_path: "choices[0].delta.content", done_when: 'type == "end"' }
  - name: app-text
    provider: http
    endpoint: "http://127.0.0.1:8080"
    model: gpt-4o-mini
    request: { method: PUT, url: /ask, body: "Question: {{prompt}}" }
    response: { stream: text }
  - name: app-json
    provider: http
    endpoint: "http://127.0.0.1:8080"
    model: gpt-4o-mini
    request: { method: GET, url: "/answer?q={{prompt}}" }
    response: { stream: json, text_path: answer, usage_path: meta.usage }
`;

const SESSIONS: Record<string, string> = {
  'sessions-open':
    'workload: { rate: 120, clients: 8, duration: 30s, sessions: { interactions: 3, think_time: 2s, think_time_jitter: 0.5, carry_history: true } }\n',
  'sessions-closed': 'workload: { mode: closed, clients: 3, think_time: 1s, requests: 30, sessions: { interactions: 4, think_time: 500ms } }\n',
};

/** Each workload kind the locustfile paces differently, and each retry and end policy. */
const WORKLOADS: Record<string, string> = {
  'open-constant': 'workload: { rate: 120, clients: 8, duration: 30s, ramp_up: 5s, warm_up: 4 }\nretry: exponential\n',
  'open-poisson': 'workload: { rate: 90, arrival: poisson, clients: 6, duration: 1m, on_end: abort }\nretry: none\n',
  'closed-requests': 'workload: { mode: closed, clients: 3, think_time: 500ms, requests: 30 }\n',
};

interface Case {
  name: string;
  plan: ExportPlan;
}

function cases(): Case[] {
  const out: Case[] = [];
  const examples = fs.readdirSync(EXAMPLES).filter((f) => /\.perf\.ya?ml$/.test(f));
  assert.ok(examples.length >= 6, `example scenarios in examples/: ${examples.join(', ')}`);
  for (const file of examples) {
    const scenario = loadScenarioFile(path.join(EXAMPLES, file));
    // A sequential scenario exports one target at a time.
    const targets = scenario.target_mode === 'sequential' ? scenario.targets.map((t) => t.name) : [undefined];
    for (const target of targets) out.push({ name: `examples/${file}${target ? ` --target ${target}` : ''}`, plan: buildExportPlan(scenario, { target }) });
  }
  for (const [kind, workload] of Object.entries(WORKLOADS)) {
    const text = `name: kinds-${kind}\n${ALL_TARGETS}${workload}prompts: { shape: custom, context_tokens: 120, max_tokens: 20 }\n`;
    out.push({ name: `every provider and API, ${kind}`, plan: buildExportPlan(parseScenario(text, path.join(__dirname, 'kinds.perf.yaml'))) });
  }
  const prompts = 'prompts: { shape: custom, context_tokens: 120, max_tokens: 20 }\n';
  for (const [kind, workload] of Object.entries({ 'open-poisson': WORKLOADS['open-poisson'], ...SESSIONS })) {
    const text = `name: http-${kind}\n${HTTP_TARGETS}${workload}${prompts}`;
    out.push({ name: `http targets, ${kind}`, plan: buildExportPlan(parseScenario(text, path.join(__dirname, 'http.perf.yaml'))) });
  }
  for (const [kind, workload] of Object.entries(SESSIONS)) {
    const text = `name: model-${kind}\n${ALL_TARGETS}${workload}${prompts}`;
    out.push({ name: `model targets, ${kind}`, plan: buildExportPlan(parseScenario(text, path.join(__dirname, 'kinds.perf.yaml'))) });
  }
  return out;
}

describe('perflab export locust: the locustfile is valid Python', function () {
  this.timeout(120_000);
  const dir = tmpDir('perflab-locust-py-');
  const all = cases();
  const written: { name: string; file: string; plan: ExportPlan }[] = [];

  before(() => {
    assert.ok(fs.existsSync(PYTHON), `${PYTHON} is missing: Debian's python3 is needed (run bash scripts/apt-deps.sh)`);
    const pyflakes = python(['-m', 'pyflakes', '--version']);
    assert.equal(pyflakes.status, 0, `pyflakes is missing: Debian's python3-pyflakes is needed (run bash scripts/apt-deps.sh)\n${pyflakes.out}`);
    all.forEach((c, i) => {
      const folder = path.join(dir, String(i));
      fs.mkdirSync(folder);
      for (const f of locustExport(c.plan)) fs.writeFileSync(path.join(folder, f.name), f.text);
      written.push({ name: c.name, file: path.join(folder, LOCUSTFILE), plan: c.plan });
    });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the runtime asset passes pyflakes on its own', () => {
    const r = python(['-m', 'pyflakes', RUNTIME]);
    assert.equal(r.out, '', 'pyflakes output');
    assert.equal(r.status, 0);
  });

  for (const [i, c] of all.entries()) {
    it(`${c.name}: py_compile and pyflakes find nothing`, () => {
      const { file, plan } = written[i];
      const compiled = python(['-m', 'py_compile', file]);
      assert.equal(compiled.status, 0, `py_compile:\n${compiled.out}`);
      const lint = python(['-m', 'pyflakes', file]);
      assert.equal(lint.out, '', 'pyflakes output');
      assert.equal(lint.status, 0);
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.includes(`\n    "scenario": ${JSON.stringify(plan.scenario)},\n`), 'the scenario block is filled in');
      assert.equal(text.match(/^SETTINGS = /gm)?.length, 1, 'one SETTINGS: the placeholders are replaced, not added to');
    });
  }

  it("Locust imports every locustfile: one user class per target, with the scenario's users, host and pacing", () => {
    // One Python process loads them all (importing Locust takes a while); it prints each file's user classes.
    const script = `
import json, runpy, sys
from locust import User
out = []
for path in sys.argv[1:]:
    ns = runpy.run_path(path)
    users = [v for v in ns.values() if isinstance(v, type) and issubclass(v, User) and not v.__dict__.get("abstract")]
    # An app's templates and response spec are parsed as each user starts: parse them here too.
    out.append([{"class": u.__name__, "target": u.target["name"], "host": u.host, "users": u.fixed_count,
                 "pacing": u.wait_time.__qualname__,
                 "stream": ns["HttpCall"](u.target).stream if u.target["api"] == "http" else None} for u in users])
print(json.dumps(out))
`;
    const r = python(['-c', script, ...written.map((w) => w.file)], dir);
    assert.equal(r.status, 0, r.out);
    const loaded = JSON.parse(r.out.trim().split('\n').at(-1)!) as {
      class: string;
      target: string;
      host: string;
      users: number;
      pacing: string;
      stream: string | null;
    }[][];
    for (const [i, { name, plan }] of written.entries()) {
      const l = plan.load;
      const pacing =
        l.mode === 'closed' ? /^constant\.<locals>/ : l.arrival === 'poisson' ? /^poisson_pacing\.<locals>/ : /^constant_(throughput|pacing)\.<locals>/; // Locust 2.12's constant_throughput is constant_pacing
      assert.deepEqual(
        loaded[i].map((u) => ({ target: u.target, host: u.host, users: u.users })),
        plan.targets.map((t) => ({ target: t.name, host: t.origin, users: l.users })),
        name,
      );
      assert.deepEqual(
        loaded[i].map((u) => u.stream),
        plan.targets.map((t) => t.http?.response.stream ?? null),
        `${name}: http targets' response kinds`,
      );
      for (const u of loaded[i]) assert.match(u.pacing, pacing, `${name}: ${u.class} pacing`);
    }
    const kinds = written.filter((w) => w.name.startsWith('every provider'));
    assert.deepEqual(
      kinds.map((w) => [w.plan.load.mode, w.plan.load.arrival]),
      [
        ['open', 'constant'],
        ['open', 'poisson'],
        ['closed', 'constant'],
      ],
      'the three pacings are covered',
    );
  });

  it('a runtime without exactly one scenario block is refused', () => {
    const runtime = fs.readFileSync(RUNTIME, 'utf8');
    const start = '# The scenario, as perflab planned it. Edit the scenario and export again rather than this.';
    assert.ok(runtime.includes(start));
    assert.throws(() => withScenario(runtime.replace(start, '# something else'), ['SETTINGS = {}']), /expected one scenario block/);
    assert.throws(() => withScenario(runtime + '\n# End of the scenario.\n', ['SETTINGS = {}']), /expected one scenario block/);
    const filled = withScenario(runtime, ['SETTINGS = {"mode": "closed"}']);
    assert.ok(filled.includes('SETTINGS = {"mode": "closed"}\n# End of the scenario.'));
    assert.ok(!filled.includes('TARGETS = []'), 'the placeholders are gone');
  });
});
