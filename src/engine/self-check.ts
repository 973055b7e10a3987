// The client watches itself: if its own event loop or CPU is saturated, the latencies it measures
// include its own queueing and the rate it reports is not the server's limit. Sampled once a second.

import { monitorEventLoopDelay, performance as perfHooks } from 'node:perf_hooks';
import { LoopProbe } from './loop-probe';

/** The monitor's timer fires every RESOLUTION_MS; what it records is the whole interval, so the
 *  delay is the recorded value minus the resolution (measured: an idle loop records ~10.2 ms). */
const RESOLUTION_MS = 10;

export interface ClientHealth {
  cpu_avg: number; // fraction of one core used by this process (main thread + workers), 0..n
  cpu_max: number; // highest one-second sample
  /** With engine threads (shard-protocol.ts): the worst engine thread's loop, which stamps the times. */
  event_loop_delay_ms: { p50: number; p99: number; max: number };
  /** Engine threads that ran the clients (absent: 1, the parent ran them). */
  threads?: number;
  /** With engine threads: the busiest engine thread's busiest second, as a fraction of one core. */
  thread_cpu_max?: number;
}

/** CPU time (µs) used so far by the whole process, or by this thread only (an engine thread):
 *  its own CPU where Node has process.threadCpuUsage (22.19+, 23.9+), else the time its event loop
 *  was busy (performance.eventLoopUtilization), which is the same for a thread that never blocks. */
function cpuMicros(scope: 'process' | 'thread'): number {
  if (scope === 'process') {
    const u = process.cpuUsage();
    return u.user + u.system;
  }
  const threadCpu = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (threadCpu) {
    const u = threadCpu.call(process);
    return u.user + u.system;
  }
  // Older Node (VS Code's extension host): the thread's busy time, close to its CPU time.
  return perfHooks.eventLoopUtilization().active * 1000;
}

export class SelfCheck {
  private readonly loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastCpu: number;
  private lastAt = performance.now();
  private readonly startCpu: number;
  private readonly startAt = performance.now();
  private cpuMax = 0;
  /** Per-event estimate of the delay the loop added (recorded per request as client_delay_ms). */
  readonly probe = new LoopProbe();

  /** `thread`: in an engine thread, its CPU share is this thread's own (process.cpuUsage counts all). */
  constructor(private readonly scope: 'process' | 'thread' = 'process') {
    this.lastCpu = this.startCpu = cpuMicros(scope);
  }

  start(): void {
    this.loop.enable();
    this.probe.start();
  }

  /** Call once a second; returns the CPU share of the last interval. */
  sample(): number {
    const now = performance.now();
    const cpu = cpuMicros(this.scope);
    const share = (cpu - this.lastCpu) / 1000 / Math.max(1, now - this.lastAt);
    this.lastCpu = cpu;
    this.lastAt = now;
    this.cpuMax = Math.max(this.cpuMax, share);
    return share;
  }

  stop(): ClientHealth {
    this.loop.disable();
    this.probe.stop();
    const cpu = cpuMicros(this.scope) - this.startCpu;
    const wall = Math.max(1, performance.now() - this.startAt);
    const ns = (v: number) => Math.max(0, Math.round((v / 1e6 - RESOLUTION_MS) * 100) / 100);
    return {
      cpu_avg: Math.round((cpu / 1000 / wall) * 1000) / 1000,
      cpu_max: Math.round(this.cpuMax * 1000) / 1000,
      event_loop_delay_ms: {
        p50: ns(this.loop.percentile(50)),
        p99: ns(this.loop.percentile(99)),
        max: ns(this.loop.max),
      },
    };
  }
}
