// The line reader under every run-folder read (src/results/jsonl.ts): read in 1 MB chunks, it yields
// exactly the lines of the file — lines and multi-byte characters cut by a chunk boundary come out
// whole, CRLF and LF both end a line, blank lines are skipped, a last line without a newline is kept.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { linesOf, linesOfAsync, parseLine } from '../../../src/results/jsonl';
import { tempDir } from '../shared/real-run';

const MB = 1 << 20;

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('results/jsonl', () => {
  it('yields every line of a file several chunks long, whatever falls on a chunk boundary', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.jsonl');
    // Lines of 3-byte and 4-byte characters, so some chunk boundary falls inside a character.
    const expected: string[] = [];
    for (let i = 0; Buffer.byteLength(expected.join('\n')) < 2.5 * MB; i++) expected.push(JSON.stringify({ i, text: 'é€🙂'.repeat(1 + (i % 97)) }));
    const bytes = Buffer.from(expected.map((l, i) => (i % 3 === 0 ? `${l}\r\n` : i % 3 === 1 ? `${l}\n\n` : `${l}\n   \n`)).join('') + 'last line, no newline');
    fs.writeFileSync(file, bytes);
    assert.ok(bytes.length > 2 * MB);
    // The file's own split, for comparison: what a whole-file read would give.
    const whole = bytes
      .toString('utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    assert.deepEqual(whole, [...expected, 'last line, no newline']);
    assert.deepEqual([...linesOf(file)], whole);
    assert.deepEqual(await collect(linesOfAsync(file)), whole);
  });

  it('a missing file has no lines; an empty one neither', async () => {
    const dir = tempDir();
    assert.deepEqual([...linesOf(path.join(dir, 'missing.jsonl'))], []);
    assert.deepEqual(await collect(linesOfAsync(path.join(dir, 'missing.jsonl'))), []);
    fs.writeFileSync(path.join(dir, 'empty.jsonl'), '');
    assert.deepEqual([...linesOf(path.join(dir, 'empty.jsonl'))], []);
  });

  it('parseLine: a value of the accepted kind, else undefined (never throws)', () => {
    const isWindow = (v: { type?: string }) => v.type === 'window';
    assert.deepEqual(parseLine('{"type":"window","t":1}', isWindow), { type: 'window', t: 1 });
    for (const line of ['{"type":"request"}', '{"type":"win', 'null', '7', '[]']) assert.equal(parseLine(line, isWindow), undefined, line);
  });
});
