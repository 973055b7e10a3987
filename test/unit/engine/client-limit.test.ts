// The engine knows when it distorted its own numbers: a blocked event loop shows in each request's
// client_delay_ms and flags the target client_limited, with the reason.

import { strict as assert } from 'node:assert';
import { CLIENT_LIMITS, clientLimitReasons } from '../../../src/engine/client-limit';
import type { ClientHealth } from '../../../src/engine/self-check';
import type { TargetSummary } from '../../../src/engine/summary';
import { chunk, startFaultServer, type FaultServer } from './fault-server';
import { runCollect, scenario, target } from './helpers';

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* hold the event loop, as a saturated client does */
  }
}

const stats = (p95: number | null, p50: number | null = p95) => ({ count: 1, avg: p50, p50, p90: p95, p95, p99: p95, max: p95 });
const healthy: ClientHealth = { cpu_avg: 0.2, cpu_max: 0.3, event_loop_delay_ms: { p50: 1, p99: 3, max: 5 } };
function targetWith(delayP95: number | null, ttftP50: number): TargetSummary {
  return { latency_ms: { ttft: stats(ttftP50) }, client_delay_ms: delayP95 === null ? undefined : stats(delayP95) } as unknown as TargetSummary;
}

describe('client_limited: the self-check', function () {
  this.timeout(30_000);
  let server: FaultServer | undefined;
  afterEach(async () => server?.close());

  it('the rule: the delay limit is 0.8 × max(10 ms, 10% of TTFT p50); CPU is a reason of its own', () => {
    assert.deepEqual(clientLimitReasons(targetWith(2, 30), healthy), []);
    assert.deepEqual(clientLimitReasons(targetWith(8, 30), healthy), [], '8 ms is the limit itself');
    assert.match(clientLimitReasons(targetWith(8.5, 30), healthy)[0], /client's own delay added ≈ 8\.5 ms \(p95\) to first tokens, above 8 ms/);
    // 100 ms of client delay on a 2 s TTFT is within 8% (160 ms): not flagged by that check.
    assert.deepEqual(clientLimitReasons(targetWith(100, 2000), healthy), []);
    assert.match(clientLimitReasons(targetWith(170, 2000), healthy)[0], /above 160 ms/);
    assert.match(clientLimitReasons(targetWith(1, 30), { ...healthy, cpu_max: CLIENT_LIMITS.cpuMax })[0], /CPU reached 95% of a core/);
    assert.equal(clientLimitReasons(targetWith(20, 30), { ...healthy, cpu_max: 0.99 }).length, 2);
  });

  it('a first token held by a blocked event loop: client_delay_ms measures the hold, and the target is flagged', async () => {
    const HOLD_MS = 80;
    server = await startFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant' }));
      setTimeout(() => {
        res.write(chunk({ content: 'first' }));
        // The engine shares this process: the token sits in its socket while the loop is held.
        busyWait(HOLD_MS);
        setTimeout(() => {
          res.write(chunk({ content: ' second' }));
          res.write(`data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
          res.end('data: [DONE]\n\n');
        }, 20);
      }, 20);
    });
    const { records, summary } = await runCollect(scenario([target(server.url)], { workload: { requests: 4, clients: 1 } }));
    for (const r of records) {
      assert.equal(r.error, null, r.error_message ?? '');
      // The tick before the stamp came HOLD_MS late; the estimate takes half of it (bytes assumed to
      // arrive evenly over a busy turn; these came at its start, so the true wait is the whole hold).
      assert.ok(r.client_delay_ms! >= HOLD_MS / 2 - 1, `client_delay_ms ${r.client_delay_ms} for a ${HOLD_MS} ms hold`);
      assert.ok(r.ttft_ms! >= 20 + HOLD_MS, `TTFT ${r.ttft_ms} holds the whole wait`);
      assert.ok(r.client_delay_ms! <= r.ttft_ms!, 'the estimate never exceeds the latency it qualifies');
    }
    const t = summary.targets[0];
    assert.equal(t.client_limited, true);
    assert.ok(
      t.client_limited_reasons!.some((why) => /client's own delay added/.test(why)),
      t.client_limited_reasons!.join('; '),
    );
    assert.match(t.warnings[0], /this machine may have inflated these latencies/);
    assert.equal(summary.client.bottleneck, true);
  });
});
