// The per-request log: kept in memory for tests (keep_log) and/or appended to a JSON-lines file.
// File writes are batched (64 KiB or once a second) through one async stream: nothing synchronous
// on the request path.
import { createWriteStream, type WriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { SimulatorLogEntry } from './types';

const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 1000;

/** Epoch ms with sub-ms precision, on the same clock as performance.now(). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export class RequestLog {
  readonly entries: SimulatorLogEntry[] = [];
  private file: WriteStream | null = null;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private error: Error | null = null;

  private constructor(private readonly keep: boolean) {}

  /** Opens the log; fails now (not mid-run) when the file cannot be written. */
  static async open(keep: boolean, path: string | undefined): Promise<RequestLog> {
    const log = new RequestLog(keep);
    if (path) {
      await appendFile(path, '');
      log.file = createWriteStream(path, { flags: 'a' });
      log.file.on('error', (err) => {
        log.error ??= err;
      });
      log.flushTimer = setInterval(() => log.flush(), FLUSH_INTERVAL_MS);
      log.flushTimer.unref();
    }
    return log;
  }

  /** Whether entries are wanted at all (else callers may skip building details). */
  get enabled(): boolean {
    return this.keep || this.file !== null;
  }

  add(entry: SimulatorLogEntry): void {
    if (this.keep) this.entries.push(entry);
    if (this.file && !this.error) {
      const line = JSON.stringify(entry) + '\n';
      this.pending.push(line);
      this.pendingBytes += line.length;
      if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    }
  }

  private flush(): void {
    if (!this.file || this.pending.length === 0 || this.error) return;
    this.file.write(this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes what is buffered and closes the file. Rejects if the file could not be written. */
  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    const file = this.file;
    if (!file) return;
    this.flush();
    this.file = null;
    await new Promise<void>((resolve) => {
      if (file.destroyed) return resolve();
      file.end(() => resolve());
      file.once('error', () => resolve());
    });
    if (this.error) throw new Error(`simulator: could not write log file: ${this.error.message}`);
  }
}
