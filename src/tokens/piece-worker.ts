// The thread of PieceHelper (./piece-helper), bundled as dist/piece-worker.js. A message starts a job;
// then it counts the pieces the sending thread publishes in the job's shared arrays, over the encoding
// tables that thread built (shared memory, no copy), and says how far it got, until the job's total is
// known and counted.

import { parentPort, workerData } from 'node:worker_threads';
import { TokenRankTable, type TokenRankParts } from './byte-table';
import { CHANGES, PROCESSED, PUBLISHED, TOTAL, type PieceJob } from './piece-helper';
import { PieceCounter } from './piece-count';
import type { Encoding } from './tokenizer';

const counters = new Map<Encoding, PieceCounter>();

// The encodings known at start, warmed up (slices of warm-up text as pieces) before saying 'ready'.
for (const [enc, parts] of Object.entries(workerData.tables as Record<Encoding, TokenRankParts>)) {
  const counter = new PieceCounter(enc as Encoding, new TokenRankTable(parts));
  for (let round = 0; round < 3; round++) {
    counter.warmUp((text) => {
      for (let i = 0; i + 12 <= text.length; i += 12) counter.countPiece(text.slice(i, i + 12));
    });
  }
  counters.set(enc as Encoding, counter);
}

parentPort!.on('message', (job: PieceJob) => {
  if (job.table) counters.set(job.enc, new PieceCounter(job.enc, new TokenRankTable(job.table)));
  const counter = counters.get(job.enc)!;
  const { control, chars, offsets, counts } = job;
  let processed = 0;
  for (;;) {
    // Read the change count first: a change made after this read ends the wait below at once.
    const changes = Atomics.load(control, CHANGES);
    const published = Atomics.load(control, PUBLISHED);
    for (; processed < published; processed++) counts[processed] = counter.countChars(chars, offsets[processed], offsets[processed + 1]);
    Atomics.store(control, PROCESSED, processed);
    Atomics.notify(control, PROCESSED);
    const total = Atomics.load(control, TOTAL);
    if (total >= 0 && processed >= total) break;
    Atomics.wait(control, CHANGES, changes, 1000);
  }
});
parentPort!.postMessage('ready');
