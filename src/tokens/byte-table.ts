// Open-addressing hash tables for the token counter (./piece-count): looked up by a range of a text or
// of a byte buffer, so a lookup allocates nothing. A JavaScript Map needs a string key, i.e. a slice
// per lookup, and its 200 k-entry table of the encoding's tokens was the slowest part of a count
// (docs/performance.md §8).

/** gpt-tokenizer's token table: index = rank, value = the token as a string, or its bytes when they are not UTF-8. */
export type RankTable = readonly (string | readonly number[] | undefined)[];

/** Rank of a byte sequence that is not a token (greater than every rank). */
export const NO_RANK = 0x7fffffff;

/** FNV-1a, with a final mix so that the low bits (the slot) depend on every input. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
}

function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return mix(h);
}

function hashChars(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** Smallest power of two ≥ 2 × n (load factor ≤ 0.5). */
function tableSize(n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}

/** The arrays of a TokenRankTable, on shared memory so that a worker thread can use them without a copy. */
export interface TokenRankParts {
  tokenBytes: Uint8Array;
  offsets: Int32Array;
  slots: Int32Array;
  pairs: Int32Array;
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * length));
}

/** The encoding's tokens by their bytes: byte range → rank. */
export class TokenRankTable {
  /** Every token's bytes, by rank: token r is tokenBytes[offsets[r], offsets[r + 1]). */
  private readonly tokenBytes: Uint8Array;
  private readonly offsets: Int32Array;
  /** Per slot, side by side: the hash of a token's bytes and its rank + 1 (0: empty slot). */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Ranks of the two-byte tokens, by (first << 8) | second: BPE's first round needs only these. */
  private readonly pairs: Int32Array;

  /** From arrays built by `build` (possibly in another thread). */
  constructor(readonly parts: TokenRankParts) {
    ({ tokenBytes: this.tokenBytes, offsets: this.offsets, slots: this.slots, pairs: this.pairs } = parts);
    this.mask = this.slots.length / 2 - 1;
  }

  static build(table: RankTable): TokenRankTable {
    const encoder = new TextEncoder();
    let chars = 0;
    for (const token of table) chars += token === undefined ? 0 : token.length;
    const buffer = new Uint8Array(3 * chars); // UTF-8 takes at most 3 bytes per UTF-16 code unit
    const offsets = sharedInt32(table.length + 1);
    let used = 0;
    let tokens = 0;
    for (let rank = 0; rank < table.length; rank++) {
      offsets[rank] = used;
      const token = table[rank];
      if (token === undefined) continue;
      tokens++;
      if (typeof token === 'string') used += encoder.encodeInto(token, buffer.subarray(used)).written;
      else for (const b of token) buffer[used++] = b;
    }
    offsets[table.length] = used;
    const tokenBytes = new Uint8Array(new SharedArrayBuffer(used));
    tokenBytes.set(buffer.subarray(0, used));

    const size = tableSize(tokens);
    const mask = size - 1;
    const slots = sharedInt32(2 * size);
    const pairs = sharedInt32(1 << 16).fill(NO_RANK);
    for (let rank = 0; rank < table.length; rank++) {
      const from = offsets[rank];
      const to = offsets[rank + 1];
      if (to === from) continue;
      const h = hashBytes(tokenBytes, from, to);
      let slot = h & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = h;
      slots[2 * slot + 1] = rank + 1;
      if (to - from === 2) pairs[(tokenBytes[from] << 8) | tokenBytes[from + 1]] = rank;
    }
    return new TokenRankTable({ tokenBytes, offsets, slots, pairs });
  }

  /**
   * Warm-up material: `count` random tokens of the vocabulary, three in four of them words (letters
   * after an optional space), with a comma, full stop or line break every few words, so that it reads
   * in the pre-tokenizer and BPE much as prose and code do. Bytes that are not UTF-8 become U+FFFD.
   */
  randomText(count: number, rng: () => number): string {
    const decoder = new TextDecoder();
    const ranks = this.offsets.length - 1;
    const parts: string[] = [];
    while (parts.length < count) {
      const rank = Math.floor(rng() * ranks);
      const token = decoder.decode(this.tokenBytes.subarray(this.offsets[rank], this.offsets[rank + 1]));
      if (token === '' || (rng() < 0.75 && !/^ ?[A-Za-z]+$/.test(token))) continue;
      parts.push(token);
      const r = rng();
      if (r < 0.05) parts.push('.\n');
      else if (r < 0.1) parts.push(',');
      else if (r < 0.13) parts.push('. ');
    }
    return parts.join('');
  }

  /** Rank of the token bytes[from, to), or NO_RANK. */
  rank(bytes: Uint8Array, from: number, to: number): number {
    const h = hashBytes(bytes, from, to);
    const length = to - from;
    const slots = this.slots;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const r = slots[2 * slot + 1] - 1;
      if (r < 0) return NO_RANK;
      if (slots[2 * slot] !== h) continue;
      const start = this.offsets[r];
      if (this.offsets[r + 1] - start !== length) continue;
      let k = 0;
      while (k < length && this.tokenBytes[start + k] === bytes[from + k]) k++;
      if (k === length) return r;
    }
  }

  /** Rank of the two-byte token (a, b), or NO_RANK. */
  pairRank(a: number, b: number): number {
    return this.pairs[(a << 8) | b];
  }
}

/** What PieceCountTable.get returns for a piece it does not hold (stored counts are ≥ 0, or ≤ -2 for marks). */
export const ABSENT = -1;

/**
 * Counts of pieces of text, by the piece's characters. A slot is four int32s side by side — hash,
 * count, where the piece's characters start in `chars`, their length — so a lookup touches one slot
 * and one run of characters (a Map of strings touches four places: ~1.5× slower here).
 */
export class PieceCountTable {
  size = 0;
  // Sized for the ~17 k distinct pieces of a 1 MB prompt (growing there cost a few ms); 256 KB.
  private mask = 32 * 1024 - 1;
  /** Per slot: hash, count, offset into `chars`, length; length 0 marks an empty slot. */
  private slots = new Int32Array(4 * (this.mask + 1));
  private chars = new Uint16Array(128 * 1024);
  private charsUsed = 0;

  /** The count stored for text[from, to) (a non-empty range), or ABSENT. */
  get(text: string, from: number, to: number): number {
    const slot = this.find(text, from, to);
    return slot < 0 ? ABSENT : this.slots[4 * slot + 1];
  }

  /** Stores the count of text[from, to), in place of the one stored, if any. */
  put(text: string, from: number, to: number, count: number): void {
    const slot = this.find(text, from, to);
    if (slot < 0) this.set(text, from, to, count);
    else this.slots[4 * slot + 1] = count;
  }

  /** The slot of text[from, to), or -1. */
  private find(text: string, from: number, to: number): number {
    const h = hashChars(text, from, to);
    const length = to - from;
    const slots = this.slots;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = 4 * slot;
      const slotLength = slots[at + 3];
      if (slotLength === 0) return -1;
      if (slots[at] !== h || slotLength !== length) continue;
      const chars = this.chars;
      const offset = slots[at + 2];
      let k = 0;
      while (k < length && chars[offset + k] === text.charCodeAt(from + k)) k++;
      if (k === length) return slot;
    }
  }

  /** Stores the count of text[from, to) (non-empty), which is not in the table. */
  set(text: string, from: number, to: number, count: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.grow();
    const length = to - from;
    if (this.charsUsed + length > this.chars.length) {
      const chars = new Uint16Array(2 * (this.charsUsed + length));
      chars.set(this.chars.subarray(0, this.charsUsed));
      this.chars = chars;
    }
    for (let k = 0; k < length; k++) this.chars[this.charsUsed + k] = text.charCodeAt(from + k);
    this.place(hashChars(text, from, to), count, this.charsUsed, length);
    this.charsUsed += length;
    this.size++;
  }

  private place(h: number, count: number, offset: number, length: number): void {
    let slot = h & this.mask;
    while (this.slots[4 * slot + 3] !== 0) slot = (slot + 1) & this.mask;
    const at = 4 * slot;
    this.slots[at] = h;
    this.slots[at + 1] = count;
    this.slots[at + 2] = offset;
    this.slots[at + 3] = length;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = 2 * (this.mask + 1) - 1;
    this.slots = new Int32Array(4 * (this.mask + 1));
    for (let at = 0; at < old.length; at += 4) if (old[at + 3] !== 0) this.place(old[at], old[at + 1], old[at + 2], old[at + 3]);
  }
}
