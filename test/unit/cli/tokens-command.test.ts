// `perflab tokens` (the built CLI) on files that are not UTF-8 text, missing, or a folder: exit 2 with
// `file:line:col: message`, never a stack trace or a count of garbage. Build first: npx node esbuild.mjs.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lookupModel } from '../../../src/tokens/catalog';
import { mulberry32 } from '../../../src/tokens/rng';
import { perflab, tmp } from '../helpers/run-cli';

describe('perflab tokens: files that cannot be counted', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = tmp('perflab-tokens-')));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, data: string | Uint8Array) => {
    fs.writeFileSync(path.join(dir, name), data);
    return name;
  };

  /** Runs `perflab tokens <file>` in the test folder; asserts exit 2, no output, no stack trace; returns stderr. */
  async function refused(file: string): Promise<string> {
    const r = await perflab(['tokens', file], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '', 'no count is printed');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    return r.stderr.trim();
  }

  it('a missing file and a directory: exit 2 with a message naming them', async () => {
    assert.equal(await refused('nope.prompty'), 'nope.prompty:1:1: file not found');
    fs.mkdirSync(path.join(dir, 'prompts.md'));
    assert.equal(await refused('prompts.md'), 'prompts.md:1:1: is a directory, not a file');
  });

  it('binary, UTF-16 and invalid UTF-8 files say what they are instead of counting garbage', async () => {
    const rng = mulberry32(5);
    write(
      'random.bin',
      Uint8Array.from({ length: 1 << 20 }, () => Math.floor(rng() * 256)),
    );
    assert.match(await refused('random.bin'), /^random\.bin:\d+:\d+: the file is binary, not text \(a NUL byte at byte offset \d+\)$/);

    write('windows.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Summarize this.\r\n', 'utf16le')]));
    assert.equal(await refused('windows.txt'), 'windows.txt:1:1: the file is UTF-16; save it as UTF-8');
    write('no-bom.md', Buffer.from('## user\nhi\n', 'utf16le'));
    assert.equal(await refused('no-bom.md'), 'no-bom.md:1:1: the file is UTF-16; save it as UTF-8');

    write(
      'latin1.jsonl',
      Buffer.concat([
        Buffer.from('{"messages":[{"role":"user","content":"hi"}]}\n{"messages":[{"role":"user","content":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}]}\n'),
      ]),
    );
    assert.equal(await refused('latin1.jsonl'), 'latin1.jsonl:2:43: the file is not valid UTF-8 (byte 0xE9 at byte offset 88); save it as UTF-8');
  });

  it('a UTF-8 byte-order mark is fine: the same count as without it', async () => {
    write('plain.txt', 'Explain the retry-after header in two sentences.\n');
    write('bom.txt', '\ufeffExplain the retry-after header in two sentences.\n');
    const plain = await perflab(['tokens', 'plain.txt', '--json'], { cwd: dir });
    const bom = await perflab(['tokens', 'bom.txt', '--json'], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(bom.code, 0, bom.stderr);
    assert.ok(JSON.parse(plain.stdout).total > 5);
    assert.equal(JSON.parse(bom.stdout).total, JSON.parse(plain.stdout).total);
  });

  it("a run whose dataset is UTF-16 stops before sending with exit 2 and the file's name", async () => {
    write('chats.jsonl', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"messages":[{"role":"user","content":"hi"}]}\n', 'utf16le')]));
    const scenario = write(
      'utf16.perf.yaml',
      [
        'name: utf16-dataset',
        'targets:',
        '  - name: sim',
        '    provider: simulator',
        '    endpoint: simulator',
        '    model: gpt-4o-mini',
        '    auth: { type: none }',
        'workload: { rate: 60, clients: 1, duration: 2s }',
        'prompts: { dataset: chats.jsonl }',
        '',
      ].join('\n'),
    );
    const r = await perflab(['run', scenario, '--out', path.join(dir, 'run')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /chats\.jsonl:1:1: the file is UTF-16; save it as UTF-8/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('perflab tokens: the input cost says what priced it', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tmp('perflab-tokens-price-');
    fs.writeFileSync(path.join(dir, 'p.prompty'), '---\nname: p\n---\nsystem:\nBe brief.\n\nuser:\nWhat is TTFT?\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a catalog model: its list price with the date; a model without a price: "no price"', async () => {
    const priced = await perflab(['tokens', '--model', 'gpt-4o', 'p.prompty'], { cwd: dir });
    assert.equal(priced.code, 0, priced.stderr);
    assert.match(priced.stdout, new RegExp(`· \\$\\d+\\.\\d{6} input \\(list price as of ${lookupModel('gpt-4o')!.price!.as_of}\\)\\n$`));
    const unpriced = await perflab(['tokens', '--model', 'my-llama', 'p.prompty'], { cwd: dir });
    assert.equal(unpriced.code, 0, unpriced.stderr);
    assert.match(unpriced.stdout, /· no price for my-llama\n$/);
  });
});
