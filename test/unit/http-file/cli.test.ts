// `perflab import http` and `perflab run file.http --request NAME` as a user runs them (the built
// CLI), against the simulator's LLM app route on 127.0.0.1: the scenario written beside the .http
// file (never over another), what was left out said on stderr and never sent, the key taken from the
// environment variable the .http file names, and a run whose every success the simulator served.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { perflab, tmp } from '../helpers/run-cli';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';

const KEY = 'app-key-from-the-environment';
const ENV = 'PERFLAB_HTTP_TEST_KEY';

const HTTP = (base: string) => `@base = ${base}

### Ask the app
# @name ask
POST {{base}}/app/chat?stream=sse
Content-Type: application/json
Accept: text/event-stream
x-api-key: {{$processEnv ${ENV}}}
Cookie: session=LITERAL-COOKIE

{"question": "How do I reset my password?", "max_tokens": 12}

### health
GET {{base}}/healthz
`;

const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('perflab import http / perflab run file.http', function () {
  this.timeout(120_000);
  let sim: RunningSimulator;
  let dir: string;
  let httpFile: string;

  before(async () => {
    sim = await startSimulator({ port: 0, keep_log: true, api_key: KEY, ttft_ms: 40, tpot_ms: 4, app_retrieval_ms: 20, seed: 7 });
    dir = tmp('perflab-http-cli-');
    httpFile = path.join(dir, 'support.http');
    fs.writeFileSync(httpFile, HTTP(sim.url));
  });
  after(() => sim.close());

  it('import http: writes <file>-<request>.perf.yaml beside the .http file, then -2; says what it left out', async () => {
    const first = await perflab(['import', 'http', httpFile, '--request', 'ask']);
    assert.equal(first.code, 0, first.stderr);
    const written = path.join(dir, 'support-ask.perf.yaml');
    assert.match(first.stdout, new RegExp(`wrote ${written.replace(/[.\\/]/g, '\\$&')} \\(request "ask" of support\\.http\\)`));
    assert.match(first.stderr, /^perflab: left out header Cookie \(line 9\): it holds a secret/m);
    const yaml = fs.readFileSync(written, 'utf8');
    assert.ok(!yaml.includes('LITERAL-COOKIE'));
    assert.match(yaml, /auth: \{ type: api-key, header: x-api-key, env: PERFLAB_HTTP_TEST_KEY \}/);
    assert.match(yaml, new RegExp(`endpoint: ${sim.url.replace(/[.\\/]/g, '\\$&')}\\n`));

    const second = await perflab(['import', 'http', httpFile, '--request', '1']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'support-ask-2.perf.yaml'), 'utf8'), yaml);
    assert.equal(fs.readFileSync(written, 'utf8'), yaml);

    const refused = await perflab(['import', 'http', httpFile, '--request', 'ask', '--out', written]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already exists; choose another name, or pass --overwrite/);
    const which = await perflab(['import', 'http', httpFile]);
    assert.equal(which.code, 2);
    assert.match(which.stderr, /support\.http:1:1: 2 requests in this file: pick one by name or number \(1: ask, POST line 5; 2: health, GET line 14\)/);
  });

  it('the written scenario runs (duration shortened) with the key from the environment variable the .http file names', async () => {
    const file = path.join(dir, 'short.perf.yaml');
    await perflab(['import', 'http', httpFile, '--request', 'ask', '--out', file, '--overwrite']);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('rate: 30 ', 'rate: 600').replace('duration: 1m', 'duration: 3s'));
    const out = path.join(dir, 'run-short');
    const before = sim.log.length;
    const r = await perflab(['run', file, '--out', out], { env: { [ENV]: KEY } });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const t = summary.targets[0];
    const served = sim.log.slice(before);
    assert.ok(t.requests.succeeded >= 10, JSON.stringify(t.requests));
    assert.equal(t.requests.failed, 0);
    assert.equal(served.length, t.requests.sent);
    assert.ok(served.every((e) => e.route === 'app' && e.status === 200 && e.auth === 'api-key'));
    assert.equal(t.latency_ms.ttft.count, t.requests.succeeded);
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
  });

  it('run file.http --request: runs the request without writing a scenario; Ctrl-C ends it with a summary', async () => {
    const out = path.join(dir, 'run-direct');
    const before = sim.log.length;
    const scenarios = () => fs.readdirSync(dir).filter((f) => f.endsWith('.perf.yaml'));
    const scenariosBefore = scenarios();
    const r = await perflab(['run', httpFile, '--request', 'ask', '--out', out], {
      env: { [ENV]: KEY },
      // 30 requests a minute: stop once the simulator has answered two.
      onStart: (child) => {
        const poll = setInterval(() => {
          if (sim.log.length - before >= 2) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 100);
        child.on('exit', () => clearInterval(poll));
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^perflab: left out header Cookie \(line 9\)/m);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.scenario.name, 'support-ask');
    const records = readJsonl(path.join(out, 'requests.jsonl'));
    assert.ok(summary.targets[0].requests.succeeded >= 2);
    assert.equal(records.length, sim.log.length - before);
    assert.ok(records.every((rec) => rec.ttft_ms > 0));
    assert.deepEqual(scenarios(), scenariosBefore, 'no scenario file written');
  });

  it('run: problems of the .http file are usage errors naming file:line:col; --request only for .http files', async () => {
    const bad = path.join(dir, 'bad.rest');
    fs.writeFileSync(bad, 'POST http://127.0.0.1:9/x\nX-Id: {{$guid}}\n');
    const r = await perflab(['run', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.rest:2:7: \{\{\$guid\}\}: REST Client's system variables are not filled in by perflab/);
    const scenario = path.join(dir, 'support-ask.perf.yaml');
    const flag = await perflab(['run', scenario, '--request', 'ask']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--request: .*support-ask\.perf\.yaml is not a \.http or \.rest file/);
  });
});
