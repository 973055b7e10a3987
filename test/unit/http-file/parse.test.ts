// REST Client files read as REST Client reads them: `###` separators (and titles), `# @name`,
// comments anywhere, file variables, the request line with or without a method and HTTP version,
// query continuation lines, headers up to the blank line, the body up to the next `###` — each with
// the position the CodeLens and the error messages use.

import { strict as assert } from 'node:assert';
import { findRequest, listRequests, parseHttpFile } from '../../../src/http-file/parse';

const FILE = [
  '@host = http://127.0.0.1:8080', // 1
  '@model = gpt-4o-mini', // 2
  '', // 3
  '### Ask the assistant', // 4
  '# @name ask', // 5
  '  POST {{host}}/app/chat HTTP/1.1', // 6
  '    ?stream=sse', // 7
  '    &lang=en', // 8
  'Content-Type: application/json', // 9
  '// a comment between headers', // 10
  'Accept:   text/event-stream', // 11
  '', // 12
  '{', // 13
  '  # not part of the body, as REST Client reads it', // 14
  '  "question": "hi"', // 15
  '}', // 16
  '', // 17
  '', // 18
  '###', // 19
  '// @name health', // 20
  'https://example.test/health', // 21
  '', // 22
  '#### only comments and a variable here', // 23
  '@late = 1', // 24
  '# nothing else', // 25
  '###', // 26
  'GET https://example.test/items', // 27
].join('\n');

describe('http-file: parse a REST Client file', () => {
  const parsed = parseHttpFile(FILE);

  it('finds each request between ### lines, skipping blocks that hold none, and numbers them', () => {
    assert.deepEqual(
      parsed.requests.map((r) => [r.index, r.name, r.title, r.method, r.line, r.blockLine]),
      [
        [1, 'ask', 'Ask the assistant', 'POST', 6, 4],
        [2, 'health', undefined, 'GET', 21, 19],
        [3, undefined, undefined, 'GET', 27, 26],
      ],
    );
  });

  it('reads file variables from anywhere outside a request, with the value and where it starts', () => {
    assert.deepEqual(
      [...parsed.variables.values()].map((v) => [v.name, v.value.text, v.value.line, v.value.col]),
      [
        ['host', 'http://127.0.0.1:8080', 1, 9],
        ['model', 'gpt-4o-mini', 2, 10],
        ['late', '1', 24, 9],
      ],
    );
  });

  it('reads the request line: method, URL position, HTTP version dropped, query continuation lines', () => {
    const ask = parsed.requests[0];
    assert.equal(ask.col, 3);
    assert.deepEqual(ask.url, [
      { text: '{{host}}/app/chat', line: 6, col: 8 },
      { text: '?stream=sse', line: 7, col: 5 },
      { text: '&lang=en', line: 8, col: 5 },
    ]);
    assert.deepEqual(parsed.requests[1].url, [{ text: 'https://example.test/health', line: 21, col: 1 }]);
  });

  it('reads headers up to the blank line (comments skipped), with where each value starts', () => {
    assert.deepEqual(
      parsed.requests[0].headers.map((h) => [h.name, h.value.text, h.value.line, h.value.col]),
      [
        ['Content-Type', 'application/json', 9, 15],
        ['Accept', 'text/event-stream', 11, 11],
      ],
    );
  });

  it('reads the body up to the next ###, without comment lines or trailing blank lines', () => {
    assert.deepEqual(
      parsed.requests[0].body?.map((l) => l.text),
      ['{', '  "question": "hi"', '}'],
    );
    assert.deepEqual(
      parsed.requests[0].body?.map((l) => l.line),
      [13, 15, 16],
    );
    assert.equal(parsed.requests[1].body, undefined);
    assert.deepEqual(parsed.requests[1].headers, []);
  });

  it('picks a request by @name, by ### title (any case) or by number', () => {
    assert.equal(findRequest(parsed, 'ask')?.index, 1);
    assert.equal(findRequest(parsed, 'ASK THE ASSISTANT')?.index, 1);
    assert.equal(findRequest(parsed, 'health')?.index, 2);
    assert.equal(findRequest(parsed, '3')?.index, 3);
    assert.equal(findRequest(parsed, '4'), undefined);
    assert.equal(findRequest(parsed, 'nope'), undefined);
    assert.equal(listRequests(parsed), '1: ask, POST line 6; 2: health, GET line 21; 3: GET line 27');
  });

  it('reports a header line without a colon at its position, and a variable defined twice', () => {
    const bad = parseHttpFile('@a = 1\n@a = 2\nPOST http://x.test/\nContent-Type application/json\n\n{}');
    assert.deepEqual(bad.requests[0].problems, [
      { line: 4, col: 1, message: 'expected a header "Name: value" (a blank line must separate the headers from the body)' },
    ]);
    assert.equal(bad.problems.length, 1);
    assert.match(bad.problems[0].message, /@a is defined twice \(also on line 1\)/);
    assert.equal(bad.problems[0].line, 2);
  });

  it('reads Windows line endings and a byte-order mark the same way', () => {
    const crlf = parseHttpFile('\uFEFF# @name x\r\nPOST http://x.test/a\r\nAccept: text/plain\r\n\r\nhello\r\nworld\r\n');
    const r = crlf.requests[0];
    assert.equal(r.name, 'x');
    assert.deepEqual(r.url, [{ text: 'http://x.test/a', line: 2, col: 6 }]);
    assert.deepEqual(
      r.body?.map((l) => l.text),
      ['hello', 'world'],
    );
  });

  it('a file with no request line has no requests', () => {
    assert.deepEqual(parseHttpFile('# just a comment\n@a = 1\n\n###\n// more\n').requests, []);
  });
});
