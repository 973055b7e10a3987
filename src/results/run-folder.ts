// The run folder as the engine writes it (src/engine/run.ts): requests.jsonl and windows.jsonl are
// appended line by line as results arrive — each line is written to the OS at once (no in-process
// buffer), so a crash or a closed window loses nothing already measured. run.json is written when the
// run starts; summary.json at the end, atomically.
// A write that fails (disk full) never crashes the run: the partial line is cut off so every line in
// the file stays whole JSON, further writes stop, and `onWriteError` tells the run to end.
// Imports only Node and this folder's names (files.ts), so the engine can write through it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { REQUESTS_FILE, RUN_META_FILE, SUMMARY_FILE, WINDOWS_FILE, type RunMeta } from './files';

interface AppendFile {
  fd: number;
  /** Bytes of whole lines written so far: where a failed write is cut back to. */
  size: number;
}

export class RunFolder {
  private readonly requests: AppendFile;
  private readonly windows: AppendFile;
  private closed = false;
  /** The first write error; later appends are dropped (the run is ending). */
  writeError: Error | null = null;

  constructor(
    readonly dir: string,
    private readonly onWriteError: (error: Error) => void = () => {},
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.requests = openAppend(path.join(dir, REQUESTS_FILE));
    this.windows = openAppend(path.join(dir, WINDOWS_FILE));
  }

  appendRequest(record: object): void {
    this.append(this.requests, `${JSON.stringify(record)}\n`);
  }

  appendWindow(snapshot: object): void {
    this.append(this.windows, `${JSON.stringify(snapshot)}\n`);
  }

  private append(file: AppendFile, line: string): void {
    if (this.closed || this.writeError) return;
    const bytes = Buffer.from(line);
    try {
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(file.fd, bytes, written);
      file.size += bytes.length;
    } catch (err) {
      this.writeError = err as Error;
      try {
        fs.ftruncateSync(file.fd, file.size); // no half line at the end of the file
      } catch {
        // the file cannot be fixed either; readers skip an unparsable last line
      }
      this.onWriteError(this.writeError);
    }
  }

  /** run.json: says what this folder is while the run is still going (or if it never finishes). */
  writeMeta(meta: RunMeta): void {
    writeJsonAtomic(path.join(this.dir, RUN_META_FILE), meta);
  }

  /** summary.json (a `RunSummary`), whole or not at all. */
  writeSummary(summary: object): void {
    writeJsonAtomic(path.join(this.dir, SUMMARY_FILE), summary);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.requests.fd);
    fs.closeSync(this.windows.fd);
  }
}

function openAppend(file: string): AppendFile {
  const fd = fs.openSync(file, 'a');
  return { fd, size: fs.fstatSync(fd).size };
}

/** Replaces `file` whole or not at all: a reader never sees half a JSON document. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
