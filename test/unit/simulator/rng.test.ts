// One seeded generator for the project (src/tokens/rng.ts); the simulator's per-request draws
// (src/simulator/rng.ts) are made from it. The pinned values are what the generator gave before the
// simulator's own copy was removed, so seeded simulator runs draw exactly what they drew before.
import { strict as assert } from 'node:assert';
import { requestRng, Rng } from '../../../src/simulator/rng';
import { mulberry32 } from '../../../src/tokens/rng';

describe('one seeded generator (mulberry32)', () => {
  it('gives the pinned sequence for a seed', () => {
    const next = mulberry32(42);
    assert.deepEqual(
      Array.from({ length: 5 }, () => next()),
      [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423],
    );
  });

  it('the simulator’s Rng draws the same numbers, for any 32-bit seed', () => {
    for (const seed of [0, 1, -1, 0x7fffffff, 0x80000000, 123_456_789]) {
      const next = mulberry32(seed);
      const rng = new Rng(seed);
      for (let i = 0; i < 1_000; i++) assert.equal(rng.next(), next(), `seed ${seed}, draw ${i}`);
    }
  });

  it('per-request generators are pinned too: faults, jitter and text of a seeded run do not change', () => {
    const a = requestRng(1, 0);
    assert.deepEqual([a.next(), a.next(), a.int(10)], [0.9511700388975441, 0.0003894050605595112, 7]);
    const b = requestRng(7, 41);
    assert.deepEqual([b.next(), b.int(1000)], [0.5198329535778612, 174]);
  });
});
