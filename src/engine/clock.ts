// One clock for every timestamp the engine takes.
// `performance.now()` is monotonic with sub-ms resolution; adding `timeOrigin` turns it into epoch
// milliseconds that other processes (the simulator's log) can be compared with.

export function monotonicMs(): number {
  return performance.now();
}

/** Epoch milliseconds with sub-millisecond precision. */
export function epochMs(monotonic: number = performance.now()): number {
  return performance.timeOrigin + monotonic;
}
