// The built `perflab` CLI as a user runs it: exit codes, messages, run folders, keys.

import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { perflab, tmp as makeTmp } from '../helpers/run-cli';
import * as fs from 'node:fs';
import * as path from 'node:path';

const tmp = () => makeTmp('perflab-cli-');

function writeScenario(dir: string, body: string): string {
  const file = path.join(dir, 'test.perf.yaml');
  fs.writeFileSync(file, body);
  return file;
}

const SMALL = (slos: string) => `
name: cli-test
targets:
  - name: sim
    provider: simulator
    endpoint: simulator
    deployment: gpt-4o-mini
    model: gpt-4o-mini
    auth: { type: none }
    simulator: { ttft_ms: 30, tpot_ms: 2 }
workload:
  rate: 600
  clients: 10
  duration: 3s
prompts:
  shape: custom
  context_tokens: 80
  max_tokens: 10
aggregation_window: 2s
slos:
${slos}
`;

const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('perflab CLI', function () {
  this.timeout(60_000);

  it('run: live lines, summary table, run folder, exit 0 when SLOs pass', async () => {
    const dir = tmp();
    const out = path.join(dir, 'run');
    const r = await perflab(['run', writeScenario(dir, SMALL('  - ttft.p95 < 5s\n  - failures < 5%')), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rpm: [\d.]+\/600 +requests: \d+/);
    assert.match(r.stdout, /TTFT \(first visible token\)/);
    assert.doesNotMatch(r.stdout, /TTFR|ttfr/, 'no reasoning rows for a model that does not reason');
    assert.match(r.stdout, /PASS {2}sim: ttft\.p95 < 5s/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const records = readJsonl(path.join(out, 'requests.jsonl'));
    const windows = readJsonl(path.join(out, 'windows.jsonl'));
    assert.equal(records.length, summary.targets[0].requests.sent);
    assert.ok(records.length >= 25 && records.length <= 31, `about 30 requests in 3 s at 600 RPM, got ${records.length}`);
    assert.ok(windows.length >= 3);
    assert.equal(summary.passed, true);
    for (const rec of records) {
      assert.equal(rec.type, 'request');
      assert.equal(rec.prompt_tokens, 80);
      assert.equal(rec.completion_tokens, 10);
      assert.equal(typeof rec.scheduled_ms, 'number');
    }
  });

  it('run: exit 1 and a JUnit failure when an SLO fails', async () => {
    const dir = tmp();
    const junit = path.join(dir, 'junit.xml');
    const r = await perflab(['run', writeScenario(dir, SMALL('  - ttft.p95 < 1ms')), '--out', path.join(dir, 'run'), '--junit', junit]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /FAIL {2}sim: ttft\.p95 < 1ms/);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuite name="cli-test \/ sim" tests="1" failures="1"/);
    assert.match(xml, /<failure type="fail" message="ttft.p95 &lt; 1ms not met: actual [\d.]+"/);
  });

  it('run: exit 2 with file:line:col, the field and the allowed values; nothing is sent', async () => {
    const dir = tmp();
    const file = writeScenario(dir, SMALL('  - ttft.p95 < 5s').replace('rate: 600', 'rate: 600\n  arrival: possion'));
    const r = await perflab(['run', file, '--out', path.join(dir, 'run')]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${file}:13:12: workload.arrival`), r.stderr);
    assert.match(r.stderr, /constant, poisson/);
    assert.match(r.stderr, /did you mean "poisson"/);
    assert.equal(fs.existsSync(path.join(dir, 'run')), false, 'no run folder: nothing ran');
  });

  it('load: the Azure tool flags with JSON-lines output', async () => {
    const dir = tmp();
    const r = await perflab([
      'load',
      'simulator',
      '--deployment',
      'gpt-4o',
      '--rate',
      '600',
      '--clients',
      '10',
      '--duration',
      '2',
      '--shape-profile',
      'custom',
      '--context-tokens',
      '60',
      '--max-tokens',
      '8',
      '--aggregation-window',
      '5',
      '--output-format',
      'jsonl',
      '--out',
      path.join(dir, 'run'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.filter((l) => l.type === 'window').length >= 2);
    const summary = lines.at(-1);
    assert.equal(summary.type, 'summary');
    assert.equal(summary.targets[0].requests.failed, 0);
    assert.ok(summary.targets[0].requests.sent >= 15);
    assert.equal(summary.targets[0].tokens.prompt, summary.targets[0].requests.completed * 60);
  });

  it('load --api responses: Responses API requests, records and summary say so; reasoning shows in run', async () => {
    const dir = tmp();
    const out = path.join(dir, 'run');
    const r = await perflab([
      'load',
      'simulator',
      '--deployment',
      'o4-mini',
      '--api',
      'responses',
      '--reasoning-effort',
      'low',
      '--requests',
      '6',
      '--clients',
      '3',
      '--shape-profile',
      'custom',
      '--context-tokens',
      '60',
      '--max-tokens',
      '8',
      '--output-format',
      'jsonl',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const records = readJsonl(path.join(out, 'requests.jsonl'));
    assert.equal(records.length, 6);
    for (const rec of records) {
      assert.equal(rec.api, 'responses');
      assert.match(rec.response_id, /^resp_/);
      assert.equal(rec.completion_tokens, 8);
      assert.equal(rec.ttfr_ms, null);
      assert.equal(rec.reasoning_tokens, 0);
    }
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).targets[0].api, 'responses');

    const reasoning = SMALL('  - ttfr.p95 < 5s')
      .replace('tpot_ms: 2 }', 'tpot_ms: 2, reasoning_tokens: 4 }')
      .replace('    auth: { type: none }', '    api: responses\n    auth: { type: none }');
    const run = await perflab(['run', writeScenario(dir, reasoning), '--out', path.join(dir, 'run2')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /ttfr avg: \d+ 95th: \d+ {2}ttft avg/);
    assert.match(run.stdout, /TTFR \(first reasoning token\)/);
    assert.match(run.stdout, /PASS {2}sim: ttfr\.p95 < 5s/);
  });

  it('load --api with a bad value: exit 2 and the allowed values; nothing is sent', async () => {
    const r = await perflab(['load', 'simulator', '--api', 'completions', '--requests', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--api <api>' argument 'completions' is invalid\. Allowed choices are chat, responses/);
  });

  it('load: a key from --api-key-env reaches the endpoint; without it the run stops before sending', async () => {
    let sim: ChildProcess | undefined;
    const url = await new Promise<string>((resolve) => {
      void perflab(['simulate', '--port', '0', '--api-key-env', 'SIM_KEY'], {
        env: { SIM_KEY: 'secret-123' },
        onStart: (child) => {
          sim = child;
          child.stdout!.on('data', (d) => {
            const m = /listening on (http:\/\/\S+)/.exec(String(d));
            if (m) resolve(m[1]);
          });
        },
      });
    });
    try {
      const args = [
        'load',
        url,
        '--provider',
        'azure',
        '--deployment',
        'gpt-4o',
        '--requests',
        '3',
        '--clients',
        '1',
        '--max-tokens',
        '5',
        '--context-tokens',
        '30',
        '--shape-profile',
        'custom',
        '--api-key-env',
        'MY_KEY',
      ];
      const ok = await perflab([...args, '--out', path.join(tmp(), 'ok')], { env: { MY_KEY: 'secret-123' } });
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(!ok.stdout.includes('secret-123') && !ok.stderr.includes('secret-123'), 'the key is never printed');
      const wrongDir = path.join(tmp(), 'wrong');
      const wrong = await perflab([...args, '--out', wrongDir], { env: { MY_KEY: 'not-the-key' } });
      const records = readJsonl(path.join(wrongDir, 'requests.jsonl'));
      assert.ok(records.every((rec) => rec.status === 401 && rec.error === 'http_error'));
      assert.ok(!fs.readFileSync(path.join(wrongDir, 'requests.jsonl'), 'utf8').includes('not-the-key'));
      assert.ok(!fs.readFileSync(path.join(wrongDir, 'summary.json'), 'utf8').includes('not-the-key'));
      // Every request refused: the run measured nothing of the deployment, whatever the SLOs say.
      assert.equal(wrong.code, 3);
      assert.match(wrong.stderr, /no request succeeded \(3 http_error\); most common: HTTP 401/);
      const missing = await perflab([...args, '--out', path.join(tmp(), 'missing')], { env: { MY_KEY: '' } });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /environment variable MY_KEY is not set/);
    } finally {
      sim?.kill('SIGINT');
    }
  });

  it('Ctrl-C stops cleanly: summary written, every sent request recorded', async () => {
    const dir = tmp();
    const out = path.join(dir, 'run');
    const file = writeScenario(dir, SMALL('  - failures < 5%').replace('duration: 3s', 'duration: 60s'));
    // Interrupt once the run is under way (its second status line), however slow the machine is.
    const r = await perflab(['run', file, '--out', out], {
      onStart: (child) => {
        let lines = 0;
        child.stdout!.on('data', (d) => {
          lines += (String(d).match(/rpm: /g) ?? []).length;
          if (lines >= 2 && lines < 100) {
            lines = 100;
            child.kill('SIGINT');
          }
        });
      },
    });
    assert.match(r.stderr, /stopping/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.stopped_by, 'stop');
    const records = readJsonl(path.join(out, 'requests.jsonl'));
    assert.equal(records.length, summary.targets[0].requests.sent);
    assert.ok(summary.targets[0].duration_s < 10);
  });

  it('tokens: per-section counts and the total as JSON', async () => {
    const r = await perflab(['tokens', 'examples/prompts/support.prompty', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.encoding, 'o200k_base');
    assert.deepEqual(
      report.sections.map((s: { label: string }) => s.label),
      ['system', 'user'],
    );
    assert.equal(report.total, report.sections.reduce((a: number, s: { tokens: number }) => a + s.tokens, 0) + report.overhead);
    assert.ok(report.overhead > 0);
  });
});
