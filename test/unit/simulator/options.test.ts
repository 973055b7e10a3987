import assert from 'node:assert/strict';
import { defaultSimulatorOptions, parseFaults, resolveOptions, isLoopbackHost, startSimulator } from '../../../src/simulator';

describe('simulator options', () => {
  it('has the documented defaults', () => {
    const d = defaultSimulatorOptions();
    const { inflight_slowdown, ...rest } = d;
    assert.equal(inflight_slowdown, 0.0005);
    assert.deepEqual(rest, {
      host: '127.0.0.1',
      port: 0,
      ttft_ms: 120,
      ttft_per_1k_prompt_ms: 20,
      tpot_ms: 15,
      tokens_per_chunk: 1,
      jitter: 0.1,
      default_max_tokens: 200,
      rpm_limit: 0,
      tpm_limit: 0,
      ptu_capacity_tpm: 0,
      quota_window_s: 60,
      max_concurrency: 0,
      faults: { error_rate: 0, drop_rate: 0, stall_rate: 0, stall_ms: 5000, malformed_rate: 0 },
      azure_prompt_filter: true,
      azure_async_filter: false,
      reasoning_tokens: 0,
      reasoning_field: 'reasoning_content',
      reasoning_event: 'summary',
      usage: 'requested',
      coalesce_events: 1,
      seed: 1,
      keep_log: false,
    });
    assert.notEqual(defaultSimulatorOptions().faults, d.faults, 'a fresh object each time');
  });

  it('parses the faults mini-language', () => {
    assert.deepEqual(parseFaults('error=0.01,drop=0.02,stall=0.01:3000,malformed=0.005'), {
      error_rate: 0.01,
      drop_rate: 0.02,
      stall_rate: 0.01,
      stall_ms: 3000,
      malformed_rate: 0.005,
    });
    assert.deepEqual(parseFaults(' stall = 2% , error=1% '), {
      error_rate: 0.01,
      drop_rate: 0,
      stall_rate: 0.02,
      stall_ms: 5000,
      malformed_rate: 0,
    });
    assert.deepEqual(parseFaults(''), defaultSimulatorOptions().faults);
  });

  it('rejects bad fault specs with a message naming the problem', () => {
    assert.throws(() => parseFaults('error'), /"error" is not name=rate/);
    assert.throws(() => parseFaults('boom=0.1'), /unknown fault "boom".*known: error, drop, stall, malformed/);
    assert.throws(() => parseFaults('error=abc'), /rate "abc" in "error=abc" is not a number/);
    assert.throws(() => parseFaults('drop=1.5'), /between 0 and 1/);
    assert.throws(() => parseFaults('drop=-0.1'), /between 0 and 1/);
    assert.throws(() => parseFaults('stall=0.1:soon'), /stall duration "soon"/);
    assert.throws(() => parseFaults('error=0.1:300'), /only stall takes a duration/);
    assert.throws(() => parseFaults('error=0.1,error=0.2'), /given twice/);
    assert.throws(() => parseFaults('error=0.6,drop=0.6'), /add up to 1.2/);
  });

  it('validates options and merges faults field by field', () => {
    const o = resolveOptions({ faults: { drop_rate: 0.5 } as never, ttft_ms: undefined });
    assert.equal(o.faults.drop_rate, 0.5);
    assert.equal(o.faults.stall_ms, 5000);
    assert.equal(o.ttft_ms, 120, 'undefined does not override a default');
    assert.throws(() => resolveOptions({ tokens_per_chunk: 0 }), /tokens_per_chunk must be an integer ≥ 1/);
    assert.throws(() => resolveOptions({ jitter: 1 }), /jitter must be in \[0, 1\)/);
    assert.throws(() => resolveOptions({ tpot_ms: -1 }), /tpot_ms must be a number ≥ 0/);
    assert.throws(() => resolveOptions({ port: 70000 }), /port must be an integer/);
    assert.throws(() => resolveOptions({ api_key: '' }), /api_key must not be empty/);
    assert.throws(() => resolveOptions({ reasoning_tokens: -1 }), /reasoning_tokens must be an integer ≥ 0/);
    assert.throws(() => resolveOptions({ coalesce_events: 0 }), /coalesce_events must be an integer ≥ 1/);
    assert.throws(() => resolveOptions({ usage: 'sometimes' as never }), /usage must be one of requested, continuous, none/);
    assert.throws(() => resolveOptions({ reasoning_field: 'thinking' as never }), /reasoning_field must be one of reasoning_content, reasoning, hidden/);
    assert.throws(() => resolveOptions({ reasoning_event: 'full' as never }), /reasoning_event must be one of summary, text, hidden/);
  });

  it('accepts loopback hosts only', async () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '']) assert.ok(!isLoopbackHost(h), h);
    await assert.rejects(startSimulator({ host: '0.0.0.0' }), /not a loopback address/);
    const v6 = await startSimulator({ host: '::1' }).catch(() => null); // some CI hosts have no IPv6
    if (v6) {
      assert.match(v6.url, /^http:\/\/\[::1\]:\d+$/);
      assert.equal((await fetch(v6.url + '/healthz')).status, 200);
      await v6.close();
    }
  });
});
