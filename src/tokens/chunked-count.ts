// Token counts of long texts that change a little at a time (an editor buffer). The text is cut into
// chunks at points where no BPE pre-token can span the cut, so the chunks' counts add up to exactly the
// whole text's count; each chunk's count is cached by its content. An edit then recounts one chunk, not
// the file.
//
// Safe cut: right after a line break whose next character is neither whitespace nor '/'. Every
// pre-tokenizer piece of cl100k_base and o200k_base that can contain a line break ends at the end of
// the run of line breaks, except o200k's punctuation piece, which may go on with '/'
// (` ?[^\s\p{L}\p{N}]+[\r\n/]*`); and no piece that starts after the run can reach back into it.

import { countTokens, type Encoding } from './tokenizer';

/** Cut points: indices where a chunk may start. At least `minChunk` characters per chunk. */
export function safeChunks(text: string, minChunk = 2048): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let cut = -1;
    for (let i = text.indexOf('\n', start + minChunk - 1); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) {
      const next = text.charCodeAt(i + 1);
      // Not whitespace (space, tab, CR, LF, VT, FF, NBSP…) and not '/'.
      if (next !== 0x2f && !/\s/.test(text[i + 1])) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      chunks.push(text.slice(start));
      break;
    }
    chunks.push(text.slice(start, cut));
    start = cut;
  }
  return chunks;
}

/** Counts with a content-keyed cache of chunk counts, bounded by the characters it holds. */
export class ChunkedTokenCounter {
  private readonly cache = new Map<string, number>();
  private cachedChars = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxCachedChars = 16_000_000,
    private readonly minChunk = 2048,
  ) {}

  count(text: string, enc: Encoding): number {
    if (text.length <= this.minChunk) return this.countChunk(text, enc);
    let total = 0;
    for (const chunk of safeChunks(text, this.minChunk)) total += this.countChunk(chunk, enc);
    return total;
  }

  private countChunk(chunk: string, enc: Encoding): number {
    const key = `${enc}\u0000${chunk}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      // Map keeps insertion order: re-insert so the oldest entries are evicted first.
      this.cache.delete(key);
      this.cache.set(key, cached);
      this.hits++;
      return cached;
    }
    this.misses++;
    const n = countTokens(chunk, enc);
    this.cache.set(key, n);
    this.cachedChars += key.length;
    for (const [oldKey] of this.cache) {
      if (this.cachedChars <= this.maxCachedChars) break;
      this.cache.delete(oldKey);
      this.cachedChars -= oldKey.length;
    }
    return n;
  }
}
