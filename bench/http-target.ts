// What reading an app's own stream costs the measurement (issue 18): the same open-loop run as a model
// target (A: Chat Completions, `/v1/chat/completions`) and as an HTTP target (B: the simulator's app
// route `/app/chat?stream=sse` with no retrieval step, read through `response.text_path` and
// `done_when`), in alternating pairs against one simulator process with a core of its own. Both routes
// plan the same answer, so their TTFT should agree; the ratio B/A of the engine's CPU per 1,000
// requests says what the template rendering and the path reads cost.
//
//   npx node esbuild.mjs && npx tsx bench/http-target.ts [pairs=3] [seconds=20] [rpm=1200]
//
// docs/performance.md (section 12) records it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../src/engine/run';
import type { Scenario } from '../src/engine/scenario/types';
import type { RunSummary } from '../src/engine/summary';
import { benchScenario, processCpuS, startSimulatorProcess } from './lib/bench-setup';

const [pairs, seconds, rpm] = [3, 20, 1200].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));

interface Row {
  variant: 'A model target' | 'B http target';
  requests: number;
  failed: number;
  cpuPer1k: number;
  ttftP50: number | null;
  ttftP95: number | null;
  e2eP50: number | null;
  lagP95: number | null;
}

function scenario(url: string, http: boolean): Scenario {
  const base = benchScenario(url, rpm, 200, { duration_s: seconds });
  if (!http) return base;
  const target = {
    name: 'sim',
    provider: 'http' as const,
    endpoint: url,
    model: 'gpt-4o-mini',
    auth: { type: 'none' as const },
    http: {
      request: { method: 'POST', url: '/app/chat?stream=sse', headers: {}, body: '{"messages": {{messages}}, "max_tokens": 100}' },
      response: { stream: 'sse' as const, text_path: 'delta.text', done_when: 'done == true', usage_path: 'usage' },
    },
  };
  return { ...base, name: 'http', targets: [target] };
}

async function once(url: string, http: boolean, dir: string): Promise<Row> {
  const cpuBefore = processCpuS(process.pid);
  const run = startRun(scenario(url, http), { outDir: path.join(dir, http ? 'b' : 'a'), seed: 1, resolveCredential: async () => null });
  const summary: RunSummary = await run.done;
  const cpu = processCpuS(process.pid) - cpuBefore;
  const t = summary.targets[0];
  return {
    variant: http ? 'B http target' : 'A model target',
    requests: t.requests.completed,
    failed: t.requests.failed,
    cpuPer1k: (cpu / Math.max(1, t.requests.completed)) * 1000,
    ttftP50: t.latency_ms.ttft.p50,
    ttftP95: t.latency_ms.ttft.p95,
    e2eP50: t.latency_ms.e2e.p50,
    lagP95: t.schedule.lag_ms.p95,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));

async function main(): Promise<void> {
  const sim = await startSimulatorProcess(['--app-retrieval-ms', '0']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-bench-http-'));
  const rows: Row[] = [];
  try {
    for (let i = 0; i < pairs; i++) {
      // Alternate which goes first so a drift of the machine falls on both.
      for (const http of i % 2 === 0 ? [false, true] : [true, false]) {
        const row = await once(sim.url, http, dir);
        rows.push(row);
        console.error(JSON.stringify(row));
      }
    }
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${pairs} pairs, ${seconds} s at ${rpm} RPM, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n`);
  console.log('| variant | requests | failed | engine CPU s / 1k req | TTFT p50 ms | TTFT p95 ms | E2E p50 ms | send lag p95 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.variant} | ${r.requests} | ${r.failed} | ${f(r.cpuPer1k, 3)} | ${f(r.ttftP50)} | ${f(r.ttftP95)} | ${f(r.e2eP50)} | ${f(r.lagP95)} |`);
  const pick = (v: Row['variant'], k: keyof Row) => median(rows.filter((r) => r.variant === v).map((r) => r[k] as number));
  for (const k of ['cpuPer1k', 'ttftP50', 'ttftP95', 'e2eP50'] as const)
    console.log(`median ratio B/A ${k}: ${(pick('B http target', k) / pick('A model target', k)).toFixed(3)}`);
}

void main();
