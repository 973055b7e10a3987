import assert from 'node:assert/strict';
import { startSimulator } from '../../../src/simulator';
import { LatencyModel, PTU_SLOWDOWN } from '../../../src/simulator/latency-model';
import { resolveOptions } from '../../../src/simulator/defaults';
import { Rng } from '../../../src/simulator/rng';
import { OPENAI_PATH, AZURE_PATH, chatBody, contentEvents, post } from './helpers';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const diffs = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]);

describe('simulator latency model', () => {
  it('computes TTFT, gaps and load factors as documented', () => {
    const m = new LatencyModel(resolveOptions({ ttft_ms: 100, ttft_per_1k_prompt_ms: 50, tpot_ms: 10, jitter: 0 }));
    const rng = new Rng(1);
    assert.equal(m.ttftMs(2000, 1, rng), 200);
    assert.equal(m.ttftMs(2000, 2, rng), 400);
    assert.equal(m.gapMs(3, 1, rng), 30);
    assert.equal(m.loadFactor(0, undefined), 1);
    assert.equal(m.loadFactor(500, undefined), 1.25);
    assert.equal(m.loadFactor(123, 0), 1);
    assert.ok(Math.abs(m.loadFactor(0, 0.625) - 2) < 1e-12);
    assert.ok(Math.abs(m.loadFactor(0, 1) - 1 / (1 - PTU_SLOWDOWN)) < 1e-12);
    assert.equal(m.loadFactor(0, 3), m.loadFactor(0, 1), 'capped at 100 %');
    const flat = new LatencyModel(resolveOptions({ inflight_slowdown: 0 }));
    assert.equal(flat.loadFactor(500, undefined), 1);

    const jittery = new LatencyModel(resolveOptions({ ttft_ms: 100, ttft_per_1k_prompt_ms: 0, jitter: 0.2 }));
    const r = new Rng(3);
    const samples = Array.from({ length: 2000 }, () => jittery.ttftMs(0, 1, r));
    assert.ok(Math.min(...samples) >= 80 && Math.max(...samples) <= 120);
    assert.ok(Math.abs(mean(samples) - 100) < 2);
  });

  it('role chunk at once, first content after ~TTFT, chunks ~tpot apart (wide tolerance)', async () => {
    const sim = await startSimulator({ ttft_ms: 150, ttft_per_1k_prompt_ms: 0, tpot_ms: 20, jitter: 0.1, inflight_slowdown: 0, keep_log: true });
    try {
      const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 40 }));
      const content = contentEvents(r);
      const roleAt = r.events[1].t - r.start;
      const ttft = content[0].t - r.start;
      assert.ok(roleAt < 100, `role chunk came ${roleAt} ms after the request, before TTFT`);
      assert.ok(ttft >= 135 && ttft < 600, `ttft ${ttft}`);
      assert.ok(content[0].t - r.events[1].t > 50, 'the role chunk is not the first token');
      const gaps = diffs(content.map((e) => e.t));
      assert.ok(median(gaps) > 10 && median(gaps) < 60, `median gap ${median(gaps)}`);
      assert.ok(mean(gaps) > 15 && mean(gaps) < 60, `mean gap ${mean(gaps)}`);

      // The server's own clock: first write ≈ received + TTFT, gaps ≈ tpot (targets are absolute,
      // so timer rounding does not accumulate).
      const e = sim.log[0];
      const serverTtft = e.first_content_ms! - e.received_ms;
      assert.ok(serverTtft >= 135 && serverTtft < 400, `server ttft ${serverTtft}`);
      const serverGaps = diffs(e.content_chunk_ms);
      assert.ok(mean(serverGaps) > 17 && mean(serverGaps) < 30, `server mean gap ${mean(serverGaps)}`);
      assert.ok(e.headers_ms! - e.received_ms < 100);
    } finally {
      await sim.close();
    }
  });

  it('TTFT grows with the prompt (prefill term)', async () => {
    const sim = await startSimulator({ ttft_ms: 50, ttft_per_1k_prompt_ms: 200, tpot_ms: 1, jitter: 0, inflight_slowdown: 0, keep_log: true });
    try {
      const small = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 2 }));
      const longPrompt = 'data model test '.repeat(600); // ~1,800 tokens
      const big = await post(sim.url, OPENAI_PATH, { model: 'gpt-4o', stream: true, max_tokens: 2, messages: [{ role: 'user', content: longPrompt }] });
      const [ls, lb] = sim.log;
      assert.ok(lb.prompt_tokens > 1000, `prompt tokens ${lb.prompt_tokens}`);
      const expectBig = 50 + (200 * lb.prompt_tokens) / 1000;
      const ttftSmall = contentEvents(small)[0].t - small.start;
      const ttftBig = contentEvents(big)[0].t - big.start;
      assert.ok(ttftSmall < 200, `small ${ttftSmall}`);
      assert.ok(ttftBig >= expectBig - 5 && ttftBig < expectBig + 300, `big ${ttftBig} vs ${expectBig}`);
      assert.ok(lb.first_content_ms! - lb.received_ms >= expectBig - 2);
      assert.ok(ls.first_content_ms! - ls.received_ms < lb.first_content_ms! - lb.received_ms);
    } finally {
      await sim.close();
    }
  });

  it('in-flight load slows requests down outside PTU mode', async () => {
    const sim = await startSimulator({ ttft_ms: 100, ttft_per_1k_prompt_ms: 0, tpot_ms: 5, jitter: 0, inflight_slowdown: 0.05, keep_log: true });
    try {
      await Promise.all(Array.from({ length: 20 }, () => post(sim.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 5 }))));
      const ttfts = sim.log.map((e) => e.first_content_ms! - e.received_ms).sort((a, b) => a - b);
      // The first request saw ~0 in flight (×1), the last ~19 (×1.95).
      assert.ok(ttfts[0] < 150, `fastest ${ttfts[0]}`);
      assert.ok(ttfts.at(-1)! > 170, `slowest ${ttfts.at(-1)}`);
    } finally {
      await sim.close();
    }
  });
});
