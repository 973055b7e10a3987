// A worker thread that counts the new pieces of a large text while this thread goes on scanning it.
// In a cold count of 1 MB, about half the time goes to pieces seen for the first time (their rank
// lookups and BPE merges, ~17 k distinct pieces), the other half to cutting and looking up the 240 k
// pieces; the two halves overlap on two cores (docs/performance.md §8).
//
// One message starts a job; after that the two threads talk through shared memory only: this thread
// writes each new piece's characters and publishes them every few pieces; the worker counts what is
// published and says how far it got; this thread applies the counts it finds done as it goes, and at
// the end waits (Atomics.wait) for the rest — counting them itself if the worker stops making progress.
// So the count stays synchronous, and a busy or missing worker costs nothing but its share.

import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { TokenRankParts } from './byte-table';
import type { Encoding } from './tokenizer';

/** Words of a job's control array. */
export const PUBLISHED = 0; // pieces written by this thread so far
export const PROCESSED = 1; // pieces counted by the worker so far
export const TOTAL = 2; // the job's number of pieces, once this thread is done scanning (-1 before)
export const CHANGES = 3; // bumped by this thread after every change above, for the worker to wait on

/** The message that starts a job; every array is shared memory. */
export interface PieceJob {
  enc: Encoding;
  /** The pieces' characters, one after the other: piece p is chars[offsets[p], offsets[p + 1]). */
  chars: Uint16Array;
  offsets: Int32Array;
  /** Written by the worker: the count of piece p. */
  counts: Int32Array;
  control: Int32Array;
  /** The encoding's tables, with its first job. */
  table?: TokenRankParts;
}

/** The worker counts a few hundred pieces a millisecond; this long without progress means it is gone. */
const STALL_MS = 2000;
/** New pieces are published to the worker this many at a time… */
const PUBLISH_EVERY = 32;
/** …and their counts applied here in blocks of this many. */
const BLOCK = 256;
/** A job's room: pieces and characters (≈ 17 k pieces and 150 k characters in a cold 1 MB prompt). Past it, this thread counts. */
const MAX_PIECES = 1 << 15;
const MAX_CHARS = 1 << 18;

export class PieceHelper {
  /** Pieces handed to the worker so far (tests and benchmarks read it). */
  piecesSent = 0;
  private ready = false;
  private broken = false;
  private readonly tablesSent = new Set<Encoding>();
  // A job's arrays, reused: jobs run one after the other (a job ends when the worker has counted all).
  private readonly chars = new Uint16Array(new SharedArrayBuffer(2 * MAX_CHARS));
  private readonly offsets = new Int32Array(new SharedArrayBuffer(4 * (MAX_PIECES + 1)));
  private readonly counts = new Int32Array(new SharedArrayBuffer(4 * MAX_PIECES));

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
    // The worker keeps nothing between jobs (the tables are shared): a 4 MB young generation keeps
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

  /** Starts a job: the new pieces of one count. */
  pending(enc: Encoding, table: () => TokenRankParts): PendingPieces {
    const control = new Int32Array(new SharedArrayBuffer(16));
    control[TOTAL] = -1;
    const job: PieceJob = { enc, chars: this.chars, offsets: this.offsets, counts: this.counts, control };
    if (!this.tablesSent.has(enc)) {
      job.table = table();
      this.tablesSent.add(enc);
    }
    this.worker.postMessage(job);
    return new PendingPieces(this, job);
  }

  /** Waits until the worker has counted `n` pieces of the job, or stops making progress (then the helper is retired); returns how many it counted. */
  waitFor(control: Int32Array, n: number): number {
    let done = Atomics.load(control, PROCESSED);
    while (done < n && !this.broken) {
      const outcome = Atomics.wait(control, PROCESSED, done, STALL_MS);
      const now = Atomics.load(control, PROCESSED);
      if (outcome === 'timed-out' && now === done) {
        this.dispose();
        break;
      }
      done = now;
    }
    return Math.min(done, n);
  }

  dispose(): void {
    this.broken = true;
    void this.worker.terminate();
  }
}

/**
 * The new pieces of one count and where each occurs (pairs: piece, text index), kept per block of
 * BLOCK pieces until that block's counts are applied: then they go into the piece table (later
 * occurrences are plain hits) and their occurrences into the texts' totals.
 */
export class PendingPieces {
  readonly pieces: string[] = [];
  private readonly occurrences: number[][] = [];
  private charsUsed = 0;
  private applied = 0;

  constructor(
    private readonly helper: PieceHelper,
    private readonly job: PieceJob,
  ) {
    job.offsets[0] = 0;
  }

  /** Adds the new piece text[from, to), found in text `k`: its index, or -1 when the job is full (count it here). */
  add(text: string, from: number, to: number, k: number): number {
    const p = this.pieces.length;
    const length = to - from;
    if (p >= MAX_PIECES || this.charsUsed + length > MAX_CHARS) return -1;
    const chars = this.job.chars;
    for (let i = 0; i < length; i++) chars[this.charsUsed + i] = text.charCodeAt(from + i);
    this.charsUsed += length;
    this.job.offsets[p + 1] = this.charsUsed;
    this.pieces.push(text.slice(from, to));
    this.seen(p, k);
    if ((p + 1) % PUBLISH_EVERY === 0) this.publish();
    return p;
  }

  /** Notes another occurrence of pending piece `p`, in text `k`. */
  seen(p: number, k: number): void {
    (this.occurrences[Math.floor(p / BLOCK)] ??= []).push(p, k);
  }

  /** Applies the blocks the worker has counted: `store` their counts, add their occurrences to `totals`. */
  poll(store: (piece: string, count: number) => void, totals: number[]): void {
    const done = Atomics.load(this.job.control, PROCESSED);
    while (this.applied + BLOCK <= done) this.applyBlock((p) => this.job.counts[p], store, totals);
  }

  /** Publishes the rest, waits for the worker (counting with `countHere` what it leaves) and applies every block. */
  finish(countHere: (piece: string) => number, store: (piece: string, count: number) => void, totals: number[]): void {
    const n = this.pieces.length;
    this.publish();
    Atomics.store(this.job.control, TOTAL, n);
    this.changed();
    const done = this.helper.waitFor(this.job.control, n);
    const countOf = (p: number) => (p < done ? this.job.counts[p] : countHere(this.pieces[p]));
    while (this.applied < n) this.applyBlock(countOf, store, totals);
  }

  private applyBlock(countOf: (p: number) => number, store: (piece: string, count: number) => void, totals: number[]): void {
    const from = this.applied;
    const to = Math.min(from + BLOCK, this.pieces.length);
    const counts = new Int32Array(to - from);
    for (let p = from; p < to; p++) {
      counts[p - from] = countOf(p);
      store(this.pieces[p], counts[p - from]);
    }
    const o = this.occurrences[Math.floor(from / BLOCK)] ?? [];
    for (let r = 0; r < o.length; r += 2) totals[o[r + 1]] += counts[o[r] - from];
    this.applied = to;
  }

  private publish(): void {
    const n = this.pieces.length;
    if (Atomics.load(this.job.control, PUBLISHED) === n) return;
    this.helper.piecesSent += n - Atomics.load(this.job.control, PUBLISHED);
    Atomics.store(this.job.control, PUBLISHED, n);
    this.changed();
  }

  private changed(): void {
    Atomics.add(this.job.control, CHANGES, 1);
    Atomics.notify(this.job.control, CHANGES);
  }
}
