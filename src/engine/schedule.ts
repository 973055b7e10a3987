// Open-loop arrival times. A request's scheduled time does not depend on how earlier requests went:
// that is what makes the load generator honest (no coordinated omission).
//
// With ramp-up the rate grows linearly from 0 to `rate` over `rampS` seconds. The expected number of
// arrivals by time t is Λ(t) = ∫ rate(u) du. Constant arrivals put request k at Λ⁻¹(k); Poisson arrivals
// put it at Λ⁻¹(E_k), where E_k is a sum of k unit exponential draws (a time-changed Poisson process).

export interface ArrivalSchedule {
  /** Seconds from the start of the run at which request `k` (0-based) is due. */
  next(): number;
  /** Expected number of arrivals by `t` seconds: what a perfect generator would have sent. */
  expectedBy(t: number): number;
  /** Target rate at `t` seconds, in requests per minute. */
  rateAt(t: number): number;
}

export function makeArrivalSchedule(
  rateRpm: number,
  arrival: 'constant' | 'poisson',
  rampS: number,
  random: () => number,
  /** Where in the first interval this schedule starts, 0..1: engine thread i of n takes i/n, so the
   *  n threads' arrivals interleave into the one schedule (shard-protocol.ts). */
  phase = 0,
): ArrivalSchedule {
  const perSecond = rateRpm / 60;
  const rampArrivals = (perSecond * rampS) / 2; // Λ(rampS)

  const expectedBy = (t: number): number => {
    if (t <= 0) return 0;
    if (t < rampS) return (perSecond * t * t) / (2 * rampS);
    return rampArrivals + perSecond * (t - rampS);
  };
  const inverse = (n: number): number => {
    if (n <= 0) return 0;
    if (n < rampArrivals) return Math.sqrt((2 * rampS * n) / perSecond);
    return rampS + (n - rampArrivals) / perSecond;
  };

  let k = phase;
  let cumulative = phase;
  return {
    next(): number {
      if (arrival === 'constant') return inverse(k++);
      // -ln(1-U) is a unit exponential; 1-U avoids log(0).
      const t = inverse(cumulative);
      cumulative += -Math.log(1 - random());
      k++;
      return t;
    },
    expectedBy,
    rateAt(t: number): number {
      return t < rampS ? (rateRpm * Math.max(0, t)) / rampS : rateRpm;
    },
  };
}
