// A capacity folder read back: capacity.json, written by a capacity search after every step
// (src/engine/capacity/capacity-search.ts). Used by `perflab report` and the Capacity panel; no 'vscode' here.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CapacityReport } from '../engine/capacity/types';
import { CAPACITY_FILE } from './files';
import { RunFilesError } from './run-files';

/** True when `dir` is a folder holding capacity.json. */
export function isCapacityFolder(dir: string): boolean {
  const file = path.join(dir, CAPACITY_FILE);
  return fs.existsSync(file) && fs.statSync(file).isFile();
}

/** capacity.json of `dir`; a RunFilesError (a clear message) when it is damaged or not a search. */
export function readCapacityFile(dir: string): CapacityReport {
  const file = path.join(dir, CAPACITY_FILE);
  if (!fs.existsSync(file)) throw new RunFilesError(`${dir} holds no ${CAPACITY_FILE}: it is not a capacity search folder`);
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunFilesError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const report = value as CapacityReport;
  const ok =
    report?.type === 'capacity' &&
    Array.isArray(report.slos) &&
    Array.isArray(report.targets) &&
    report.targets.every((t) => typeof t === 'object' && t !== null && typeof t.target === 'string' && Array.isArray(t.steps));
  if (!ok) throw new RunFilesError(`${file}: not a capacity search (expected "type": "capacity" with targets and their steps)`);
  return report;
}
