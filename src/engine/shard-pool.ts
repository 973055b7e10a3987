// The parent's side of engine threads: starts one worker per shard (shard-worker.ts), hands each
// message to the run, forwards Stop, and reports a shard that fails or vanishes. Finished when every
// shard has exited; a shard that said `done` has posted all its records and its final status first
// (one port delivers in order), so it is terminated then rather than trusted to exit by itself.
// The shards start their schedules together: each says `ready` once prepared, and when the last one
// is, all get `start` with one start time.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { START_AHEAD_MS, type ParentToShard, type ShardStart, type ShardToParent } from './shard-protocol';

export interface ShardHandlers {
  message: (index: number, message: ShardToParent) => void;
  /** A shard threw, exited without finishing, or could not start. Called at most once per shard. */
  failed: (index: number, message: string) => void;
}

/** The shard's entry: dist/engine-shard.js beside the bundle this code runs in (dist/cli.js,
 *  dist/engine-worker.js); from sources (tests, tsx) the .ts file, loaded through tsx. */
export function shardEntry(): string {
  const bundled = path.join(__dirname, 'engine-shard.js');
  if (fs.existsSync(bundled)) return bundled;
  const source = path.join(__dirname, 'shard-worker.ts');
  if (fs.existsSync(source)) return source;
  throw new Error(`the engine thread's code is missing (${bundled}); reinstall, or run with engine.threads: 1`);
}

export class ShardPool {
  readonly finished: Promise<void>;
  private readonly workers: Worker[] = [];
  private readonly live: boolean[] = [];
  private ready = 0;

  constructor(starts: ShardStart[], file: string, handlers: ShardHandlers) {
    const execArgv = file.endsWith('.ts') ? ['--import', 'tsx'] : undefined;
    const exits = starts.map((start, i) => {
      const worker = new Worker(file, { workerData: start, ...(execArgv && { execArgv }) });
      this.workers.push(worker);
      this.live.push(true);
      let ended = false;
      const fail = (message: string) => {
        if (ended) return;
        ended = true;
        handlers.failed(i, message);
      };
      worker.on('message', (m: ShardToParent) => {
        if (ended) return;
        if (m.type === 'ready') {
          if (++this.ready === starts.length) this.post({ type: 'start', atEpoch: performance.timeOrigin + performance.now() + START_AHEAD_MS });
          return;
        }
        if (m.type === 'failed') {
          fail(m.message);
          void worker.terminate();
          return;
        }
        handlers.message(i, m);
        if (m.type === 'done') {
          ended = true;
          void worker.terminate();
        }
      });
      worker.on('error', (err) => fail(err.message));
      worker.on('messageerror', (err) => fail(`a message could not be read: ${err.message}`));
      return new Promise<void>((resolve) =>
        worker.once('exit', (code) => {
          this.live[i] = false;
          fail(`it exited (code ${code}) before finishing`);
          resolve();
        }),
      );
    });
    this.finished = Promise.all(exits).then(() => undefined);
  }

  /** Forward Stop (drain or abort) to every shard still running. */
  stop(mode: 'drain' | 'abort'): void {
    this.post({ type: 'stop', mode });
  }

  private post(message: ParentToShard): void {
    this.workers.forEach((w, i) => {
      if (this.live[i]) w.postMessage(message);
    });
  }
}
