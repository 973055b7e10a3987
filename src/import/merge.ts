// Several load generators' records, each file already in the order its requests finished, merged into
// one stream in the order they finished overall (start + E2E): what the engine's own requests.jsonl
// and windows see. One record of each source is held at a time.

export interface Timed {
  start_ms: number;
  e2e_ms: number | null;
}

export function completion(r: Timed): number {
  return r.start_ms + (r.e2e_ms ?? 0);
}

export async function* mergeByCompletion<T extends Timed>(sources: AsyncIterator<T>[]): AsyncGenerator<T> {
  const heads: (T | null)[] = [];
  for (const source of sources) heads.push(await take(source));
  const heap = new MinHeap((a, b) => completion(heads[a]!) - completion(heads[b]!) || a - b);
  heads.forEach((h, i) => h && heap.push(i));
  while (heap.size > 0) {
    const i = heap.pop()!;
    yield heads[i]!;
    heads[i] = await take(sources[i]);
    if (heads[i]) heap.push(i);
  }
}

async function take<T>(source: AsyncIterator<T>): Promise<T | null> {
  const { value, done } = await source.next();
  return done ? null : value;
}

/** A binary min-heap of source indexes: the merge takes the earliest of many sources' next records. */
class MinHeap {
  private readonly items: number[] = [];
  constructor(private readonly compare: (a: number, b: number) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(item: number): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i], a[parent]) >= 0) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }
  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.compare(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
