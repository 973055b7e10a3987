import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startSimulator, type SimulatorLogEntry } from '../../../src/simulator';
import { AZURE_PATH, OPENAI_PATH, chatBody, contentEvents, contentText, post, sleep } from './helpers';

describe('simulator log', () => {
  it('one entry per request that matches what the client received', async () => {
    const sim = await startSimulator({ ttft_ms: 20, tpot_ms: 3, keep_log: true, tokens_per_chunk: 3 });
    try {
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          post(
            sim.url,
            i % 2 ? AZURE_PATH : OPENAI_PATH,
            chatBody({ model: 'gpt-4o', stream: true, max_tokens: 5 + i, stream_options: { include_usage: i % 3 === 0 } }),
            { 'x-perflab-request-id': `req-${i}` },
          ),
        ),
      );
      assert.equal(sim.log.length, 12);
      assert.deepEqual(
        sim.log.map((e) => e.seq).sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      for (let i = 0; i < 12; i++) {
        const r = replies[i];
        const e = sim.log.find((x) => x.client_request_id === `req-${i}`)!;
        assert.ok(e, `entry for req-${i}`);
        assert.equal(e.route, i % 2 ? 'azure' : 'openai');
        assert.equal(e.status, 200);
        assert.equal(e.response_id, contentEvents(r)[0].json.id);
        assert.equal(e.content_chunk_ms.length, contentEvents(r).length);
        assert.equal(e.content_chunk_ms.length, Math.ceil((5 + i) / 3));
        assert.equal(e.completion_tokens, 5 + i);
        assert.equal(e.tokens_per_chunk, 3);
        assert.equal(e.content, contentText(r));
        assert.equal(e.include_usage, i % 3 === 0);
        assert.equal(e.sent_usage, i % 3 === 0);
        assert.equal(e.sent_prompt_filter, i % 2 === 1);
        assert.equal(e.stream, true);
        assert.equal(e.fault, null);
        assert.equal(e.interrupted, undefined);
        const usage = r.events.find((x) => x.json?.usage)?.json.usage;
        if (usage) assert.equal(usage.prompt_tokens, e.prompt_tokens);
        // The server's clock runs forwards through the request.
        assert.ok(e.received_ms <= e.headers_ms! && e.headers_ms! <= e.first_content_ms!);
        assert.equal(e.first_content_ms, e.content_chunk_ms[0]);
        for (let k = 1; k < e.content_chunk_ms.length; k++) assert.ok(e.content_chunk_ms[k] > e.content_chunk_ms[k - 1]);
        assert.ok(e.content_chunk_ms.at(-1)! <= e.end_ms);
        // Epoch ms on the same clock as the client's: the client saw the first token after it was written.
        const clientFirst = performance.timeOrigin + contentEvents(r)[0].t;
        assert.ok(clientFirst >= e.first_content_ms! && clientFirst - e.first_content_ms! < 200);
      }
    } finally {
      await sim.close();
    }
  });

  it('appends JSON lines to log_file, flushed on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-log-'));
    const file = join(dir, 'sim.jsonl');
    try {
      const sim = await startSimulator({ ttft_ms: 1, tpot_ms: 1, log_file: file });
      for (let i = 0; i < 5; i++) await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 3 }));
      await post(sim.url, OPENAI_PATH, chatBody()); // 400: logged too
      assert.equal(sim.log.length, 0, 'not kept in memory without keep_log');
      await sim.close();
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      assert.equal(lines.length, 6);
      const entries = lines.map((l) => JSON.parse(l) as SimulatorLogEntry);
      assert.deepEqual(
        entries.map((e) => e.status),
        [200, 200, 200, 200, 200, 400],
      );
      assert.ok(
        entries.every((e) => e.content === undefined),
        'text only with keep_log',
      );
      assert.equal(entries[0].content_chunk_ms.length, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await assert.rejects(startSimulator({ log_file: '/nonexistent-dir/x/sim.jsonl' }), /ENOENT/);
  });

  it('tracks requests in flight, a client that goes away, and close() ending open streams', async () => {
    const sim = await startSimulator({ ttft_ms: 10, tpot_ms: 50, jitter: 0, keep_log: true });
    let closed = false;
    try {
      // A client that disconnects mid-stream.
      await new Promise<void>((resolve) => {
        const req = request(sim.url + OPENAI_PATH, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.once('data', () => setTimeout(() => req.destroy(), 120));
          res.on('close', () => resolve());
        });
        req.on('error', () => resolve());
        req.end(JSON.stringify(chatBody({ model: 'm', stream: true, max_tokens: 100 })));
      });
      await sleep(50);
      assert.equal(sim.inFlight(), 0);
      assert.equal(sim.log[0].interrupted, 'client');
      assert.ok(sim.log[0].content_chunk_ms.length < 100);

      // Long streams still running when the simulator closes.
      const pending = Array.from({ length: 3 }, () => post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 200 })));
      await sleep(150);
      assert.equal(sim.inFlight(), 3);
      const t0 = performance.now();
      await sim.close();
      closed = true;
      assert.ok(performance.now() - t0 < 1000, 'close() does not wait for streams to finish');
      const replies = await Promise.all(pending);
      for (const r of replies) {
        assert.equal(r.ending, 'aborted');
        assert.ok(r.events.every((e) => e.data !== '[DONE]'));
      }
      assert.equal(sim.inFlight(), 0);
      const cut = sim.log.filter((e) => e.interrupted === 'shutdown');
      assert.equal(cut.length, 3);
      assert.ok(cut.every((e) => e.content_chunk_ms.length > 0 && e.content_chunk_ms.length < 200));
      await sim.close(); // idempotent
      await assert.rejects(fetch(sim.url + '/healthz'));
    } finally {
      if (!closed) await sim.close();
    }
  });
});
