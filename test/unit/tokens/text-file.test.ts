import { strict as assert } from 'node:assert';
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPromptMessages, PromptFileError } from '../../../src/tokens/prompt-files';
import { mulberry32 } from '../../../src/tokens/rng';
import { decodeText, firstInvalidUtf8, readTextFile, TextFileError, type NotTextReason } from '../../../src/tokens/text-file';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

function refusal(run: () => unknown): TextFileError {
  try {
    run();
  } catch (err) {
    if (err instanceof TextFileError) return err;
    throw err;
  }
  assert.fail('expected a TextFileError');
}

function expectRefused(data: Uint8Array, reason: NotTextReason, message: string, line = 1, column = 1): void {
  const err = refusal(() => decodeText(data, 'p.txt'));
  assert.equal(err.reason, reason);
  assert.equal(err.message, `p.txt:${line}:${column}: ${message}`);
  assert.deepEqual([err.file, err.line, err.column], ['p.txt', line, column]);
}

describe('tokens/text-file (prompt files are UTF-8 text or a clear error)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-text-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads UTF-8 text as it is, and drops a leading byte-order mark only', () => {
    const text = 'naïve café 東京 😀\r\nline two\n';
    assert.equal(decodeText(bytes(text), 'p.txt'), text);
    assert.equal(decodeText(bytes([0xef, 0xbb, 0xbf], text), 'p.txt'), text);
    assert.equal(decodeText(bytes('a\ufeffb'), 'p.txt'), 'a\ufeffb', 'a BOM inside the text is text');
    assert.equal(decodeText(new Uint8Array(0), 'p.txt'), '');
  });

  it('refuses UTF-16 and UTF-32, by byte-order mark or by NUL-interleaved ASCII', () => {
    const utf16 = 'the file is UTF-16; save it as UTF-8';
    expectRefused(bytes([0xff, 0xfe], Buffer.from('hello', 'utf16le') as unknown as number[]), 'utf16', utf16);
    expectRefused(bytes([0xfe, 0xff, 0, 0x68, 0, 0x69]), 'utf16', utf16);
    expectRefused(Buffer.from('system:\nYou are helpful.\n', 'utf16le'), 'utf16', utf16);
    expectRefused(Buffer.from('system:\nYou are helpful.\n', 'utf16le').swap16(), 'utf16', utf16);
    expectRefused(bytes([0xff, 0xfe, 0, 0, 0x68, 0, 0, 0]), 'utf32', 'the file is UTF-32; save it as UTF-8');
  });

  it('refuses binary files (NUL bytes), naming where the first one is', () => {
    expectRefused(bytes('ab\ncd', [0], 'e'), 'binary', 'the file is binary, not text (a NUL byte at byte offset 5)', 2, 3);
    // A megabyte of random bytes "counted" 765,301 tokens before.
    const rng = mulberry32(1);
    const random = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(rng() * 256));
    assert.ok(['binary', 'invalid-utf8'].includes(refusal(() => decodeText(random, 'r.bin')).reason));
  });

  it('refuses bytes that are not UTF-8 at the line and column of the first bad byte', () => {
    const save = (hex: string, offset: number) => `the file is not valid UTF-8 (byte 0x${hex} at byte offset ${offset}); save it as UTF-8`;
    expectRefused(bytes('hello\nab', [0xff], 'c\n'), 'invalid-utf8', save('FF', 8), 2, 3);
    // Columns count UTF-16 code units (é is one, 😀 two): the editor's columns.
    expectRefused(bytes('x\né😀', [0xc3, 0x28]), 'invalid-utf8', save('C3', 8), 2, 4);
    expectRefused(bytes([0xef, 0xbb, 0xbf], 'ab', [0x80]), 'invalid-utf8', save('80', 5), 1, 3); // the BOM takes no column
    expectRefused(bytes('Latin-1: caf', [0xe9], '\n'), 'invalid-utf8', save('E9', 12), 1, 13);
    expectRefused(bytes('cut short', [0xe2, 0x82]), 'invalid-utf8', save('E2', 9), 1, 10);
    expectRefused(bytes([0xc0, 0xaf]), 'invalid-utf8', save('C0', 0)); // overlong '/'
    expectRefused(bytes([0xe0, 0x80, 0xaf]), 'invalid-utf8', save('E0', 0)); // overlong
    expectRefused(bytes([0xed, 0xa0, 0x80]), 'invalid-utf8', save('ED', 0)); // a surrogate
    expectRefused(bytes([0xf4, 0x90, 0x80, 0x80]), 'invalid-utf8', save('F4', 0)); // past U+10FFFF
    expectRefused(bytes([0xf5, 0x80, 0x80, 0x80]), 'invalid-utf8', save('F5', 0));
  });

  it('finds the first invalid UTF-8 byte in fuzzed bytes exactly where a strict decoder stops', () => {
    const rng = mulberry32(2);
    const pieces = ['a', '\n', 'é', '€', '😀', '\u{10ffff}', '\ud7ff', '\ue000'].map((s) => [...Buffer.from(s, 'utf8')]);
    const junk = [
      [0x80],
      [0xbf],
      [0xc0],
      [0xc1, 0x81],
      [0xe0, 0x9f, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x8f, 0x80, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf8],
      [0xff],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
    ];
    let invalid = 0;
    for (let t = 0; t < 3000; t++) {
      const parts: number[] = [];
      const n = 1 + Math.floor(rng() * 12);
      for (let i = 0; i < n; i++) {
        const pool = rng() < 0.1 ? junk : pieces;
        parts.push(...pool[Math.floor(rng() * pool.length)]);
      }
      const data = Uint8Array.from(parts);
      const bad = firstInvalidUtf8(data);
      assert.equal(bad < 0, isUtf8(data), JSON.stringify(parts));
      if (bad < 0) continue;
      invalid++;
      // Everything before it is UTF-8, and no character starts at it.
      assert.ok(isUtf8(data.subarray(0, bad)), JSON.stringify(parts));
      for (let len = 1; len <= 4 && bad + len <= data.length; len++) assert.ok(!isUtf8(data.subarray(bad, bad + len)), JSON.stringify(parts));
    }
    assert.ok(invalid > 500);
  });

  it('reads files, and names a missing file, a directory and a file that is not text', () => {
    fs.writeFileSync(path.join(dir, 'ok.md'), '\ufeff## user\nhi\n');
    assert.equal(readTextFile('ok.md', dir), '## user\nhi\n');
    assert.equal(readTextFile(path.join(dir, 'ok.md')), '## user\nhi\n');
    const missing = refusal(() => readTextFile('nope.md', dir));
    assert.deepEqual([missing.reason, missing.message], ['missing', 'nope.md:1:1: file not found']);
    const folder = refusal(() => readTextFile(dir));
    assert.deepEqual([folder.reason, folder.message], ['directory', `${dir}:1:1: is a directory, not a file`]);
    fs.writeFileSync(path.join(dir, 'u16.md'), Buffer.from('\ufeff## user\nhi\n', 'utf16le'));
    assert.equal(refusal(() => readTextFile('u16.md', dir)).reason, 'utf16');
  });

  describe("a scenario's prompt files (loadPromptMessages) go through it", () => {
    const load = (source: Parameters<typeof loadPromptMessages>[0]) => {
      try {
        loadPromptMessages(source, dir);
      } catch (err) {
        if (err instanceof PromptFileError) return err.message;
        throw err;
      }
      assert.fail('expected a PromptFileError');
    };

    it('a UTF-16 dataset, an invalid UTF-8 prompty, a binary inputs file, a missing file', () => {
      fs.writeFileSync(path.join(dir, 'chats.jsonl'), Buffer.from('\ufeff{"messages":[{"role":"user","content":"hi"}]}\n', 'utf16le'));
      assert.equal(load({ kind: 'dataset', file: 'chats.jsonl' }), 'chats.jsonl:1:1: the file is UTF-16; save it as UTF-8');

      fs.writeFileSync(path.join(dir, 'p.prompty'), bytes('---\nname: x\n---\nsystem:\nCaf', [0xe9], '\nuser:\n{{q}}\n'));
      assert.equal(load({ kind: 'prompty', file: 'p.prompty' }), 'p.prompty:5:4: the file is not valid UTF-8 (byte 0xE9 at byte offset 27); save it as UTF-8');

      fs.writeFileSync(path.join(dir, 'ok.prompty'), '---\nname: x\n---\nsystem:\nBe brief.\nuser:\n{{q}}\n');
      fs.writeFileSync(path.join(dir, 'inputs.jsonl'), bytes('{"q": "a"}\n', [0, 1, 2]));
      assert.equal(
        load({ kind: 'prompty', file: 'ok.prompty', inputs: 'inputs.jsonl' }),
        'inputs.jsonl:2:1: the file is binary, not text (a NUL byte at byte offset 11)',
      );

      assert.equal(load({ kind: 'dataset', file: 'gone.jsonl' }), `gone.jsonl:1:1: file not found (${path.join(dir, 'gone.jsonl')})`);
    });

    it('a dataset with a UTF-8 BOM loads', () => {
      fs.writeFileSync(path.join(dir, 'bom.jsonl'), '\ufeff{"messages":[{"role":"user","content":"hi"}]}\n');
      assert.deepEqual(loadPromptMessages({ kind: 'dataset', file: 'bom.jsonl' }, dir), [[{ role: 'user', content: 'hi' }]]);
    });
  });
});
