// BPE token count of one long piece in O(n log n). tiktoken's merge loop (./piece-count's bpeCount)
// scans every pair of parts for the lowest rank at each merge: O(n²), 18 s for a 200 KB run of DNA
// letters, minutes for 10 MB of one letter. Here the parts are a linked list indexed by their first
// byte and the joinable pairs sit in a binary heap ordered by (rank, position), so each merge costs a
// few heap steps. The merges are the same — lowest rank first, leftmost on ties — so the count is too
// (test/unit/tokens/long-piece-bpe.test.ts compares it with OpenAI's tiktoken on fuzzed long pieces).

import { NO_RANK, type TokenRankTable } from './byte-table';

/**
 * A binary min-heap of parts (by their first byte), ordered by the rank of the part joined with the
 * next one, then by position. It holds the parts whose pair is a token, each once, and knows where
 * each part sits, so a rank that changes moves its part rather than adding a stale copy.
 */
class PairHeap {
  size = 0;
  private readonly items: Int32Array;
  /** slot[i]: index of part i in `items`, or -1. */
  private readonly slot: Int32Array;

  constructor(
    private readonly rank: Int32Array,
    n: number,
  ) {
    this.items = new Int32Array(n);
    this.slot = new Int32Array(n).fill(-1);
  }

  /** Builds the heap from every part whose pair is a token (O(n)). */
  fill(n: number): void {
    for (let i = 0; i < n; i++) {
      if (this.rank[i] === NO_RANK) continue;
      this.items[this.size] = i;
      this.slot[i] = this.size++;
    }
    for (let at = (this.size >> 1) - 1; at >= 0; at--) this.down(at);
  }

  /** The part whose pair has the lowest rank, leftmost on ties (the heap is not empty). */
  top(): number {
    return this.items[0];
  }

  /** Part i's rank changed: moves it, adds it, or takes it out (NO_RANK). */
  update(i: number): void {
    const at = this.slot[i];
    if (this.rank[i] === NO_RANK) {
      if (at >= 0) this.removeAt(at);
      return;
    }
    if (at < 0) {
      this.items[this.size] = i;
      this.slot[i] = this.size;
      this.up(this.size++);
      return;
    }
    this.up(at);
    this.down(this.slot[i]);
  }

  remove(i: number): void {
    const at = this.slot[i];
    if (at >= 0) this.removeAt(at);
  }

  private removeAt(at: number): void {
    const gone = this.items[at];
    this.slot[gone] = -1;
    const last = this.items[--this.size];
    if (at === this.size) return;
    this.items[at] = last;
    this.slot[last] = at;
    this.up(at);
    this.down(this.slot[last]);
  }

  private less(a: number, b: number): boolean {
    const ra = this.rank[a];
    const rb = this.rank[b];
    return ra < rb || (ra === rb && a < b);
  }

  private up(at: number): void {
    const items = this.items;
    const item = items[at];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(item, items[parent])) break;
      items[at] = items[parent];
      this.slot[items[at]] = at;
      at = parent;
    }
    items[at] = item;
    this.slot[item] = at;
  }

  private down(at: number): void {
    const items = this.items;
    const item = items[at];
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.less(items[child + 1], items[child])) child++;
      if (!this.less(items[child], item)) break;
      items[at] = items[child];
      this.slot[items[at]] = at;
      at = child;
    }
    items[at] = item;
    this.slot[item] = at;
  }
}

/**
 * Tokens BPE makes of bytes[0, n): join the adjacent parts whose joined bytes have the lowest rank,
 * leftmost first, until no joined pair is a token. Work arrays: 20 bytes per byte of the piece,
 * allocated per call (long pieces are rare; nothing large stays behind).
 */
export function countLongPiece(bytes: Uint8Array, n: number, ranks: TokenRankTable): number {
  if (n <= 1) return n;
  // Part i (i its first byte) ends where part next[i] starts (n: the last part); prev[i] = -1 for the first.
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  // rank[i]: rank of part i joined with the part after it; NO_RANK if that is no token or there is none.
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    rank[i] = i + 1 < n ? ranks.pairRank(bytes[i], bytes[i + 1]) : NO_RANK;
  }
  const heap = new PairHeap(rank, n);
  heap.fill(n);
  let parts = n;
  while (heap.size > 0) {
    // Join part j into part i. Every part is a token, so the joined ranges looked up stay short.
    const i = heap.top();
    const j = next[i];
    const k = next[j];
    heap.remove(j);
    next[i] = k;
    if (k < n) prev[k] = i;
    parts--;
    rank[i] = k < n ? ranks.rank(bytes, i, next[k]) : NO_RANK;
    heap.update(i);
    const p = prev[i];
    if (p >= 0) {
      rank[p] = ranks.rank(bytes, p, k);
      heap.update(p);
    }
  }
  return parts;
}
