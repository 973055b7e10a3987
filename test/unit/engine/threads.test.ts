// Engine threads (`engine.threads`, src/engine/shard-protocol.ts): the same scenario on 2 threads
// records every request exactly once, joins the simulator's log as a one-thread run does, splits
// clients, rates and request counts exactly, forwards Stop, and fails the run when a thread fails.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clientLimitReasons } from '../../../src/engine/client-limit';
import type { RequestRecord } from '../../../src/engine/records';
import { startRun } from '../../../src/engine/run';
import { parseScenario, ScenarioError } from '../../../src/engine/scenario/load';
import { shardCount, shardWorkload } from '../../../src/engine/shard-protocol';
import type { RunSummary, TargetSummary } from '../../../src/engine/summary';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator } from '../../../src/simulator/types';
import type { WorkerStart } from '../../../src/protocol/worker';
import { perflab, tmp } from '../helpers/run-cli';
import { logFor, runCollect, runEngineWorker, scenario, target, TimingErrors } from './helpers';

/** Every record once, joined with the simulator's log; its TTFT and E2E close to the log's. On one
 *  thread the engine cannot stamp an event before the simulator (same thread) has; from an engine
 *  thread it can, when the OS preempts the simulator's thread between its write and its stamp, so
 *  there only the size of the difference counts (same 90% / median bounds). */
function checkAgainstLog(sim: RunningSimulator, records: RequestRecord[], threads: number): void {
  const ids = records.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'record ids are unique');
  assert.equal(records.length, sim.log.length, 'one record per request the simulator served');
  const timing = new TimingErrors();
  for (const r of records) {
    assert.equal(r.error, null, r.error_message ?? '');
    const e = logFor(sim.log, r);
    assert.equal(e.client_request_id, String(r.id), 'x-perflab-request-id joins the record');
    const compare = threads === 1 ? timing.near.bind(timing) : timing.span.bind(timing);
    compare(r.start_ms + r.ttft_ms!, e.first_content_ms!, 'TTFT');
    compare(r.start_ms + r.e2e_ms!, e.end_ms, 'E2E');
  }
  timing.check();
}

/** The summary's counts agree with the records. */
function checkCounts(t: TargetSummary, records: RequestRecord[]): void {
  const succeeded = records.filter((r) => r.error === null && !r.warmup).length;
  const failed = records.filter((r) => r.error !== null && r.error !== 'cancelled' && !r.warmup).length;
  assert.equal(t.requests.sent, records.length);
  assert.equal(t.schedule.sent, records.length);
  assert.equal(t.requests.succeeded, succeeded);
  assert.equal(t.requests.failed, failed);
  assert.equal(t.requests.completed, records.filter((r) => r.error !== 'cancelled').length);
  assert.equal(t.latency_ms.ttft.count, succeeded);
}

describe('engine threads', function () {
  this.timeout(90_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  it('closed loop on 2 threads: every request once, joined with the simulator log, as on 1 thread', async () => {
    const results: Record<number, { summary: RunSummary; records: RequestRecord[] }> = {};
    for (const threads of [1, 2]) {
      sim = await startSimulator({ keep_log: true, ttft_ms: 30, tpot_ms: 2, jitter: 0.1 });
      const s = scenario([target(sim.url)], { engine_threads: threads, workload: { clients: 6, requests: 30 } });
      const { summary, records } = await runCollect(s);
      checkAgainstLog(sim, records, threads);
      checkCounts(summary.targets[0], records);
      assert.equal(summary.client.threads, threads === 1 ? undefined : 2);
      results[threads] = { summary, records };
      await sim.close();
    }
    for (const threads of [1, 2]) {
      const t = results[threads].summary.targets[0];
      assert.equal(t.requests.succeeded, 30, `threads ${threads}`);
      assert.deepEqual(
        results[threads].records.map((r) => r.id).sort((a, b) => a - b),
        [...Array(30).keys()],
        'ids 0..29, none lost or repeated',
      );
      assert.equal(t.schedule.scheduled, null, 'closed loop: no schedule');
      assert.ok(t.latency_ms.ttft.p50! >= 30 * 0.9 - 1, `TTFT p50 ${t.latency_ms.ttft.p50} reflects the simulated 30 ms`);
      assert.ok(t.duration_s > 0);
    }
    const c = results[2].summary.client;
    assert.ok(c.thread_cpu_max !== undefined && c.thread_cpu_max >= 0, 'each thread reports its own CPU');
  });

  it('open loop on 2 threads keeps the whole rate, interleaves constant arrivals and keeps the schedule bookkeeping', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 1, jitter: 0 });
    const rate = 1200; // one every 50 ms
    const durationS = 4;
    const s = scenario([target(sim.url)], {
      engine_threads: 2,
      workload: { mode: 'open', rate_rpm: rate, arrival: 'constant', clients: 20, requests: undefined, duration_s: durationS },
    });
    const { summary, records, windows } = await runCollect(s);
    checkAgainstLog(sim, records, 2);
    const t = summary.targets[0];
    checkCounts(t, records);
    // Constant arrivals: 80 in 4 s (the first at 0), whichever thread sends them.
    const expected = (rate / 60) * durationS;
    assert.ok(Math.abs(records.length - expected) <= 2, `${records.length} requests, expected ${expected}`);
    assert.equal(t.schedule.scheduled, t.schedule.sent + t.schedule.unsent);
    assert.equal(t.schedule.unsent, 0);
    assert.ok(Math.abs(t.schedule.expected! - expected) <= 2, `expected ${t.schedule.expected}`);
    assert.ok(t.schedule.achieved_ratio! >= 0.99);
    assert.equal(t.schedule.lag_ms.count, records.length, 'every send lag reached the parent');
    // The two threads' constant schedules interleave into one: scheduled times every 50 ms.
    const scheduled = records.map((r) => r.scheduled_ms!).sort((a, b) => a - b);
    const gaps = scheduled.slice(1).map((x, i) => x - scheduled[i]);
    const badGaps = gaps.filter((g) => Math.abs(g - 50) > 5);
    assert.ok(badGaps.length === 0, `scheduled gaps off 50 ms: ${badGaps.map((g) => g.toFixed(1)).join(', ')}`);
    assert.ok(windows.length >= 3, "windows are drawn from the threads' statuses");
    assert.ok(windows.some((w) => w.target_rpm === rate && w.requests > 0));
  });

  it('open loop Poisson on 2 threads keeps the whole rate', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1, jitter: 0 });
    const rate = 3000; // 50 a second, 200 in 4 s: a Poisson count's sd is ≈ 14
    const s = scenario([target(sim.url)], {
      engine_threads: 2,
      workload: { mode: 'open', rate_rpm: rate, arrival: 'poisson', clients: 30, requests: undefined, duration_s: 4 },
    });
    const { summary, records } = await runCollect(s, null, 11);
    checkAgainstLog(sim, records, 2);
    const t = summary.targets[0];
    checkCounts(t, records);
    assert.ok(Math.abs(records.length - 200) < 4 * 14, `${records.length} Poisson arrivals in 4 s at 50/s`);
    assert.equal(t.schedule.scheduled, records.length);
  });

  it('splits a request count, clients and warm-up exactly, and writes one requests.jsonl line per request', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 5, tpot_ms: 1 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-threads-'));
    try {
      const s = scenario([target(sim.url)], { engine_threads: 2, workload: { clients: 3, requests: 7, warm_up_requests: 2 } });
      const { summary, records } = await runCollect(s, dir);
      assert.equal(records.length, 7);
      assert.deepEqual(
        records.map((r) => r.id).sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6],
      );
      assert.equal(sim.log.length, 7);
      assert.equal(records.filter((r) => r.warmup).length, 2, 'the first 2 completed are warm-up, over both threads');
      const t = summary.targets[0];
      assert.equal(t.requests.warmup_excluded, 2);
      assert.equal(t.requests.succeeded, 5);
      const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 7);
      assert.deepEqual(lines.map((l) => (JSON.parse(l) as RequestRecord).id).sort(), records.map((r) => r.id).sort());
      const written = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
      assert.equal(written.targets[0].requests.sent, 7);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(
      [0, 1, 2].map((i) => shardWorkload(scenario([]).workload, i, 3).requests),
      [4, 4, 4],
      '12 requests over 3 threads',
    );
    const w = { ...scenario([]).workload, clients: 5, requests: 7, mode: 'open' as const, rate_rpm: 90 };
    assert.deepEqual(
      [0, 1].map((i) => shardWorkload(w, i, 2)).map((x) => [x.clients, x.requests, x.rate_rpm]),
      [
        [3, 4, 45],
        [2, 3, 45],
      ],
    );
    assert.equal(shardCount(scenario([], { engine_threads: 8, workload: { clients: 3 } })), 3, 'no more threads than clients');
    assert.equal(shardCount(scenario([], { engine_threads: 8, workload: { clients: 30, requests: 2 } })), 2, 'no more threads than requests');
  });

  it('forwards Stop (abort) to every thread: in-flight requests cancelled, the summary still written', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 5_000, tpot_ms: 1 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-threads-'));
    try {
      const records: RequestRecord[] = [];
      const s = scenario([target(sim.url)], { engine_threads: 2, workload: { clients: 4, requests: 40 } });
      const run = startRun(s, { outDir: dir, seed: 3, resolveCredential: async () => null, onRecord: (r) => records.push(r) });
      // Stop once all four requests are at the simulator (each waits 5 s for its first token).
      const until = Date.now() + 20_000;
      while (sim.inFlight() < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      run.stop('abort');
      const summary = await run.done;
      assert.equal(summary.stopped_by, 'stop');
      assert.equal(records.length, 4);
      assert.ok(
        records.every((r) => r.error === 'cancelled'),
        records.map((r) => r.error).join(),
      );
      assert.equal(summary.targets[0].requests.cancelled, 4);
      assert.ok(fs.existsSync(path.join(dir, 'summary.json')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failing engine thread fails the run: the others are aborted and the summary says why', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 5_000, tpot_ms: 1 });
    const records: RequestRecord[] = [];
    const s = scenario([target(sim.url)], { engine_threads: 2, workload: { clients: 2, requests: 10 } });
    const run = startRun(s, {
      outDir: null,
      resolveCredential: async () => null,
      onRecord: (r) => records.push(r),
      shardFile: path.join(__dirname, 'fixtures', 'failing-shard.ts'),
    });
    const summary = await run.done;
    assert.equal(summary.stopped_by, 'error');
    assert.match(summary.error ?? '', /engine thread 2 of 2 failed: .*shard 1 broke/);
    assert.equal(summary.passed, false);
    // Thread 1 ran normally until the failure aborted its request.
    assert.equal(records.length, 1);
    assert.equal(records[0].error, 'cancelled');
  });

  it('engine.threads in a scenario file: a number, auto, and clear errors', () => {
    const text = (threads: string) =>
      `targets:\n  - name: t\n    endpoint: simulator\nworkload:\n  mode: closed\n  requests: 4\nengine:\n  threads: ${threads}\n`;
    assert.equal(parseScenario(text('3'), 'a.perf.yaml').engine_threads, 3);
    assert.equal(parseScenario(text('auto'), 'a.perf.yaml').engine_threads, Math.max(1, os.availableParallelism() - 1));
    assert.equal(parseScenario(text('1').replace(/engine:\n.*\n$/, ''), 'a.perf.yaml').engine_threads, undefined, 'absent: one thread');
    for (const [bad, why] of [
      ['0', /at least 1|minimum|>= 1/],
      ['65', /at most 64/],
      ['many', /auto/],
      ['2.5', /integer|auto/],
    ] as const) {
      assert.throws(
        () => parseScenario(text(bad), 'a.perf.yaml'),
        (err: unknown) => {
          assert.ok(err instanceof ScenarioError);
          const p = err.problems[0];
          assert.equal(p.line, 8, `${bad}: ${p.message}`);
          assert.match(p.message, why as RegExp, `${bad}: ${p.message}`);
          return true;
        },
      );
    }
  });

  it('the built CLI runs engine threads from its bundle (dist/engine-shard.js), simulator in the parent', async () => {
    const dir = tmp('perflab-threads-cli-');
    try {
      const file = path.join(dir, 'threads.perf.yaml');
      fs.writeFileSync(
        file,
        [
          'targets:',
          '  - name: sim',
          '    endpoint: simulator',
          '    model: gpt-4o-mini',
          '    simulator: { ttft_ms: 20, tpot_ms: 1 }',
          'workload: { mode: closed, clients: 4, requests: 9 }',
          'prompts: { shape: custom, context_tokens: 40, max_tokens: 8 }',
          'engine: { threads: 2 }',
          '',
        ].join('\n'),
      );
      const out = path.join(dir, 'run');
      const r = await perflab(['run', file, '--out', out]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const records = fs
        .readFileSync(path.join(out, 'requests.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RequestRecord);
      assert.deepEqual(
        records.map((x) => x.id).sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
      );
      assert.ok(
        records.every((x) => x.error === null),
        records.map((x) => x.error_message).join(),
      );
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as RunSummary;
      assert.equal(summary.client.threads, 2);
      assert.equal(summary.targets[0].requests.succeeded, 9);
      assert.equal(summary.scenario.engine_threads, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the extension's engine worker (dist/engine-worker.js) runs engine threads too (nested workers)", async () => {
    sim = await startSimulator({ ttft_ms: 5, tpot_ms: 1 });
    const start: WorkerStart = {
      scenario: { ...scenario([target(sim.url)], { workload: { requests: 6, clients: 2 } }), engine_threads: 2 },
      outDir: tmp(),
      credentials: {},
    };
    const received = await runEngineWorker(start);
    const done = received.find((m) => m.type === 'done');
    assert.ok(done && done.type === 'done', JSON.stringify(received.filter((m) => m.type !== 'window')).slice(0, 500));
    assert.equal(done.summary.client.threads, 2);
    assert.equal(done.summary.targets[0].requests.succeeded, 6);
    const ids = fs
      .readFileSync(path.join(start.outDir, 'requests.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    assert.deepEqual(
      ids.sort((a: number, b: number) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('the CPU rule reads the busiest engine thread, not the process total', () => {
    const t = { client_delay_ms: { p95: 1 }, latency_ms: { ttft: { p50: 30 } } } as unknown as TargetSummary;
    const health = { cpu_avg: 1.5, cpu_max: 1.7, event_loop_delay_ms: { p50: 0, p99: 1, max: 2 } };
    assert.deepEqual(clientLimitReasons(t, { ...health, threads: 2, thread_cpu_max: 0.6 }), [], 'two threads at 60% each: none saturated');
    assert.match(clientLimitReasons(t, { ...health, threads: 2, thread_cpu_max: 0.97 })[0], /busiest of the client's 2 engine threads reached 97%/);
    assert.match(clientLimitReasons(t, health)[0], /CPU reached 170% of a core/, 'one thread: the process total as before');
  });
});
