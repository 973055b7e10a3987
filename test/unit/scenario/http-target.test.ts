// `provider: http` and `workload.sessions` in scenario files: what is accepted and normalized, and
// every mistake a file can hold reported at the file, line and column where it is.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateScenarioText } from '../../../src/engine/scenario/validate';

const base = (target: string, workload = 'workload: { rate: 60, duration: 10s }') => `name: app
targets:
${target}
${workload}
`;

const APP = `  - name: app
    provider: http
    endpoint: http://127.0.0.1:8080
    request:
      url: /api/chat
      body: |
        {"q": "{{prompt}}",
         "messages": {{messages}}}
    response: { stream: sse, text_path: delta.text }`;

function problems(text: string): string[] {
  return validateScenarioText(text, 'app.perf.yaml', { checkFiles: false }).problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
}

describe('scenario: provider http and sessions', () => {
  it('normalizes an http target: method POST, headers lower-cased, the body as written, the response spec', () => {
    const text = base(APP.replace('      url: /api/chat', '      url: /api/chat\n      headers: { X-Trace: "t-{{session_id}}" }'));
    const v = validateScenarioText(text, 'app.perf.yaml', { checkFiles: false });
    assert.deepEqual(v.problems, []);
    const t = v.scenario!.targets[0];
    assert.equal(t.provider, 'http');
    assert.deepEqual(t.http, {
      request: { method: 'POST', url: '/api/chat', headers: { 'x-trace': 't-{{session_id}}' }, body: '{"q": "{{prompt}}",\n "messages": {{messages}}}\n' },
      response: { stream: 'sse', text_path: 'delta.text' },
    });
    assert.deepEqual(t.auth, { type: 'none' });
  });

  it('an absolute request.url gives the endpoint; one on another origin than the endpoint is refused', () => {
    const noEndpoint = validateScenarioText(
      base(APP.replace('    endpoint: http://127.0.0.1:8080\n', '').replace('/api/chat', 'http://127.0.0.1:9000/api/chat')),
      'a.perf.yaml',
      {
        checkFiles: false,
      },
    );
    assert.deepEqual(noEndpoint.problems, []);
    assert.equal(noEndpoint.scenario!.targets[0].endpoint, 'http://127.0.0.1:9000');
    assert.deepEqual(problems(base(APP.replace('/api/chat', 'http://elsewhere.example:9000/api/chat'))), [
      '7:12 targets[0].request.url: is on another origin than the endpoint (http://127.0.0.1:8080): a key is only sent where it was saved; use a path, or drop endpoint',
    ]);
  });

  it('with endpoint: simulator the url is a path: an absolute one would leave the simulator', () => {
    assert.deepEqual(problems(base(APP.replace('http://127.0.0.1:8080', 'simulator').replace('/api/chat', 'http://127.0.0.1:9000/api/chat'))), [
      '7:12 targets[0].request.url: must be a path (e.g. /app/chat) with endpoint: simulator',
    ]);
  });

  it('a placeholder no prompt provides, and an unclosed one, are reported where they are inside the block', () => {
    assert.deepEqual(problems(base(APP.replace('"messages": {{messages}}}', '"messages": {{messagez}}}'))), [
      '10:22 targets[0].request.body: unknown placeholder {{messagez}}: use {{prompt}}, {{messages}}, {{session_id}}, {{turn}}, {{model}}',
    ]);
    assert.deepEqual(problems(base(APP.replace('"{{prompt}}"', '"{{prompt"'))), ['9:16 targets[0].request.body: "{{" is not closed by "}}"']);
  });

  it('a JSON body that is not JSON once filled points at the spot', () => {
    // A missing comma between the two fields.
    const [p] = problems(base(APP.replace('"{{prompt}}",', '"{{prompt}}"')));
    assert.match(p, /^10:10 targets\[0\]\.request\.body: the body is not valid JSON once its placeholders are filled/);
  });

  it('dataset fields are placeholders when the dataset has them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-http-'));
    fs.writeFileSync(path.join(dir, 'q.jsonl'), '{"messages":[{"role":"user","content":"hi"}],"team":"billing"}\n');
    const text = `${base(APP.replace('"{{prompt}}"', '"{{prompt}}", "team": "{{team}}", "x": "{{nope}}"'))}prompts: { dataset: q.jsonl }\n`;
    const v = validateScenarioText(text, path.join(dir, 'app.perf.yaml'));
    assert.deepEqual(
      v.problems.map((p) => p.message),
      ['unknown placeholder {{nope}}: use {{prompt}}, {{messages}}, {{session_id}}, {{turn}}, {{model}} or a field of the prompts (team)'],
    );
  });

  it("a prompt file's variables and its inputs' fields are placeholders too", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-http-'));
    fs.writeFileSync(path.join(dir, 'ask.prompty'), '---\nname: ask\nsample:\n  product: Contoso\n---\nuser:\nAbout {{product}}: {{question}}\n');
    fs.writeFileSync(path.join(dir, 'inputs.jsonl'), '{"question": "Why?", "tier": "gold"}\n');
    const text = `${base(APP.replace('"{{prompt}}"', '"{{product}} {{question}} {{tier}} {{plan}}"'))}prompts: { file: ask.prompty, inputs: inputs.jsonl }\n`;
    const v = validateScenarioText(text, path.join(dir, 'app.perf.yaml'));
    assert.deepEqual(
      v.problems.map((p) => p.message),
      ['unknown placeholder {{plan}}: use {{prompt}}, {{messages}}, {{session_id}}, {{turn}}, {{model}} or a field of the prompts (product, question, tier)'],
    );
  });

  it('response rules: text_path for ndjson and json, not for text; paths and done_when checked', () => {
    assert.deepEqual(problems(base(APP.replace('{ stream: sse, text_path: delta.text }', '{ stream: ndjson }'))), [
      '11:5 targets[0].response.text_path: is required with stream: ndjson (where the text is, e.g. delta.text or answer)',
    ]);
    assert.deepEqual(problems(base(APP.replace('stream: sse', 'stream: text'))), [
      '11:31 targets[0].response.text_path: does not apply to stream: text (every piece received is text)',
    ]);
    assert.deepEqual(problems(base(APP.replace('delta.text', '"choices[x].delta"'))), [
      '11:49 targets[0].response.text_path: expected an index like [0] at position 8 (a path is keys and [n] indexes, e.g. choices[0].delta.content)',
    ]);
    assert.match(
      problems(base(APP.replace('text_path: delta.text', 'text_path: delta.text, done_when: "type == end"')))[0],
      /done_when: the value after == must be JSON/,
    );
  });

  it('a credential in request.headers is refused: keys come from auth, with header: for http targets only', () => {
    assert.match(
      problems(base(APP.replace('      url: /api/chat', '      url: /api/chat\n      headers: { Authorization: Bearer abc }')))[0],
      /^8:18 .*looks like a credential/,
    );
    const keyed = validateScenarioText(
      base(APP.replace('    provider: http', '    provider: http\n    auth: { type: api-key, header: X-API-Key, env: APP_KEY }')),
      'a.perf.yaml',
      {
        checkFiles: false,
      },
    );
    assert.deepEqual(keyed.scenario!.targets[0].auth, { type: 'api-key', env: 'APP_KEY', header: 'x-api-key' });
    const model = `  - { name: m, provider: openai-compatible, endpoint: "http://127.0.0.1:8000/v1", model: x, auth: { type: api-key, header: x-api-key } }`;
    assert.deepEqual(problems(base(model)), ['3:116 targets[0].auth.header: only applies to provider http with type api-key']);
  });

  it('request and response only with provider http; an http target needs both', () => {
    const model = `  - name: m
    provider: openai-compatible
    endpoint: http://127.0.0.1:8000/v1
    model: x
    response: { stream: sse }`;
    assert.deepEqual(problems(base(model)), ['7:5 targets[0].response: only applies to provider: http']);
    const bare = `  - { name: app, provider: http, endpoint: "http://127.0.0.1:8080" }`;
    assert.deepEqual(problems(base(bare)).length, 2);
  });

  it('sessions: normalized (think time in ms), and checked by the schema', () => {
    const v = validateScenarioText(
      base(APP, 'workload: { rate: 60, duration: 1m, sessions: { interactions: 3, think_time: 5s, think_time_jitter: 0.4, carry_history: true } }'),
      'a.perf.yaml',
      { checkFiles: false },
    );
    assert.deepEqual(v.problems, []);
    assert.deepEqual(v.scenario!.workload.sessions, { interactions: 3, think_time_ms: 5000, think_time_jitter: 0.4, carry_history: true });
    const bad = problems(base(APP, 'workload: { rate: 60, duration: 1m, sessions: { interactions: 0, think_time_jitter: 2 } }'));
    assert.equal(bad.length, 2, bad.join('\n'));
    assert.ok(bad.some((p) => p.includes('sessions.interactions')) && bad.some((p) => p.includes('sessions.think_time_jitter')));
  });
});
