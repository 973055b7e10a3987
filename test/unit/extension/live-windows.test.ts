// LiveWindows: a target's windows after its last real one are dropped, so its achieved RPM does not
// decay on the Run panel and the status bar while another target still runs. Checked on the windows a
// real sequential run on the simulator emits, and on hand-made windows for each rule.
import { strict as assert } from 'node:assert';
import type { WindowSnapshot } from '../../../src/engine/records';
import { parseScenario } from '../../../src/engine/scenario/load';
import type { Scenario } from '../../../src/engine/scenario/types';
import { LiveWindows } from '../../../src/extension/live-windows';
import { runCollect } from '../engine/helpers';

const twoTargets = (mode: 'sequential' | 'parallel', workload: string) =>
  parseScenario(
    [
      'name: live',
      `target_mode: ${mode}`,
      'targets:',
      ...['a', 'b'].flatMap((t) => [
        `  - name: ${t}`,
        '    provider: simulator',
        '    endpoint: simulator',
        '    model: gpt-4o',
        '    auth: { type: none }',
        '    simulator: { ttft_ms: 20, tpot_ms: 1 }',
      ]),
      `workload: ${workload}`,
      'prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }',
      '',
    ].join('\n'),
    'live.perf.yaml',
  );

const empty = { count: 0, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
function win(target: string, t: number, o: Partial<WindowSnapshot> = {}): WindowSnapshot {
  return {
    type: 'window',
    target,
    t,
    time: new Date(0).toISOString(),
    window_s: 60,
    target_rpm: 120,
    rpm: 120,
    requests: 10,
    completed: 10,
    in_flight: 1,
    queued: 0,
    failures: 0,
    throttled: 0,
    ctx_tpm: 0,
    gen_tpm: 0,
    ttft: empty,
    ttfr: empty,
    tbt: empty,
    tbt_all: empty,
    e2e: empty,
    chunk_gap: empty,
    lag: empty,
    util: empty,
    behind: false,
    ...o,
  };
}

describe('LiveWindows', () => {
  it('a real sequential run: the first target is followed up to its last real window, not while the second runs', async function () {
    this.timeout(60_000);
    const scenario: Scenario = twoTargets('sequential', '{ rate: 240, arrival: constant, clients: 10, duration: 3s }');
    assert.equal(scenario.aggregation_window_s, 60, 'the default window, longer than each target runs');
    const { windows, summary } = await runCollect(scenario);
    const live = new LiveWindows(scenario);
    const accepted = windows.filter((w) => live.accept(w));
    const firstOfB = accepted.findIndex((w) => w.target === 'b');
    assert.ok(firstOfB > 0, 'b ran after a');
    assert.ok(
      accepted.slice(firstOfB).every((w) => w.target === 'b'),
      'no window of a is accepted once b has started',
    );
    // b, the target running then, is followed to its end: only windows after its last real one are dropped.
    const [bKept, bAll] = [accepted, windows].map((list) => list.filter((w) => w.target === 'b'));
    assert.ok(bKept.length >= 3, `b's windows were kept (${bKept.length})`);
    assert.deepEqual(bKept, bAll.slice(0, bKept.length));
    assert.ok(
      bAll.slice(bKept.length).every((w) => w.t >= 3 && w.in_flight === 0 && w.queued === 0),
      'only windows after b finished are dropped',
    );
    const lastA = accepted.filter((w) => w.target === 'a').at(-1)!;
    // Its last accepted window is its real end: the schedule over, every request done and counted.
    assert.ok(lastA.t >= 3 && lastA.in_flight === 0, `a's last window: t ${lastA.t}, ${lastA.in_flight} in flight`);
    assert.equal(lastA.completed, summary.targets.find((t) => t.target === 'a')!.requests.completed);
    // The engine stops a finished target's windows itself (src/engine/run.ts); what is left to drop is
    // at most its final window repeated at the same moment (the tick and the target's end a few ms apart).
    for (const w of windows.filter((w) => w.target === 'a' && !accepted.includes(w))) {
      assert.ok(
        w.rpm <= lastA.rpm && w.t - lastA.t < 1,
        `a dropped window (t ${w.t}, ${w.rpm} RPM) adds nothing after a's last (t ${lastA.t}, ${lastA.rpm} RPM)`,
      );
    }
    assert.ok(live.finished('a') && live.finished('b'));
  });

  it('sequential: a window of an earlier target after a later one started is dropped', () => {
    const live = new LiveWindows(twoTargets('sequential', '{ rate: 120, duration: 10s }'));
    assert.equal(live.accept(win('a', 5)), true);
    assert.equal(live.accept(win('b', 0.1)), true);
    assert.equal(live.finished('a'), true);
    assert.equal(live.accept(win('a', 6, { rpm: 100 })), false);
    assert.equal(live.accept(win('b', 1.1)), true);
  });

  it('parallel: a target whose schedule is over with nothing in flight or queued has finished; the other goes on', () => {
    const live = new LiveWindows(twoTargets('parallel', '{ rate: 120, duration: 10s }'));
    assert.equal(live.accept(win('a', 9.9, { in_flight: 0 })), true, 'before the duration: not finished, even when idle');
    assert.equal(live.accept(win('a', 10.2, { in_flight: 2 })), true, 'draining');
    assert.equal(live.accept(win('a', 10.5, { in_flight: 0, queued: 1 })), true, 'still queued');
    assert.equal(live.finished('a'), false);
    assert.equal(live.accept(win('a', 11, { in_flight: 0 })), true, 'its last real window is kept');
    assert.equal(live.finished('a'), true);
    assert.equal(live.accept(win('a', 12, { in_flight: 0, rpm: 110 })), false);
    assert.equal(live.accept(win('b', 12, { in_flight: 3 })), true);
  });

  it('a request count: the target has finished once all were sent and none is in flight', () => {
    const live = new LiveWindows(twoTargets('parallel', '{ mode: closed, clients: 2, requests: 20 }'));
    assert.equal(live.accept(win('a', 3, { requests: 20, in_flight: 1 })), true);
    assert.equal(live.finished('a'), false);
    assert.equal(live.accept(win('a', 4, { requests: 20, in_flight: 0 })), true);
    assert.equal(live.accept(win('a', 5, { requests: 20, in_flight: 0 })), false);
  });
});
