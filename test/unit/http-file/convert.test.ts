// One request of a REST Client file → scenario text that the project's own loader
// (src/engine/scenario/load.ts) accepts as one `provider: http` target: endpoint = the origin, the
// request as written with file variables filled in, credentials as `auth:` by environment variable,
// literal secrets never copied (and said so), the stream and text path guessed; problems name
// `file:line:col`; the file is written beside the .http file and never over another.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenario, ScenarioError } from '../../../src/engine/scenario/load';
import type { Target } from '../../../src/engine/scenario/types';
import { convertHttpText, scenarioFromHttpFile, writeScenarioBeside, type RequestSelector } from '../../../src/http-file/http-file';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-http-file-')));
const HTTP = path.join(dir, 'app.http');

/** The converted request, loaded back by the scenario loader. */
function load(text: string, selector?: RequestSelector) {
  const conversion = convertHttpText(text, HTTP, selector);
  const scenario = parseScenario(conversion.yaml, path.join(dir, `${conversion.name}.perf.yaml`));
  assert.equal(scenario.targets.length, 1);
  return { conversion, scenario, target: scenario.targets[0] as Target & { http: NonNullable<Target['http']> } };
}

/** The ScenarioError a conversion throws, as `file:line:col: message`. */
function problem(text: string, selector?: RequestSelector): string {
  try {
    convertHttpText(text, HTTP, selector);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    assert.equal(error.problems.length, 1);
    return error.message;
  }
  assert.fail('the conversion did not fail');
}

const OPENAI = `@base = http://127.0.0.1:8080
@key = {{$processEnv APP_TOKEN}}
@question = What is a token?

### Chat completions through the gateway
# @name chat
POST {{base}}/v1/chat/completions
Content-Type: application/json
Accept: text/event-stream
Authorization: Bearer {{key}}

{"model": "gpt-4o-mini", "stream": true,
 "messages": [{"role": "user", "content": "{{question}}"}]}
`;

describe('http-file: a request as a scenario', () => {
  it('an OpenAI-shaped streaming request: endpoint, request, auth by environment variable, stream and text path', () => {
    const { conversion, scenario, target } = load(OPENAI);
    assert.equal(conversion.name, 'app-chat');
    assert.equal(scenario.name, 'app-chat');
    assert.equal(target.name, 'chat');
    assert.equal(target.provider, 'http');
    assert.equal(target.endpoint, 'http://127.0.0.1:8080');
    assert.equal(target.model, 'gpt-4o-mini');
    assert.deepEqual(target.auth, { type: 'bearer', env: 'APP_TOKEN' });
    assert.equal(target.http.request.method, 'POST');
    assert.equal(target.http.request.url, '/v1/chat/completions');
    assert.deepEqual(target.http.request.headers, { 'content-type': 'application/json', accept: 'text/event-stream' });
    assert.equal(target.http.request.body, '{"model": "gpt-4o-mini", "stream": true,\n "messages": [{"role": "user", "content": "What is a token?"}]}');
    assert.equal(target.http.response.stream, 'sse');
    assert.equal(target.http.response.text_path, 'choices[0].delta.content');
    // A short open-loop run, as the brief of this converter says.
    assert.equal(scenario.workload.mode, 'open');
    assert.equal(scenario.workload.rate_rpm, 30);
    assert.equal(scenario.workload.duration_s, 60);
    assert.equal(scenario.workload.sessions, undefined);
    assert.deepEqual(conversion.request.dropped, []);
    // The comments a reader needs: what to check, and a sessions example to uncomment.
    assert.match(conversion.yaml, /stream: sse +# from Accept: text\/event-stream; check it/);
    assert.match(conversion.yaml, /text_path: choices\[0\]\.delta\.content +# check:/);
    assert.match(conversion.yaml, /model: gpt-4o-mini +# only picks the tokenizer and prices/);
    assert.match(conversion.yaml, /^ {2}# sessions:\n {2}# {3}interactions: 3$/m);
  });

  it('the sessions example, uncommented, is a valid sessions workload', () => {
    const { conversion } = load(OPENAI);
    // As the editor's Toggle Line Comment uncomments them: "# " removed.
    const uncommented = conversion.yaml.replace(/^ {2}# (sessions:| {2}\w+:.*)$/gm, '  $1');
    const scenario = parseScenario(uncommented, path.join(dir, 'uncommented.perf.yaml'));
    assert.deepEqual(scenario.workload.sessions, { interactions: 3, think_time_ms: 5000, think_time_jitter: 0.5, carry_history: true });
  });

  it('never copies a literal secret: headers and query keys are left out, and the scenario says so', () => {
    const { conversion, target } = load(`POST https://app.example.test/api/chat?code=FUNCTION-KEY-1&lang=en
Content-Type: application/json
Authorization: Bearer LITERAL-BEARER-2
Cookie: session=COOKIE-3
x-api-key: KEY-4
X-Auth-Token: TOKEN-5
X-Client-Secret: SECRET-6
Content-Length: 999
X-Tenant: contoso

{"question": "hi"}
`);
    for (const secret of ['FUNCTION-KEY-1', 'LITERAL-BEARER-2', 'COOKIE-3', 'KEY-4', 'TOKEN-5', 'SECRET-6'])
      assert.ok(!conversion.yaml.includes(secret), `${secret} is in the scenario`);
    assert.deepEqual(target.auth, { type: 'none' });
    assert.equal(target.http.request.url, '/api/chat?lang=en');
    assert.deepEqual(target.http.request.headers, { 'content-type': 'application/json', 'x-tenant': 'contoso' });
    assert.deepEqual(
      conversion.request.dropped.map((d) => d.replace(/:.*/, '')),
      [
        'header Authorization (line 3)',
        'header Cookie (line 4)',
        'header x-api-key (line 5)',
        'header X-Auth-Token (line 6)',
        'header X-Client-Secret (line 7)',
        'header Content-Length (line 8)',
        'query parameter code of the URL',
      ],
    );
    assert.match(conversion.yaml, /^# Left out: header Cookie \(line 4\): it holds a secret, and a scenario never does/m);
    assert.match(conversion.yaml, /^# Left out: query parameter code of the URL: it holds a secret/m);
  });

  it('a key header holding an environment variable becomes auth: api-key in that header', () => {
    const { conversion, target } = load(
      'POST http://127.0.0.1:9/app/chat\nx-api-key: {{ $dotenv APP_KEY }}\nAccept: application/x-ndjson\n\n{"question": "hi"}',
    );
    assert.deepEqual(target.auth, { type: 'api-key', header: 'x-api-key', env: 'APP_KEY' });
    assert.deepEqual(target.http.request.headers, { accept: 'application/x-ndjson' });
    assert.equal(target.http.response.stream, 'ndjson');
    assert.equal(target.http.response.text_path, 'delta.text');
    assert.deepEqual(conversion.request.notes, ['$dotenv APP_KEY: perflab reads APP_KEY from the environment, not from a .env file']);
    assert.match(conversion.yaml, /text_path: delta\.text +# check:/);
    assert.match(conversion.yaml, /# done_when: done == true/);
    const apiKey = load('POST http://127.0.0.1:9/x\napi-key: {{$processEnv AZ_KEY}}\n\n{}').target;
    assert.deepEqual(apiKey.auth, { type: 'api-key', header: 'api-key', env: 'AZ_KEY' });
  });

  it('guesses how the answer streams: Accept first, then "stream": true, else one JSON answer', () => {
    const stream = (headers: string, body: string) => load(`POST http://127.0.0.1:9/x\n${headers}\n\n${body}`).target.http.response;
    assert.deepEqual(stream('Accept: text/plain', '{"question": "q"}'), { stream: 'text' });
    assert.deepEqual(stream('Accept: text/event-stream', '{"question": "q"}'), { stream: 'sse', text_path: 'delta.text' });
    assert.deepEqual(stream('X-A: 1', '{"question": "q", "stream": true}'), { stream: 'sse', text_path: 'delta.text' });
    assert.deepEqual(stream('X-A: 1', '{"messages": [], "stream": true}'), { stream: 'sse', text_path: 'choices[0].delta.content' });
    assert.deepEqual(stream('X-A: 1', '{"question": "q"}'), { stream: 'json', text_path: 'answer' });
    assert.deepEqual(stream('X-A: 1', '{"messages": []}'), { stream: 'json', text_path: 'choices[0].message.content' });
  });

  it("keeps perflab's own placeholders for it to fill per request", () => {
    const { target } = load(
      'POST http://127.0.0.1:9/app/chat?stream=sse&s={{session_id}}\nAccept: text/event-stream\n\n{"messages": {{messages}}, "turn": {{turn}}}',
    );
    assert.equal(target.http.request.url, '/app/chat?stream=sse&s={{session_id}}');
    assert.equal(target.http.request.body, '{"messages": {{messages}}, "turn": {{turn}}}');
    assert.equal(target.http.response.text_path, 'choices[0].delta.content');
  });

  it('a body the YAML block cannot carry exactly still comes back exactly', () => {
    for (const body of [
      '  {"indented": true}',
      '{\n   \n"a": 1}',
      '  text first indented\n\n\ttab',
      'tab\there and "quotes" and \\backslash',
      'a: b # not a comment\n- not a list',
    ]) {
      const { target } = load(`POST http://127.0.0.1:9/x\nContent-Type: text/plain\n\n${body}`);
      assert.equal(target.http.request.body, body);
    }
  });

  it('a relative request line takes its origin from the Host header; a name like a number stays a name', () => {
    const { target, conversion } = load('###\nGET /health HTTP/1.1\nHost: localhost:8443\n\n###\nPOST http://127.0.0.1:9/x\n\n{}', 1);
    assert.equal(target.endpoint, 'https://localhost:8443');
    assert.equal(target.http.request.url, '/health');
    assert.equal(target.name, '1');
    assert.equal(conversion.name, 'app-1');
    assert.equal(load('GET example.test').target.endpoint, 'http://example.test');
  });

  it('a body from a file: `< path` as it is, `<@ path` with variables', () => {
    fs.writeFileSync(path.join(dir, 'body.json'), '{"question": "{{q}}"}');
    fs.writeFileSync(path.join(dir, 'prompt.json'), '{"question": "{{prompt}}"}');
    assert.equal(load('POST http://127.0.0.1:9/x\n\n< ./prompt.json').target.http.request.body, '{"question": "{{prompt}}"}');
    assert.equal(load('@q = hello\nPOST http://127.0.0.1:9/x\n\n<@ ./body.json').target.http.request.body, '{"question": "hello"}');
    // As it is: {{q}} would reach perflab as a placeholder it does not know.
    assert.match(
      problem('@q = hello\nPOST http://127.0.0.1:9/x\n\n< ./body.json'),
      /app\.http:4:1: the body file \.\/body\.json holds \{\{q\}\}, which is sent as it is/,
    );
    assert.match(problem('POST http://127.0.0.1:9/x\n\n< ./missing.json'), /app\.http:3:1: cannot read the body file \.\/missing\.json: ENOENT/);
  });

  it('names the problem with file:line:col', () => {
    const at = (text: string, selector?: RequestSelector) => problem(text, selector).replace(`${HTTP}:`, '');
    assert.equal(
      at('POST http://x.test/{{nope}}'),
      '1:20: {{nope}} is not a file variable of this file (define it with "@nope = value"; REST Client\'s environments from settings are not read)',
    );
    assert.match(at('POST http://x.test/\nX-Id: {{$guid}}'), /^2:7: \{\{\$guid\}\}: REST Client's system variables are not filled in/);
    assert.match(
      at('POST http://x.test/\nX-Tenant: {{$processEnv TENANT}}'),
      /^2:11: header X-Tenant: environment variables are read only for a key or token header/,
    );
    assert.match(
      at('POST http://x.test/\nAuthorization: {{$processEnv TOKEN}}'),
      /^2:16: header Authorization: an environment variable becomes the target's key only as "Authorization: Bearer/,
    );
    assert.match(
      at('POST http://x.test/\nx-api-key: k-{{$processEnv K}}'),
      /^2:14: header x-api-key: an environment variable becomes the target's key only as the whole value/,
    );
    assert.match(at('POST http://x.test/\nCookie: s={{$processEnv S}}'), /^2:11: header Cookie: it cannot carry the target's key/);
    assert.match(at('POST http://x.test/\nx-api-key: {{$processEnv 9X}}'), /^2:12: "9X" is not an environment variable name/);
    assert.match(at('@h = {{$processEnv HOST}}\nPOST {{h}}/x'), /^2:6: an environment variable cannot go into the URL/);
    assert.match(at('POST http://x.test/\n\n{"k": "{{$processEnv K}}"}'), /^3:8: an environment variable cannot go into the body/);
    assert.match(at('@a = {{b}}\n@b = {{a}}\nPOST http://x.test/{{a}}'), /^1:6: file variable @b refers to itself|^2:6: file variable @a refers to itself/);
    assert.match(at('@a = {{zzz}}\nPOST http://x.test/{{a}}'), /^1:6: \{\{zzz\}\} is not a file variable/);
    assert.match(at('POST http://x.test/{{login.response.body.$.token}}'), /^1:20: \{\{login\.response\.body\.\$\.token\}\}: a request variable/);
    assert.match(at('DELETE http://x.test/items/1'), /^1:1: DELETE requests cannot be load-tested here/);
    assert.match(at('GET http://x.test/\n\n{"a": 1}'), /^3:1: a GET request with a body/);
    assert.match(at('GET /relative'), /^1:5: a relative URL needs a Host header/);
    assert.match(at('POST ftp://x.test/'), /^1:6: only http:\/\/ and https:\/\/ URLs/);
    assert.match(
      at('POST http://x.test/\nX-Api-Key: {{$processEnv A}}\nAuthorization: Bearer {{$processEnv B}}'),
      /^3:1: header Authorization: a target takes one credential, and line 2/,
    );
    assert.match(at('POST http://x.test/\nContent-Type application/json\n\n{}'), /^2:1: expected a header "Name: value"/);
    assert.match(
      at('GET http://x.test/a\n###\nGET http://x.test/b'),
      /^1:1: 2 requests in this file: pick one by name or number \(1: GET line 1; 2: GET line 3\)/,
    );
    assert.match(at('GET http://x.test/a', 'other'), /^1:1: no request "other" in this file/);
    assert.match(at('# only a comment'), /^1:1: no request in this file/);
  });

  it('writes the scenario beside the .http file, never over another file', () => {
    const conversion = convertHttpText(OPENAI, HTTP, 'chat');
    const first = writeScenarioBeside(HTTP, conversion);
    fs.writeFileSync(path.join(dir, 'app-chat-2.perf.yaml'), 'mine');
    const second = writeScenarioBeside(HTTP, conversion);
    assert.equal(first, path.join(dir, 'app-chat.perf.yaml'));
    assert.equal(second, path.join(dir, 'app-chat-3.perf.yaml'));
    assert.equal(fs.readFileSync(path.join(dir, 'app-chat-2.perf.yaml'), 'utf8'), 'mine');
    assert.equal(fs.readFileSync(second, 'utf8'), conversion.yaml);
  });

  it('scenarioFromHttpFile: the validated scenario of a request in a file, to run without writing one', () => {
    fs.writeFileSync(HTTP, OPENAI);
    const { scenario, conversion } = scenarioFromHttpFile(HTTP, 'Chat completions through the gateway');
    assert.equal(scenario.name, 'app-chat');
    assert.equal(conversion.request.label, 'chat');
    assert.throws(() => scenarioFromHttpFile(path.join(dir, 'missing.http'), undefined), /missing\.http:1:1: file not found/);
  });
});
