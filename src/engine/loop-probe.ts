// How late this thread's event loop runs, sampled every PROBE_MS. A timestamp is taken when the engine
// gets to an event, not when its bytes arrived: while the loop is busy (many streams, a saturated
// core) events wait, and every latency grows by that wait. The probe is a timer that should fire every
// PROBE_MS; how late it fires is how long the loop was held up. The lateness of the first tick after an
// event was stamped estimates the wait that event may have had (an upper estimate: the loop may have
// been busy before the bytes came). bench/self-check.ts compares it with the true error.

const PROBE_MS = 5;
/** 60 s of ticks: longer than the time between a request's first token and its end, when it is read. */
const CAPACITY = Math.ceil(60_000 / PROBE_MS);

export class LoopProbe {
  private readonly times = new Float64Array(CAPACITY);
  private readonly lateness = new Float64Array(CAPACITY);
  /** Index of the next slot to write; `filled` slots hold samples, oldest at head - filled. */
  private head = 0;
  private filled = 0;
  private expected = 0;
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    this.expected = performance.now() + PROBE_MS;
    this.timer = setTimeout(this.tick, PROBE_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    this.times[this.head] = now;
    this.lateness[this.head] = Math.max(0, now - this.expected);
    this.head = (this.head + 1) % CAPACITY;
    if (this.filled < CAPACITY) this.filled++;
    this.expected = now + PROBE_MS;
    this.timer = setTimeout(this.tick, PROBE_MS);
  };

  /** The delay the loop may have added to an event stamped at `t` (performance.now()): a block that
   *  holds `t` shows in the first tick after it; a block that ended just before `t` (timers run before
   *  sockets are read in a loop turn) shows in the last tick before it, when that tick is at most one
   *  interval old. The larger of the two; null before any tick. */
  delayAround(t: number): number | null {
    if (this.filled === 0) return null;
    // Binary search over the ring, oldest (0) to newest (filled - 1), for the first tick at or after t.
    const at = (i: number) => (this.head - this.filled + i + CAPACITY) % CAPACITY;
    let lo = 0;
    let hi = this.filled;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[at(mid)] < t) lo = mid + 1;
      else hi = mid;
    }
    const after = lo < this.filled ? this.lateness[at(lo)] : 0;
    let before = 0;
    if (lo > 0) {
      const sinceTick = t - this.times[at(lo - 1)];
      if (sinceTick <= PROBE_MS) before = this.lateness[at(lo - 1)];
    }
    return Math.round(Math.max(after, before) * 1000) / 1000;
  }
}
