// A worker thread that counts the new pieces of a large text while this thread goes on scanning it.
// In a cold count of 1 MB, about half the time goes to pieces seen for the first time (their rank
// lookups and BPE merges, ~17 k distinct pieces), the other half to cutting and looking up the 240 k
// pieces; the two halves overlap on two cores (docs/performance.md §8). The count stays synchronous:
// PieceCounter marks a new piece as pending, sends pending pieces in batches, and at the end waits
// (Atomics.wait) for the batches' counts — counting a batch itself if the worker stalls or is gone.

import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { TokenRankParts } from './byte-table';
import type { Encoding } from './tokenizer';

/** A message to the worker. state: [done flag, count of piece 0, count of piece 1, …], on shared memory. */
export interface PieceBatch {
  enc: Encoding;
  pieces: string[];
  state: Int32Array;
  /** The encoding's tables, with its first batch. */
  table?: TokenRankParts;
}

/** A batch of ≤ 256 pieces takes the worker about a millisecond; this long without an answer means it is gone. */
const STALL_MS = 2000;
const BATCH = 256;

export class PieceHelper {
  /** Pieces sent to the worker so far (tests and benchmarks read it). */
  piecesSent = 0;
  private ready = false;
  private broken = false;
  private readonly tablesSent = new Set<Encoding>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m) => {
      if (m === 'ready') this.ready = true;
    });
    worker.on('error', () => (this.broken = true));
    worker.on('exit', () => (this.broken = true));
    // The worker must not keep a process alive that is otherwise done.
    worker.unref();
  }

  /** A helper running `workerFile` (dist/piece-worker.js) with these encodings' tables; null when the file is missing. */
  static start(workerFile: string, tables: Partial<Record<Encoding, TokenRankParts>>): PieceHelper | null {
    if (!fs.existsSync(workerFile)) return null;
    // The worker keeps nothing between batches (the tables are shared): a 4 MB young generation keeps
    // its resident memory down (measured: +21 MB over a server without it, +27 MB with V8's default).
    const resourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };
    const helper = new PieceHelper(new Worker(workerFile, { workerData: { tables }, resourceLimits }));
    for (const enc of Object.keys(tables)) helper.tablesSent.add(enc as Encoding);
    return helper;
  }

  /** True once the worker has warmed up, and while it answers. */
  get available(): boolean {
    return this.ready && !this.broken;
  }

  /** Pieces of one count, sent in batches as they are found. */
  pending(enc: Encoding, table: () => TokenRankParts): PendingPieces {
    return new PendingPieces(this, enc, table);
  }

  send(enc: Encoding, pieces: string[], table: () => TokenRankParts): Int32Array {
    const state = new Int32Array(new SharedArrayBuffer(4 * (1 + pieces.length)));
    const batch: PieceBatch = { enc, pieces, state };
    if (!this.tablesSent.has(enc)) {
      batch.table = table();
      this.tablesSent.add(enc);
    }
    this.worker.postMessage(batch);
    this.piecesSent += pieces.length;
    return state;
  }

  /** Waits for a batch; false (and the helper is retired) if the worker stopped answering. */
  wait(state: Int32Array): boolean {
    while (Atomics.load(state, 0) === 0) {
      if (this.broken || Atomics.wait(state, 0, 0, STALL_MS) === 'timed-out') {
        if (Atomics.load(state, 0) !== 0) return true;
        this.dispose();
        return false;
      }
    }
    return true;
  }

  dispose(): void {
    this.broken = true;
    void this.worker.terminate();
  }
}

interface Batch {
  /** Index of the batch's first piece. */
  from: number;
  /** Shared with the worker: [done flag, counts…]. */
  state: Int32Array;
  /** Pairs: piece index, index of the text it occurred in — occurrences seen before the batch was applied. */
  occurrences: number[];
}

/**
 * The new pieces of one count. Each is sent to the worker in a batch of BATCH; a batch the worker has
 * answered is applied as soon as this thread notices (its counts go into the piece table, so later
 * occurrences are plain hits); until then, occurrences are noted with the text they are in.
 */
export class PendingPieces {
  readonly pieces: string[] = [];
  private readonly batches: Batch[] = [];
  /** Occurrences of the pieces not sent yet (they will form the next batch). */
  private unsent: number[] = [];
  private applied = 0;

  constructor(
    private readonly helper: PieceHelper,
    private readonly enc: Encoding,
    private readonly table: () => TokenRankParts,
  ) {}

  /** Adds a new piece, found in text `k`; returns its index. */
  add(piece: string, k: number): number {
    const p = this.pieces.push(piece) - 1;
    this.unsent.push(p, k);
    if (this.pieces.length % BATCH === 0) this.send();
    return p;
  }

  /** Notes another occurrence of pending piece `p`, in text `k`. */
  seen(p: number, k: number): void {
    const b = Math.floor(p / BATCH);
    (b < this.batches.length ? this.batches[b].occurrences : this.unsent).push(p, k);
  }

  /** Applies the batches the worker has answered, in order: `store` their counts, add their occurrences to `totals`. */
  poll(store: (piece: string, count: number) => void, totals: number[]): void {
    while (this.applied < this.batches.length && Atomics.load(this.batches[this.applied].state, 0) !== 0) {
      this.apply(this.batches[this.applied++], (b) => b.state.subarray(1), store, totals);
    }
  }

  /** Sends what is left, waits for every batch (counting with `countHere` those the worker does not answer) and applies them. */
  finish(countHere: (piece: string) => number, store: (piece: string, count: number) => void, totals: number[]): void {
    this.send();
    let alive = true;
    while (this.applied < this.batches.length) {
      const batch = this.batches[this.applied++];
      alive = alive && this.helper.wait(batch.state);
      const counts = (b: Batch) => (alive ? b.state.subarray(1) : Int32Array.from(this.pieces.slice(b.from, b.from + b.state.length - 1), countHere));
      this.apply(batch, counts, store, totals);
    }
  }

  private apply(batch: Batch, countsOf: (b: Batch) => Int32Array, store: (piece: string, count: number) => void, totals: number[]): void {
    const counts = countsOf(batch);
    for (let i = 0; i < counts.length; i++) store(this.pieces[batch.from + i], counts[i]);
    const o = batch.occurrences;
    for (let r = 0; r < o.length; r += 2) totals[o[r + 1]] += counts[o[r] - batch.from];
  }

  private send(): void {
    const from = this.batches.length * BATCH;
    if (from === this.pieces.length) return;
    this.batches.push({ from, state: this.helper.send(this.enc, this.pieces.slice(from), this.table), occurrences: this.unsent });
    this.unsent = [];
  }
}
