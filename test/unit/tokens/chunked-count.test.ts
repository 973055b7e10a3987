import { strict as assert } from 'node:assert';
import { ChunkedTokenCounter, safeChunks } from '../../../src/tokens/chunked-count';
import { mulberry32 } from '../../../src/tokens/rng';
import { countTokens, ENCODINGS } from '../../../src/tokens/tokenizer';
import { reference } from './fixtures';
import { fuzzText, repoText } from './text-samples';

describe('tokens/chunked-count', () => {
  it('cuts only after a line break followed by neither whitespace nor "/", and the chunks rebuild the text', () => {
    const text = repoText(200_000);
    const chunks = safeChunks(text, 512);
    assert.equal(chunks.join(''), text);
    assert.ok(chunks.length > 100);
    chunks.slice(0, -1).forEach((c, i) => {
      assert.ok(c.length >= 512, `chunk ${i} is ${c.length} characters`);
      assert.ok(c.endsWith('\n'), `chunk ${i} ends in a line break`);
      assert.match(chunks[i + 1][0], /[^\s/]/u, `chunk ${i + 1} starts with ${JSON.stringify(chunks[i + 1][0])}`);
    });
  });

  for (const enc of ENCODINGS) {
    it(`${enc}: chunk counts add up to the whole text's count (fuzzed line breaks, spaces and slashes at cut points)`, () => {
      const rng = mulberry32(3);
      for (let i = 0; i < 3000; i++) {
        // Short lines full of the characters that decide where pieces end, cut every 8 characters.
        const lines = Array.from({ length: 1 + Math.floor(rng() * 8) }, () => fuzzText(rng, Math.floor(rng() * 12)));
        const text = lines.join(rng() < 0.5 ? '\n' : '\n\n');
        assert.equal(new ChunkedTokenCounter(1e6, 8).count(text, enc), countTokens(text, enc), JSON.stringify(text));
      }
    });

    it(`${enc}: counts ~1 MB exactly as tiktoken, and after an edit recounts only the chunks around it`, () => {
      const text = repoText(1_000_000);
      const counter = new ChunkedTokenCounter();
      assert.equal(counter.count(text, enc), reference(enc).encode_ordinary(text).length);
      const chunks = counter.misses;
      // Edits at a few places; cut points after an edit may shift for a few chunks before they fall on
      // the same line breaks again, so "a few" rather than exactly one.
      for (const where of [0.2, 0.5, 0.8]) {
        const missesBefore = counter.misses;
        const at = text.indexOf('\n', Math.floor(text.length * where)) + 1;
        const edited = `${text.slice(0, at)}An edited line, typed in the middle.\n${text.slice(at)}`;
        assert.equal(counter.count(edited, enc), reference(enc).encode_ordinary(edited).length);
        const recounted = counter.misses - missesBefore;
        assert.ok(recounted >= 1 && recounted <= 10, `${recounted} of ${chunks} chunks recounted`);
      }
    });
  }

  it('keeps separate counts per encoding, and stays exact when its size bound evicts chunks', () => {
    const text = repoText(100_000);
    const counter = new ChunkedTokenCounter(20_000);
    for (let round = 0; round < 2; round++) {
      for (const enc of ENCODINGS) assert.equal(counter.count(text, enc), countTokens(text, enc));
    }
    assert.notEqual(countTokens(text, 'o200k_base'), countTokens(text, 'cl100k_base'));
    // 20,000 characters hold ~10 of the ~50 chunks: the second round had to recount.
    assert.ok(counter.misses > 2 * 40, `${counter.misses} misses`);
  });
});
