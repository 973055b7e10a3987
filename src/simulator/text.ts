// Generated completion text whose token count is known without a tokenizer.
//
// Every piece below is exactly ONE token in both o200k_base and cl100k_base, and the pieces are
// chosen so that BPE pre-tokenization never merges two of them: words carry their leading space
// (" data"), punctuation only ever follows a word ("," "."), and a sentence starts with "The" /
// " The". So a completion of N pieces encodes to exactly N tokens (test/unit/simulator/text.test.ts
// checks this with the tiktoken reference implementation).
import type { Rng } from './rng';

/** 64 words; " " + word is a single token in o200k_base and cl100k_base. */
export const WORDS: readonly string[] = [
  'the',
  'of',
  'and',
  'to',
  'in',
  'a',
  'is',
  'that',
  'for',
  'it',
  'as',
  'with',
  'was',
  'on',
  'be',
  'by',
  'at',
  'this',
  'from',
  'or',
  'an',
  'are',
  'not',
  'have',
  'but',
  'data',
  'model',
  'test',
  'token',
  'stream',
  'latency',
  'time',
  'first',
  'request',
  'response',
  'server',
  'client',
  'load',
  'rate',
  'value',
  'system',
  'result',
  'number',
  'work',
  'part',
  'new',
  'one',
  'two',
  'all',
  'more',
  'each',
  'will',
  'can',
  'about',
  'into',
  'over',
  'after',
  'before',
  'fast',
  'small',
  'large',
  'long',
  'short',
  'high',
];
const SPACED = WORDS.map((w) => ' ' + w);

/** The completion as N one-token pieces: "The", words, an occasional ",", "." ending sentences,
 *  " The" opening the next, and "." as the last piece. Deterministic for a given rng state. */
export function generateTokens(n: number, rng: Rng): string[] {
  const out: string[] = new Array(n);
  let sinceSentence = 0;
  for (let i = 0; i < n; i++) {
    const prev = i > 0 ? out[i - 1] : '';
    const prevIsWord = i > 0 && prev !== '.' && prev !== ',';
    if (i === 0) {
      out[i] = 'The';
    } else if (i === n - 1 && prevIsWord) {
      out[i] = '.';
    } else if (prev === '.') {
      out[i] = ' The';
      sinceSentence = 0;
    } else if (prevIsWord && sinceSentence >= 6 && i < n - 2 && rng.next() < 0.12) {
      out[i] = rng.next() < 0.7 ? '.' : ',';
    } else {
      out[i] = SPACED[rng.int(SPACED.length)];
    }
    sinceSentence++;
  }
  return out;
}

/** Groups the pieces into content chunks of `tokensPerChunk` (the last may be shorter). */
export function chunkTokens(tokens: readonly string[], tokensPerChunk: number): string[] {
  if (tokensPerChunk === 1) return tokens.slice();
  const chunks: string[] = [];
  for (let i = 0; i < tokens.length; i += tokensPerChunk) {
    chunks.push(tokens.slice(i, i + tokensPerChunk).join(''));
  }
  return chunks;
}
