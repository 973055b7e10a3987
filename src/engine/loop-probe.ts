// How long this thread's busy event loop held an event before the engine stamped it. A timestamp is
// taken when the engine gets to an event, not when its bytes arrived: while the loop is busy (many
// streams, a saturated or shared core) events wait, and every latency grows by that wait.
//
// A timer that should fire every PROBE_MS: Node runs due timers at the start of a loop turn, before
// that turn's socket reads, so under load a tick fires at nearly every turn. Bytes that arrived during
// the previous turn waited at most that turn's length (≈ the last tick's lateness), then for the
// reads before them in this turn (t − the last tick). The estimate takes half the first part — the
// wait if bytes arrive uniformly over the turn — plus the second. Calibrated against the simulator's
// log in docs/performance.md §9 (bench/self-check.ts): its p95 reads 0.94–1.47× the true TTFT error
// p95 where that error is large; the first tick after the stamp read 0.5–0.8× and was replaced.

const PROBE_MS = 1;

export class LoopProbe {
  private lastTickAt = 0;
  private lastLateness = 0;
  private expected = 0;
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    this.lastTickAt = performance.now();
    this.expected = this.lastTickAt + PROBE_MS;
    this.timer = setTimeout(this.tick, PROBE_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    this.lastLateness = Math.max(0, now - this.expected);
    this.lastTickAt = now;
    this.expected = now + PROBE_MS;
    this.timer = setTimeout(this.tick, PROBE_MS);
  };

  /** The estimated wait of an event stamped now, at `t` (performance.now()); null when not running. */
  delayNow(t: number): number | null {
    if (this.timer === null) return null;
    return Math.round((Math.max(0, t - this.lastTickAt) + this.lastLateness / 2) * 1000) / 1000;
  }
}
