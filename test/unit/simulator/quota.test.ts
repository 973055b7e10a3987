import assert from 'node:assert/strict';
import { startSimulator } from '../../../src/simulator';
import { QuotaGate, SlidingWindow, WINDOW_MS, formatUtilization } from '../../../src/simulator/quota';
import { resolveOptions } from '../../../src/simulator/defaults';
import { AZURE_PATH, AZURE_V1_PATH, OPENAI_PATH, chatBody, post, type Reply } from './helpers';

function check429(r: Reply) {
  assert.equal(r.status, 429);
  const ms = Number(r.headers['retry-after-ms']);
  assert.ok(Number.isInteger(ms) && ms > 0, `retry-after-ms ${r.headers['retry-after-ms']}`);
  assert.equal(Number(r.headers['retry-after']), Math.ceil(ms / 1000));
  return ms;
}

describe('simulator quotas', () => {
  describe('sliding window (fake clock)', () => {
    it('counts, sums and expires entries after 60 s', () => {
      const w = new SlidingWindow();
      for (let i = 0; i < 3000; i++) w.add(i * 10, 2); // grows past the initial capacity
      assert.equal(w.count, 3000);
      assert.equal(w.sum, 6000);
      w.expire(WINDOW_MS + 5);
      assert.equal(w.count, 3000 - 1);
      w.expire(WINDOW_MS + 29_985);
      assert.equal(w.count, 1);
      w.expire(10 * WINDOW_MS);
      assert.equal(w.count, 0);
      assert.equal(w.sum, 0);
    });

    it('computes the wait until a count or a sum fits', () => {
      const w = new SlidingWindow();
      w.add(0, 100);
      w.add(1000, 100);
      w.add(2000, 100);
      assert.equal(w.waitForCountBelow(3, 5000), WINDOW_MS - 5000);
      assert.equal(w.waitForCountBelow(2, 5000), WINDOW_MS + 1000 - 5000);
      assert.equal(w.waitForCountBelow(4, 5000), 0);
      assert.equal(w.waitForSumAtMost(150, 5000), WINDOW_MS + 1000 - 5000);
      assert.equal(w.waitForSumAtMost(200, 5000), WINDOW_MS - 5000);
      assert.equal(w.waitForSumAtMost(200, 5000, true), WINDOW_MS + 1000 - 5000);
      assert.equal(w.waitForSumAtMost(-1, 5000), WINDOW_MS);
    });

    it('gate: rpm, tpm and PTU decisions with retry-after and headers', () => {
      const g = new QuotaGate(resolveOptions({ rpm_limit: 2, tpm_limit: 1000 }));
      assert.equal(g.admit(300, 0).ok, true);
      const second = g.admit(300, 10_000);
      assert.equal(second.ok, true);
      assert.equal(second.headers['x-ratelimit-remaining-requests'], '0');
      assert.equal(second.headers['x-ratelimit-remaining-tokens'], '400');
      const third = g.admit(300, 20_000);
      assert.equal(third.ok, false);
      assert.equal(third.reason, 'rpm');
      assert.equal(third.retryAfterMs, 40_000);
      assert.equal(g.admit(300, 60_001).ok, true, 'the first request has left the window');

      const t = new QuotaGate(resolveOptions({ tpm_limit: 1000 }));
      t.admit(600, 0);
      t.admit(300, 5000);
      const big = t.admit(200, 7000);
      assert.equal(big.ok, false);
      assert.equal(big.reason, 'tpm');
      assert.equal(big.retryAfterMs, WINDOW_MS - 7000);
      assert.equal(t.admit(100, 7000).ok, true, 'a smaller request still fits');

      const p = new QuotaGate(resolveOptions({ ptu_capacity_tpm: 1000 }));
      assert.equal(p.admit(500, 0).headers['azure-openai-deployment-utilization'], '50%');
      const over = p.admit(600, 1000); // accepted at 50 %, pushes it to 110 %
      assert.equal(over.ok, true);
      assert.equal(over.utilization, 1.1);
      const refused = p.admit(10, 2000);
      assert.equal(refused.ok, false);
      assert.equal(refused.reason, 'ptu');
      assert.equal(refused.retryAfterMs, WINDOW_MS - 2000, 'until the first request leaves: 60 % < 100 %');
      assert.equal(formatUtilization(0.875), '87.5%');
    });

    it('a shorter quota window holds the per-minute limits scaled to its length', () => {
      // 600 RPM and 60,000 TPM over 10 s: 100 requests and 10,000 tokens per 10 s.
      const g = new QuotaGate(resolveOptions({ rpm_limit: 600, quota_window_s: 10 }));
      for (let i = 0; i < 100; i++) assert.equal(g.admit(1, i * 10).ok, true, `request ${i + 1}`);
      const over = g.admit(1, 1000);
      assert.equal(over.ok, false);
      assert.equal(over.reason, 'rpm');
      assert.equal(over.retryAfterMs, 9000, 'until the first request leaves the 10 s window');
      assert.equal(over.used, 600, 'used is per minute, like the limit');
      assert.equal(g.admit(1, 10_001).ok, true);
      const t = new QuotaGate(resolveOptions({ tpm_limit: 60_000, quota_window_s: 10 }));
      assert.equal(t.admit(9_000, 0).ok, true);
      assert.equal(t.headers(0)['x-ratelimit-remaining-tokens'], '6000', '60,000 − 9,000 × 6 per minute');
      assert.equal(t.admit(1_500, 0).ok, false);
      const p = new QuotaGate(resolveOptions({ ptu_capacity_tpm: 6_000, quota_window_s: 10 }));
      assert.equal(p.admit(500, 0).headers['azure-openai-deployment-utilization'], '50%', '500 of 1,000 tokens per 10 s');
      assert.throws(() => resolveOptions({ quota_window_s: 0 }), /quota_window_s must be a number of seconds > 0/);
    });
  });

  it('RPM limit over HTTP: Azure 429 body, retry-after-ms / retry-after, x-ratelimit headers', async () => {
    const sim = await startSimulator({ ttft_ms: 1, tpot_ms: 1, rpm_limit: 3, keep_log: true });
    try {
      const ok: Reply[] = [];
      for (let i = 0; i < 3; i++) ok.push(await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 3 })));
      assert.deepEqual(
        ok.map((r) => r.status),
        [200, 200, 200],
      );
      assert.deepEqual(
        ok.map((r) => r.headers['x-ratelimit-remaining-requests']),
        ['2', '1', '0'],
      );
      assert.equal(ok[0].headers['x-ratelimit-limit-requests'], '3');
      assert.equal(ok[0].headers['x-ratelimit-limit-tokens'], undefined, 'no TPM limit set');

      const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 3 }));
      const ms = check429(r);
      assert.ok(ms > 50_000 && ms <= 60_000, `${ms}`);
      const body = JSON.parse(r.body);
      assert.equal(body.error.code, '429');
      assert.match(
        body.error.message,
        new RegExp(
          `^Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded .*Please retry after ${r.headers['retry-after']} seconds`,
        ),
      );
      assert.equal(r.headers['x-ms-region'], 'simulator');

      const v1 = await post(sim.url, AZURE_V1_PATH, chatBody({ model: 'gpt-4o', stream: true }));
      check429(v1);
      assert.equal(JSON.parse(v1.body).error.code, '429');

      const oai = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true }));
      check429(oai);
      const err = JSON.parse(oai.body).error;
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.equal(err.type, 'requests');
      assert.match(err.message, /^Rate limit reached for gpt-4o .* on requests per min \(RPM\): Limit 3, Used 3/);

      const throttled = sim.log.filter((e) => e.fault === 'throttled');
      assert.equal(throttled.length, 3);
      assert.ok(throttled.every((e) => e.status === 429 && e.retry_after_ms! > 0));
    } finally {
      await sim.close();
    }
  });

  it('TPM limit counts prompt + max_tokens', async () => {
    const sim = await startSimulator({ ttft_ms: 1, tpot_ms: 1, tpm_limit: 1000, keep_log: true });
    try {
      const a = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 400 }));
      assert.equal(a.status, 200);
      const promptTokens = sim.log[0].prompt_tokens;
      assert.equal(a.headers['x-ratelimit-limit-tokens'], '1000');
      assert.equal(a.headers['x-ratelimit-remaining-tokens'], String(1000 - promptTokens - 400));
      const b = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 400 }));
      assert.equal(b.status, 200);
      const c = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 400 }));
      check429(c);
      const err = JSON.parse(c.body).error;
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.equal(err.type, 'tokens');
      assert.match(err.message, /tokens per min \(TPM\): Limit 1000/);
      const small = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 5 }));
      assert.equal(small.status, 200, 'a request that still fits is accepted');
    } finally {
      await sim.close();
    }
  });

  it('PTU mode: utilization header rises with load, latency rises, 429 above capacity', async () => {
    const sim = await startSimulator({ ttft_ms: 20, ttft_per_1k_prompt_ms: 0, tpot_ms: 1, jitter: 0, ptu_capacity_tpm: 700, keep_log: true });
    try {
      const utils: number[] = [];
      let refused: Reply | undefined;
      for (let i = 0; i < 30 && !refused; i++) {
        const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 50 }));
        const header = String(r.headers['azure-openai-deployment-utilization']);
        assert.match(header, /^\d+(\.\d)?%$/);
        if (r.status === 429) refused = r;
        else {
          assert.equal(r.status, 200);
          utils.push(parseFloat(header));
        }
      }
      assert.ok(refused, 'eventually refused');
      assert.ok(utils.length >= 8 && utils.length <= 10, `${utils.length} accepted`);
      for (let i = 1; i < utils.length; i++) assert.ok(utils[i] > utils[i - 1], `rising: ${utils}`);
      assert.ok(utils.at(-1)! >= 100);
      assert.ok(parseFloat(String(refused.headers['azure-openai-deployment-utilization'])) >= 100);
      const ms = check429(refused);
      assert.ok(ms > 50_000 && ms <= 60_000);
      assert.equal(JSON.parse(refused.body).error.code, '429');

      const accepted = sim.log.filter((e) => e.status === 200);
      const ttfts = accepted.map((e) => e.first_content_ms! - e.received_ms);
      assert.ok(ttfts.at(-1)! > 2 * ttfts[0], `latency rises with utilization: ${ttfts.map((t) => t.toFixed(0))}`);
      assert.deepEqual(
        accepted.map((e) => e.utilization),
        utils,
      );
      assert.equal(sim.log.at(-1)!.fault, 'throttled');
    } finally {
      await sim.close();
    }
  });
});
