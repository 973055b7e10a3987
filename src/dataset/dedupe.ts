// Deduplication of user messages for a test dataset.
//
// Exact duplicates: equal after normalization (Unicode NFKC, case folded, punctuation and symbols
// dropped, whitespace collapsed), so "How do I reset my password?" and "how do i reset my password"
// are one message.
//
// Near duplicates (generated data only): Jaccard similarity of the two messages' word sets ≥ 0.8.
// Why this measure: what a model repeats when asked for many questions is the same question with a
// word added, dropped or moved ("How do I reset my password?" / "How do I reset my password please?"
// → 6/7 = 0.86), which word sets catch regardless of order; a different question about the same thing
// changes several words ("How do I reset my password?" / "Why does my password reset email never
// arrive?" → 3/12 = 0.25). 0.8 is the usual near-duplicate threshold for shingle-set Jaccard (as in
// MinHash dataset deduplication), and for short messages it still lets one substituted word through
// ("How do I reset my password?" / "How can I reset my password?" → 5/7 = 0.71): for load testing
// that is a different prompt, while an exact or reordered repeat adds nothing. A message with fewer
// than MIN_WORDS_FOR_NEAR words is only checked for exact repeats (word sets that small make any
// threshold arbitrary). Cost: a candidate is compared only with kept messages whose word-set size
// could reach the threshold (|A|/|B| ≥ 0.8), fine for the tens of thousands of lines a dataset has.

export const NEAR_DUPLICATE_THRESHOLD = 0.8;
export const MIN_WORDS_FOR_NEAR = 4;

export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const w of small) if (large.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

export type DedupeVerdict = 'kept' | 'empty' | 'duplicate' | 'near-duplicate';

export class Deduper {
  private readonly exact = new Set<string>();
  /** Word sets of kept messages, by size (only sizes that can reach the threshold are compared). */
  private readonly bySize = new Map<number, Set<string>[]>();
  counts = { kept: 0, empty: 0, duplicate: 0, 'near-duplicate': 0 } satisfies Record<DedupeVerdict, number>;

  constructor(
    private readonly near: boolean,
    private readonly threshold = NEAR_DUPLICATE_THRESHOLD,
  ) {}

  /** Decides whether `text` is new; a new one is remembered. */
  add(text: string): DedupeVerdict {
    const verdict = this.check(text);
    this.counts[verdict]++;
    return verdict;
  }

  private check(text: string): DedupeVerdict {
    const key = normalizeText(text);
    if (key === '') return 'empty';
    if (this.exact.has(key)) return 'duplicate';
    const words = new Set(key.split(' '));
    if (this.near && words.size >= MIN_WORDS_FOR_NEAR) {
      const lo = Math.ceil(words.size * this.threshold);
      const hi = Math.floor(words.size / this.threshold);
      for (let size = lo; size <= hi; size++) {
        for (const other of this.bySize.get(size) ?? []) {
          if (jaccard(words, other) >= this.threshold) return 'near-duplicate';
        }
      }
    }
    this.exact.add(key);
    if (words.size >= MIN_WORDS_FOR_NEAR) {
      const list = this.bySize.get(words.size);
      if (list) list.push(words);
      else this.bySize.set(words.size, [words]);
    }
    return 'kept';
  }
}
