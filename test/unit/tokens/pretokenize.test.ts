import { strict as assert } from 'node:assert';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { pieces } from '../../../src/tokens/pretokenize';
import { mulberry32 } from '../../../src/tokens/rng';
import { ENCODINGS, type Encoding } from '../../../src/tokens/tokenizer';
import { fuzzText, repoText } from './text-samples';

// The reference: the split regexes gpt-tokenizer (and, in Rust syntax, tiktoken) pre-tokenize with.
const REGEX: Record<Encoding, RegExp> = { o200k_base: O200K_TOKEN_SPLIT_REGEX, cl100k_base: CL100K_TOKEN_SPLIT_REGEX };
const byRegex = (text: string, enc: Encoding): string[] => text.match(REGEX[enc]) ?? [];

describe('tokens/pretokenize', () => {
  for (const enc of ENCODINGS) {
    describe(enc, () => {
      it('cuts 30,000 fuzzed strings exactly where the split regex does', () => {
        const rng = mulberry32(enc.length);
        for (let i = 0; i < 30_000; i++) {
          const text = fuzzText(rng, 1 + Math.floor(rng() * 40));
          assert.deepEqual(pieces(text, enc), byRegex(text, enc), JSON.stringify(text));
        }
      });

      it('cuts real text (this repository: docs, code, JSON, non-ASCII) exactly where the split regex does', () => {
        const text = repoText(400_000);
        const ours = pieces(text, enc);
        const theirs = byRegex(text, enc);
        assert.equal(ours.length, theirs.length);
        for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) assert.fail(`piece ${i}: ${JSON.stringify(ours[i])} vs ${JSON.stringify(theirs[i])}`);
      });

      it('handles the cases the scanner decides alone', () => {
        // Contractions, digit groups, a space before punctuation, whitespace before a word, line-break runs.
        const text = "They'LL see it's 12345 apples .. \t  x\n\n  y 'sound\r\n/path  ";
        assert.deepEqual(pieces(text, enc), byRegex(text, enc));
      });
    });
  }

  it("keeps o200k's '/' after a line break in the punctuation piece (the chunker relies on it)", () => {
    assert.deepEqual(pieces('a.\n/b', 'o200k_base'), ['a', '.\n/', 'b']);
    assert.deepEqual(pieces('a.\n/b', 'cl100k_base'), ['a', '.\n', '/b']);
  });

  it('leaves a piece with a non-ASCII character to the regex (same pieces)', () => {
    for (const enc of ENCODINGS) {
      for (const text of ['naïve café', 'ǅungla', 'e\u0301x', 'a\u00a0\u00a0b', '١٢٣٤', '東京 大学', 'x\u2028y', '😀😀 ok']) {
        assert.deepEqual(pieces(text, enc), byRegex(text, enc), `${enc} ${JSON.stringify(text)}`);
      }
    }
  });
});
