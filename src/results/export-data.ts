// CSV and JSON exports of a run's windows and requests. Nested latency stats become flat columns
// (`ttft_p95`), so a spreadsheet opens the file as is. Requests are streamed: a long run's
// requests.jsonl can be far larger than memory should hold twice.

import * as fs from 'node:fs';
import type { LatencyStats, RequestRecord, WindowSnapshot } from '../engine/records';
import { forEachRequest, readWindows } from './run-files';

const STAT_KEYS: (keyof LatencyStats)[] = ['count', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'];

/** One flat row per window: scalars as they are, each LatencyStats as `<name>_<stat>` columns. */
export function flattenWindow(w: WindowSnapshot): Record<string, string | number | boolean | null> {
  const row: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(w)) {
    if (key === 'type') continue;
    if (value !== null && typeof value === 'object') {
      for (const stat of STAT_KEYS) row[`${key}_${stat}`] = (value as LatencyStats)[stat] ?? null;
    } else row[key] = value as string | number | boolean | null;
  }
  return row;
}

/** One flat row per request; chunk offsets (when recorded) as one `;`-separated cell. */
export function flattenRequest(r: RequestRecord): Record<string, string | number | boolean | null> {
  const row: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(r)) {
    if (key === 'type') continue;
    row[key] = Array.isArray(value) ? value.join(';') : (value as string | number | boolean | null);
  }
  return row;
}

/** RFC 4180: quote a cell when it holds a comma, quote or line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function windowsCsv(windows: WindowSnapshot[]): string {
  const rows = windows.map(flattenWindow);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return csvLine(columns) + rows.map((r) => csvLine(columns.map((c) => r[c]))).join('');
}

/** The columns every request record has (optional ones are added when present in the first record). */
const REQUEST_COLUMNS: (keyof RequestRecord)[] = [
  'id',
  'target',
  'response_id',
  'request_id',
  'scheduled_ms',
  'start_ms',
  'send_lag_ms',
  'ttfb_ms',
  'ttft_ms',
  'e2e_ms',
  'tbt_ms',
  'content_chunks',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'tokens_estimated',
  'finish_reason',
  'status',
  'attempts',
  'throttled_attempts',
  'backoff_ms',
  'error',
  'error_message',
  'utilization',
  'ratelimit_remaining_requests',
  'ratelimit_remaining_tokens',
  'warmup',
];

export type ExportWhat = 'windows' | 'requests';
export type ExportFormat = 'csv' | 'json';

/** Writes the run's windows or requests to `outFile` as CSV or JSON; returns the number of rows. */
export async function exportRunData(runDir: string, what: ExportWhat, format: ExportFormat, outFile: string): Promise<number> {
  if (what === 'windows') {
    const { values } = readWindows(runDir);
    fs.writeFileSync(outFile, format === 'csv' ? windowsCsv(values) : `${JSON.stringify(values, null, 2)}\n`);
    return values.length;
  }
  // Written through a file descriptor in ~1 MB batches: memory stays flat however long the run was.
  const fd = fs.openSync(outFile, 'w');
  let batch = '';
  const write = (text: string) => {
    batch += text;
    if (batch.length > 1_000_000) {
      fs.writeSync(fd, batch);
      batch = '';
    }
  };
  let rows = 0;
  let columns: string[] | null = null;
  try {
    if (format === 'json') write('[\n');
    await forEachRequest(runDir, (r) => {
      if (format === 'json') {
        write(`${rows === 0 ? '' : ',\n'}${JSON.stringify(r)}`);
      } else {
        const row = flattenRequest(r);
        if (!columns) {
          columns = [...REQUEST_COLUMNS, ...Object.keys(row).filter((k) => !(REQUEST_COLUMNS as string[]).includes(k))];
          write(csvLine(columns));
        }
        write(csvLine(columns.map((c) => row[c])));
      }
      rows++;
    });
    if (format === 'json') write('\n]\n');
    else if (!columns) write(csvLine(REQUEST_COLUMNS));
    fs.writeSync(fd, batch);
  } finally {
    fs.closeSync(fd);
  }
  return rows;
}
