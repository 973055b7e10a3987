// Entry point of an engine thread (bundled as dist/engine-shard.js; shard-protocol.ts says what it
// does): runs the ordinary engine on this shard's slice of the workload, writes no files, and posts
// every record, a status of each target's schedule every STATUS_MS, and its own health at the end.

import { parentPort, workerData } from 'node:worker_threads';
import { startRun } from './run';
import { STATUS_MS, type ParentToShard, type ShardStart, type ShardToParent, type TargetStatus } from './shard-protocol';

const start = workerData as ShardStart;
const post = (message: ShardToParent) => parentPort!.postMessage(message);
const indexOf = new Map(start.scenario.targets.map((t, i) => [t.name, i]));
/** What happened since the last status, per target. */
const pending = start.scenario.targets.map(() => ({ lags: [] as number[], sentWithoutLag: 0, throttled: 0 }));

/** Resolved by the parent's `start` (every shard is prepared: the common start time, in this
 *  thread's performance.now()) or `stop` (undefined). */
let release: (startAt?: number) => void = () => {};
const started = new Promise<number | undefined>((resolve) => (release = resolve));

const run = startRun(start.scenario, {
  outDir: null,
  seed: start.seed,
  modelOverrides: start.modelOverrides,
  proxy: start.proxy,
  shard: { index: start.index, count: start.count },
  resolveCredential: async (target) => start.credentials[target.name] ?? null,
  onRecord: (record, contentTimes) => post({ type: 'record', record, contentTimes: [...contentTimes] }),
  onSent: (target, lag) => {
    const p = pending[indexOf.get(target)!];
    if (lag === null) p.sentWithoutLag++;
    else p.lags.push(lag);
  },
  onThrottled: (target) => pending[indexOf.get(target)!].throttled++,
  beforeStart: () => {
    post({ type: 'ready' });
    return started;
  },
});

function postStatus(): void {
  const targets: TargetStatus[] = run.schedules().map(({ started, runner }, i) => {
    const p = pending[i];
    pending[i] = { lags: [], sentWithoutLag: 0, throttled: 0 };
    return {
      started,
      startedAtEpoch: runner && runner.startedAt > 0 ? performance.timeOrigin + runner.startedAt : 0,
      endedAtEpoch: runner && runner.endedAt > 0 ? performance.timeOrigin + runner.endedAt : 0,
      scheduleDone: runner?.scheduleDone ?? false,
      sent: runner?.sent ?? 0,
      scheduled: runner?.scheduled ?? 0,
      unsent: runner?.unsent ?? 0,
      late: runner?.lateCount ?? 0,
      inFlight: runner?.inFlight ?? 0,
      queued: runner?.queued ?? 0,
      ...p,
    };
  });
  post({ type: 'status', targets });
}

const timer = setInterval(postStatus, STATUS_MS);

parentPort!.on('message', (message: ParentToShard) => {
  if (message.type === 'stop') {
    run.stop(message.mode);
    release();
  } else if (message.type === 'start') release(message.atEpoch - performance.timeOrigin);
});

run.done.then(
  (summary) => {
    clearInterval(timer);
    postStatus();
    post({ type: 'done', client: summary.client });
  },
  (error: unknown) => {
    clearInterval(timer);
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  },
);
