// The run folder (its records: src/engine/records.ts): requests.jsonl and windows.jsonl are appended line by line as
// results arrive — each line is written to the OS at once (no in-process buffer), so a crash or a
// closed window loses nothing already measured. summary.json is written at the end, atomically.
// A write that fails (disk full) never crashes the run: the partial line is cut off so every line in
// the file stays whole JSON, further writes stop, and `onWriteError` tells the run to end.

import * as fs from 'node:fs';
import * as path from 'node:path';

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
    this.requests = openAppend(path.join(dir, 'requests.jsonl'));
    this.windows = openAppend(path.join(dir, 'windows.jsonl'));
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

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(path.join(this.dir, name), value);
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

/** `2026-11-27T23-40-12-quickstart`: sorts by time, safe on every file system. */
export function runFolderName(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  const safeName = scenarioName.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
  return `${stamp}-${safeName}`;
}

/** The default runs folder is `.perflab/runs/` under the workspace (or current directory). */
export const DEFAULT_RUNS_FOLDER = path.join('.perflab', 'runs');
/** Capacity searches (capacity.json and one run folder per step) live beside the runs. */
export const DEFAULT_CAPACITY_FOLDER = path.join('.perflab', 'capacity');

/** `.perflab/capacity/<time>-<name>` under `root`, never an existing folder. */
export function defaultCapacityDir(root: string, scenarioName: string, now = new Date()): string {
  return uniqueRunDir(path.join(root, DEFAULT_CAPACITY_FOLDER, runFolderName(scenarioName, now)));
}

/** Replaces `file` whole or not at all: a reader never sees half a JSON document. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

export function defaultRunDir(root: string, scenarioName: string, now = new Date()): string {
  return uniqueRunDir(path.join(root, DEFAULT_RUNS_FOLDER, runFolderName(scenarioName, now)));
}

/** Two runs started in the same second must not share a folder: `…-quickstart-2`, `-3`, … */
export function uniqueRunDir(dir: string): string {
  let candidate = dir;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${dir}-${n}`;
  return candidate;
}
