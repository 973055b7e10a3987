import { strict as assert } from 'node:assert';
import { TokenRankTable, type RankTable } from '../../../src/tokens/byte-table';
import { countLongPiece } from '../../../src/tokens/long-piece-bpe';
import { pieces } from '../../../src/tokens/pretokenize';
import { mulberry32 } from '../../../src/tokens/rng';
import { countTokens, ENCODINGS, type Encoding } from '../../../src/tokens/tokenizer';
import { refCount } from './fixtures';

const table = (enc: Encoding): RankTable => require(`gpt-tokenizer/bpeRanks/${enc}`).default;
const utf8 = new TextEncoder();

const EMOJI = ['😀', '🚀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '❤️', '🧑🏿‍💻', '✅', '🔥', '🥲', '🫠', '©️', '™'];
const SCRIPTS: [number, number][] = [
  [0x4e00, 0x4fff],
  [0xac00, 0xad00],
  [0x0430, 0x044f],
  [0x0410, 0x042f],
  [0x0915, 0x0939],
  [0x03b1, 0x03c9],
  [0x00e0, 0x00ff],
];

/** Long runs that the pre-tokenizers keep in one piece (or a few), where the merge order matters most. */
function longRun(rng: () => number, length: number): string {
  const from = (chars: string | readonly string[]) => {
    let s = '';
    while (s.length < length) s += chars[Math.floor(rng() * chars.length)];
    return s;
  };
  const repeat = (unit: string) => unit.repeat(Math.ceil(length / unit.length));
  const kinds = [
    () => from('ACGT'), // DNA
    () => from('abcdefghijklmnopqrstuvwxyz'),
    () => from('aab'),
    () => from('AaBb'), // case changes: one piece for cl100k, many for o200k
    () => repeat('a'),
    () => repeat('ab'),
    () => repeat('abc'),
    () => repeat(from('xyzw').slice(0, 1 + Math.floor(rng() * 5))),
    () => from(EMOJI), // one punctuation piece
    () => from('=-*_#~'),
    () => from('0123456789'),
    () => from([' ', ' ', '\t', '\u00a0', '\u3000']),
    () => {
      // Letters of several scripts, with combining accents: mixed-script words.
      let s = '';
      while (s.length < length) {
        const [lo, hi] = SCRIPTS[Math.floor(rng() * SCRIPTS.length)];
        s += String.fromCodePoint(lo + Math.floor(rng() * (hi - lo + 1)));
        if (rng() < 0.05) s += '\u0301';
      }
      return s;
    },
  ];
  return kinds[Math.floor(rng() * kinds.length)]().slice(0, length);
}

describe('tokens/long-piece-bpe (BPE merges with a heap)', () => {
  for (const enc of ENCODINGS) {
    describe(enc, () => {
      const ranks = TokenRankTable.build(table(enc));

      it("counts fuzzed long runs exactly as OpenAI's tiktoken does: whole texts, and every piece on its own", () => {
        const rng = mulberry32(enc === 'o200k_base' ? 11 : 12);
        let longPieces = 0;
        for (let t = 0; t < 80; t++) {
          const text = longRun(rng, 1 + Math.floor(rng() * 3000)) + (rng() < 0.3 ? ` ${longRun(rng, 300)}` : '');
          assert.equal(countTokens(text, enc), refCount(text, enc), `${enc}: ${JSON.stringify(text.slice(0, 60))}…`);
          // Each piece straight through the heap merge, short ones included (the counter itself sends
          // only long ones there), so that its merge order is checked on every size.
          for (const piece of pieces(text, enc)) {
            if (pieces(piece, enc).length !== 1) continue; // a piece that the regex cuts differently alone
            const bytes = utf8.encode(piece);
            if (bytes.length > 256) longPieces++;
            assert.equal(countLongPiece(bytes, bytes.length, ranks), refCount(piece, enc), `${enc} piece: ${JSON.stringify(piece.slice(0, 60))}…`);
          }
        }
        assert.ok(longPieces >= 20, `only ${longPieces} pieces over 256 bytes`);
      });

      it('counts pieces of every length from 0 to 600 bytes as tiktoken does', () => {
        const rng = mulberry32(13);
        for (let n = 0; n <= 600; n += 1 + Math.floor(rng() * 7)) {
          for (const unit of ['ACGT', 'ab', 'a', 'zq']) {
            const piece = unit === 'ACGT' ? Array.from({ length: n }, () => 'ACGT'[Math.floor(rng() * 4)]).join('') : unit.repeat(n).slice(0, n);
            assert.equal(countLongPiece(utf8.encode(piece), n, ranks), refCount(piece, enc), `${enc}: ${unit} × ${n}`);
            assert.equal(countTokens(piece, enc), refCount(piece, enc), `${enc}: ${unit} × ${n}, counted`);
          }
        }
      });

      it('counts a 2,000,000-letter run (the quadratic merge loop would take ~half an hour)', () => {
        // 'a' × n is merged left to right in blocks, so its count is periodic: tiktoken itself gives
        // the count of a short run (it is quadratic too).
        const period = 16_000;
        const expected = (2_000_000 / period) * refCount('a'.repeat(period), enc);
        assert.equal(countTokens('a'.repeat(2_000_000), enc), expected);
      });
    });
  }

  it('counts 200 KB of DNA letters and 80 KB of emoji as tiktoken does (the inputs of issue 12)', () => {
    const rng = mulberry32(14);
    const dna = Array.from({ length: 200_000 }, () => 'ACGT'[Math.floor(rng() * 4)]).join('');
    const emoji = Array.from({ length: 40_000 }, () => EMOJI[Math.floor(rng() * 4)])
      .join('')
      .slice(0, 80_000);
    // tiktoken's counts of these seeded texts, taken once (it needs about a minute for the four).
    assert.equal(countTokens(dna, 'o200k_base'), 103_316);
    assert.equal(countTokens(dna, 'cl100k_base'), 103_180);
    assert.equal(countTokens(emoji, 'o200k_base'), 71_573);
    assert.equal(countTokens(emoji, 'cl100k_base'), 122_146);
  });
});
