import { strict as assert } from 'node:assert';
import { TokenRankTable, NO_RANK, PieceCountTable, type RankTable } from '../../../src/tokens/byte-table';
import { PieceCounter } from '../../../src/tokens/piece-count';
import { mulberry32 } from '../../../src/tokens/rng';
import { countTokens, ENCODINGS, type Encoding } from '../../../src/tokens/tokenizer';
import { reference } from './fixtures';
import { fuzzText, repoText } from './text-samples';

const PLAIN = { disallowedSpecial: new Set<string>() };
// gpt-tokenizer's own count: the implementation the fast counter replaces.
const gptTokenizer: Record<Encoding, { countTokens(t: string, o: object): number }> = {
  o200k_base: require('gpt-tokenizer/encoding/o200k_base'),
  cl100k_base: require('gpt-tokenizer/encoding/cl100k_base'),
};
const table = (enc: Encoding): RankTable => require(`gpt-tokenizer/bpeRanks/${enc}`).default;
const tiktokenCount = (text: string, enc: Encoding) => reference(enc).encode_ordinary(text).length;

describe('tokens/piece-count', () => {
  for (const enc of ENCODINGS) {
    describe(enc, () => {
      it("counts 20,000 fuzzed strings exactly as OpenAI's tiktoken does", () => {
        const rng = mulberry32(7);
        for (let i = 0; i < 20_000; i++) {
          const text = fuzzText(rng, 1 + Math.floor(rng() * 60), true);
          assert.equal(countTokens(text, enc), tiktokenCount(text, enc), JSON.stringify(text));
        }
      });

      it('counts 20,000 fuzzed strings as gpt-tokenizer does, U+0085 and U+FEFF included, but for its BOM bug', () => {
        const rng = mulberry32(8);
        for (let i = 0; i < 20_000; i++) {
          const text = fuzzText(rng, 1 + Math.floor(rng() * 60));
          // gpt-tokenizer decodes candidate tokens with a TextDecoder that drops a leading BOM, so it never
          // finds the token U+FEFF; tiktoken does, and so do we.
          if (text.includes('\ufeff')) continue;
          assert.equal(countTokens(text, enc), gptTokenizer[enc].countTokens(text, PLAIN), JSON.stringify(text));
        }
        assert.equal(countTokens('\ufefft', enc), tiktokenCount('\ufefft', enc));
        assert.equal(countTokens('\ufefft', enc), gptTokenizer[enc].countTokens('\ufefft', PLAIN) - 1);
      });

      it("counts ~1 MB of real text exactly as OpenAI's tiktoken does, cold and with every piece cached", () => {
        const text = repoText(1_000_000);
        const counter = new PieceCounter(enc, TokenRankTable.build(table(enc)));
        const expected = tiktokenCount(text, enc);
        assert.equal(counter.count(text), expected);
        assert.equal(counter.count(text), expected, 'second count, from the piece cache');
        counter.clearCache();
        assert.equal(counter.count(text), expected, 'after clearing the cache');
      });

      it('counts long pieces and odd text exactly as tiktoken does', () => {
        const texts = [
          ' '.repeat(5000) + 'x',
          'a'.repeat(3000),
          'Ab'.repeat(1500) + "'LL",
          '='.repeat(2000) + '\n'.repeat(50) + '/'.repeat(10),
          '9'.repeat(1001),
          '東京大学の研究者は新しいモデルを発表しました'.repeat(40),
          'x\ud800y \udfff z', // lone surrogates: written as U+FFFD, as tiktoken does
          '<|endoftext|> <|im_start|>user',
          '\u0000\u0001\u007f \t\v\f\r\n',
        ];
        for (const text of texts) {
          // tiktoken's JavaScript binding passes UTF-8, so a lone surrogate reaches it as U+FFFD too.
          assert.equal(countTokens(text, enc), tiktokenCount(text, enc), JSON.stringify(text.slice(0, 40)));
        }
      });

      it('stays exact when its piece cache starts over', () => {
        const counter = new PieceCounter(enc, TokenRankTable.build(table(enc)), 50);
        const text = repoText(50_000);
        assert.equal(counter.count(text), tiktokenCount(text, enc));
        assert.equal(counter.count(text), tiktokenCount(text, enc));
      });

      it('finds every token of the encoding by its bytes, at its rank, and nothing else', () => {
        const t = table(enc);
        const ranks = TokenRankTable.build(t);
        const utf8 = new TextEncoder();
        let checked = 0;
        for (let rank = 0; rank < t.length; rank++) {
          const token = t[rank];
          if (token === undefined) continue;
          const bytes = typeof token === 'string' ? utf8.encode(token) : Uint8Array.from(token);
          // Embedded in other bytes: the lookup reads only the range it is given.
          const padded = new Uint8Array(bytes.length + 2);
          padded.set(bytes, 1);
          assert.equal(ranks.rank(padded, 1, bytes.length + 1), rank);
          if (bytes.length === 2) assert.equal(ranks.pairRank(bytes[0], bytes[1]), rank);
          checked++;
        }
        assert.ok(checked > 100_000);
        assert.equal(ranks.rank(utf8.encode('qqqqzzzzxxxxq'), 0, 13), NO_RANK);
        assert.equal(ranks.pairRank(0xff, 0xfe), NO_RANK);
      });
    });
  }

  it('keeps counts of text ranges in its piece table through growth', () => {
    const tableOfCounts = new PieceCountTable();
    const text = Array.from({ length: 5000 }, (_, i) => `w${i}`).join(' ');
    const words = [...text.matchAll(/\S+/g)];
    words.forEach((m, i) => {
      assert.equal(tableOfCounts.get(text, m.index!, m.index! + m[0].length), -1);
      tableOfCounts.set(text, m.index!, m.index! + m[0].length, i);
    });
    assert.equal(tableOfCounts.size, 5000);
    words.forEach((m, i) => assert.equal(tableOfCounts.get(text, m.index!, m.index! + m[0].length), i));
    assert.equal(tableOfCounts.get('w1 w12', 3, 6), 12, 'found by characters, not by position');
    assert.equal(tableOfCounts.get('w5000', 0, 5), -1);
  });
});
