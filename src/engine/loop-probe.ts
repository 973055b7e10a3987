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

  /** The loop's lateness around `t` (performance.now()): the first tick at or after t, else the last
   *  tick before it (the event was read in the same turn as the request's end); null before any tick. */
  delayAround(t: number): number | null {
    if (this.filled === 0) return null;
    // Binary search over the ring, oldest (0) to newest (filled - 1), for the first time ≥ t.
    const at = (i: number) => (this.head - this.filled + i + CAPACITY) % CAPACITY;
    let lo = 0;
    let hi = this.filled;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[at(mid)] < t) lo = mid + 1;
      else hi = mid;
    }
    const index = lo < this.filled ? lo : this.filled - 1;
    return Math.round(this.lateness[at(index)] * 1000) / 1000;
  }
}
