// Serving slots (`max_concurrency`): requests beyond the slots wait in a FIFO queue; their headers and
// first token come after the wait, which the log records as queued_ms. No 429 is ever sent for it.

import { strict as assert } from 'node:assert';
import { startSimulator } from '../../../src/simulator';
import { AZURE_PATH, chatBody, post } from './helpers';

describe('simulator serving slots', () => {
  it('queues requests beyond max_concurrency, first come first served, and logs the wait', async () => {
    const sim = await startSimulator({ ttft_ms: 100, ttft_per_1k_prompt_ms: 0, tpot_ms: 10, jitter: 0, max_concurrency: 2, keep_log: true });
    try {
      const body = chatBody({ stream: true, max_tokens: 10 });
      // Four at once: two are served, two wait for a slot.
      const replies = await Promise.all([0, 1, 2, 3].map(() => post(sim.url, AZURE_PATH, body)));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 200, 200],
      );
      const log = [...sim.log].sort((a, b) => a.seq - b.seq);
      const served = log.filter((e) => e.queued_ms === undefined);
      const waited = log.filter((e) => e.queued_ms !== undefined);
      assert.equal(served.length, 2);
      assert.equal(waited.length, 2);
      // A slot is held for TTFT + 9 gaps ≈ 190 ms; the waiting ones start when the first two end.
      const holdMs = served[0].end_ms - served[0].received_ms;
      for (const e of waited) {
        assert.ok(Math.abs(e.queued_ms! - holdMs) < 40, `waited ${e.queued_ms} ms for a ${holdMs} ms slot`);
        assert.ok(e.first_content_ms! - e.received_ms >= e.queued_ms! + 90, 'TTFT includes the wait');
        assert.ok(e.headers_ms! - e.received_ms >= e.queued_ms! - 1, 'headers come after the wait');
      }
      // First come, first served: the waiting requests are the last two to arrive.
      assert.deepEqual(
        waited.map((e) => e.seq),
        log.slice(2).map((e) => e.seq),
      );
      assert.equal(sim.inFlight(), 0);
    } finally {
      await sim.close();
    }
  });

  it('a client that gives up while waiting frees its place; close() ends waiting requests too', async () => {
    const sim = await startSimulator({ ttft_ms: 300, tpot_ms: 10, jitter: 0, max_concurrency: 1, keep_log: true });
    const body = chatBody({ stream: true, max_tokens: 5 });
    const first = post(sim.url, AZURE_PATH, body);
    await new Promise((r) => setTimeout(r, 50));
    const controller = new AbortController();
    const gaveUp = fetch(`${sim.url}${AZURE_PATH}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal: controller.signal,
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sim.inFlight(), 2, 'one generating, one waiting');
    controller.abort();
    assert.equal(await gaveUp, 'aborted');
    await first;
    const third = post(sim.url, AZURE_PATH, body);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sim.inFlight(), 1, 'the one that gave up is gone; the next is served at once');
    await third;
    const lastEntry = sim.log[sim.log.length - 1];
    assert.equal(lastEntry.queued_ms, undefined, 'no wait once the slot was free');
    assert.ok(
      sim.log.some((e) => e.interrupted === 'client' && e.queued_ms === undefined && e.first_content_ms === undefined),
      'the abandoned request is logged',
    );

    const generating = post(sim.url, AZURE_PATH, body);
    const waiting = post(sim.url, AZURE_PATH, body);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sim.inFlight(), 2);
    await sim.close();
    const cut = await Promise.all(
      [generating, waiting].map((p) =>
        p.then(
          (r) => r.ending,
          () => 'aborted',
        ),
      ),
    );
    assert.deepEqual(cut, ['aborted', 'aborted']);
    assert.equal(sim.log.filter((e) => e.interrupted === 'shutdown').length, 2, 'both logged as cut by shutdown');
  });
});
