// What scraping the server's /metrics costs the measurement (issue 16): the same open-loop run with and
// without `server_metrics: { prometheus: endpoint }`, in alternating pairs against one simulator process
// (its own core; it serves vLLM's /metrics), so the ratio B/A is measured in one sitting on a shared
// machine. Per run: the engine's CPU per 1,000 requests, the client's TTFT p50/p95, the send lag p95,
// the engine's own delay estimate p95 (client_delay_ms), the scrapes and the server's TTFT p50.
//
//   npx node esbuild.mjs && npx tsx bench/server-metrics.ts [pairs=3] [seconds=20] [rpm=1200] [interval s=1]
//
// docs/performance.md (section 11) records it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../src/engine/run';
import type { Scenario } from '../src/engine/scenario/types';
import type { RunSummary } from '../src/engine/summary';
import { benchScenario, processCpuS, startSimulatorProcess } from './lib/bench-setup';

const [pairs, seconds, rpm, intervalS] = [3, 20, 1200, 1].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));

interface Row {
  variant: 'A none' | 'B scraped';
  requests: number;
  cpuPer1k: number;
  ttftP50: number | null;
  ttftP95: number | null;
  lagP95: number | null;
  delayP95: number | null;
  scrapes: number | null;
  serverTtftP50: number | null;
}

function scenario(url: string, scraped: boolean): Scenario {
  const base = benchScenario(url, rpm, 200, { duration_s: seconds });
  const target = { ...base.targets[0], ...(scraped ? { server_metrics: { prometheus: 'endpoint' as const, interval_s: intervalS, series: [] } } : {}) };
  return { ...base, name: scraped ? 'scraped' : 'none', targets: [target] };
}

async function once(url: string, scraped: boolean, dir: string): Promise<Row> {
  const cpuBefore = processCpuS(process.pid);
  const run = startRun(scenario(url, scraped), { outDir: path.join(dir, scraped ? 'b' : 'a'), seed: 1, resolveCredential: async () => null });
  const summary: RunSummary = await run.done;
  const cpu = processCpuS(process.pid) - cpuBefore;
  const t = summary.targets[0];
  return {
    variant: scraped ? 'B scraped' : 'A none',
    requests: t.requests.completed,
    cpuPer1k: (cpu / Math.max(1, t.requests.completed)) * 1000,
    ttftP50: t.latency_ms.ttft.p50,
    ttftP95: t.latency_ms.ttft.p95,
    lagP95: t.schedule.lag_ms.p95,
    delayP95: t.client_delay_ms?.p95 ?? null,
    scrapes: t.server?.prometheus?.scrapes ?? null,
    serverTtftP50: t.server?.latency_ms?.ttft?.p50 ?? null,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));

async function main(): Promise<void> {
  const sim = await startSimulatorProcess();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-bench-server-metrics-'));
  const rows: Row[] = [];
  try {
    for (let i = 0; i < pairs; i++) {
      // Alternate which goes first so a drift of the machine falls on both.
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const scraped of order) {
        const row = await once(sim.url, scraped, dir);
        rows.push(row);
        console.error(JSON.stringify(row));
      }
    }
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${pairs} pairs, ${seconds} s at ${rpm} RPM, scrape every ${intervalS} s, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n`);
  console.log(
    '| variant | requests | engine CPU s / 1k req | TTFT p50 ms | TTFT p95 ms | send lag p95 ms | client delay p95 ms | scrapes | server TTFT p50 ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.variant} | ${r.requests} | ${f(r.cpuPer1k, 3)} | ${f(r.ttftP50)} | ${f(r.ttftP95)} | ${f(r.lagP95)} | ${f(r.delayP95)} | ${r.scrapes ?? '—'} | ${f(r.serverTtftP50)} |`,
    );
  const pick = (v: Row['variant'], k: keyof Row) => median(rows.filter((r) => r.variant === v).map((r) => r[k] as number));
  for (const k of ['cpuPer1k', 'ttftP50', 'ttftP95'] as const) console.log(`median ratio B/A ${k}: ${(pick('B scraped', k) / pick('A none', k)).toFixed(3)}`);
}

void main();
