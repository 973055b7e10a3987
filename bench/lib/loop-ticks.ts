// Per-event client-delay estimates for bench/self-check.ts, to compare with the engine's own
// (src/engine/loop-probe.ts, which adopted the "mid" estimate below; it first used the lateness of
// the first 5 ms tick after the stamp, which read low). A timer that
// should fire every `intervalMs` is logged (fire time, lateness). Node runs timers before it polls
// for I/O, so with a short interval a tick fires at the start of nearly every busy loop turn, just
// before that turn's socket reads. For an event stamped at t in the turn that began after tick k:
//   - the bytes waited at most for the previous turn (≈ tick k's lateness) before being read, and
//   - then for the reads that came before them in this turn (t − tick k's time).

export interface DelayEstimates {
  /** Lateness of the first tick at or after t: the engine's method at this interval. */
  next: number;
  /** (t − last tick before t) + that tick's lateness: an upper bound of the wait. */
  prev: number;
  /** (t − last tick before t) + half that tick's lateness: the wait if bytes arrived uniformly. */
  mid: number;
}

export class TickLog {
  private readonly times: Float64Array;
  private readonly lateness: Float64Array;
  private count = 0;
  private expected = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    capacity = 200_000,
  ) {
    this.times = new Float64Array(capacity);
    this.lateness = new Float64Array(capacity);
  }

  start(): void {
    this.expected = performance.now() + this.intervalMs;
    this.timer = setTimeout(this.tick, this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    if (this.count < this.times.length) {
      this.times[this.count] = now;
      this.lateness[this.count] = Math.max(0, now - this.expected);
      this.count++;
    }
    this.expected = now + this.intervalMs;
    this.timer = setTimeout(this.tick, this.intervalMs);
  };

  /** Estimates for an event stamped at t (performance.now()); null outside the logged ticks. */
  estimate(t: number): DelayEstimates | null {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    // lo: first tick at or after t; lo - 1: last tick before t.
    if (lo === 0 || lo >= this.count) return null;
    const since = t - this.times[lo - 1];
    const before = this.lateness[lo - 1];
    return { next: this.lateness[lo], prev: since + before, mid: since + before / 2 };
  }
}
