// A CSV reader for RFC 4180 files as spreadsheets export them: fields separated by commas, records by
// CRLF or LF (a lone CR too); a field in double quotes may hold commas, line breaks and doubled quotes
// (""); a UTF-8 byte order mark is dropped; the first record is the header. Malformed input — a quote
// inside an unquoted field, text after a closing quote, a quoted field never closed — throws CsvError
// with the line and column where it happens (1-based, counting physical lines of the file).
//
// No CSV package is among the project's dependencies, and this is all `dataset from-csv` needs.

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}

export interface CsvRecord {
  fields: string[];
  /** Physical line where the record starts (1-based). */
  line: number;
}

export function parseCsv(text: string, file = '<csv>'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i; // index where the current physical line starts (for columns)
  let fields: string[] = [];
  let recordLine = 1;
  const column = (at: number) => at - lineStart + 1;
  const newline = (at: number): number => {
    // at points to \r or \n; returns the index after the line break
    const next = text[at] === '\r' && text[at + 1] === '\n' ? at + 2 : at + 1;
    line++;
    lineStart = next;
    return next;
  };
  const endRecord = () => {
    records.push({ fields, line: recordLine });
    fields = [];
  };

  if (i >= text.length) return records;
  for (;;) {
    // At the start of a field.
    if (fields.length === 0) recordLine = line;
    let value = '';
    if (text[i] === '"') {
      const openLine = line;
      const openColumn = column(i);
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvError(file, openLine, openColumn, 'quoted field is never closed (a missing " ?)');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\r' || c === '\n') {
          const next = newline(i);
          value += text.slice(i, next);
          i = next;
          continue;
        }
        value += c;
        i++;
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw new CsvError(file, line, column(i), `unexpected ${JSON.stringify(text[i])} after a closing quote (a field's quotes must be doubled: "")`);
      }
    } else {
      const start = i;
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"')
          throw new CsvError(file, line, column(i), 'quote inside an unquoted field (quote the whole field and double the quote: "say ""hi""")');
        i++;
      }
      value = text.slice(start, i);
    }
    fields.push(value);
    if (i >= text.length) {
      endRecord();
      return records;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    // A line break ends the record; a final line break ends the file.
    i = newline(i);
    endRecord();
    if (i >= text.length) return records;
  }
}
