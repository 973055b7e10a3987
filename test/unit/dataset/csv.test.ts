// The RFC 4180 reader and `dataset from-csv` on tricky files: exact lines, exact token counts, and
// errors that say file:line:column.

import { strict as assert } from 'node:assert';
import { CsvError, parseCsv } from '../../../src/dataset/csv';
import { formatDataset } from '../../../src/dataset/dataset-file';
import { datasetFromCsv } from '../../../src/dataset/from-csv';
import { refChatCount } from '../tokens/fixtures';

const fields = (text: string) => parseCsv(text, 'f.csv').map((r) => r.fields);

describe('CSV reader (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks; CRLF, LF and a BOM', () => {
    const text = '\uFEFFid,question\r\n1,"Hello, world"\r\n2,"She said ""hi"""\n3,"two\r\nlines"\n4,plain\n';
    assert.deepEqual(fields(text), [
      ['id', 'question'],
      ['1', 'Hello, world'],
      ['2', 'She said "hi"'],
      ['3', 'two\r\nlines'],
      ['4', 'plain'],
    ]);
  });

  it('keeps empty fields, a last line without a line break, and reports where each record starts', () => {
    const records = parseCsv('a,b,c\n,,\n"x\ny",,z', 'f.csv');
    assert.deepEqual(
      records.map((r) => r.fields),
      [
        ['a', 'b', 'c'],
        ['', '', ''],
        ['x\ny', '', 'z'],
      ],
    );
    assert.deepEqual(
      records.map((r) => r.line),
      [1, 2, 3],
    );
    assert.deepEqual(fields(''), []);
    assert.deepEqual(fields('\uFEFF'), []);
  });

  it('malformed input: file:line:column of the problem', () => {
    const at = (text: string) => {
      try {
        parseCsv(text, 'q.csv');
      } catch (e) {
        assert.ok(e instanceof CsvError);
        return `${e.line}:${e.column} ${e.message}`;
      }
      assert.fail('no error');
    };
    assert.match(at('a,b\n1,say "hi"\n'), /^2:7 q\.csv:2:7: quote inside an unquoted field/);
    assert.match(at('a,b\n1,"ok"x\n'), /^2:7 q\.csv:2:7: unexpected "x" after a closing quote/);
    assert.match(at('a,b\n1,"never\nclosed\n'), /^2:3 q\.csv:2:3: quoted field is never closed/);
    // Columns count from the start of the physical line, also after a line break inside quotes.
    assert.match(at('a,b\n"x\ny" ,2\n'), /^3:3 /);
  });
});

describe('dataset from-csv', () => {
  const tricky = [
    '\uFEFFid,Question,notes',
    '1,"How do I reset my password?",',
    '2,"Compare plans A, B and C for a team of 5",x',
    '3,"My export says ""failed"" — why?",',
    '',
    '4,"First line',
    'second line",',
    '5,   ,blank question',
    '6,how do I reset my PASSWORD,duplicate after normalization',
    '7,"How do I reset my password?",exact duplicate',
    '   ',
    '8,Ünïcödé and emoji 🚀 work too,',
    '',
  ].join('\r\n');

  it('picks the question column by name, skips blanks and repeats, counts tokens with the chat framing', () => {
    const r = datasetFromCsv(tricky, 'tricky.csv', { encoding: 'o200k_base' });
    assert.equal(r.column, 'Question');
    const texts = [
      'How do I reset my password?',
      'Compare plans A, B and C for a team of 5',
      'My export says "failed" — why?',
      'First line\r\nsecond line',
      'Ünïcödé and emoji 🚀 work too',
    ];
    const expected = texts.map((t) => {
      const messages = [{ role: 'user', content: t }];
      return JSON.stringify({ messages, prompt_tokens: refChatCount(messages, 'o200k_base') });
    });
    assert.equal(formatDataset(r.lines), expected.join('\n') + '\n');
    // Empty and whitespace-only lines are not rows; row 5's question cell is blank.
    assert.deepEqual({ rows: r.rows, blank: r.blank, duplicates: r.duplicates }, { rows: 8, blank: 1, duplicates: 2 });
  });

  it('--column and --system; the system message is counted too (cl100k_base)', () => {
    const r = datasetFromCsv(tricky, 'tricky.csv', { column: 'notes', system: 'You are terse.', encoding: 'cl100k_base' });
    assert.deepEqual(
      r.lines.map((l) => l.messages[1].content),
      ['x', 'blank question', 'duplicate after normalization', 'exact duplicate'],
    );
    for (const l of r.lines) {
      assert.deepEqual(l.messages[0], { role: 'system', content: 'You are terse.' });
      assert.equal(l.prompt_tokens, refChatCount(l.messages, 'cl100k_base'));
    }
  });

  it('no column named question/prompt/text/query: the first column', () => {
    const r = datasetFromCsv('ask,id\nwhere is my order,1\n', 'x.csv', { encoding: 'o200k_base' });
    assert.equal(r.column, 'ask');
    assert.deepEqual(
      r.lines.map((l) => l.messages[0].content),
      ['where is my order'],
    );
  });

  it('an unknown column is an error that lists the columns', () => {
    assert.throws(
      () => datasetFromCsv(tricky, 'tricky.csv', { column: 'prompt', encoding: 'o200k_base' }),
      (e: unknown) => e instanceof CsvError && e.message === 'tricky.csv:1:1: no column named "prompt"; the columns are: "id", "Question", "notes"',
    );
  });
});
