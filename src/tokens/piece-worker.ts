// The thread of PieceHelper (./piece-helper), bundled as dist/piece-worker.js: counts the pieces it is
// sent, over the encoding tables the sending thread built (shared memory, no copy), and says when a
// batch is done through the batch's shared state.

import { parentPort, workerData } from 'node:worker_threads';
import { TokenRankTable, type TokenRankParts } from './byte-table';
import type { PieceBatch } from './piece-helper';
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

parentPort!.on('message', (batch: PieceBatch) => {
  if (batch.table) counters.set(batch.enc, new PieceCounter(batch.enc, new TokenRankTable(batch.table)));
  const counter = counters.get(batch.enc)!;
  const { state, pieces } = batch;
  for (let i = 0; i < pieces.length; i++) state[1 + i] = counter.countPiece(pieces[i]);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
});
parentPort!.postMessage('ready');
