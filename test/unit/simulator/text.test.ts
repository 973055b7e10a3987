import assert from 'node:assert/strict';
import { WORDS, generateTokens, chunkTokens } from '../../../src/simulator/text';
import { Rng, requestRng } from '../../../src/simulator/rng';
import { countTokens } from './helpers';

const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;

describe('simulator text', () => {
  it('every vocabulary word is one token with its leading space, in both encodings', () => {
    for (const enc of ENCODINGS) {
      for (const w of WORDS) assert.equal(countTokens(' ' + w, enc), 1, `" ${w}" in ${enc}`);
      for (const p of ['The', ' The', '.', ',']) assert.equal(countTokens(p, enc), 1, `"${p}" in ${enc}`);
    }
  });

  it('words never need JSON escaping (chunks are spliced into pre-serialized JSON)', () => {
    for (const w of WORDS) assert.match(w, /^[a-z]+$/);
  });

  it('a completion of N pieces is exactly N tokens in o200k_base and cl100k_base', () => {
    const lengths = [1, 2, 3, 4, 5, 7, 10, 16, 50, 100, 200, 257, 1000];
    for (let seed = 1; seed <= 12; seed++) {
      for (const n of lengths) {
        const tokens = generateTokens(n, requestRng(seed, n));
        assert.equal(tokens.length, n);
        const text = tokens.join('');
        for (const enc of ENCODINGS) assert.equal(countTokens(text, enc), n, `seed ${seed}, n ${n}, ${enc}: ${text}`);
      }
    }
  });

  it('reads like sentences and is deterministic per seed', () => {
    const a = generateTokens(60, new Rng(7)).join('');
    const b = generateTokens(60, new Rng(7)).join('');
    assert.equal(a, b);
    assert.match(a, /^The /);
    assert.match(a, /\.$/);
    assert.doesNotMatch(a, /[.,][.,]/);
    assert.notEqual(generateTokens(60, new Rng(8)).join(''), a);
  });

  it('groups pieces into chunks of tokens_per_chunk, the last one shorter', () => {
    const tokens = generateTokens(10, new Rng(1));
    const chunks = chunkTokens(tokens, 4);
    assert.equal(chunks.length, 3);
    assert.equal(chunks.join(''), tokens.join(''));
    for (const enc of ENCODINGS) {
      assert.deepEqual(
        chunks.map((c) => countTokens(c, enc)),
        [4, 4, 2],
      );
    }
  });
});
