import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/simulator';
import { AZURE_PATH, OPENAI_PATH, chatBody, contentEvents, post, type Reply } from './helpers';

const FAST = { ttft_ms: 5, ttft_per_1k_prompt_ms: 0, tpot_ms: 2, jitter: 0, keep_log: true } as const;

async function withSim(opts: Partial<SimulatorOptions>, fn: (sim: RunningSimulator) => Promise<void>) {
  const sim = await startSimulator(opts);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

const faults = (f: Partial<SimulatorOptions['faults']>) =>
  ({ error_rate: 0, drop_rate: 0, stall_rate: 0, stall_ms: 5000, malformed_rate: 0, ...f }) as SimulatorOptions['faults'];

describe('simulator faults', () => {
  it('error_rate: HTTP 500 with the OpenAI error body, logged', () =>
    withSim({ ...FAST, faults: faults({ error_rate: 1 }) }, async (sim) => {
      for (const path of [AZURE_PATH, OPENAI_PATH]) {
        const r = await post(sim.url, path, chatBody({ model: 'gpt-4o', stream: true }));
        assert.equal(r.status, 500);
        const err = JSON.parse(r.body).error;
        assert.equal(err.type, 'server_error');
        assert.equal(err.code, null);
        assert.ok(err.message);
      }
      assert.deepEqual(
        sim.log.map((e) => [e.fault, e.status]),
        [
          ['error_500', 500],
          ['error_500', 500],
        ],
      );
    }));

  it('drop_rate: the socket is destroyed after about half the chunks — no finish, no [DONE]', () =>
    withSim({ ...FAST, faults: faults({ drop_rate: 1 }) }, async (sim) => {
      const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 10, stream_options: { include_usage: true } }));
      assert.equal(r.status, 200);
      assert.equal(r.ending, 'aborted');
      assert.equal(contentEvents(r).length, 5);
      assert.ok(r.events.every((e) => e.data !== '[DONE]' && !e.json?.choices?.[0]?.finish_reason && !e.json?.usage));
      const e = sim.log[0];
      assert.equal(e.fault, 'drop');
      assert.equal(e.completion_tokens, 5);
      assert.equal(e.content_chunk_ms.length, 5);
      assert.equal(e.sent_usage, false);
      assert.equal(e.content!.split(/(?=[ .,])/).length, 5);

      // Non-streaming: the connection is cut before any response.
      await assert.rejects(post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', max_tokens: 10 })), /socket hang up/);
      assert.equal(sim.log[1].fault, 'drop');
    }));

  it('stall_rate: the stream goes silent for stall_ms half way, then completes', () =>
    withSim({ ...FAST, faults: faults({ stall_rate: 1, stall_ms: 400 }) }, async (sim) => {
      const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 10 }));
      assert.equal(r.ending, 'end');
      assert.equal(r.events.at(-1)!.data, '[DONE]');
      const times = contentEvents(r).map((e) => e.t);
      assert.equal(times.length, 10);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      const longest = gaps.indexOf(Math.max(...gaps));
      assert.equal(longest, 4, `the stall sits before chunk 5: ${gaps.map((g) => g.toFixed(0))}`);
      assert.ok(gaps[4] >= 390, `stall gap ${gaps[4]}`);
      const e = sim.log[0];
      assert.equal(e.fault, 'stall');
      assert.ok(e.content_chunk_ms[5] - e.content_chunk_ms[4] >= 399);
      assert.equal(e.completion_tokens, 10);
    }));

  it('malformed_rate: one content event carries invalid JSON; the stream still ends with [DONE]', () =>
    withSim({ ...FAST, faults: faults({ malformed_rate: 1 }) }, async (sim) => {
      const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 8 }));
      assert.equal(r.ending, 'end');
      const broken = r.events.filter((e) => e.json === undefined && e.data !== '[DONE]');
      assert.equal(broken.length, 1);
      // Azure sorts keys, so the cut comes after choices[0].delta.content, before "id".
      assert.match(broken[0].data, /^\{"choices":\[\{.*"delta":\{"content":"[^"]+"$/);
      assert.throws(() => JSON.parse(broken[0].data));
      assert.equal(contentEvents(r).length, 7);
      assert.equal(r.events.indexOf(broken[0]), 2 + 4, 'filter, role, 4 good chunks, then the broken one');
      assert.equal(r.events.at(-1)!.data, '[DONE]');
      const e = sim.log[0];
      assert.equal(e.fault, 'malformed');
      const oai = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 4 }));
      const cut = oai.events.find((x) => x.json === undefined && x.data !== '[DONE]')!;
      assert.match(cut.data, /^\{"id":"chatcmpl-[A-Za-z0-9]{29}",.*"choices":\[\{"index":0,"delta":\{"content":"[^"]+"$/);
      const json = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', max_tokens: 4 }));
      assert.equal(json.status, 200);
      assert.throws(() => JSON.parse(json.body), 'non-streaming: a truncated JSON body');
      assert.equal(sim.log.at(-1)!.fault, 'malformed');
      assert.equal(e.content_chunk_ms.length, 8, 'the broken event is a content write too');
    }));

  it('mixed rates: each fault shows up, matches what the client saw, and is reproducible from the seed', async () => {
    const opts = {
      ...FAST,
      seed: 42,
      faults: faults({ error_rate: 0.2, drop_rate: 0.2, stall_rate: 0.2, stall_ms: 30, malformed_rate: 0.2 }),
    };
    const run = async () => {
      const sim = await startSimulator(opts);
      try {
        const replies: Reply[] = [];
        for (let i = 0; i < 40; i++) replies.push(await post(sim.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 6 })));
        return { replies, log: [...sim.log] };
      } finally {
        await sim.close();
      }
    };
    const a = await run();
    const seen = new Set(a.log.map((e) => e.fault));
    for (const f of [null, 'error_500', 'drop', 'stall', 'malformed']) assert.ok(seen.has(f as never), `saw ${String(f)}`);
    a.log.forEach((e, i) => {
      const r = a.replies[i];
      switch (e.fault) {
        case 'error_500':
          assert.equal(r.status, 500);
          break;
        case 'drop':
          assert.equal(r.ending, 'aborted');
          break;
        case 'malformed':
          assert.ok(r.events.some((x) => x.json === undefined && x.data !== '[DONE]'));
          break;
        default:
          assert.equal(r.events.at(-1)!.data, '[DONE]');
          assert.equal(contentEvents(r).length, 6);
      }
    });
    const b = await run();
    assert.deepEqual(
      b.log.map((e) => e.fault),
      a.log.map((e) => e.fault),
    );
    assert.deepEqual(
      b.log.map((e) => e.content),
      a.log.map((e) => e.content),
      'same text too',
    );
  });
});
