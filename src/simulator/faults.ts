// Which fault (if any) a request gets. One uniform draw from the request's own RNG, split into
// consecutive ranges, so a request has at most one fault and a given seed + seq always gets the same.
import type { Rng } from './rng';
import type { SimulatorFaults } from './types';

export type InjectedFault = 'error_500' | 'drop' | 'stall' | 'malformed';

export function pickFault(faults: SimulatorFaults, rng: Rng): InjectedFault | null {
  const u = rng.next();
  let edge = faults.error_rate;
  if (u < edge) return 'error_500';
  if (u < (edge += faults.drop_rate)) return 'drop';
  if (u < (edge += faults.stall_rate)) return 'stall';
  if (u < (edge += faults.malformed_rate)) return 'malformed';
  return null;
}

/** Index of the content chunk at which a stream fault acts: "about half way". */
export function faultChunkIndex(chunks: number): number {
  return Math.floor(chunks / 2);
}
