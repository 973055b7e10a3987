// The client watches itself: if its own event loop or CPU is saturated, the latencies it measures
// include its own queueing and the rate it reports is not the server's limit. Sampled once a second.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoopProbe } from './loop-probe';

/** The monitor's timer fires every RESOLUTION_MS; what it records is the whole interval, so the
 *  delay is the recorded value minus the resolution (measured: an idle loop records ~10.2 ms). */
const RESOLUTION_MS = 10;

export interface ClientHealth {
  cpu_avg: number; // fraction of one core used by this process (main thread + workers), 0..n
  cpu_max: number; // highest one-second sample
  event_loop_delay_ms: { p50: number; p99: number; max: number };
}

export class SelfCheck {
  private readonly loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly startCpu = process.cpuUsage();
  private readonly startAt = performance.now();
  private cpuMax = 0;
  /** Per-event estimate of the delay the loop added (recorded per request as client_delay_ms). */
  readonly probe = new LoopProbe();

  start(): void {
    this.loop.enable();
    this.probe.start();
  }

  /** Call once a second; returns the CPU share of the last interval. */
  sample(): number {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const share = (cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    this.cpuMax = Math.max(this.cpuMax, share);
    return share;
  }

  stop(): ClientHealth {
    this.loop.disable();
    this.probe.stop();
    const cpu = process.cpuUsage(this.startCpu);
    const wall = Math.max(1, performance.now() - this.startAt);
    const ns = (v: number) => Math.max(0, Math.round((v / 1e6 - RESOLUTION_MS) * 100) / 100);
    return {
      cpu_avg: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 1000) / 1000,
      cpu_max: Math.round(this.cpuMax * 1000) / 1000,
      event_loop_delay_ms: {
        p50: ns(this.loop.percentile(50)),
        p99: ns(this.loop.percentile(99)),
        max: ns(this.loop.max),
      },
    };
  }
}
