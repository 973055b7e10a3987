// Exact token counts without building token ids: 5–6× faster than gpt-tokenizer's countTokens on English
// and code, 2.5× on mixed scripts (docs/performance.md §8, docs/tokenizers.md). What makes the
// difference, each measured there:
// - the pre-tokenizer scanner (./pretokenize) instead of the Unicode regex;
// - a cache of counts per piece: text repeats its words, and a lookup among the text's own pieces
//   (thousands, cache-resident) costs a fraction of one among the encoding's 200 k tokens;
// - hash tables over the characters and bytes themselves (./byte-table), so that neither the cache
//   lookup nor BPE's rank lookups allocate a string;
// - BPE on the piece's UTF-8 bytes with a table of two-byte ranks for the first round; tiktoken's
//   quadratic merge loop for short pieces, a heap for long ones (./long-piece-bpe);
// - for large texts, a helper thread that counts the pieces not seen before (./piece-helper).
// Results equal gpt-tokenizer's and OpenAI's tiktoken (test/unit/tokens/piece-count.test.ts).

import { NO_RANK, PieceCountTable, type TokenRankTable } from './byte-table';
import { countLongPiece } from './long-piece-bpe';
import type { PieceHelper, PendingPieces } from './piece-helper';
import { mulberry32 } from './rng';
import { pieceEnd } from './pretokenize';
import type { Encoding } from './tokenizer';

/** Texts shorter than this are counted on this thread alone (a batch round trip costs more than it saves). */
const PARALLEL_MIN_CHARS = 32 * 1024;
/** A piece's mark in the piece table while the helper counts it: PENDING - its index in the pending list. */
const PENDING = -2;
/**
 * Pieces of up to this many UTF-8 bytes are merged by tiktoken's loop, O(n²) but faster there; longer
 * ones by ./long-piece-bpe, O(n log n) (even at ~200–256 bytes, measured on letters, DNA and CJK).
 */
const QUADRATIC_MAX_BYTES = 256;
/**
 * Pieces longer than this many characters are counted on this thread and not kept in the piece table:
 * they rarely repeat, and a megabyte-long one would stay in the table's memory (and the work buffer's).
 */
const LONG_PIECE_CHARS = 16 * 1024;

export class PieceCounter {
  /** A worker thread that counts the new pieces of large texts alongside this one (./piece-helper). */
  helper: PieceHelper | null = null;
  private counts = new PieceCountTable();
  // Work arrays: the piece's UTF-8 bytes (grown up to a long piece's size; a longer piece gets its own
  // buffer), and the parts of the quadratic merge loop.
  private bytes = new Uint8Array(256);
  private readonly starts = new Int32Array(QUADRATIC_MAX_BYTES + 1);
  private readonly pairRanks = new Int32Array(QUADRATIC_MAX_BYTES + 1);
  private readonly warmUpRandom = mulberry32(0x5eed);

  constructor(
    readonly enc: Encoding,
    readonly ranks: TokenRankTable,
    /** The piece cache starts over when it holds this many pieces (~40 bytes each). */
    private readonly maxCachedPieces = 1 << 19,
  ) {}

  /** Tokens in `text`. */
  count(text: string): number {
    return this.countEach([text])[0];
  }

  /**
   * Tokens in each of `texts`, counted one by one. With a helper and ≥ 32 KB of text in all, the
   * helper counts the pieces not seen before while this thread goes on (see ./piece-helper).
   */
  countEach(texts: readonly string[]): number[] {
    let chars = 0;
    for (const text of texts) chars += text.length;
    const totals = new Array<number>(texts.length).fill(0);
    if (chars < PARALLEL_MIN_CHARS || !this.helper?.available) {
      texts.forEach((text, k) => (totals[k] = this.countKnown(text, k, null, totals)));
      return totals;
    }
    const pending = this.helper.pending(this.enc, () => this.ranks.parts);
    texts.forEach((text, k) => {
      const known = this.countKnown(text, k, pending, totals); // may add to totals[k] itself: read it after
      totals[k] += known;
    });
    pending.finish((piece) => this.countPiece(piece), this.storeCount, totals);
    return totals;
  }

  /** Puts a piece's count in the piece table (replacing its pending mark). */
  private readonly storeCount = (piece: string, count: number): void => this.counts.put(piece, 0, piece.length, count);

  /**
   * Tokens in `text` (number `k` of a countEach call). With `pending`, pieces not seen before are left
   * to the helper: marked in the piece table and noted with `k`; their counts reach `totals` later.
   */
  private countKnown(text: string, k: number, pending: PendingPieces | null, totals: number[]): number {
    const n = text.length;
    const enc = this.enc;
    const ranks = this.ranks;
    let total = 0;
    for (let i = 0; i < n;) {
      const end = pieceEnd(text, i, enc);
      // A third of the pieces are one or two ASCII characters: a byte is always a token, and a pair of
      // bytes is one token or two. Answered without the piece table.
      if (end - i <= 2) {
        const a = text.charCodeAt(i);
        const b = end - i === 2 ? text.charCodeAt(i + 1) : 0;
        if ((a | b) < 128) {
          total += end - i === 1 || ranks.pairRank(a, b) !== NO_RANK ? 1 : 2;
          i = end;
          continue;
        }
      }
      if (end - i > LONG_PIECE_CHARS) {
        total += this.countRange(text, i, end);
        i = end;
        continue;
      }
      const cached = this.counts.get(text, i, end);
      if (cached >= 0) total += cached;
      else if (!pending) total += this.countNewPiece(text, i, end);
      else if (cached <= PENDING) pending.seen(PENDING - cached, k);
      else {
        const p = pending.add(text, i, end, k);
        if (p < 0)
          total += this.countNewPiece(text, i, end); // the helper's job is full
        else {
          if (this.counts.size >= this.maxCachedPieces) this.counts = new PieceCountTable();
          this.counts.put(text, i, end, PENDING - p);
          pending.poll(this.storeCount, totals);
        }
      }
      i = end;
    }
    return total;
  }

  /** Forgets every piece seen (benchmarks time cold counts). */
  clearCache(): void {
    this.counts = new PieceCountTable();
  }

  /**
   * Runs the counting code over ~150 KB of random vocabulary, then forgets what it saw, so that real
   * counts later run optimized code (a fresh process counts 1 MB ~2× slower) without help from cached
   * pieces. Each call uses new text; V8 optimizes in tiers, and the language server runs three rounds
   * (one leaves it ~10% slower, measured). `use` may do more than count (the server warms its analysis).
   */
  warmUp(use: (text: string) => void = (text) => this.count(text)): void {
    use(this.ranks.randomText(40_000, this.warmUpRandom));
    this.clearCache();
  }

  /** Tokens in one piece (as the pre-tokenizer cuts it), without the piece cache. */
  countPiece(piece: string): number {
    return this.countRange(piece, 0, piece.length);
  }

  /** Tokens in the piece whose characters are chars[from, to) (the helper thread's input), without the piece cache. */
  countChars(chars: Uint16Array, from: number, to: number): number {
    const length = to - from;
    const bytes = this.workBytes(length);
    for (let i = 0; i < length; i++) {
      const c = chars[from + i];
      if (c >= 128) {
        // Rare (a character ≥ U+0080): rebuild the string, in slices (an argument list has limits).
        let piece = '';
        for (let j = from; j < to; j += 4096) piece += String.fromCharCode(...chars.subarray(j, Math.min(to, j + 4096)));
        return this.countPiece(piece);
      }
      bytes[i] = c;
    }
    return this.countBytes(bytes, length);
  }

  /** Tokens in the piece text[start, end). */
  private countRange(text: string, start: number, end: number): number {
    const bytes = this.workBytes(end - start);
    return this.countBytes(bytes, this.toUtf8(text, start, end, bytes));
  }

  /** Tokens in the piece whose UTF-8 is bytes[0, length): one if it is a token, else BPE's. */
  private countBytes(bytes: Uint8Array, length: number): number {
    if (this.ranks.rank(bytes, 0, length) !== NO_RANK) return 1;
    return length <= QUADRATIC_MAX_BYTES ? this.bpeCount(bytes, length) : countLongPiece(bytes, length, this.ranks);
  }

  private countNewPiece(text: string, start: number, end: number): number {
    const c = this.countRange(text, start, end);
    if (this.counts.size >= this.maxCachedPieces) this.counts = new PieceCountTable();
    this.counts.put(text, start, end, c);
    return c;
  }

  /** Writes text[start, end) as UTF-8 into `bytes` (room for 3 bytes a character); returns the byte length. */
  private toUtf8(text: string, start: number, end: number, bytes: Uint8Array): number {
    let ascii = true;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) {
        ascii = false;
        break;
      }
      bytes[i - start] = c;
    }
    if (ascii) return end - start;
    // TextEncoder writes a lone surrogate as U+FFFD, as gpt-tokenizer's and tiktoken's encoders do.
    return UTF8.encodeInto(text.slice(start, end), bytes).written;
  }

  /** A buffer for the UTF-8 of a piece of `chars` characters: `this.bytes`, grown for pieces up to LONG_PIECE_CHARS. */
  private workBytes(chars: number): Uint8Array {
    const needed = 3 * chars; // UTF-8 takes at most 3 bytes per UTF-16 code unit
    if (needed <= this.bytes.length) return this.bytes;
    if (chars > LONG_PIECE_CHARS) return new Uint8Array(needed);
    this.bytes = new Uint8Array(Math.min(2 * needed, 3 * LONG_PIECE_CHARS));
    return this.bytes;
  }

  /**
   * Tokens in bytes[0, n), a piece of at most QUADRATIC_MAX_BYTES that is not itself a token:
   * tiktoken's merge loop (join the adjacent parts whose joined bytes have the lowest rank, leftmost
   * first, until no joined pair is a token).
   */
  private bpeCount(bytes: Uint8Array, n: number): number {
    if (n <= 1) return n;
    const ranks = this.ranks;
    const starts = this.starts; // starts[k]: where part k begins; starts[parts] = n
    const pairRanks = this.pairRanks; // pairRanks[k]: rank of part k joined with part k + 1
    let parts = n; // every byte is a token of its own
    for (let k = 0; k <= n; k++) starts[k] = k;
    for (let k = 0; k < n - 1; k++) pairRanks[k] = ranks.pairRank(bytes[k], bytes[k + 1]);

    while (parts > 1) {
      let best = 0;
      for (let k = 1; k < parts - 1; k++) if (pairRanks[k] < pairRanks[best]) best = k;
      if (pairRanks[best] === NO_RANK) break;
      // Join part best + 1 into part best.
      starts.copyWithin(best + 1, best + 2, parts + 1);
      pairRanks.copyWithin(best + 1, best + 2, parts - 1);
      parts--;
      if (best < parts - 1) pairRanks[best] = ranks.rank(bytes, starts[best], starts[best + 2]);
      if (best > 0) pairRanks[best - 1] = ranks.rank(bytes, starts[best - 1], starts[best + 1]);
    }
    return parts;
  }
}

const UTF8 = new TextEncoder();
