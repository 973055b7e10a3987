// CSV and JSON exports of a run's windows and requests (src/results/export-data.ts), on a real run
// folder: JSON parses back to the very records in the files, CSV parses back (RFC 4180) to the
// flattened rows, requests are streamed (multi-MB files), an empty requests file still has a header.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RequestRecord, WindowSnapshot } from '../../../src/engine/records';
import { csvCell, csvLine, exportRunData, flattenRequest, flattenWindow, windowsCsv } from '../../../src/results/export-data';
import { copyRun, realRun, tempDir, type RealRun } from '../shared/real-run';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes and embedded breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
        assert.ok(i === text.length || text[i] === ',' || text[i] === '\r', `text after a closing quote at ${i}`);
      } else {
        cell += c;
        i++;
      }
    } else if (c === '"') {
      assert.equal(cell, '', `a quote inside an unquoted cell at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r') {
      assert.equal(text[i + 1], '\n', `a bare CR at ${i}`);
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', `a bare LF outside quotes at ${i}`);
      cell += c;
      i++;
    }
  }
  assert.equal(quoted, false, 'unterminated quote');
  assert.ok(row.length === 0 && cell === '', 'the last record ends with CRLF');
  return rows;
}

/** What a flattened value looks like in a CSV cell. */
const asCell = (v: unknown) => (v === null || v === undefined ? '' : String(v));

describe('results/export-data', () => {
  describe('csvCell / csvLine (RFC 4180)', () => {
    it('leaves plain cells alone; empty for null/undefined; numbers and booleans as text', () => {
      assert.equal(csvCell('plain text'), 'plain text');
      assert.equal(csvCell(null), '');
      assert.equal(csvCell(undefined), '');
      assert.equal(csvCell(12.5), '12.5');
      assert.equal(csvCell(false), 'false');
      assert.equal(csvCell(''), '');
    });

    it('quotes a cell with a comma, quote, CR or LF and doubles its quotes', () => {
      assert.equal(csvCell('a,b'), '"a,b"');
      assert.equal(csvCell('say "hi"'), '"say ""hi"""');
      assert.equal(csvCell('line1\nline2'), '"line1\nline2"');
      assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
      assert.equal(csvCell('"'), '""""');
    });

    it('a line of awkward cells parses back to the same cells', () => {
      const cells = ['a,b', 'say "hi"', 'x\r\ny', '', 'ünïcode – ok', ' spaced '];
      const line = csvLine(cells);
      assert.ok(line.endsWith('\r\n'));
      assert.deepEqual(parseCsv(line), [cells]);
    });
  });

  describe('on a real run', function () {
    this.timeout(60_000);
    let run: RealRun;
    let out: string;
    before(async () => {
      run = await realRun();
      out = tempDir('perflab-export-');
    });

    it('flattenWindow: scalars as they are, every latency stat as <metric>_<stat>, no `type`', () => {
      const w = run.windows.find((x) => x.ttft.count > 0)!;
      const row = flattenWindow(w);
      assert.ok(!('type' in row));
      assert.equal(row.target, w.target);
      assert.equal(row.t, w.t);
      assert.equal(row.rpm, w.rpm);
      assert.equal(row.behind, w.behind);
      for (const metric of ['ttft', 'tbt', 'e2e', 'chunk_gap', 'lag', 'util'] as const) {
        for (const stat of ['count', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'] as const)
          assert.equal(row[`${metric}_${stat}`], w[metric][stat], `${metric}_${stat}`);
        assert.ok(!(metric in row));
      }
      // Every value is a flat scalar.
      for (const [k, v] of Object.entries(row)) assert.ok(v === null || typeof v !== 'object', k);
    });

    it('flattenRequest: every field but `type`, chunk offsets as one ;-separated cell', () => {
      const r = run.records.find((x) => (x.chunk_offsets_ms?.length ?? 0) > 2)!;
      const row = flattenRequest(r);
      assert.ok(!('type' in row));
      assert.equal(row.chunk_offsets_ms, r.chunk_offsets_ms!.join(';'));
      assert.deepEqual(String(row.chunk_offsets_ms).split(';').map(Number), r.chunk_offsets_ms);
      const { type, chunk_offsets_ms, ...rest } = r;
      void type;
      void chunk_offsets_ms;
      for (const [k, v] of Object.entries(rest)) assert.equal(row[k], v, k);
    });

    it('windows as JSON: the windows of windows.jsonl, exactly', async () => {
      const file = path.join(out, 'windows.json');
      const n = await exportRunData(run.dir, 'windows', 'json', file);
      assert.equal(n, run.windows.length);
      assert.ok(n >= 6, `${n} windows`);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), run.windows);
    });

    it('windows as CSV: one header of flat columns, one row per window, cells equal to the values', async () => {
      const file = path.join(out, 'windows.csv');
      const n = await exportRunData(run.dir, 'windows', 'csv', file);
      const text = fs.readFileSync(file, 'utf8');
      assert.equal(text, windowsCsv(run.windows));
      const [header, ...rows] = parseCsv(text);
      assert.equal(rows.length, n);
      assert.equal(n, run.windows.length);
      assert.equal(new Set(header).size, header.length, 'no duplicate column');
      for (const col of ['target', 't', 'time', 'rpm', 'ttft_p50', 'ttft_p95', 'ttft_p99', 'e2e_max', 'chunk_gap_count']) assert.ok(header.includes(col), col);
      rows.forEach((cells, i) => {
        assert.equal(cells.length, header.length);
        const flat = flattenWindow(run.windows[i]);
        header.forEach((col, j) => assert.equal(cells[j], asCell(flat[col]), `row ${i} ${col}`));
      });
    });

    it('windowsCsv: columns are the union of all windows’ keys (a field only some windows have gets empty cells)', () => {
      const a = run.windows[0];
      const b = { ...run.windows[1], reasoning_tpm: 42 } as WindowSnapshot;
      const { reasoning_tpm, ...aWithout } = a;
      void reasoning_tpm;
      const [header, rowA, rowB] = parseCsv(windowsCsv([aWithout as WindowSnapshot, b]));
      const col = header.indexOf('reasoning_tpm');
      assert.ok(col >= 0);
      assert.equal(rowA[col], '');
      assert.equal(rowB[col], '42');
    });

    it('requests as JSON: parses back to the records of requests.jsonl, in order', async () => {
      const file = path.join(out, 'requests.json');
      const n = await exportRunData(run.dir, 'requests', 'json', file);
      assert.equal(n, run.records.length);
      assert.equal(
        n,
        run.summary.targets.reduce((s, t) => s + t.requests.sent, 0),
      );
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), run.records);
    });

    it('requests as CSV: the fixed columns first, then the optional ones; one row per record', async () => {
      const file = path.join(out, 'requests.csv');
      const n = await exportRunData(run.dir, 'requests', 'csv', file);
      const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
      assert.equal(rows.length, n);
      assert.equal(n, run.records.length);
      assert.deepEqual(header.slice(0, 3), ['id', 'target', 'response_id']);
      assert.ok(header.indexOf('warmup') < header.indexOf('chunk_offsets_ms'), 'optional columns after the fixed ones');
      assert.deepEqual([...header].sort(), Object.keys(flattenRequest(run.records[0])).sort());
      rows.forEach((cells, i) => {
        const flat = flattenRequest(run.records[i]);
        header.forEach((col, j) => assert.equal(cells[j], asCell(flat[col]), `row ${i} ${col}`));
      });
    });

    it('awkward error messages (comma, quotes, line breaks) survive a CSV round trip', async () => {
      const dir = copyRun(run.dir);
      const message = 'upstream said: "rate, limited"\r\nretry later\nbye';
      const records = run.records.map((r, i) => (i === 1 ? { ...r, error: 'http_error', status: 500, error_message: message } : r));
      fs.writeFileSync(path.join(dir, 'requests.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const file = path.join(out, 'awkward.csv');
      await exportRunData(dir, 'requests', 'csv', file);
      const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
      assert.equal(rows.length, records.length);
      assert.equal(rows[1][header.indexOf('error_message')], message);
      assert.equal(rows[1][header.indexOf('error')], 'http_error');
    });

    it('an empty (or missing) requests file still gives a CSV header and an empty JSON array', async () => {
      const dir = copyRun(run.dir);
      fs.writeFileSync(path.join(dir, 'requests.jsonl'), '');
      const csv = path.join(out, 'empty.csv');
      assert.equal(await exportRunData(dir, 'requests', 'csv', csv), 0);
      const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0].slice(0, 2), ['id', 'target']);
      assert.ok(rows[0].includes('error_message') && rows[0].includes('warmup'));
      const json = path.join(out, 'empty.json');
      assert.equal(await exportRunData(dir, 'requests', 'json', json), 0);
      assert.deepEqual(JSON.parse(fs.readFileSync(json, 'utf8')), []);
      fs.rmSync(path.join(dir, 'requests.jsonl'));
      assert.equal(await exportRunData(dir, 'requests', 'csv', csv), 0);
      assert.deepEqual(parseCsv(fs.readFileSync(csv, 'utf8'))[0], rows[0]);
    });

    it('streams a multi-MB requests file (batched writes) without losing or reordering a record', async () => {
      const dir = copyRun(run.dir);
      const big: RequestRecord[] = [];
      for (let i = 0; i < 6000; i++) big.push({ ...run.records[i % run.records.length], id: i });
      fs.writeFileSync(path.join(dir, 'requests.jsonl'), big.map((r) => JSON.stringify(r)).join('\n') + '\n');
      assert.ok(fs.statSync(path.join(dir, 'requests.jsonl')).size > 2_500_000, 'several 1 MB batches');
      const json = path.join(out, 'big.json');
      assert.equal(await exportRunData(dir, 'requests', 'json', json), big.length);
      const parsed = JSON.parse(fs.readFileSync(json, 'utf8')) as RequestRecord[];
      assert.equal(parsed.length, big.length);
      assert.deepEqual(
        parsed.map((r) => r.id),
        big.map((r) => r.id),
      );
      assert.deepEqual(parsed[5999], big[5999]);
      const csv = path.join(out, 'big.csv');
      assert.equal(await exportRunData(dir, 'requests', 'csv', csv), big.length);
      const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
      assert.equal(rows.length, big.length + 1);
      assert.deepEqual(
        rows.slice(1).map((r) => Number(r[0])),
        big.map((r) => r.id),
      );
    });

    it('skips lines that are not requests (a half-written last line) instead of failing the export', async () => {
      const dir = copyRun(run.dir);
      fs.appendFileSync(path.join(dir, 'requests.jsonl'), '{"type":"request","id":99');
      const json = path.join(out, 'partial.json');
      assert.equal(await exportRunData(dir, 'requests', 'json', json), run.records.length);
      assert.deepEqual(JSON.parse(fs.readFileSync(json, 'utf8')), run.records);
    });
  });
});
