// `perflab dataset from-csv`: one column of a CSV file (questions a team already has) → the dataset
// format of dataset-file.ts. Blank cells are skipped; repeats (equal after normalization, see
// dedupe.ts — no near-duplicate removal: the file is curated by people) are dropped.

import { CsvError, parseCsv } from './csv';
import { datasetLine, type DatasetLine } from './dataset-file';
import { Deduper } from './dedupe';
import type { Encoding } from '../tokens';

/** Column names taken when --column is not given (case-insensitive), in order of preference. */
export const DEFAULT_COLUMNS = ['question', 'prompt', 'text', 'query'];

export interface FromCsvOptions {
  column?: string;
  system?: string;
  encoding: Encoding;
}

export interface FromCsvResult {
  lines: DatasetLine[];
  column: string;
  rows: number;
  blank: number;
  duplicates: number;
  /** Rows with fewer fields than the header (their cell for the column counted as blank). */
  short: number;
}

export function datasetFromCsv(text: string, file: string, options: FromCsvOptions): FromCsvResult {
  const records = parseCsv(text, file);
  if (records.length === 0) throw new CsvError(file, 1, 1, 'the file is empty (expected a header row, then one row per question)');
  const header = records[0].fields.map((h) => h.trim());
  const index = pickColumn(header, options.column, file);
  const dedupe = new Deduper(false);
  const result: FromCsvResult = { lines: [], column: header[index], rows: 0, blank: 0, duplicates: 0, short: 0 };
  for (const record of records.slice(1)) {
    // A blank line is a record with one empty field: not a row.
    if (record.fields.length === 1 && record.fields[0].trim() === '') continue;
    result.rows++;
    if (index >= record.fields.length) result.short++;
    const cell = (record.fields[index] ?? '').trim();
    const verdict = dedupe.add(cell);
    if (verdict === 'empty') result.blank++;
    else if (verdict === 'duplicate') result.duplicates++;
    else result.lines.push(datasetLine(cell, options.system, options.encoding));
  }
  return result;
}

function pickColumn(header: string[], wanted: string | undefined, file: string): number {
  const lower = header.map((h) => h.toLowerCase());
  if (wanted !== undefined) {
    const exact = header.indexOf(wanted);
    const i = exact >= 0 ? exact : lower.indexOf(wanted.trim().toLowerCase());
    if (i < 0) {
      throw new CsvError(file, 1, 1, `no column named ${JSON.stringify(wanted)}; the columns are: ${header.map((h) => JSON.stringify(h)).join(', ')}`);
    }
    return i;
  }
  for (const name of DEFAULT_COLUMNS) {
    const i = lower.indexOf(name);
    if (i >= 0) return i;
  }
  return 0;
}
