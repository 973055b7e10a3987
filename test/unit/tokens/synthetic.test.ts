import { strict as assert } from 'node:assert';
import { countChatTokens } from '../../../src/tokens/chat';
import { mulberry32 } from '../../../src/tokens/rng';
import { randomCachePrefix, syntheticChat } from '../../../src/tokens/synthetic';
import { countTokens, ENCODINGS } from '../../../src/tokens/tokenizer';
import { refChatCount } from './fixtures';

describe('tokens/synthetic', () => {
  for (const enc of ENCODINGS) {
    describe(enc, () => {
      for (const n of [20, 500, 2000, 100_000]) {
        it(`hits ${n} prompt tokens exactly, with and without a cache prefix`, () => {
          for (const prefix of [undefined, randomCachePrefix(mulberry32(n))]) {
            const msgs = syntheticChat(enc, n, { prefix, seed: 7 });
            assert.equal(countChatTokens(msgs, enc).total, n);
            assert.equal(refChatCount(msgs, enc), n, 'tiktoken agrees');
            assert.deepEqual(
              msgs.map((m) => m.role),
              ['system', 'user'],
            );
            if (prefix) assert.ok(msgs[0].content.startsWith(prefix), 'prefix at the very start');
          }
        });
      }

      it('is exact for every size from the minimum up to 300', () => {
        for (let n = 11; n <= 300; n++) assert.equal(refChatCount(syntheticChat(enc, n), enc), n, `n=${n}`);
      });

      it('asks for a long answer once there is room', () => {
        const [system, user] = syntheticChat(enc, 500);
        assert.match(system.content, /helpful assistant/);
        assert.match(user.content, /long, detailed answer/);
      });

      it('tops up with words that are one token each', () => {
        for (const w of [' the', ' and', ' of', ' to', ' in', ' more', ' so', ' then']) assert.equal(countTokens(w, enc), 1, w);
      });
    });
  }

  it('is deterministic per seed and varies across seeds', () => {
    const a = syntheticChat('o200k_base', 800, { seed: 1 });
    assert.deepEqual(syntheticChat('o200k_base', 800, { seed: 1 }), a);
    assert.notDeepEqual(syntheticChat('o200k_base', 800, { seed: 2 }), a);
  });

  it('builds a 100k-token prompt quickly once the text is cached', () => {
    syntheticChat('o200k_base', 100_000, { seed: 3 });
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) syntheticChat('o200k_base', 100_000 - i, { seed: 3, prefix: randomCachePrefix(mulberry32(i)) });
    assert.ok(performance.now() - t0 < 500, 'ten 100k prompts under 0.5 s');
  });

  it('rejects a size below the bare framing', () => {
    assert.throws(() => syntheticChat('o200k_base', 10), RangeError);
    assert.throws(() => syntheticChat('o200k_base', -1), RangeError);
    assert.throws(() => syntheticChat('o200k_base', 1.5), RangeError);
  });

  it('makes short, distinct cache prefixes', () => {
    const rng = mulberry32(42);
    const prefixes = new Set(Array.from({ length: 1000 }, () => randomCachePrefix(rng)));
    assert.equal(prefixes.size, 1000);
    for (const p of prefixes) {
      assert.equal(countTokens(p, 'o200k_base'), 5, p);
      assert.equal(countTokens(p, 'cl100k_base'), 5, p);
    }
  });
});
