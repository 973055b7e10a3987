// The CLI as a user meets a bad day: a throttled or unreachable deployment, a bad key, a reused or
// unwritable --out, a prompt file with nothing in it, a CI job cancelled with SIGTERM. Each gets its
// exit code (1 SLO failed, 2 bad input, 3 the run failed), a message, and never a stack trace.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFaultServer, throttle, type FaultServer } from '../engine/fault-server';
import { perflab, tmp } from '../helpers/run-cli';
import { freePort } from '../engine/helpers';

const KEY = 'sk-test-0a1b2c3d4e5f60718293';

function noStack(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, `a stack trace was printed:\n${text}`);
}

describe('perflab CLI: do no harm, count every failure, clear errors', function () {
  this.timeout(60_000);
  let server: FaultServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('load --retry none against a deployment that throttles everything: one attempt per request, on time, exit 3', async () => {
    server = await startFaultServer((_req, res) => throttle(res, 1000));
    const out = path.join(tmp(), 'run');
    const started = performance.now();
    const r = await perflab([
      'load',
      `${server.url}/v1`,
      '--provider',
      'openai-compatible',
      '--model',
      'gpt-4o-mini',
      '--rate',
      '60',
      '--clients',
      '5',
      '--duration',
      '3',
      '--out',
      out,
    ]);
    const elapsedS = (performance.now() - started) / 1000;
    noStack(r.stderr);
    assert.equal(r.code, 3, r.stderr);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const t = summary.targets[0];
    assert.equal(server.attempts.length, t.requests.sent, 'one attempt per request at the server');
    assert.ok(t.requests.sent >= 2 && t.requests.sent <= 5, `sent ${t.requests.sent} at 1 per second for 3 s`);
    assert.equal(t.requests.failed, t.requests.sent);
    assert.equal(t.requests.errors.throttled, t.requests.sent);
    assert.ok(elapsedS < 3 + 6, `a 3 s run took ${elapsedS.toFixed(1)} s (process start included)`);
    assert.match(r.stderr, /the run failed: target ".*": no request succeeded \(\d+ throttled\)/);
    assert.match(r.stdout, /top errors:\n\s+\d+ × throttled: HTTP 429: Requests to the deployment have exceeded the rate limit/);
    assert.match(r.stdout, /retry none/);
  });

  it('a run where every connection fails exits 3 with the error, and the summary is written', async () => {
    const port = await freePort();
    const out = path.join(tmp(), 'run');
    const r = await perflab([
      'load',
      `http://127.0.0.1:${port}/v1`,
      '--provider',
      'openai-compatible',
      '--model',
      'gpt-4o-mini',
      '--requests',
      '3',
      '--clients',
      '1',
      '--out',
      out,
    ]);
    noStack(r.stderr);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no request succeeded \(3 connection\); most common: ECONNREFUSED/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.match(summary.error, /no request succeeded/);
    assert.equal(summary.passed, false);
  });

  it('a key with a trailing carriage return or a non-Latin-1 character: exit 2 before anything is sent, the key never printed', async () => {
    server = await startFaultServer((_req, res) => throttle(res, 1000));
    for (const bad of [`${KEY}\r`, `${KEY}é`, `${KEY}€`]) {
      const r = await perflab(
        [
          'load',
          `${server.url}/v1`,
          '--provider',
          'openai-compatible',
          '--model',
          'gpt-4o-mini',
          '--api-key-env',
          'PERFLAB_TEST_KEY',
          '--requests',
          '1',
          '--out',
          path.join(tmp(), 'run'),
        ],
        {
          env: { PERFLAB_TEST_KEY: bad },
        },
      );
      noStack(r.stderr);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /environment variable PERFLAB_TEST_KEY contains (a carriage return \(\\r\)|a non-ASCII character \(U\+[0-9A-F]{4}\)) at its end/);
      assert.ok(!(r.stdout + r.stderr).includes(KEY), 'the key was printed');
    }
    assert.equal(server.attempts.length, 0, 'nothing reached the server');
  });

  it('--out holding a run is refused (exit 2); --overwrite replaces it; an unwritable --out is exit 3', async () => {
    const dir = tmp();
    const out = path.join(dir, 'run');
    const args = ['load', 'simulator', '--model', 'gpt-4o-mini', '--max-tokens', '5', '--requests', '2', '--clients', '2', '--out', out];
    const first = await perflab(args);
    assert.equal(first.code, 0, first.stderr);
    const second = await perflab(args);
    noStack(second.stderr);
    assert.equal(second.code, 2);
    assert.match(
      second.stderr,
      /--out .*run: already holds a run \(run\.json, summary\.json, requests\.jsonl, windows\.jsonl\); choose another folder, or pass --overwrite/,
    );
    const third = await perflab([...args, '--overwrite']);
    assert.equal(third.code, 0, third.stderr);
    const ids = fs
      .readFileSync(path.join(out, 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    assert.deepEqual(ids.sort(), [0, 1], 'one run in the folder, no duplicate ids');

    fs.writeFileSync(path.join(dir, 'a-file'), 'x');
    const unwritable = await perflab(['load', 'simulator', '--requests', '1', '--out', path.join(dir, 'a-file', 'run')]);
    noStack(unwritable.stderr);
    assert.equal(unwritable.code, 3);
    assert.match(unwritable.stderr, /perflab: cannot write results to .*a-file\/run: (ENOTDIR|EEXIST)/);
  });

  const badPromptFiles: { what: string; name: string; text: string; prompts: string; expect: RegExp }[] = [
    { what: 'an empty dataset', name: 'empty.jsonl', text: '', prompts: 'dataset: empty.jsonl', expect: /empty\.jsonl/ },
    {
      what: 'a dataset with an invalid JSON line',
      name: 'bad.jsonl',
      text: '{"messages":[{"role":"user","content":"hi"}]}\n{oops\n',
      prompts: 'dataset: bad.jsonl',
      expect: /bad\.jsonl:2:\d+/,
    },
    {
      what: 'a prompty with a missing variable',
      name: 'missing.prompty',
      text: '---\nname: x\n---\nuser:\nTell me about {{product}}.\n',
      prompts: 'file: missing.prompty',
      expect: /missing\.prompty.*product/,
    },
    { what: 'an empty prompty', name: 'empty.prompty', text: '', prompts: 'file: empty.prompty', expect: /empty\.prompty/ },
  ];
  for (const c of badPromptFiles) {
    it(`endpoint: simulator with ${c.what}: exit 2 naming the file, and the process exits (no hang)`, async () => {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, c.name), c.text);
      const file = path.join(dir, 'bad.perf.yaml');
      fs.writeFileSync(
        file,
        `name: bad\ntargets:\n  - name: sim\n    endpoint: simulator\n    model: gpt-4o-mini\nworkload:\n  mode: closed\n  requests: 2\nprompts:\n  ${c.prompts}\n`,
      );
      const r = await perflab(['run', file, '--out', path.join(dir, 'run')]);
      noStack(r.stderr);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.expect);
    });
  }

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} aborts in-flight requests at once and still writes the summary`, async () => {
      // Streams that take 20 s: only an abort ends the run quickly.
      server = await startFaultServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] })}\n\n`);
        const timer = setTimeout(() => res.end(), 20_000);
        res.on('close', () => clearTimeout(timer));
      });
      const out = path.join(tmp(), 'run');
      let signalledAt = 0;
      const r = await perflab(
        ['load', `${server.url}/v1`, '--provider', 'openai-compatible', '--model', 'gpt-4o-mini', '--clients', '3', '--duration', '60', '--out', out],
        {
          onStart: (child) => {
            const poll = setInterval(() => {
              if (server!.attempts.length >= 3) {
                clearInterval(poll);
                signalledAt = performance.now();
                child.kill(signal);
              }
            }, 50);
          },
        },
      );
      const exitS = (performance.now() - signalledAt) / 1000;
      noStack(r.stderr);
      assert.ok(exitS < 3, `exited ${exitS.toFixed(1)} s after ${signal}`);
      assert.match(r.stderr, new RegExp(`${signal}: aborting in-flight requests`));
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
      assert.equal(summary.stopped_by, 'stop');
      assert.equal(summary.targets[0].requests.cancelled, summary.targets[0].requests.sent);
      const lines = fs.readFileSync(path.join(out, 'requests.jsonl'), 'utf8').trim().split('\n');
      assert.equal(lines.length, summary.targets[0].requests.sent, 'every sent request recorded');
    });
  }
});
