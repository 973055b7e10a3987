// Which fault (if any) a request gets. One uniform draw from the request's own RNG, split into
// consecutive ranges, so a request has at most one fault and a given seed + seq always gets the same.
import type { Rng } from './rng';
import type { SimulatorFaults } from './types';

export type InjectedFault = 'error_500' | 'drop' | 'stall' | 'malformed';

export function pickFault(faults: SimulatorFaults, rng: Rng): InjectedFault | null {
  const u = rng.next();
  const ranges: [InjectedFault, number][] = [
    ['error_500', faults.error_rate],
    ['drop', faults.drop_rate],
    ['stall', faults.stall_rate],
    ['malformed', faults.malformed_rate],
  ];
  let edge = 0;
  for (const [fault, rate] of ranges) {
    edge += rate;
    if (u < edge) return fault;
  }
  return null;
}

/** Index of the content chunk at which a stream fault acts: "about half way". */
export function faultChunkIndex(chunks: number): number {
  return Math.floor(chunks / 2);
}
