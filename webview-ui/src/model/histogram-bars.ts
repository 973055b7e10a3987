// A histogram's bars from a whole-run distribution: the bins from the first to the last non-empty
// one, each labelled with its range ("39.8 ms–42.2 ms", "119–125" tokens). Empty bins in between stay,
// so gaps show; token bins that hold no whole number are left out.

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
    const label = unit === 'tokens' ? tokenLabel(d.edges[i], d.edges[i + 1]) : latencyLabel(d.edges[i], d.edges[i + 1], unit);
    if (label !== null) bars.push({ label, count: d.counts[i] });
  }
  return bars;
}

/** Three significant digits, so neighbouring ~6%-wide bins never read the same ("11 ms–11 ms"). */
function latencyLabel(lo: number, hi: number | undefined, unit: string): string {
  const edge = (v: number) => (unit === 'ms' && v > 0 && v < 10_000 ? `${Number(v.toPrecision(3))} ms` : formatValue(v, unit));
  return hi === undefined ? `≥ ${edge(lo)}` : `${edge(lo)}–${edge(hi)}`;
}

/** Token counts are whole numbers: [lo, hi) holds ceil(lo) … ceil(hi) − 1; null when it holds none. */
function tokenLabel(lo: number, hi: number | undefined): string | null {
  const from = Math.ceil(lo);
  if (hi === undefined) return `≥ ${from.toLocaleString('en-US')}`;
  const to = Math.ceil(hi) - 1;
  if (to < from) return null;
  return from === to ? from.toLocaleString('en-US') : `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')}`;
}
