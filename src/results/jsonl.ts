// Reading a JSON-lines file (requests.jsonl, windows.jsonl) one line at a time, in 1 MB chunks:
// memory stays flat however long the run was (requests.jsonl can be hundreds of MB). A line that does
// not parse — the half-written last line of a run still going, or damage — is counted, never thrown.
// The same splitting serves a synchronous read (the Scenarios tree's counts) and an asynchronous one
// (reading a whole run without holding up the extension host's other work).

import * as fs from 'node:fs';

const CHUNK_BYTES = 1 << 20;

/** Splits bytes into lines as they arrive; a UTF-8 character split across chunks stays whole. */
class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';

  /** The lines completed by this chunk (with the end of the file: `last`). */
  push(bytes: Uint8Array, last = false): string[] {
    const text = this.rest + this.decoder.decode(bytes, { stream: !last });
    const lines = text.split('\n');
    this.rest = last ? '' : lines.pop()!;
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim() !== '');
  }
}

/** The non-blank lines of `file`, read synchronously chunk by chunk; none when the file does not exist. */
export function* linesOf(file: string): Generator<string> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const splitter = new LineSplitter();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
      yield* splitter.push(buffer.subarray(0, n), n === 0);
      if (n === 0) return;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The same lines, read asynchronously. */
export async function* linesOfAsync(file: string): AsyncGenerator<string> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return;
  }
  try {
    const splitter = new LineSplitter();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      yield* splitter.push(buffer.subarray(0, bytesRead), bytesRead === 0);
      if (bytesRead === 0) return;
    }
  } finally {
    await handle.close();
  }
}

/** One line as JSON of the kind `accept` wants; undefined when it does not parse or is another kind. */
export function parseLine<T>(line: string, accept: (value: T) => boolean): T | undefined {
  try {
    const value = JSON.parse(line) as T;
    return accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
