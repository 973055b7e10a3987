// Calibrates perflab's self-check (issue 13): when does the client's own busy event loop inflate the
// latencies it reports beyond the measurement's resolution, and which indicator the engine can see
// predicts it?
//
//   npx node esbuild.mjs && npx tsx bench/self-check.ts [clients=10,40,60,80,100,120,150,200,300,500] [seconds=20] [warm-up s=3]
//
// For each client count N, against a fresh simulator process each time (the built `perflab simulate`:
// TTFT 30 ms, 2 ms per token, 50 tokens one per chunk, 5% jitter, its own log of every write):
//   perflab  one engine run (startRun, closed loop, N clients) in this process
//   bare     the same N with bench/lib/bare-client.ts, the least any Node client can do
// Each client's first-token and end times are joined with the simulator's log by response id: the
// difference is the client's timing error (both clocks are performance.timeOrigin + now(), one machine).
// For perflab it also compares each request's client_delay_ms (the engine's estimate of its own
// delay) and prototype estimates from a 1 ms probe (bench/lib/loop-ticks.ts) with the true error.
// Requests started in the warm-up are left out; CPU and heap are measured over the same window.
// Prints a JSON line per run, a markdown table and how candidate self-check rules classify the runs;
//   npx tsx bench/self-check.ts rules OUTPUT…
// re-checks the rules over the saved output of several runs. docs/performance.md (section 9) records it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createPromptFactory } from '../src/engine/prompt-builder';
import type { RequestRecord, WindowSnapshot } from '../src/engine/records';
import { startRun } from '../src/engine/run';
import type { Scenario } from '../src/engine/scenario/types';
import type { SimulatorLogEntry } from '../src/simulator/types';
import { encodingForModel, mulberry32 } from '../src/tokens';
import { runBareClient } from './lib/bare-client';
import { benchScenario, processCpuS, startSimulatorProcess, type SimulatorProcess } from './lib/bench-setup';
import { TickLog, type DelayEstimates } from './lib/loop-ticks';

const SIMULATOR_ARGS = ['--ttft-ms', '30', '--ttft-per-1k-prompt-ms', '0', '--tpot-ms', '2', '--tokens-per-chunk', '1', '--jitter', '0.05'];
const MODEL = 'gpt-4o-mini';
/** A request counts as covered when the estimate is at most this far below its true error. */
const COVER_SLACK_MS = 2;

// A full collection before each run, so each starts from the same heap.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** `--threads N`: the engine's `engine.threads` (src/engine/shard-protocol.ts); `--perflab-only`: skip the bare client. */
const options = { threads: 1, perflabOnly: false };

function scenario(url: string, clients: number, durationS: number): Scenario {
  // bench-setup's scenario, in closed loop with 50-token answers (the issue's workload).
  const base = benchScenario(url, 0, clients, { duration_s: durationS });
  return {
    ...base,
    engine_threads: options.threads,
    name: `self-check-${clients}`,
    workload: { ...base.workload, mode: 'closed', rate_rpm: undefined },
    prompts: { kind: 'shape', profile: 'custom', context_tokens: 100, max_tokens: 50 },
  };
}

// ---- small statistics --------------------------------------------------------------------------

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: s.length ? round(s[0]) : null, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: percentile(s, 100) };
}

function pearson(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? round(sxy / Math.sqrt(sxx * syy), 3) : null;
}

/** How well a per-request estimate tracks the true per-request error. */
function tracking(estimate: number[], truth: number[]) {
  const covered = estimate.filter((e, i) => e >= truth[i] - COVER_SLACK_MS).length;
  const residual = truth.map((t, i) => t - estimate[i]).sort((a, b) => a - b);
  const est = stats(estimate);
  return {
    p50: est.p50,
    p95: est.p95,
    covered: estimate.length ? round(covered / estimate.length, 3) : null,
    correlation: pearson(estimate, truth),
    residual_p95: percentile(residual, 95),
  };
}

// ---- the machine -------------------------------------------------------------------------------

function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** CPU seconds all cores have been busy (user, nice, system, irq, softirq, steal), from /proc/stat. */
function machineBusyS(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

/** CPU, heap and the machine's load between the end of the warm-up and the end of the run. */
class Window {
  from = 0;
  to = 0;
  private cpu0: NodeJS.CpuUsage = process.cpuUsage();
  private sim0 = 0;
  private busy0 = 0;
  cpuMs = 0;
  simCpuS = 0;
  othersCpuS = 0;
  heapMaxMb = 0;
  private heapTimer: NodeJS.Timeout | null = null;
  private readonly timers: NodeJS.Timeout[];

  constructor(sim: SimulatorProcess, warmUpS: number, seconds: number) {
    this.timers = [
      setTimeout(() => {
        this.from = performance.now();
        this.cpu0 = process.cpuUsage();
        this.sim0 = processCpuS(sim.pid);
        this.busy0 = machineBusyS();
        this.heapTimer = setInterval(() => this.sampleHeap(), 1000);
      }, warmUpS * 1000),
      setTimeout(
        () => {
          this.to = performance.now();
          const cpu = process.cpuUsage(this.cpu0);
          this.cpuMs = (cpu.user + cpu.system) / 1000;
          this.simCpuS = processCpuS(sim.pid) - this.sim0;
          this.othersCpuS = Math.max(0, machineBusyS() - this.busy0 - this.cpuMs / 1000 - this.simCpuS);
          this.sampleHeap();
          if (this.heapTimer) clearInterval(this.heapTimer);
        },
        (warmUpS + seconds) * 1000,
      ),
    ];
  }

  private sampleHeap(): void {
    this.heapMaxMb = Math.max(this.heapMaxMb, process.memoryUsage().heapUsed / 2 ** 20);
  }

  get seconds(): number {
    return (this.to - this.from) / 1000;
  }
  /** Window bounds as epoch ms (the simulator log's clock). */
  get epoch(): [number, number] {
    return [performance.timeOrigin + this.from, performance.timeOrigin + this.to];
  }
  /** After the run: the run ends after the window (drain), so both marks must have been taken. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    if (this.heapTimer) clearInterval(this.heapTimer);
    if (this.to === 0) throw new Error('the run ended before its measurement window did');
  }
}

// ---- one run of either client ------------------------------------------------------------------

/** What both clients give per request (epoch ms). */
interface Stamped {
  responseId: string | null;
  startMs: number;
  firstMs: number | null;
  endMs: number | null;
  ok: boolean;
}

function readLog(file: string): Map<string, SimulatorLogEntry> {
  const byId = new Map<string, SimulatorLogEntry>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as SimulatorLogEntry;
    if (e.response_id) byId.set(e.response_id, e);
  }
  return byId;
}

interface Joined {
  ttftError: number[];
  e2eError: number[];
  trueTtft: number[];
  /** Index into the client's stamped list, for per-request comparisons. */
  index: number[];
  unmatched: number;
}

/** Errors of the requests started in the window (ok, with a first token), against the log. */
function join(stamped: Stamped[], log: Map<string, SimulatorLogEntry>, [from, to]: [number, number]): Joined {
  const out: Joined = { ttftError: [], e2eError: [], trueTtft: [], index: [], unmatched: 0 };
  stamped.forEach((s, i) => {
    if (!s.ok || s.startMs < from || s.startMs >= to || s.firstMs === null || s.endMs === null) return;
    const e = s.responseId ? log.get(s.responseId) : undefined;
    if (!e || e.first_content_ms === undefined) {
      out.unmatched++;
      return;
    }
    out.ttftError.push(s.firstMs - e.first_content_ms);
    out.e2eError.push(s.endMs - e.end_ms);
    out.trueTtft.push(e.first_content_ms - s.startMs);
    out.index.push(i);
  });
  return out;
}

function commonResult(client: string, clients: number, stamped: Stamped[], joined: Joined, w: Window, load: { before: string; after: string }) {
  const [from, to] = w.epoch;
  const completed = stamped.filter((s) => s.endMs !== null && s.endMs >= from && s.endMs < to).length;
  return {
    client,
    clients,
    window_s: round(w.seconds, 1),
    requests: joined.ttftError.length,
    unmatched: joined.unmatched,
    failed: stamped.filter((s) => !s.ok && s.startMs >= from && s.startMs < to).length,
    rpm: Math.round((completed / w.seconds) * 60),
    ttft_error_ms: stats(joined.ttftError),
    e2e_error_ms: stats(joined.e2eError),
    true_ttft_ms: stats(joined.trueTtft),
    cpu_ms_per_request: round(w.cpuMs / Math.max(1, completed), 3),
    cpu_cores: round(w.cpuMs / 1000 / w.seconds),
    simulator_cores: round(w.simCpuS / w.seconds),
    others_cores: round(w.othersCpuS / w.seconds),
    heap_mb_max: Math.round(w.heapMaxMb),
    loadavg_before: load.before,
    loadavg_after: load.after,
  };
}

/** A fresh simulator with its own log; `finish` stops it (its log is complete only then) and reads the log. */
async function withSimulator<T>(fn: (sim: SimulatorProcess, dir: string, finish: () => Promise<Map<string, SimulatorLogEntry>>) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-self-check-'));
  const logFile = path.join(dir, 'simulator.jsonl');
  const sim = await startSimulatorProcess([...SIMULATOR_ARGS, '--log', logFile]);
  let stopped = false;
  const finish = async () => {
    stopped = true;
    await sim.stop();
    return readLog(logFile);
  };
  try {
    return await fn(sim, dir, finish);
  } finally {
    if (!stopped) await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runPerflab(clients: number, seconds: number, warmUpS: number) {
  return withSimulator(async (sim, dir, finish) => {
    // Only what the join needs: holding whole records would grow this process's heap.
    const kept: (Stamped & { stampAt: number | null; clientDelay: number | null; chunks: number })[] = [];
    const windows: WindowSnapshot[] = [];
    const ticks = new TickLog(1);
    const before = loadAverage();
    gc();
    const w = new Window(sim, warmUpS, seconds);
    ticks.start();
    const run = startRun(scenario(sim.url, clients, warmUpS + seconds), {
      outDir: path.join(dir, 'run'),
      seed: 1,
      resolveCredential: async () => null,
      onRecord: (r: RequestRecord) => {
        const first = r.ttft_ms === null ? null : r.start_ms + r.ttft_ms;
        kept.push({
          responseId: r.response_id,
          startMs: r.start_ms,
          firstMs: first,
          endMs: r.e2e_ms === null ? null : r.start_ms + r.e2e_ms,
          ok: r.error === null,
          stampAt: first === null ? null : first - performance.timeOrigin,
          clientDelay: r.client_delay_ms ?? null,
          chunks: r.content_chunks,
        });
      },
      onWindow: (s) => windows.push(s),
    });
    const summary = await run.done;
    ticks.stop();
    w.close();
    const after = loadAverage();
    const joined = join(kept, await finish(), w.epoch);
    const [from, to] = w.epoch;

    // The engine's per-request estimate and the prototypes, against each request's true error.
    const engine: number[] = [];
    const alt: Record<keyof DelayEstimates, number[]> = { next: [], prev: [], mid: [] };
    const truth: number[] = [];
    joined.index.forEach((k, j) => {
      const r = kept[k];
      const e = r.stampAt === null ? null : ticks.estimate(r.stampAt);
      if (r.clientDelay === null || e === null) return;
      engine.push(r.clientDelay);
      alt.next.push(e.next);
      alt.prev.push(e.prev);
      alt.mid.push(e.mid);
      truth.push(joined.ttftError[j]);
    });
    const done = kept.filter((r) => r.endMs !== null && r.endMs >= from && r.endMs < to);
    const inWindow = windows.filter((s) => s.t > warmUpS && s.t <= warmUpS + seconds);
    const t = summary.targets[0];
    return {
      ...commonResult('perflab', clients, kept, joined, w, { before, after }),
      // What the engine reports (true TTFT + its error): the rule can only use this.
      measured_ttft_ms: stats(joined.index.map((k) => kept[k].firstMs! - kept[k].startMs)),
      events_per_s: Math.round(done.reduce((a, r) => a + r.chunks, 0) / w.seconds),
      in_flight_mean: round(inWindow.reduce((a, s) => a + s.in_flight, 0) / Math.max(1, inWindow.length), 1),
      event_loop_delay_ms: summary.client.event_loop_delay_ms,
      cpu_avg: summary.client.cpu_avg,
      cpu_max: summary.client.cpu_max,
      threads: summary.client.threads ?? 1,
      thread_cpu_max: summary.client.thread_cpu_max ?? null,
      bottleneck: summary.client.bottleneck,
      summary_client_delay_ms: t.client_delay_ms ? { p50: t.client_delay_ms.p50, p95: t.client_delay_ms.p95, p99: t.client_delay_ms.p99 } : null,
      client_delay_ms: tracking(engine, truth),
      probe_1ms: { next: tracking(alt.next, truth), prev: tracking(alt.prev, truth), mid: tracking(alt.mid, truth) },
    };
  });
}

async function runBare(clients: number, seconds: number, warmUpS: number) {
  return withSimulator(async (sim, dir, finish) => {
    // The engine's own request for this target: same URL, headers and body shape.
    const sc = scenario(sim.url, clients, seconds);
    const request = createPromptFactory(sc, sc.targets[0], `${sim.url}/v1`, null, encodingForModel(MODEL), mulberry32(1))().request;
    const before = loadAverage();
    gc();
    const w = new Window(sim, warmUpS, seconds);
    const records = await runBareClient({ url: request.url, headers: request.headers, body: request.body }, clients, (warmUpS + seconds) * 1000);
    w.close();
    const after = loadAverage();
    const stamped: Stamped[] = records.map((r) => ({ responseId: r.responseId, startMs: r.startMs, firstMs: r.firstTokenMs, endMs: r.doneMs, ok: r.ok }));
    return commonResult('bare', clients, stamped, join(stamped, await finish(), w.epoch), w, { before, after });
  });
}

type PerflabResult = Awaited<ReturnType<typeof runPerflab>>;
type BareResult = Awaited<ReturnType<typeof runBare>>;

// ---- calibration -------------------------------------------------------------------------------

/** The error is large when its p95 passes the resolution: 10 ms, or 10% of the true TTFT if longer. */
const errorLimit = (ttftP50: number) => Math.max(10, 0.1 * ttftP50);
const isLarge = (r: PerflabResult) => r.ttft_error_ms.p95! > errorLimit(r.true_ttft_ms.p50!);

/** Candidate self-check rules, each using only what the engine sees. Thresholds were chosen on
 *  earlier runs of this bench (docs/performance.md, section 9); each run re-checks them. */
const RULES: { name: string; flag: (r: PerflabResult) => boolean }[] = [
  { name: 'engine before issue 13: cpu_max ≥ 0.95 or event-loop delay p99 > 100 ms', flag: (r) => r.cpu_max >= 0.95 || r.event_loop_delay_ms.p99 > 100 },
  { name: 'cpu_max ≥ 0.9', flag: (r) => r.cpu_max >= 0.9 },
  { name: 'event-loop delay p99 > 15 ms', flag: (r) => r.event_loop_delay_ms.p99 > 15 },
  { name: "client_delay_ms (the engine's estimate) p95 > 6 ms", flag: (r) => r.client_delay_ms.p95! > 6 },
  { name: '1 ms probe "mid" p95 > 0.8 × max(10 ms, 10% of measured TTFT p50)', flag: (r) => r.probe_1ms.mid.p95! > 0.8 * errorLimit(r.measured_ttft_ms.p50!) },
  { name: '1 ms probe "prev" p95 > max(10 ms, 10% of measured TTFT p50)', flag: (r) => r.probe_1ms.prev.p95! > errorLimit(r.measured_ttft_ms.p50!) },
];

/** Rank correlation across runs (ties get their mean rank). */
function spearman(x: number[], y: number[]): number | null {
  const ranks = (v: number[]) => {
    const order = v.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value);
    const r = new Array<number>(v.length);
    for (let a = 0; a < order.length;) {
      let b = a;
      while (b + 1 < order.length && order[b + 1].value === order[a].value) b++;
      for (let k = a; k <= b; k++) r[order[k].i] = (a + b) / 2;
      a = b + 1;
    }
    return r;
  };
  return pearson(ranks(x), ranks(y));
}

function calibration(runs: PerflabResult[]): string {
  const lines = [
    '| rule (flag the run as client-limited when…) | flagged | missed (large error, not flagged) | false alarms (small error, flagged) |',
    '|---|---|---|---|',
  ];
  for (const rule of RULES) {
    const flagged = runs.filter(rule.flag);
    const missed = runs.filter((r) => isLarge(r) && !rule.flag(r)).map((r) => `${r.clients} (${r.ttft_error_ms.p95} ms)`);
    const alarms = runs.filter((r) => !isLarge(r) && rule.flag(r)).map((r) => `${r.clients} (${r.ttft_error_ms.p95} ms)`);
    lines.push(
      `| ${rule.name} | ${flagged.map((r) => r.clients).join(', ') || '–'} | ${missed.length}${missed.length ? `: ${missed.join(', ')}` : ''} | ${alarms.length}${alarms.length ? `: ${alarms.join(', ')}` : ''} |`,
    );
  }
  const err = runs.map((r) => r.ttft_error_ms.p95!);
  const indicators: [string, (r: PerflabResult) => number][] = [
    ['client_delay_ms p95', (r) => r.client_delay_ms.p95!],
    ['1 ms probe mid p95', (r) => r.probe_1ms.mid.p95!],
    ['event-loop delay p99', (r) => r.event_loop_delay_ms.p99],
    ['cpu_max', (r) => r.cpu_max],
    ['events/s', (r) => r.events_per_s],
  ];
  lines.push(
    '',
    `Rank correlation with TTFT error p95 over ${runs.length} runs (${runs.filter(isLarge).length} with a large error): ${indicators.map(([name, f]) => `${name} ${spearman(runs.map(f), err)}`).join(', ')}`,
  );
  return lines.join('\n');
}

// ---- report ------------------------------------------------------------------------------------

function table(rows: { perflab: PerflabResult; bare: BareResult }[]): string {
  const lines = [
    "| clients | client | RPM | TTFT err p50 / p95 / p99 / max (ms) | E2E err p50 / p95 (ms) | CPU ms/req | cores | heap MB | loadavg before → after | others' cores |",
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { perflab, bare } of rows) {
    for (const r of [perflab, bare]) {
      const t = r.ttft_error_ms;
      lines.push(
        `| ${r.clients} | ${r.client} | ${r.rpm.toLocaleString('en-US')} | ${t.p50} / ${t.p95} / ${t.p99} / ${t.max} | ${r.e2e_error_ms.p50} / ${r.e2e_error_ms.p95} | ${r.cpu_ms_per_request} | ${r.cpu_cores} | ${r.heap_mb_max} | ${r.loadavg_before} → ${r.loadavg_after} | ${r.others_cores} |`,
      );
    }
  }
  lines.push(
    '',
    '| clients | TTFT err p95 | true TTFT p50 | client_delay p50 / p95 · covered · r · resid p95 | 1 ms probe prev p95 · covered · r · resid p95 | 1 ms probe mid p95 · covered · r · resid p95 | event-loop delay p50 / p99 / max | cpu_max | events/s | in flight |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const { perflab: r } of rows) {
    const c = r.client_delay_ms;
    const p = r.probe_1ms.prev;
    const m = r.probe_1ms.mid;
    const el = r.event_loop_delay_ms;
    lines.push(
      `| ${r.clients} | ${r.ttft_error_ms.p95} | ${r.true_ttft_ms.p50} | ${c.p50} / ${c.p95} · ${c.covered} · ${c.correlation} · ${c.residual_p95} | ${p.p95} · ${p.covered} · ${p.correlation} · ${p.residual_p95} | ${m.p95} · ${m.covered} · ${m.correlation} · ${m.residual_p95} | ${el.p50} / ${el.p99} / ${el.max} | ${r.cpu_max} | ${r.events_per_s.toLocaleString('en-US')} | ${r.in_flight_mean} |`,
    );
  }
  return lines.join('\n');
}

/** `rules FILE…`: the calibration over the JSON lines of earlier runs (several runs, one verdict). */
function rulesFromFiles(files: string[]): void {
  const runs: PerflabResult[] = [];
  for (const file of files) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const r = JSON.parse(line);
      if (r.client === 'perflab') runs.push(r as PerflabResult);
    }
  }
  process.stdout.write(`${calibration(runs)}\n`);
}

async function main() {
  if (process.argv[2] === 'rules') return rulesFromFiles(process.argv.slice(3));
  const args = process.argv.slice(2);
  const threadsAt = args.indexOf('--threads');
  if (threadsAt >= 0) options.threads = Number(args.splice(threadsAt, 2)[1]);
  const onlyAt = args.indexOf('--perflab-only');
  if (onlyAt >= 0) options.perflabOnly = args.splice(onlyAt, 1).length > 0;
  if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error('--threads takes an integer ≥ 1');
  const [list = '10,40,60,80,100,120,150,200,300,500', secondsArg = '20', warmUpArg = '3'] = args;
  const counts = list.split(',').map(Number);
  const seconds = Number(secondsArg);
  const warmUpS = Number(warmUpArg);
  if (counts.some((n) => !Number.isInteger(n) || n < 1) || !(seconds > 0) || !(warmUpS >= 0)) {
    throw new Error('usage: npx tsx bench/self-check.ts [--threads N] [--perflab-only] [clients, e.g. 10,40,100] [seconds > 0] [warm-up seconds ≥ 0]');
  }
  // Tokenizer tables load once per process (~1 s): before the first measured run, not inside it.
  encodingForModel(MODEL);
  createPromptFactory(
    scenario('http://127.0.0.1:1', 1, 1),
    scenario('http://127.0.0.1:1', 1, 1).targets[0],
    'http://127.0.0.1:1/v1',
    null,
    encodingForModel(MODEL),
    mulberry32(1),
  )();
  const rows: { perflab: PerflabResult; bare: BareResult }[] = [];
  for (const n of counts) {
    const perflab = await runPerflab(n, seconds, warmUpS);
    process.stdout.write(`${JSON.stringify(perflab)}\n`);
    if (options.perflabOnly) continue;
    const bare = await runBare(n, seconds, warmUpS);
    process.stdout.write(`${JSON.stringify(bare)}\n`);
    rows.push({ perflab, bare });
  }
  process.stdout.write(`\n${table(rows)}\n\n${calibration(rows.map((r) => r.perflab))}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});
