// Failures are classified right, retries honor retry-after, and nothing measured is lost.

import { strict as assert } from 'node:assert';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator } from '../../../src/simulator/types';
import { defaultFaults } from '../../../src/simulator/defaults';
import { freePort, runCollect, scenario, target } from './helpers';

describe('failures and retries vs the simulator log', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  const faultCases = [
    { fault: 'error_rate', expect: 'http_error', status: 500 },
    { fault: 'drop_rate', expect: 'stream_dropped', status: 200 },
    { fault: 'malformed_rate', expect: 'malformed_stream', status: 200 },
  ] as const;
  for (const c of faultCases) {
    it(`classifies ${c.fault} as ${c.expect} and keeps partial timings`, async () => {
      sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 2, faults: { ...defaultFaults(), [c.fault]: 1 } });
      const { records, summary } = await runCollect(scenario([target(sim.url)], { workload: { requests: 4 } }));
      assert.equal(records.length, 4);
      for (const r of records) {
        assert.equal(r.error, c.expect, r.error_message ?? '');
        assert.equal(r.status, c.status);
        assert.ok(r.error_message);
        if (c.expect !== 'http_error') assert.ok(r.ttft_ms !== null, 'the first token was measured before the failure');
      }
      assert.equal(summary.targets[0].requests.failed, 4);
      assert.equal(summary.targets[0].requests.errors[c.expect], 4);
    });
  }

  it('classifies a stalled stream as timeout (idle timeout)', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 2, faults: { ...defaultFaults(), stall_rate: 1, stall_ms: 3000 } });
    const s = scenario([target(sim.url)], { workload: { requests: 2 }, timeouts: { request_s: 60, idle_s: 0.5 } });
    const { records } = await runCollect(s);
    for (const r of records) {
      assert.equal(r.error, 'timeout');
      assert.match(r.error_message!, /idle/);
      assert.ok(r.e2e_ms! >= 500 && r.e2e_ms! < 2500, `aborted after the idle timeout, e2e ${r.e2e_ms}`);
    }
  });

  it('classifies a refused connection as connection with no status', async () => {
    const port = await freePort();
    const { records } = await runCollect(scenario([target(`http://127.0.0.1:${port}`)], { workload: { requests: 2 } }));
    for (const r of records) {
      assert.equal(r.error, 'connection');
      assert.equal(r.status, null);
    }
  });

  it('exponential: a retry-after longer than the retry budget gives up at once (no attempt before retry-after)', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1, rpm_limit: 2 });
    // The simulator's minute window asks the third request to wait ~60 s; the budget is 2 s.
    const s = scenario([target(sim.url)], { workload: { requests: 3, clients: 3 }, retry: { policy: 'exponential', max_retry_s: 2 } });
    const { records, summary } = await runCollect(s);
    const throttled = records.filter((r) => r.status === 429);
    assert.equal(throttled.length, 1);
    const r = throttled[0];
    assert.equal(r.attempts, 1);
    assert.equal(r.error, 'throttled');
    assert.match(r.error_message!, /gave up: the next wait \(\d+ ms\) would pass the 2 s retry budget/);
    const retryAfter = sim.log.find((e) => e.client_request_id === String(r.id))!.retry_after_ms!;
    assert.ok(retryAfter > 2000, `retry-after ${retryAfter} ms`);
    assert.equal(sim.log.filter((e) => e.client_request_id === String(r.id)).length, 1, 'one attempt reached the server');
    assert.equal(summary.targets[0].requests.failed, 1);
    assert.equal(summary.targets[0].requests.errors.throttled, 1);
  });

  it('none: one attempt; the 429 is the outcome, a failure of class throttled', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1, rpm_limit: 1 });
    const s = scenario([target(sim.url)], { workload: { requests: 2, clients: 1 }, retry: { policy: 'none', max_retry_s: 60 } });
    const { records, summary } = await runCollect(s);
    const throttled = records[1];
    assert.equal(throttled.attempts, 1);
    assert.equal(throttled.backoff_ms, 0);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.error, 'throttled');
    assert.equal(sim.log.filter((e) => e.client_request_id === String(throttled.id)).length, 1);
    assert.equal(summary.targets[0].requests.failed, 1);
  });
});
