import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TokenRankTable, type RankTable } from '../../../src/tokens/byte-table';
import { ChunkedTokenCounter } from '../../../src/tokens/chunked-count';
import { PieceCounter } from '../../../src/tokens/piece-count';
import { PieceHelper } from '../../../src/tokens/piece-helper';
import { ENCODINGS, startCountHelper, stopCountHelper, type Encoding } from '../../../src/tokens/tokenizer';
import { ensureServerBuilt } from '../server/lsp-client';
import { reference } from './fixtures';
import { repoText } from './text-samples';

// The worker runs the bundle (dist/piece-worker.js), as in the language server.
const WORKER = path.join(__dirname, '..', '..', '..', 'dist', 'piece-worker.js');
const table = (enc: Encoding): RankTable => require(`gpt-tokenizer/bpeRanks/${enc}`).default;
const tiktokenCount = (text: string, enc: Encoding) => reference(enc).encode_ordinary(text).length;

async function startHelper(tables: Partial<Record<Encoding, TokenRankTable>>): Promise<PieceHelper> {
  ensureServerBuilt();
  const helper = PieceHelper.start(WORKER, Object.fromEntries(Object.entries(tables).map(([enc, t]) => [enc, t.parts])))!;
  for (let i = 0; i < 400 && !helper.available; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(helper.available, 'the worker says ready');
  return helper;
}

describe('tokens/piece-helper (a worker thread counts new pieces)', function () {
  this.timeout(120_000);
  const o200k = TokenRankTable.build(table('o200k_base'));
  let helper: PieceHelper;
  before(async () => (helper = await startHelper({ o200k_base: o200k })));
  after(() => helper.dispose());

  it('counts ~1 MB exactly as tiktoken does, with the worker counting the new pieces', () => {
    const text = repoText(1_000_000);
    const counter = new PieceCounter('o200k_base', o200k);
    counter.helper = helper;
    const sentBefore = helper.piecesSent;
    assert.equal(counter.count(text), tiktokenCount(text, 'o200k_base'));
    assert.ok(helper.piecesSent - sentBefore > 5000, `${helper.piecesSent - sentBefore} pieces went to the worker`);
    assert.equal(counter.count(text), tiktokenCount(text, 'o200k_base'), 'again, every piece cached');
  });

  it('gives each text of countEach its own exact count, a piece first seen in one text counted in all of them', () => {
    const base = repoText(200_000);
    const texts = Array.from({ length: 40 }, (_, i) => base.slice(i * 5000, i * 5000 + 9000));
    const counter = new PieceCounter('o200k_base', o200k);
    counter.helper = helper;
    assert.deepEqual(
      counter.countEach(texts),
      texts.map((t) => tiktokenCount(t, 'o200k_base')),
    );
  });

  it('stays exact when the piece cache starts over while pieces are with the worker', () => {
    const text = repoText(300_000);
    const counter = new PieceCounter('o200k_base', o200k, 300);
    counter.helper = helper;
    assert.equal(counter.count(text), tiktokenCount(text, 'o200k_base'));
  });

  it('sends an encoding the worker was not started with along with its first batch', () => {
    const text = repoText(100_000);
    const counter = new PieceCounter('cl100k_base', TokenRankTable.build(table('cl100k_base')));
    counter.helper = helper;
    const sentBefore = helper.piecesSent;
    assert.equal(counter.count(text), tiktokenCount(text, 'cl100k_base'));
    assert.ok(helper.piecesSent > sentBefore);
  });

  it("is used by the language server's chunked counter (the chunks of a text counted together)", async () => {
    const text = repoText(400_000).replace(/e/g, 'é'); // pieces no earlier test has put in the cache
    const shared = startCountHelper(WORKER)!;
    try {
      for (let i = 0; i < 400 && !shared.available; i++) await new Promise((r) => setTimeout(r, 25));
      for (const enc of ENCODINGS) {
        const sentBefore = shared.piecesSent;
        assert.equal(new ChunkedTokenCounter().count(text, enc), tiktokenCount(text, enc));
        assert.ok(shared.piecesSent - sentBefore > 1000, `${enc}: ${shared.piecesSent - sentBefore} pieces went to the worker`);
      }
    } finally {
      stopCountHelper();
    }
  });

  it('counts on this thread when the worker is gone, or stops answering, and is then no longer used', async () => {
    const text = repoText(200_000);
    const gone = await startHelper({ o200k_base: o200k });
    gone.dispose();
    const counter = new PieceCounter('o200k_base', o200k);
    counter.helper = gone;
    assert.equal(gone.available, false);
    assert.equal(counter.count(text), tiktokenCount(text, 'o200k_base'));

    // A worker that says ready and then never answers: the count waits 2 s for its first batch, then
    // counts every batch itself.
    const silent = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-helper-')), 'silent-worker.js');
    fs.writeFileSync(silent, "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => {}); parentPort.postMessage('ready');\n");
    const mute = PieceHelper.start(silent, {})!;
    for (let i = 0; i < 200 && !mute.available; i++) await new Promise((r) => setTimeout(r, 25));
    const stalled = new PieceCounter('o200k_base', o200k);
    stalled.helper = mute;
    assert.equal(stalled.count(text), tiktokenCount(text, 'o200k_base'));
    assert.ok(mute.piecesSent > 0);
    assert.equal(mute.available, false);
  });
});
