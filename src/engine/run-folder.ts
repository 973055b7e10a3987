// The run folder (DESIGN.md "Results"): requests.jsonl and windows.jsonl are appended line by line as
// results arrive — each line is written to the OS at once (no in-process buffer), so a crash or a
// closed window loses nothing already measured. summary.json is written at the end, atomically.

import * as fs from 'node:fs';
import * as path from 'node:path';

export class RunFolder {
  private readonly requestsFd: number;
  private readonly windowsFd: number;
  private closed = false;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.requestsFd = fs.openSync(path.join(dir, 'requests.jsonl'), 'a');
    this.windowsFd = fs.openSync(path.join(dir, 'windows.jsonl'), 'a');
  }

  appendRequest(record: object): void {
    if (!this.closed) fs.writeSync(this.requestsFd, `${JSON.stringify(record)}\n`);
  }

  appendWindow(snapshot: object): void {
    if (!this.closed) fs.writeSync(this.windowsFd, `${JSON.stringify(snapshot)}\n`);
  }

  writeJson(name: string, value: unknown): void {
    const file = path.join(this.dir, name);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    fs.renameSync(tmp, file);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.requestsFd);
    fs.closeSync(this.windowsFd);
  }
}

/** `2026-11-27T23-40-12-quickstart`: sorts by time, safe on every file system. */
export function runFolderName(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  const safeName = scenarioName.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
  return `${stamp}-${safeName}`;
}

/** The default runs folder is `.perflab/runs/` under the workspace (or current directory). */
export const DEFAULT_RUNS_FOLDER = path.join('.perflab', 'runs');

export function defaultRunDir(root: string, scenarioName: string, now = new Date()): string {
  return uniqueRunDir(path.join(root, DEFAULT_RUNS_FOLDER, runFolderName(scenarioName, now)));
}

/** Two runs started in the same second must not share a folder: `…-quickstart-2`, `-3`, … */
export function uniqueRunDir(dir: string): string {
  let candidate = dir;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${dir}-${n}`;
  return candidate;
}
