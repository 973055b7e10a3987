// One timer for all streams: a binary min-heap of "next write" times.
//
// At 12,000 streams/min of 100 chunks there are ~20,000 chunk writes per second. A setTimeout per
// chunk would allocate a Timeout each time and pay a timer-list insert; here each stream is a heap
// entry re-keyed in place, and the single Node timer is re-armed only when the earliest due time
// changes — so writes that fall due together are made in one timer callback.
import { performance } from 'node:perf_hooks';

export interface Scheduled {
  /** performance.now() time at which `fire` should run. */
  dueAt: number;
  /** Position in the heap; -1 when not scheduled. Owned by the scheduler. */
  heapIndex: number;
  fire(now: number): void;
}

/** Items due within this many ms of now are fired in the same pass (timers have 1 ms resolution). */
const SLACK_MS = 0.5;

export class Scheduler {
  private readonly heap: Scheduled[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  /** True inside `run`: re-arming waits until the pass is over (one timer per pass, not per item). */
  private running = false;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules (or reschedules) `item` at `dueAt`. */
  schedule(item: Scheduled, dueAt: number): void {
    item.dueAt = dueAt;
    if (item.heapIndex < 0) {
      item.heapIndex = this.heap.length;
      this.heap.push(item);
      this.up(item.heapIndex);
    } else {
      this.up(item.heapIndex);
      this.down(item.heapIndex);
    }
    this.arm();
  }

  cancel(item: Scheduled): void {
    const i = item.heapIndex;
    if (i < 0) return;
    item.heapIndex = -1;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(last.heapIndex);
    }
    if (this.heap.length === 0) this.disarm();
  }

  /** Cancels everything (server close). */
  clear(): void {
    for (const item of this.heap) item.heapIndex = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private readonly run = (): void => {
    this.timer = null;
    this.timerDue = Infinity;
    const now = performance.now();
    const heap = this.heap;
    this.running = true;
    try {
      while (heap.length > 0 && heap[0].dueAt <= now + SLACK_MS) {
        const item = heap[0];
        this.cancel(item);
        item.fire(now); // may schedule the item again (at a later time, or it would loop here)
      }
    } finally {
      this.running = false;
      this.arm();
    }
  };

  private arm(): void {
    if (this.running || this.heap.length === 0) return;
    const due = this.heap[0].dueAt;
    if (this.timer !== null && due >= this.timerDue) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(this.run, Math.max(0, due - performance.now()));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p];
      if (parent.dueAt <= item.dueAt) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r].dueAt < heap[l].dueAt ? r : l;
      if (heap[c].dueAt >= item.dueAt) break;
      heap[i] = heap[c];
      heap[c].heapIndex = i;
      i = c;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
