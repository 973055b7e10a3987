// The data-table twin of a time chart: one row per x (seconds), one column per series.

import type { TableData } from './chart-card';
import type { Point } from './model/decimate';
import { formatValue } from './model/format';

export function seriesTable(series: readonly { label: string; points: readonly Point[] }[], unit: string): TableData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const byX = series.map((s) => new Map(s.points.map((p) => [p.x, p.y])));
  return { headers: ['t (s)', ...series.map((s) => s.label)], rows: xs.map((x) => [x, ...byX.map((m) => formatValue(m.get(x) ?? null, unit))]) };
}
