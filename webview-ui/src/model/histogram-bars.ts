// A histogram's bars from a whole-run distribution: the bins from the first to the last non-empty
// one, each labelled with its range ("40 ms–50.1 ms"). Empty bins in between stay, so gaps show.

import type { Distribution } from '../../../src/engine/distribution';
import { formatValue } from './format';

export interface HistogramBar {
  label: string;
  count: number;
}

export function histogramBars(d: Distribution | null, unit: string): HistogramBar[] {
  if (!d || d.count === 0) return [];
  const first = d.counts.findIndex((c) => c > 0);
  let last = d.counts.length - 1;
  while (last > first && d.counts[last] === 0) last--;
  const bars: HistogramBar[] = [];
  for (let i = first; i <= last; i++) {
    const lo = d.edges[i];
    const hi = d.edges[i + 1];
    const label = hi === undefined ? `≥ ${formatValue(lo, unit)}` : `${formatValue(lo, unit)}–${formatValue(hi, unit)}`;
    bars.push({ label, count: d.counts[i] });
  }
  return bars;
}

