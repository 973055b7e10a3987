// The verdict on one capacity step (src/engine/capacity/step.ts) from what a run measured: which
// limit wins when several show, from a real step run on the simulator with one number changed at a time.

import { strict as assert } from 'node:assert';
import { judgeStep, type StepInput } from '../../../src/engine/capacity/step';
import type { RequestRecord } from '../../../src/engine/records';
import { parseSlo } from '../../../src/engine/scenario/slo';
import { DEFAULT_CAPACITY } from '../../../src/engine/scenario/normalize';
import { startSimulator } from '../../../src/simulator';
import { runCollect, scenario, target, type Collected } from './helpers';

describe('capacity step verdict', function () {
  this.timeout(60_000);
  let real: Collected;
  before(async () => {
    const sim = await startSimulator({ ttft_ms: 20, tpot_ms: 1, jitter: 0 });
    try {
      real = await runCollect(
        scenario([target(sim.url)], {
          workload: { mode: 'open', rate_rpm: 600, clients: 20, requests: undefined, duration_s: 3 },
          slos: [parseSlo('ttft.p95 < 1s'), parseSlo('failures < 1%')],
        }),
      );
    } finally {
      await sim.close();
    }
  });

  /** The real step with `change` applied to a copy of what it measured. */
  function judge(change: (input: StepInput) => void = () => {}) {
    const input: StepInput = {
      offeredRpm: 600,
      settings: { ...DEFAULT_CAPACITY, step_duration_s: 3, warm_up_s: 0.5 },
      summary: structuredClone(real.summary),
      records: structuredClone(real.records),
      windows: structuredClone(real.windows),
      baselineE2eP50: real.summary.targets[0].latency_ms.e2e.p50,
      startedAt: new Date(),
      durationS: 3,
      runDir: 'sim/step-01-600rpm',
    };
    change(input);
    return judgeStep(input);
  }

  /** TTFT rising through the step: a queue in front of the deployment. */
  const growingTtft = (input: StepInput) => {
    const sorted = [...input.records].sort((a, b) => a.start_ms - b.start_ms) as RequestRecord[];
    sorted.forEach((r, i) => (r.ttft_ms = 20 + i * 40));
  };

  it('a healthy step passes with its goodput', () => {
    const step = judge();
    assert.equal(step.passed, true, step.reasons.join('; '));
    assert.equal(step.limited_by, null);
    assert.ok(step.goodput_rpm > 400, `goodput ${step.goodput_rpm}`);
  });

  it('latency growing through the step is saturation, even with late sends (which only lower the load)', () => {
    const step = judge((input) => {
      growingTtft(input);
      input.summary.targets[0].schedule.late = 10;
    });
    assert.equal(step.limited_by, 'saturation', step.reasons.join('; '));
    assert.ok(
      step.reasons.some((r) => /left more than 50 ms after their scheduled time/.test(r)),
      'the late sends are still reported',
    );
  });

  it('late sends alone (the deployment fine) are the client: the rate was not offered', () => {
    const step = judge((input) => (input.summary.targets[0].schedule.late = 10));
    assert.equal(step.passed, false);
    assert.equal(step.limited_by, 'client');
  });

  it('latencies this machine inflated (client_limited) decide over everything, 429s before saturation', () => {
    const inflated = judge((input) => {
      growingTtft(input);
      input.summary.targets[0].client_limited_reasons = ["the client's CPU reached 99% of a core"];
    });
    assert.equal(inflated.limited_by, 'client');
    const throttled = judge((input) => {
      growingTtft(input);
      input.summary.targets[0].requests.throttled_responses = 3;
    });
    assert.equal(throttled.limited_by, 'quota');
    const remaining = judge((input) => {
      (input.records[0] as RequestRecord).ratelimit_remaining_tokens = 0;
      input.summary.slos[0] = { ...input.summary.slos[0], pass: false, status: 'fail' };
    });
    assert.equal(remaining.limited_by, 'quota', 'x-ratelimit-remaining-tokens at 0');
  });

  it('only an SLO failing: slo:<the first failed expression>', () => {
    const step = judge((input) => (input.summary.slos[1] = { ...input.summary.slos[1], pass: false, status: 'fail', actual: 0.05 }));
    assert.equal(step.limited_by, 'slo:failures < 1%');
    assert.deepEqual(step.failed_slos, ['failures < 1%']);
  });
});
