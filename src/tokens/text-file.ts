// Reading a prompt file as UTF-8 text, or saying why it is not: a binary file, UTF-16 (Windows tools
// write it) or bytes that are not UTF-8 would otherwise be decoded with U+FFFD replacements and counted
// or sent as garbage (a 1 MB random file "counted" 765,301 tokens). Every place that reads a prompt
// file uses readTextFile: `perflab tokens` (src/cli/tokens-command.ts) and a scenario's prompty,
// dataset and inputs files (./prompt-files loadPromptMessages).

import * as fs from 'node:fs';
import * as path from 'node:path';

export type NotTextReason = 'missing' | 'directory' | 'unreadable' | 'binary' | 'utf16' | 'utf32' | 'invalid-utf8';

/** A prompt file that cannot be read as text, with the 1-based position of the first offending byte (1:1 when none). */
export class TextFileError extends Error {
  constructor(
    readonly reason: NotTextReason,
    /** The file name as the caller gave it. */
    readonly file: string,
    readonly detail: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'TextFileError';
  }
}

/**
 * The text of `file` (resolved against `dir`; messages name it as given), without a leading UTF-8
 * byte-order mark. Throws TextFileError when it is missing, a directory, unreadable or not UTF-8 text.
 */
export function readTextFile(file: string, dir = '.'): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.resolve(dir, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TextFileError('missing', file, 'file not found');
    if (code === 'EISDIR') throw new TextFileError('directory', file, 'is a directory, not a file');
    throw new TextFileError('unreadable', file, `cannot read file: ${code ?? (err as Error).message}`);
  }
  return decodeText(bytes, file);
}

const UTF8 = new TextDecoder('utf-8'); // drops a leading byte-order mark

/** `bytes` as text if they are UTF-8 (a byte-order mark allowed); else TextFileError naming `file`. */
export function decodeText(bytes: Uint8Array, file: string): string {
  const kind = unicodeKind(bytes);
  if (kind === 'utf32') throw new TextFileError('utf32', file, 'the file is UTF-32; save it as UTF-8');
  if (kind === 'utf16') throw new TextFileError('utf16', file, 'the file is UTF-16; save it as UTF-8');
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const at = position(bytes, nul);
    throw new TextFileError('binary', file, `the file is binary, not text (a NUL byte at byte offset ${nul})`, at.line, at.column);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const at = position(bytes, bad);
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    throw new TextFileError('invalid-utf8', file, `the file is not valid UTF-8 (byte 0x${hex} at byte offset ${bad}); save it as UTF-8`, at.line, at.column);
  }
  try {
    return UTF8.decode(bytes);
  } catch (err) {
    // A file past the longest string the engine holds (~512 MB).
    throw new TextFileError('unreadable', file, `cannot read file: ${(err as Error).message}`);
  }
}

/**
 * UTF-16 or UTF-32 by their byte-order marks, or UTF-16 without one: ASCII text in UTF-16 has a NUL in
 * every other byte (in the first 4 KB, most bytes of one parity are NUL and almost none of the other).
 */
function unicodeKind(bytes: Uint8Array): 'utf16' | 'utf32' | null {
  const [a, b, c, d] = bytes;
  if ((a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe && d === 0xff)) return 'utf32';
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return 'utf16';
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 2) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  const interleaved = (many: number, few: number) => many >= 0.5 * pairs && few <= 0.05 * pairs;
  return interleaved(evenNul, oddNul) || interleaved(oddNul, evenNul) ? 'utf16' : null;
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or -1 when all of `bytes` is UTF-8.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes after the lead byte, and the range the first of them must fall in.
    let follow: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) follow = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      follow = 2;
      if (c === 0xe0)
        lo = 0xa0; // overlong
      else if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      follow = 3;
      if (c === 0xf0)
        lo = 0x90; // overlong
      else if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    if (i + follow >= n) return i; // cut short by the end of the file
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= follow; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += follow + 1;
  }
  return -1;
}

/**
 * 1-based line and column of byte `offset`; columns count UTF-16 code units, as editors and the rest of
 * perflab's messages do (bytes before `offset` that are not UTF-8 count one each). A BOM takes no column.
 */
function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  if (lineStart === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf && offset >= 3) lineStart = 3;
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const c = bytes[i];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: part of the character before
    column += c >= 0xf0 && c <= 0xf4 ? 2 : 1; // four-byte characters are two UTF-16 code units
  }
  return { line, column };
}
