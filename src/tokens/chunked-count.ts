// Token counts of long texts that change a little at a time (an editor buffer). The text is cut into
// chunks at points where no BPE pre-token can span the cut, so the chunks' counts add up to exactly the
// whole text's count; each chunk's count is cached by its content. An edit then recounts one chunk, not
// the file.
//
// Safe cut: right after a line break whose next character is neither whitespace nor '/'. Every
// pre-tokenizer piece of cl100k_base and o200k_base that can contain a line break ends at the end of
// the run of line breaks, except o200k's punctuation piece, which may go on with '/'
// (` ?[^\s\p{L}\p{N}]+[\r\n/]*`); and no piece that starts after the run can reach back into it.

import { pieceCounter, type Encoding } from './tokenizer';

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
  /** Per encoding: chunk → count, oldest first. */
  private readonly caches = new Map<Encoding, Map<string, number>>();
  private cachedChars = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxCachedChars = 16_000_000,
    private readonly minChunk = 2048,
  ) {}

  count(text: string, enc: Encoding): number {
    let cache = this.caches.get(enc);
    if (!cache) this.caches.set(enc, (cache = new Map()));
    const chunks = text.length <= this.minChunk ? [text] : safeChunks(text, this.minChunk);
    let total = 0;
    const missing: string[] = [];
    for (const chunk of chunks) {
      const cached = cache.get(chunk);
      if (cached === undefined) {
        missing.push(chunk);
        continue;
      }
      // Map keeps insertion order: re-insert so the oldest entries are evicted first.
      cache.delete(chunk);
      cache.set(chunk, cached);
      this.hits++;
      total += cached;
    }
    // Counted together, so that a large text's new pieces can be counted on a helper thread meanwhile.
    const counts = pieceCounter(enc).countEach(missing);
    missing.forEach((chunk, i) => {
      this.misses++;
      total += counts[i];
      if (cache.has(chunk)) return; // the same chunk twice in one text
      cache.set(chunk, counts[i]);
      this.cachedChars += chunk.length;
    });
    this.evict();
    return total;
  }

  /** Drops least recently used chunks (oldest first, one encoding after the other) while over the size bound. */
  private evict(): void {
    for (const cache of this.caches.values()) {
      for (const [oldChunk] of cache) {
        if (this.cachedChars <= this.maxCachedChars) return;
        cache.delete(oldChunk);
        this.cachedChars -= oldChunk.length;
      }
    }
  }
}
