// Scheduling, end-of-run policy, warm-up, several targets, and prompt sources — through the engine,
// against the simulator on loopback.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../../../src/engine/run';
import { defaultRunDir } from '../../../src/results/files';
import { makeArrivalSchedule } from '../../../src/engine/schedule';
import { startSimulator } from '../../../src/simulator/server';
import { withPricing } from '../../../src/tokens/pricing';
import type { RunningSimulator } from '../../../src/simulator/types';
import { mulberry32 } from '../../../src/tokens';
import { countChatTokens } from '../../../src/tokens';
import { logFor, runCollect, scenario, target } from './helpers';

describe('arrival schedule', () => {
  it('constant arrivals are evenly spaced at the target rate, after a linear ramp-up', () => {
    const s = makeArrivalSchedule(600, 'constant', 0, Math.random);
    const times = Array.from({ length: 5 }, () => s.next());
    assert.deepEqual(
      times.map((t) => +t.toFixed(6)),
      [0, 0.1, 0.2, 0.3, 0.4],
    );
    const ramp = makeArrivalSchedule(600, 'constant', 10, Math.random);
    const ramped = Array.from({ length: 200 }, () => ramp.next());
    // Λ(10 s) = 10/s · 10 s / 2 = 50 arrivals during the ramp; afterwards one every 100 ms.
    assert.ok(ramped[49] < 10 && ramped[50] >= 10);
    assert.ok(Math.abs(ramped[150] - ramped[149] - 0.1) < 1e-9);
    assert.equal(ramp.expectedBy(10), 50);
    assert.equal(ramp.rateAt(5), 300);
  });

  it('Poisson arrivals have the target mean rate and exponential gaps', () => {
    const s = makeArrivalSchedule(6000, 'poisson', 0, mulberry32(3));
    const times = Array.from({ length: 20001 }, () => s.next());
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    assert.ok(Math.abs(mean - 0.01) < 0.0003, `mean gap ${mean}`);
    const cv = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length) / mean;
    assert.ok(Math.abs(cv - 1) < 0.05, `coefficient of variation ${cv} (1 for exponential gaps)`);
  });
});

describe('workload through the engine', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  it('open loop: requests leave on schedule and the records say when they were due', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 2 });
    const s = scenario([target(sim.url)], { workload: { mode: 'open', rate_rpm: 1200, arrival: 'constant', clients: 50, requests: undefined, duration_s: 2 } });
    const { records, summary } = await runCollect(s);
    assert.ok(records.length >= 39 && records.length <= 41, `${records.length} requests in 2 s at 20/s`);
    const sorted = [...records].sort((a, b) => a.scheduled_ms! - b.scheduled_ms!);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(Math.abs(sorted[i].scheduled_ms! - sorted[i - 1].scheduled_ms! - 50) < 0.01, 'scheduled every 50 ms');
    }
    for (const r of records) {
      assert.ok(r.send_lag_ms! >= 0, `lag ${r.send_lag_ms}`);
      assert.ok(Math.abs(r.start_ms - r.scheduled_ms! - r.send_lag_ms!) < 0.01);
    }
    // On a shared, loaded machine a timer can fire late now and then; most requests must leave on time.
    const onTime = records.filter((r) => r.send_lag_ms! < 50).length;
    assert.ok(onTime >= records.length * 0.9, `${onTime} of ${records.length} left within 50 ms of schedule`);
    const t = summary.targets[0];
    assert.equal(t.schedule.sent, t.schedule.scheduled);
    assert.equal(t.schedule.unsent, 0);
    assert.equal(t.warnings.filter((w) => w.includes('could not keep')).length, 0);
  });

  it('open loop: an arrival due before the end still leaves when a late timer finds the end due too', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 2 });
    // Arrivals every 100 ms; the run ends at 950 ms. The event loop is held from 800 to 1050 ms, so
    // the timer that should have sent the 900 ms arrival fires after the end is due as well.
    const s = scenario([target(sim.url)], {
      workload: { mode: 'open', rate_rpm: 600, arrival: 'constant', clients: 50, requests: undefined, duration_s: 0.95 },
    });
    const hold = setTimeout(() => {
      const until = performance.now() + 250;
      while (performance.now() < until);
    }, 800);
    const { summary } = await runCollect(s);
    clearTimeout(hold);
    const t = summary.targets[0];
    assert.equal(t.schedule.unsent, 0, t.warnings.join('\n'));
    assert.equal(t.schedule.sent, t.schedule.scheduled);
    assert.equal(sim.log.length, t.schedule.sent, 'the simulator got every scheduled request');
  });

  it('open loop: says so when it cannot keep the schedule (all clients busy)', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 300, tpot_ms: 1 });
    const s = scenario([target(sim.url)], {
      workload: { mode: 'open', rate_rpm: 1200, arrival: 'constant', clients: 2, requests: undefined, duration_s: 2, on_end: 'abort' },
    });
    const { summary, windows } = await runCollect(s);
    const t = summary.targets[0];
    assert.ok(t.schedule.sent < t.schedule.scheduled!, 'fewer sent than scheduled');
    assert.ok(t.schedule.unsent > 0);
    assert.ok(t.schedule.achieved_ratio! < 0.5);
    assert.ok(
      t.warnings.some((w) => w.includes('could not keep its schedule') && w.includes('all 2 clients were busy')),
      t.warnings.join('\n'),
    );
    assert.ok(
      windows.some((w) => w.behind && w.queued > 0),
      'live snapshots flag it',
    );
    assert.ok(t.schedule.lag_ms.p95! > 300, 'queued requests left late and their lag is recorded');
  });

  it('end of run: abort cancels in-flight requests; drain waits for them', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 50, tpot_ms: 100 });
    const base = { mode: 'open' as const, rate_rpm: 600, clients: 10, requests: undefined, duration_s: 0.5 };
    const aborted = await runCollect(
      scenario([target(sim.url)], {
        workload: { ...base, on_end: 'abort' },
        prompts: { kind: 'shape', profile: 'custom', context_tokens: 30, max_tokens: 20 },
      }),
    );
    assert.ok(aborted.records.length > 0);
    assert.ok(
      aborted.records.every((r) => r.error === 'cancelled'),
      'nothing could finish in 0.5 s',
    );
    assert.equal(aborted.summary.targets[0].requests.failed, 0, 'cancelled is not a failure');
    assert.equal(aborted.summary.on_end, 'abort');
    const drained = await runCollect(
      scenario([target(sim.url)], {
        workload: { ...base, on_end: 'drain' },
        prompts: { kind: 'shape', profile: 'custom', context_tokens: 30, max_tokens: 20 },
      }),
    );
    assert.ok(drained.records.every((r) => r.error === null && r.completion_tokens === 20));
    assert.equal(drained.summary.on_end, 'drain');
  });

  it('closed loop with think time and warm-up excluded from statistics', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1 });
    const s = scenario([target(sim.url)], { workload: { mode: 'closed', clients: 2, requests: 8, think_time_ms: 100, warm_up_requests: 2 } });
    const { records, summary } = await runCollect(s);
    assert.equal(records.length, 8);
    assert.equal(records.filter((r) => r.warmup).length, 2);
    assert.ok(records.every((r) => r.scheduled_ms === null && r.send_lag_ms === null));
    const t = summary.targets[0];
    assert.equal(t.requests.warmup_excluded, 2);
    assert.equal(t.latency_ms.ttft.count, 6);
    // Each client waits 100 ms between requests: 4 requests per client take ≥ 300 ms of think time.
    assert.ok(t.duration_s >= 0.3);
  });

  it('several targets: parallel on one timeline, sequential one after another', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 30, tpot_ms: 2 });
    const other = await startSimulator({ keep_log: true, ttft_ms: 120, tpot_ms: 2 });
    try {
      const targets = [target(sim.url, { name: 'fast' }), target(other.url, { name: 'slow' })];
      const workload = { mode: 'open' as const, rate_rpm: 600, clients: 10, requests: undefined, duration_s: 1 };
      const parallel = await runCollect(scenario(targets, { target_mode: 'parallel', workload }));
      const seq = await runCollect(scenario(targets, { target_mode: 'sequential', workload }));
      const span = (rs: typeof parallel.records, name: string) => {
        const mine = rs.filter((r) => r.target === name).map((r) => r.start_ms);
        return [Math.min(...mine), Math.max(...mine)];
      };
      const [pf0] = span(parallel.records, 'fast');
      const [ps0] = span(parallel.records, 'slow');
      assert.ok(Math.abs(pf0 - ps0) < 200, 'parallel targets start together');
      const [, sf1] = span(seq.records, 'fast');
      const [ss0] = span(seq.records, 'slow');
      assert.ok(ss0 > sf1, 'sequential: the second target starts after the first one ends');
      for (const run of [parallel, seq]) {
        const byName = Object.fromEntries(run.summary.targets.map((t) => [t.target, t]));
        assert.ok(byName.slow.latency_ms.ttft.p50! > byName.fast.latency_ms.ttft.p50! + 50, 'each target measured separately');
        assert.ok(run.windows.some((w) => w.target === 'fast') && run.windows.some((w) => w.target === 'slow'));
      }
      assert.ok(sim.log.every((e) => parallel.records.concat(seq.records).some((r) => r.response_id === e.response_id && r.target === 'fast')));
    } finally {
      await other.close();
    }
  });

  it('a finished target stops emitting windows (its sliding window would only decay while the next runs)', async () => {
    sim = await startSimulator({ ttft_ms: 20, tpot_ms: 2 });
    const targets = [target(sim.url, { name: 'first' }), target(sim.url, { name: 'second' })];
    const workload = { mode: 'open' as const, rate_rpm: 600, clients: 10, requests: undefined, duration_s: 2 };
    const { windows } = await runCollect(scenario(targets, { target_mode: 'sequential', workload }));
    const first = windows.filter((w) => w.target === 'first');
    const secondStart = Date.parse(windows.find((w) => w.target === 'second')!.time);
    assert.ok(first.length >= 2, `the first target has its windows (${first.length})`);
    assert.ok(
      first.every((w) => Date.parse(w.time) <= secondStart),
      'no window of the first target once the second has started',
    );
    // Its last window is its real end: the full rate, not a decayed one.
    assert.ok(first[first.length - 1].rpm >= first[first.length - 2].rpm * 0.9, first.map((w) => w.rpm).join(', '));
  });

  it('dataset prompts: each request takes the next conversation, counted exactly', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 5, tpot_ms: 1 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-ds-'));
    const lines = [
      [{ role: 'user', content: 'What is the capital of France?' }],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'List three prime numbers.' },
      ],
    ];
    fs.writeFileSync(path.join(dir, 'chats.jsonl'), lines.map((m) => JSON.stringify({ messages: m })).join('\n'));
    const s = scenario([target(sim.url)], {
      file: path.join(dir, 'x.perf.yaml'),
      prevent_server_caching: false,
      prompts: { kind: 'dataset', file: 'chats.jsonl', max_tokens: 7 },
      workload: { requests: 4, clients: 1 },
    });
    const { records } = await runCollect(s);
    const sortedById = [...records].sort((a, b) => a.id - b.id);
    sortedById.forEach((r, i) => {
      assert.equal(r.prompt_tokens, countChatTokens(lines[i % 2], 'o200k_base').total);
      assert.equal(r.completion_tokens, 7);
      assert.equal(logFor(sim.log, r).prompt_tokens, r.prompt_tokens);
    });
  });

  it('PTU-like capacity: utilization from the header is recorded and summarized', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1, ptu_capacity_tpm: 200_000 });
    const { records, summary } = await runCollect(scenario([target(sim.url)], { workload: { requests: 10, clients: 5 } }));
    for (const r of records) assert.equal(r.utilization, logFor(sim.log, r).utilization);
    assert.equal(summary.targets[0].utilization_pct.count, 10);
  });

  it('Stop drains or aborts on demand and still writes the summary', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 50, tpot_ms: 50 });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-stop-'));
    const s = scenario([target(sim.url)], {
      workload: { mode: 'open', rate_rpm: 600, clients: 20, requests: undefined, duration_s: 30 },
      prompts: { kind: 'shape', profile: 'custom', context_tokens: 30, max_tokens: 40 },
    });
    const run = startRun(s, { outDir: out, resolveCredential: async () => null });
    setTimeout(() => run.stop('abort'), 800);
    const summary = await run.done;
    assert.equal(summary.stopped_by, 'stop');
    assert.ok(summary.targets[0].duration_s < 5);
    const lines = fs.readFileSync(path.join(out, 'requests.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, summary.targets[0].requests.sent);
    assert.ok(lines.map((l) => JSON.parse(l)).some((r) => r.error === 'cancelled'));
    assert.ok(fs.existsSync(path.join(out, 'summary.json')));
  });
});

describe('cost', function () {
  this.timeout(30_000);
  it('uses the scenario pricing over the catalog, per request and per run', async () => {
    const sim = await startSimulator({ ttft_ms: 5, tpot_ms: 1 });
    try {
      const s = scenario([target(sim.url)], { pricing: { 'gpt-4o-mini': { input: 1, output: 2 } }, workload: { requests: 5 } });
      const { summary } = await runCollect(s);
      const t = summary.targets[0];
      const expected = (t.tokens.prompt * 1 + t.tokens.completion * 2) / 1e6;
      assert.ok(Math.abs(t.cost_usd.total! - expected) < 1e-12, `${t.cost_usd.total} vs ${expected}`);
      assert.ok(Math.abs(t.cost_usd.per_request! - expected / 5) < 1e-12);
      assert.ok(Math.abs(t.cost_usd.per_1k_requests! - (expected / 5) * 1000) < 1e-9);
    } finally {
      await sim.close();
    }
  });

  it('lays the scenario’s pricing over the caller’s (the perflab.pricing setting) and records the price it used', async () => {
    const sim = await startSimulator({ ttft_ms: 5, tpot_ms: 1 });
    try {
      const setting = withPricing({}, { 'gpt-4o-mini': { input: 5, cached_input: 0.5, output: 9 } }, 'setting');
      const run = (s: ReturnType<typeof scenario>) => startRun(s, { outDir: null, seed: 7, resolveCredential: async () => null, modelOverrides: setting }).done;
      const own = await run(scenario([target(sim.url)], { workload: { requests: 3 } }));
      assert.deepEqual(own.targets[0].cost_usd.price, { input: 5, cached_input: 0.5, output: 9, origin: 'setting' });
      const t = own.targets[0];
      assert.ok(Math.abs(t.cost_usd.total! - (t.tokens.prompt * 5 + t.tokens.completion * 9) / 1e6) < 1e-12);
      const scenarioPriced = await run(scenario([target(sim.url)], { pricing: { 'gpt-4o-mini': { input: 1, output: 2 } }, workload: { requests: 3 } }));
      // The scenario's input rate without a cached rate drops the setting's cached rate (src/tokens/pricing.ts).
      assert.deepEqual(scenarioPriced.targets[0].cost_usd.price, { input: 1, output: 2, origin: 'scenario' });
    } finally {
      await sim.close();
    }
  });
});

describe('run folders', () => {
  it('two runs started in the same second get their own folders', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-dirs-'));
    const now = new Date('2026-11-27T23:40:12.345Z');
    const first = defaultRunDir(root, 'quick start', now);
    assert.equal(path.basename(first), '2026-11-27T23-40-12-quick-start');
    fs.mkdirSync(first, { recursive: true });
    const second = defaultRunDir(root, 'quick start', now);
    assert.equal(second, `${first}-2`);
  });
});
