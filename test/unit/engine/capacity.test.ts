// `perflab capacity`'s search against the simulator, each knee checked against the simulator's own
// log: serving slots (a latency knee without any 429), a request quota, and a provisioned (PTU-like)
// deployment whose latency rises with utilization; a clients cap and a busy event loop are the
// client's limits, not the deployment's; the budget is kept; a stopped search keeps its steps; a
// confirmation run at the answer holds the SLOs and one 30% above does not.
//
// Steps are short (3–5 s) to keep the suite fast; the tolerances below come from what such a step can
// resolve, worked out in each test.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCapacitySearch } from '../../../src/engine/capacity/capacity-search';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { stepScenario } from '../../../src/engine/capacity/step';
import { startRun } from '../../../src/engine/run';
import { parseScenario } from '../../../src/engine/scenario/load';
import { capacitySettingsOf } from '../../../src/engine/scenario/normalize';
import type { Scenario } from '../../../src/engine/scenario/types';
import { startSimulator } from '../../../src/simulator';
import type { RunningSimulator, SimulatorOptions } from '../../../src/simulator/types';
import { startSimulator as startSimulatorProcess } from '../cli/report-runs';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-capacity-'));
}

/** A scenario against a running simulator (its log is the truth), from YAML like a user writes. */
function scenarioAt(sim: { url: string }, yaml: string): Scenario {
  const text = `name: cap
targets:
  - name: dep
    provider: simulator
    endpoint: ${sim.url}
    model: gpt-4o-mini
${yaml}`;
  return parseScenario(text, path.join(tmpDir(), 'cap.perf.yaml'));
}

async function search(s: Scenario, outDir = tmpDir()): Promise<{ report: CapacityReport; outDir: string; wallS: number }> {
  const began = performance.now();
  const report = await startCapacitySearch(s, { outDir, settings: capacitySettingsOf(s), seed: 11, resolveCredential: async () => null }).done;
  return { report, outDir, wallS: (performance.now() - began) / 1000 };
}

function simulator(options: Partial<SimulatorOptions>): Promise<RunningSimulator> {
  return startSimulator({ host: '127.0.0.1', port: 0, keep_log: true, seed: 3, ...options });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('capacity search (against the simulator)', function () {
  this.timeout(180_000);
  let sim: RunningSimulator | null = null;
  afterEach(async () => {
    await sim?.close();
    sim = null;
  });

  it('finds a serving-slot knee (no 429) within precision and calls it saturation', async () => {
    sim = await simulator({ ttft_ms: 100, ttft_per_1k_prompt_ms: 0, tpot_ms: 10, jitter: 0.05, max_concurrency: 5 });
    const s = scenarioAt(
      sim,
      `workload: { rate: 600, duration: 10s, clients: 200, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 20 }
retry: none
slos: [ "ttft.p95 < 400ms" ]
capacity: { min: 300, max: 4000, precision: 0.1, step_duration: 4s, warm_up: 1s, cooldown: 1s, budget: 3m }`,
    );
    const { report, outDir } = await search(s);
    const t = report.targets[0];
    // The true knee from the simulator's log: 5 slots, each held for a request's generation time.
    const served = sim.log.filter((e) => e.status === 200 && !e.interrupted);
    const holdMs = mean(served.map((e) => e.end_ms - e.received_ms - (e.queued_ms ?? 0)));
    const knee = (5 * 60_000) / holdMs;
    assert.equal(sim.log.filter((e) => e.status === 429).length, 0, 'serving slots never throttle');
    assert.equal(t.search, 'complete');
    assert.equal(t.limited_by, 'saturation', t.detail);
    // A 3 s measured window sees a queue once the excess is a few percent (the queue's wait grows by
    // 3 s × excess), so a step up to ~8% above the knee may still pass; below, precision (10%) plus
    // jitter bounds it.
    assert.ok(t.capacity_rpm! >= knee * 0.85 && t.capacity_rpm! <= knee * 1.1, `capacity ${t.capacity_rpm} vs knee ${knee.toFixed(0)} from the log`);
    assert.ok(t.bracket.failed! - t.bracket.passed! <= 0.1 * t.bracket.passed!);
    const failing = t.steps.find((st) => st.offered_rpm === t.bracket.failed)!;
    assert.ok(
      failing.reasons.some((r) => /queue|in flight/.test(r)),
      failing.reasons.join('; '),
    );
    // Every step is a whole run folder; capacity.json on disk is the report.
    for (const st of t.steps) assert.ok(fs.existsSync(path.join(outDir, st.run_dir, 'summary.json')), st.run_dir);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(outDir, 'capacity.json'), 'utf8')), JSON.parse(JSON.stringify(report)));
    assert.ok(t.goodput_rpm! > 0.8 * t.capacity_rpm!, `goodput ${t.goodput_rpm} at ${t.capacity_rpm}`);
    assert.equal(t.expected_rpm, 600);
    assert.equal(t.headroom, Math.round((t.capacity_rpm! / 600) * 100) / 100);

    // Confirmation against the same deployment, longer than a step: the answer holds, 30% above does not.
    const settings = { ...capacitySettingsOf(s), step_duration_s: 8, warm_up_s: 1 };
    const target = s.targets[0];
    const at = await startRun(stepScenario(s, target, t.capacity_rpm!, settings), { outDir: null, seed: 5, resolveCredential: async () => null }).done;
    assert.equal(at.passed, true, JSON.stringify(at.slos));
    await new Promise((r) => setTimeout(r, 1000));
    const before = sim.log.length;
    const above = await startRun(stepScenario(s, target, Math.round(t.capacity_rpm! * 1.3), settings), {
      outDir: null,
      seed: 5,
      resolveCredential: async () => null,
    }).done;
    assert.equal(above.passed, false, JSON.stringify(above.slos));
    const waits = sim.log.slice(before).map((e) => e.queued_ms ?? 0);
    assert.ok(
      waits.slice(-10).every((w) => w > 100),
      `the simulator queued requests 30% above: last waits ${waits.slice(-10).map(Math.round).join(', ')} ms`,
    );
  });

  it('finds a request quota within precision and calls it quota', async () => {
    // 600 RPM enforced over 2 s windows: 20 requests per window.
    sim = await simulator({ ttft_ms: 50, ttft_per_1k_prompt_ms: 0, tpot_ms: 5, jitter: 0.05, rpm_limit: 600, quota_window_s: 2 });
    const s = scenarioAt(
      sim,
      `workload: { rate: 400, duration: 10s, clients: 100, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
retry: none
slos: [ "ttft.p95 < 2s" ]
capacity: { min: 150, max: 4000, precision: 0.05, step_duration: 4s, warm_up: 1s, cooldown: 2s, budget: 3m }`,
    );
    const { report } = await search(s);
    const t = report.targets[0];
    assert.equal(t.limited_by, 'quota', t.detail);
    // Constant arrivals at r RPM put 2·r/60 requests in a 2 s window: at most 600 fit; the search's 5%
    // precision bounds it from below.
    assert.ok(t.capacity_rpm! <= 600 && t.capacity_rpm! >= 600 * 0.9, `capacity ${t.capacity_rpm}`);
    const failing = t.steps.find((st) => st.offered_rpm === t.bracket.failed)!;
    assert.ok(failing.throttled_rate! > 0 && failing.reasons.some((r) => /429/.test(r)), failing.reasons.join('; '));
    // Do no harm: the search never offered more than twice the quota, and sent one attempt per request.
    assert.ok(Math.max(...t.steps.map((st) => st.offered_rpm)) <= 1200);
    const answered = sim.log.filter((e) => e.status === 429).length;
    assert.ok(answered > 0 && answered < sim.log.length / 2, `${answered} of ${sim.log.length} throttled`);
  });

  it("finds where a provisioned deployment's latency crosses the TTFT SLO, with PTU sizing", async () => {
    // Simulator: TTFT = 100 ms × 1/(1 − 0.8·u) × jitter(±2%), u = tokens per minute ÷ capacity
    // (src/simulator/latency-model.ts). ttft.p95 < 200 ms holds while 100·1.02/(1 − 0.8u) < 200,
    // i.e. u < 0.6125.
    const capacityTpm = 120_000;
    sim = await simulator({ ttft_ms: 100, ttft_per_1k_prompt_ms: 0, tpot_ms: 5, jitter: 0.02, ptu_capacity_tpm: capacityTpm, quota_window_s: 2 });
    const s = scenarioAt(
      sim,
      `workload: { rate: 300, duration: 10s, clients: 200, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 80, max_tokens: 20 }
retry: none
slos: [ "ttft.p95 < 200ms" ]
capacity: { min: 100, max: 4000, precision: 0.05, step_duration: 5s, warm_up: 2s, cooldown: 2s, budget: 4m, ptus: 10 }`,
    );
    const { report } = await search(s);
    const t = report.targets[0];
    // Each request costs its prompt plus max_tokens against the capacity, as the log shows.
    const cost = mean(sim.log.map((e) => e.prompt_tokens)) + 20;
    const knee = (0.6125 * capacityTpm) / cost;
    assert.equal(t.limited_by, 'slo:ttft.p95 < 200ms', t.detail);
    assert.ok(
      t.capacity_rpm! >= knee * 0.85 && t.capacity_rpm! <= knee * 1.05,
      `capacity ${t.capacity_rpm} vs ${knee.toFixed(0)} from the latency model and the log's prompt sizes`,
    );
    assert.equal(t.per_ptu_rpm, Math.round((t.capacity_rpm! / 10) * 100) / 100);
    assert.equal(t.ptus_needed, Math.ceil((300 * 1.1) / t.per_ptu_rpm!));
  });

  it("calls a clients cap the client's limit: a lower bound, not the deployment's capacity", async () => {
    // A healthy deployment (no limits) in its own process, and only 2 clients: with E2E ≈ 300 ms, 2
    // clients carry ≈ 400 RPM. TTFT 200 ms puts the self-check's resolution at 20 ms (flag above 16 ms),
    // so a busy machine's hiccups of a few ms do not flag the step: this test is about the clients cap.
    const server = await startSimulatorProcess(['--ttft-ms', '200', '--ttft-per-1k-prompt-ms', '0', '--tpot-ms', '5', '--jitter', '0.05']);
    const s = scenarioAt(
      server,
      `workload: { rate: 300, duration: 10s, clients: 2, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 20 }
retry: none
slos: [ "ttft.p95 < 5s" ]
capacity: { min: 100, max: 4000, precision: 0.2, step_duration: 3s, warm_up: 1s, cooldown: 1s, budget: 2m }`,
    );
    let report: CapacityReport;
    try {
      ({ report } = await search(s));
    } finally {
      server.stop();
    }
    const t = report.targets[0];
    assert.equal(t.limited_by, 'client', t.detail);
    assert.equal(t.lower_bound, true);
    assert.match(t.detail, /lower bound/);
    const failing = t.steps.find((st) => st.offered_rpm === t.bracket.failed)!;
    assert.ok(
      failing.reasons.some((r) => /raise workload\.clients/.test(r)),
      failing.reasons.join('; '),
    );
  });

  it("calls a step whose event loop was held the client's limit (client_limited)", async () => {
    // The simulator in its own process (in this thread it would be held too, and the client would
    // see its writes no later than they were made).
    const server = await startSimulatorProcess(['--ttft-ms', '50', '--ttft-per-1k-prompt-ms', '0', '--tpot-ms', '5', '--jitter', '0.05']);
    const s = scenarioAt(
      server,
      `workload: { rate: 300, duration: 10s, clients: 100, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
retry: none
slos: [ "ttft.p95 < 2s" ]
capacity: { min: 200, max: 200, step_duration: 3s, warm_up: 1s, budget: 1m }`,
    );
    // This thread runs the engine: hold its event loop 40 ms of every 60 ms, as a saturated CPU would.
    const hog = setInterval(() => {
      const until = performance.now() + 40;
      while (performance.now() < until);
    }, 60);
    let report: CapacityReport;
    try {
      ({ report } = await search(s));
    } finally {
      clearInterval(hog);
      server.stop();
    }
    const step = report.targets[0].steps[0];
    assert.equal(step.passed, false);
    assert.equal(step.limited_by, 'client', step.reasons.join('; '));
    assert.equal(step.client_limited, true);
    assert.equal(report.targets[0].capacity_rpm, null, 'min failed: no capacity found');
  });

  it('keeps the budget, and a stopped search keeps its finished steps', async () => {
    sim = await simulator({ ttft_ms: 50, ttft_per_1k_prompt_ms: 0, tpot_ms: 5, jitter: 0.05 });
    const s = scenarioAt(
      sim,
      `workload: { rate: 300, duration: 10s, clients: 100, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
retry: none
capacity: { min: 60, max: 100000, step_duration: 2s, warm_up: 0.5s, budget: 12s }`,
    );
    const { report, wallS } = await search(s);
    const t = report.targets[0];
    assert.equal(t.search, 'budget');
    // Each step may take 2 s plus its drain limit (2 s): the search only starts a step that fits.
    assert.ok(wallS <= 12 + 1, `took ${wallS.toFixed(1)} s for a 12 s budget`);
    assert.ok(t.steps.length >= 2 && t.steps.every((st) => st.passed), JSON.stringify(t.steps.map((st) => st.offered_rpm)));
    assert.equal(t.lower_bound, true);
    assert.match(t.detail, /budget/);

    const outDir = tmpDir();
    const running = startCapacitySearch(s, { outDir, settings: { ...capacitySettingsOf(s), budget_s: 600 }, resolveCredential: async () => null });
    // Stop during the third step.
    let steps = 0;
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const file = path.join(outDir, 'capacity.json');
        steps = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as CapacityReport).targets[0].steps.length : 0;
        if (steps >= 2) {
          clearInterval(poll);
          setTimeout(resolve, 500);
        }
      }, 100);
    });
    running.stop();
    const stopped = await running.done;
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.targets[0].search, 'stopped');
    assert.ok(stopped.targets[0].steps.length >= 2);
    const onDisk = JSON.parse(fs.readFileSync(path.join(outDir, 'capacity.json'), 'utf8')) as CapacityReport;
    assert.equal(onDisk.status, 'stopped');
    assert.equal(onDisk.targets[0].steps.length, stopped.targets[0].steps.length);
  });
});
