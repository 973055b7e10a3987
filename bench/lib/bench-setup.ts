// Shared by the benchmarks: the simulator in its own process (the built `perflab simulate`, so it has a
// core of its own) and the open-loop scenario of 100-token streams aimed at it.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Scenario } from '../../src/engine/scenario/types';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function processCpuS(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return ticks / 100; // USER_HZ is 100 on Linux
}

export interface SimulatorProcess {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

// 200 ms to first token + 100 tokens × 15 ms ≈ 1.7 s per stream (×1.2 for the simulator's in-flight
// slowdown at ~400 in flight): 12,000 RPM needs ~420 requests in flight, under the 500-client cap.
export async function startSimulatorProcess(extraArgs: string[] = []): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--ttft-ms', '200', '--tpot-ms', '15', '--jitter', '0.1', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += String(d);
      const m = /listening on (http:\/\/[^\s]+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

/** Open loop, constant arrivals, 100 prompt + 100 completion tokens, no retries. */
export function benchScenario(url: string, rpm: number, clients: number, limits: { duration_s?: number; requests?: number }): Scenario {
  return {
    name: `bench-${rpm}rpm`,
    targets: [{ name: 'sim', provider: 'openai-compatible', endpoint: `${url}/v1`, model: 'gpt-4o-mini', auth: { type: 'none' } }],
    target_mode: 'parallel',
    workload: {
      mode: 'open',
      rate_rpm: rpm,
      arrival: 'constant',
      clients,
      ramp_up_s: 0,
      think_time_ms: 0,
      warm_up_requests: 0,
      on_end: 'drain',
      drain_timeout_s: 30,
      ...limits,
    },
    prompts: { kind: 'shape', profile: 'custom', context_tokens: 100, max_tokens: 100 },
    request: {},
    retry: { policy: 'none', max_retry_s: 60 },
    timeouts: { request_s: 120, idle_s: 30 },
    aggregation_window_s: 60,
    prevent_server_caching: true,
    record_chunks: false,
    slos: [],
  };
}
