// The engine never harms a deployment, never crashes on what a server sends, and counts every failure:
// attempts per request counted at the server, every end of a request classified.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../../../src/engine/run';
import type { RequestRecord } from '../../../src/engine/records';
import { parseSlo } from '../../../src/engine/scenario/slo';
import { chunk, healthyStream, startFaultServer, throttle, type FaultServer } from './fault-server';
import { runCollect, scenario, target } from './helpers';

function openLoop(rateRpm: number, durationS: number, clients = 5) {
  return { mode: 'open' as const, rate_rpm: rateRpm, duration_s: durationS, requests: undefined, clients, arrival: 'constant' as const };
}

function attemptsPerRequest(server: FaultServer): Map<string, number[]> {
  const byId = new Map<string, number[]>();
  for (const a of server.attempts) byId.set(a.requestId!, [...(byId.get(a.requestId!) ?? []), a.at]);
  return byId;
}

describe('do no harm: retries, failures that count, no crash', function () {
  this.timeout(60_000);
  let server: FaultServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('a deployment that throttles every request (429, retry-after-ms 1000)', () => {
    it('retry none: exactly one attempt per request, each failed as throttled, and the run ends on time', async () => {
      server = await startFaultServer((_req, res) => throttle(res, 1000));
      const s = scenario([target(server.url)], { workload: openLoop(60 * 4, 2), retry: { policy: 'none', max_retry_s: 60 } });
      const started = performance.now();
      const { records, summary } = await runCollect(s);
      const elapsedS = (performance.now() - started) / 1000;
      assert.ok(records.length >= 6, `sent ${records.length}`);
      assert.equal(server.attempts.length, records.length, 'one attempt per request at the server');
      for (const r of records) {
        assert.equal(r.attempts, 1);
        assert.equal(r.status, 429);
        assert.equal(r.error, 'throttled');
        assert.match(r.error_message!, /not retried: retry policy none/);
      }
      const t = summary.targets[0];
      assert.equal(t.requests.failed, records.length, 'a throttled request is a failure');
      assert.equal(t.requests.cancelled, 0);
      assert.equal(t.requests.errors.throttled, records.length);
      assert.ok(elapsedS < 2 + 1.5, `a 2 s run lasted ${elapsedS.toFixed(1)} s`);
      assert.match(summary.error ?? '', /no request succeeded \(\d+ throttled\)/);
      assert.equal(summary.passed, false);
      assert.ok(t.warnings.some((w) => /ended throttled/.test(w)));
    });

    it('retry exponential: never more than one attempt per retry-after, gives up within the retry budget', async () => {
      server = await startFaultServer((_req, res) => throttle(res, 300));
      const s = scenario([target(server.url)], { workload: { requests: 3, clients: 3 }, retry: { policy: 'exponential', max_retry_s: 1.2 } });
      const { records, summary } = await runCollect(s);
      const byId = attemptsPerRequest(server);
      assert.equal(byId.size, 3);
      for (const r of records) {
        const times = byId.get(String(r.id))!;
        assert.equal(times.length, r.attempts, 'every attempt reached the server');
        // 0, 300, 600, 900 ms: the fourth wait would pass 1.2 s.
        assert.ok(r.attempts >= 2 && r.attempts <= 5, `attempts ${r.attempts}`);
        for (let i = 1; i < times.length; i++) {
          assert.ok(times[i] - times[i - 1] >= 300 - 5, `attempt ${i} came ${(times[i] - times[i - 1]).toFixed(0)} ms after the previous one, retry-after 300`);
        }
        assert.equal(r.error, 'throttled');
        assert.match(r.error_message!, /gave up: the next wait \(300 ms\) would pass the 1\.2 s retry budget/);
        assert.ok(r.backoff_ms >= 300 * (r.attempts - 1) - 10);
      }
      assert.equal(summary.targets[0].requests.failed, 3);
      assert.equal(summary.targets[0].requests.throttled_responses, server.attempts.length);
    });

    it('retry exponential: a wait longer than the run ends the request as throttled when the schedule ends', async () => {
      server = await startFaultServer((_req, res) => throttle(res, 5000));
      const s = scenario([target(server.url)], { workload: openLoop(120, 1), retry: { policy: 'exponential', max_retry_s: 60 } });
      const started = performance.now();
      const { records, summary } = await runCollect(s);
      const elapsedS = (performance.now() - started) / 1000;
      assert.ok(elapsedS < 1 + 1, `a 1 s run lasted ${elapsedS.toFixed(1)} s (the retry waits must not outlive it)`);
      assert.equal(server.attempts.length, records.length, 'no retry was sent: every wait outlived the run');
      for (const r of records) {
        assert.equal(r.error, 'throttled');
        assert.match(r.error_message!, /still waiting to retry when the run ended|the run ended/);
      }
      assert.equal(summary.targets[0].requests.cancelled, 0);
    });
  });

  it('a stream that only sends keep-alive pings is a timeout failure, and a failure-rate SLO fails', async () => {
    server = await startFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ping = setInterval(() => res.write(': ping\n\n'), 100);
      res.on('close', () => clearInterval(ping));
    });
    const s = scenario([target(server.url)], {
      workload: { requests: 3, clients: 3 },
      timeouts: { request_s: 1, idle_s: 30 },
      slos: [parseSlo('failures < 1%')],
    });
    const { records, summary } = await runCollect(s);
    for (const r of records) {
      assert.equal(r.error, 'timeout');
      assert.match(r.error_message!, /no complete response after 1 s/);
    }
    assert.equal(summary.targets[0].requests.failed, 3);
    assert.equal(summary.slos[0].pass, false);
    assert.equal(summary.slos[0].actual, 1);
  });

  it('a request still running when the drain limit ends is a timeout, not cancelled', async () => {
    server = await startFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ping = setInterval(() => res.write(': ping\n\n'), 100);
      res.on('close', () => clearInterval(ping));
    });
    const s = scenario([target(server.url)], { workload: { ...openLoop(120, 0.6), drain_timeout_s: 0.5 }, timeouts: { request_s: 60, idle_s: 30 } });
    const started = performance.now();
    const { records, summary } = await runCollect(s);
    assert.ok((performance.now() - started) / 1000 < 0.6 + 0.5 + 1, 'ended within duration + drain limit');
    assert.ok(records.length >= 1);
    for (const r of records) {
      assert.equal(r.error, 'timeout');
      assert.match(r.error_message!, /drain limit \(0\.5 s/);
    }
    assert.equal(summary.targets[0].requests.cancelled, 0);
    assert.equal(summary.targets[0].requests.failed, records.length);
  });

  it('Stop and on_end: abort still cancel (the user ended the work)', async () => {
    server = await startFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ping = setInterval(() => res.write(': ping\n\n'), 100);
      res.on('close', () => clearInterval(ping));
    });
    const records: RequestRecord[] = [];
    const run = startRun(scenario([target(server.url)], { workload: { requests: 2, clients: 2 } }), {
      outDir: null,
      resolveCredential: async () => null,
      onRecord: (r) => records.push(r),
    });
    setTimeout(() => run.stop('abort'), 300);
    const summary = await run.done;
    assert.equal(records.length, 2);
    for (const r of records) assert.equal(r.error, 'cancelled');
    assert.equal(summary.stopped_by, 'stop');
    assert.equal(summary.error, undefined, 'a run the user stopped is not a failed run');
  });

  describe('what a server sends', () => {
    it('a stream of only [DONE] is a failure, not a success with 0 tokens', async () => {
      server = await startFaultServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: [DONE]\n\n');
      });
      const { records, summary } = await runCollect(scenario([target(server.url)], { workload: { requests: 2, clients: 1 } }));
      for (const r of records) {
        assert.equal(r.error, 'malformed_stream');
        assert.match(r.error_message!, /without any output or finish chunk/);
      }
      assert.equal(summary.targets[0].requests.succeeded, 0);
    });

    it('`data: null` fails that request only; the others in flight finish', async () => {
      server = await startFaultServer((_req, res, attempt) => {
        if (Number(attempt.requestId) % 2 === 0) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant' }));
          res.end('data: null\n\n');
        } else setTimeout(() => healthyStream(res), 50);
      });
      const { records, summary } = await runCollect(scenario([target(server.url)], { workload: { requests: 6, clients: 6 } }));
      assert.equal(records.length, 6);
      for (const r of records) {
        if (r.id % 2 === 0) {
          assert.equal(r.error, 'malformed_stream');
          assert.match(r.error_message!, /not a JSON object: null/);
        } else assert.equal(r.error, null, r.error_message ?? '');
      }
      assert.equal(summary.targets[0].requests.succeeded, 3);
      assert.equal(summary.targets[0].requests.failed, 3);
    });

    it('`data: null` on the Responses API fails that request only, too', async () => {
      server = await startFaultServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { id: 'resp_1' } })}\n\n`);
        res.end('event: response.output_text.delta\ndata: null\n\n');
      });
      const { records, summary } = await runCollect(scenario([target(server.url, { api: 'responses' })], { workload: { requests: 2, clients: 2 } }));
      assert.equal(server.attempts[0].url, '/v1/responses');
      for (const r of records) {
        assert.equal(r.error, 'malformed_stream');
        assert.match(r.error_message!, /not a JSON object: null/);
      }
      assert.equal(summary.targets[0].requests.failed, 2);
    });

    it('`tool_calls: [null]` is not the first token; a negative completion_tokens is not counted', async () => {
      server = await startFaultServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk({ role: 'assistant', tool_calls: [null] }));
        setTimeout(() => {
          res.write(chunk({ content: 'hello there' }));
          res.write(`data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ id: 'x', choices: [], usage: { prompt_tokens: 10, completion_tokens: -5, total_tokens: 5 } })}\n\n`);
          res.end('data: [DONE]\n\n');
        }, 150);
      });
      const { records, summary } = await runCollect(scenario([target(server.url)], { workload: { requests: 2, clients: 1 } }));
      for (const r of records) {
        assert.equal(r.error, null);
        assert.ok(r.ttft_ms! >= 140, `TTFT ${r.ttft_ms} ms: the null tool call was taken as a token`);
        assert.equal(r.content_chunks, 1);
        assert.equal(r.tokens_estimated, true, 'an impossible usage is replaced by the tokenizer count');
        assert.ok(r.completion_tokens! > 0);
      }
      assert.ok(summary.targets[0].tokens.completion > 0);
    });

    it('a gateway 502 HTML page is summarised by its title, not stored raw', async () => {
      const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'<p>x</p>'.repeat(500)}</body></html>`;
      server = await startFaultServer((_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(page);
      });
      const { records, summary } = await runCollect(scenario([target(server.url)], { workload: { requests: 1, clients: 1 } }));
      assert.equal(records[0].status, 502);
      assert.match(records[0].error_message!, /^HTTP 502: HTML page "502 Bad Gateway" \(\d+ bytes, not stored\)$/);
      assert.deepEqual(summary.targets[0].error_messages, [{ error: 'http_error', message: records[0].error_message, count: 1 }]);
    });

    it('a JSON body where a stream was asked for says exactly that', async () => {
      server = await startFaultServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'hi' } }] }));
      });
      const { records } = await runCollect(scenario([target(server.url)], { workload: { requests: 1, clients: 1 } }));
      assert.equal(records[0].error, 'malformed_stream');
      assert.match(records[0].error_message!, /expected an event stream \(text\/event-stream\) but the server sent a application\/json body/);
    });

    it('no response headers at all is a connect/headers timeout, not an idle stream', async () => {
      server = await startFaultServer(() => {
        /* never answers */
      });
      const { records } = await runCollect(scenario([target(server.url)], { workload: { requests: 1, clients: 1 }, timeouts: { request_s: 60, idle_s: 0.5 } }));
      assert.equal(records[0].error, 'timeout');
      assert.match(records[0].error_message!, /no response headers within 0\.5 s/);
    });
  });

  describe('secrets', () => {
    const KEY = 'sk-test-9f8e7d6c5b4a39281706';

    it('a key the server echoes in an error body never reaches requests.jsonl or summary.json', async () => {
      server = await startFaultServer((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}. You can find your API key at …` } }));
      });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-redact-'));
      const run = startRun(scenario([target(server.url, { auth: { type: 'api-key' } })], { workload: { requests: 2, clients: 1 } }), {
        outDir: dir,
        resolveCredential: async () => ({ header: 'api-key', value: KEY }),
      });
      await run.done;
      assert.equal(server.attempts[0].headers.authorization, `Bearer ${KEY}`, 'the key was sent to its endpoint');
      for (const file of fs.readdirSync(dir)) {
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        assert.ok(!text.includes(KEY), `${file} holds the key`);
      }
      const record = JSON.parse(fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n')[0]);
      assert.match(record.error_message, /Incorrect API key provided: \[redacted\]/);
    });

    it('a key with a carriage return stops the run before anything is sent', async () => {
      server = await startFaultServer((_req, res) => healthyStream(res));
      const run = startRun(scenario([target(server.url, { auth: { type: 'api-key' } })]), {
        outDir: null,
        resolveCredential: async () => ({ header: 'api-key', value: `${KEY}\r` }),
      });
      await assert.rejects(run.done, /the key contains a carriage return \(\\r\) at its end/);
      assert.equal(server.attempts.length, 0);
    });
  });

  it('results that cannot be written (disk full) end the run with a summary that says so', async function () {
    if (!fs.existsSync('/dev/full')) this.skip(); // Linux's always-full device stands in for a full disk
    server = await startFaultServer((_req, res) => healthyStream(res));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-full-'));
    fs.symlinkSync('/dev/full', path.join(dir, 'requests.jsonl'));
    const started = performance.now();
    const { summary } = await runCollect(scenario([target(server.url)], { workload: openLoop(600, 5, 4) }), dir);
    assert.ok((performance.now() - started) / 1000 < 4, 'the run stopped at the first failed write');
    assert.equal(summary.stopped_by, 'error');
    assert.match(summary.error!, /cannot write results: ENOSPC/);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    assert.equal(onDisk.stopped_by, 'error');
    assert.ok(onDisk.targets[0].requests.sent >= 1, 'what was measured is in the summary');
  });
});
