// server-metrics.jsonl: written line by line as samples arrive (never buffered till the end), the way
// src/results/run-folder.ts writes requests.jsonl — each line goes to the OS at once, a failed write is
// cut back so every line stays whole JSON. A failure here never fails the run: the client's data
// matter more than the server's, so writing stops and the summary warns.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SERVER_METRICS_FILE, type ServerSample } from './types';

export class ServerSamplesFile {
  private fd: number | null;
  private size: number;
  /** The first write error; later samples are dropped. */
  error: Error | null = null;

  /** `fresh`: a run starting (an earlier file in the folder is replaced); else samples are appended
   *  (a later Azure Monitor fetch). */
  constructor(dir: string, fresh: boolean) {
    fs.mkdirSync(dir, { recursive: true });
    this.fd = fs.openSync(path.join(dir, SERVER_METRICS_FILE), fresh ? 'w' : 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  append(sample: ServerSample): void {
    if (this.fd === null || this.error) return;
    const bytes = Buffer.from(`${JSON.stringify(sample)}\n`);
    try {
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written);
      this.size += bytes.length;
    } catch (err) {
      this.error = err as Error;
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        // readers skip an unparsable last line
      }
    }
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** The samples of a run folder's server-metrics.jsonl (none when it has no such file). A later Azure
 *  Monitor line for the same resource, metric, labels, aggregation and time replaces an earlier one:
 *  a fetch after Azure filled in late data. Unparsable lines are skipped. */
export function readServerSamples(dir: string): ServerSample[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, SERVER_METRICS_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: ServerSample[] = [];
  const azureAt = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let s: ServerSample;
    try {
      s = JSON.parse(line) as ServerSample;
    } catch {
      continue;
    }
    if (typeof s?.name !== 'string' || typeof s.value !== 'number') continue;
    if (s.source === 'azure-monitor') {
      const key = azureSampleKey(s);
      const at = azureAt.get(key);
      if (at !== undefined) {
        out[at] = s;
        continue;
      }
      azureAt.set(key, out.length);
    }
    out.push(s);
  }
  return out;
}

/** What identifies one Azure Monitor data point. */
export function azureSampleKey(s: ServerSample): string {
  return JSON.stringify([s.target, s.resource, s.name, s.aggregation ?? '', s.time, Object.entries(s.labels).sort()]);
}
