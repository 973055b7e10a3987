// Pre-tokenizers of o200k_base and cl100k_base: where OpenAI's split regex cuts text into the pieces that
// BPE then merges. A hand-written scanner finds the pieces of ASCII text; a piece that touches a
// character ≥ U+0080 is left to the regex itself (sticky, from the same position), so every piece is
// the regex's by construction. Why: the regex, with its Unicode property classes, is the slowest step
// of counting a large file (~100 ms per MB here vs ~20 ms for the scanner; docs/performance.md §8).
// test/unit/tokens/pretokenize.test.ts compares scanner and regex on fuzzed and real text.
//
// The regexes are gpt-tokenizer's (tiktoken's patterns in JavaScript syntax):
//   o200k:  1 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(contraction)?
//           2 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(contraction)?
//           3 \p{N}{1,3}   4  ?[^\s\p{L}\p{N}]+[\r\n/]*   5 \s*[\r\n]+   6 \s+(?!\S)   7 \s+
//   cl100k: 1 contraction  2 [^\r\n\p{L}\p{N}]?\p{L}+  3 \p{N}{1,3}  4  ?[^\s\p{L}\p{N}]+[\r\n]*
//           5 \s+$   6 \s*[\r\n]   7 \s+(?!\S)   8 \s
// contraction = '(s|d|m|t|ll|ve|re), any case. Alternatives are tried in order at each position; every
// character starts or continues some piece, so the pieces tile the text.
//
// In ASCII: upper-case letters A-Z, lower-case a-z, numbers 0-9, \s = space \t \n \v \f \r, and
// everything else (punctuation, symbols, control characters) is "other".

import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import type { Encoding } from './tokenizer';

const UPPER = 1;
const LOWER = 2;
const DIGIT = 3;
const SPACE = 4; // ' '
const NEWLINE = 5; // \r \n
const OTHER_SPACE = 6; // \t \v \f
const OTHER = 7;
const NON_ASCII = 8;

const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] =
    c >= 65 && c <= 90
      ? UPPER
      : c >= 97 && c <= 122
        ? LOWER
        : c >= 48 && c <= 57
          ? DIGIT
          : c === 32
            ? SPACE
            : c === 10 || c === 13
              ? NEWLINE
              : c === 9 || c === 11 || c === 12
                ? OTHER_SPACE
                : OTHER;
}

function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? ASCII_CLASS[c] : NON_ASCII;
}

const isLetter = (k: number): boolean => k === UPPER || k === LOWER;
const isSpace = (k: number): boolean => k === SPACE || k === NEWLINE || k === OTHER_SPACE;
/** May prefix a word: [^\r\n\p{L}\p{N}] (in ASCII: space, \t \v \f, other). */
const isWordPrefix = (k: number): boolean => k === SPACE || k === OTHER_SPACE || k === OTHER;

// Scanners return the end of the piece that starts at `i`, or -1 when deciding it needs the class of a
// non-ASCII character. `n` is text.length; `i < n`.

/** End of a run of class `k` from `j`, or -1 if the run stops at a non-ASCII character. */
function runEnd(text: string, j: number, n: number, k: number): number {
  while (j < n) {
    const c = classAt(text, j);
    if (c !== k) return c === NON_ASCII ? -1 : j;
    j++;
  }
  return n;
}

/** End of a run of letters (either case) from `j`, or -1 if it stops at a non-ASCII character. */
function lettersEnd(text: string, j: number, n: number): number {
  while (j < n) {
    const c = classAt(text, j);
    if (!isLetter(c)) return c === NON_ASCII ? -1 : j;
    j++;
  }
  return n;
}

/** A contraction ('s 'd 'm 't 'll 've 're, any case) at `j`: its end, or `j` if there is none. */
function contractionEnd(text: string, j: number, n: number): number {
  if (j >= n || text.charCodeAt(j) !== 39 /* ' */) return j;
  // `| 0x20` lower-cases an ASCII letter; no other character maps onto the letters compared.
  const a = j + 1 < n ? text.charCodeAt(j + 1) | 0x20 : 0;
  if (a === 0x73 || a === 0x64 || a === 0x6d || a === 0x74) return j + 2; // s d m t
  const b = j + 2 < n ? text.charCodeAt(j + 2) | 0x20 : 0;
  if ((a === 0x6c && b === 0x6c) || (a === 0x76 && b === 0x65) || (a === 0x72 && b === 0x65)) return j + 3; // ll ve re
  return j;
}

/** One to three digits from `i` (a digit). */
function digitsEnd(text: string, i: number, n: number): number {
  let j = i + 1;
  while (j < n && j < i + 3) {
    const c = classAt(text, j);
    if (c !== DIGIT) return c === NON_ASCII ? -1 : j;
    j++;
  }
  return j;
}

/**
 * ` ?[^\s\p{L}\p{N}]+` then any of `trailing` (\r \n, and '/' for o200k), when it matches at `i`; else
 * 0 (no piece here), or -1 (needs a non-ASCII class).
 */
function punctuationEnd(text: string, i: number, n: number, first: number, slashToo: boolean): number {
  let p = i;
  if (first === SPACE) {
    if (i + 1 >= n) return 0;
    const k = classAt(text, i + 1);
    if (k === NON_ASCII) return -1;
    if (k !== OTHER) return 0;
    p = i + 1;
  } else if (first !== OTHER) return 0;
  let j = runEnd(text, p + 1, n, OTHER);
  if (j < 0) return -1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c !== 10 && c !== 13 && !(slashToo && c === 47)) break;
    j++;
  }
  return j;
}

/** The whitespace run from `i`: its end and the index of its last \r or \n (-1 if none); null if it stops at a non-ASCII character. */
function spaceRun(text: string, i: number, n: number): { end: number; lastNewline: number } | null {
  let end = i;
  let lastNewline = -1;
  while (end < n) {
    const c = classAt(text, end);
    if (!isSpace(c)) {
      if (c === NON_ASCII) return null;
      break;
    }
    if (c === NEWLINE) lastNewline = end;
    end++;
  }
  return { end, lastNewline };
}

function o200kAsciiPieceEnd(text: string, i: number, n: number): number {
  const first = classAt(text, i);
  if (first === NON_ASCII) return -1;

  // 1, 2: [prefix] upper-case* lower-case+ | [prefix] upper-case+ lower-case*, then a contraction.
  let s = -1;
  if (isLetter(first)) s = i;
  else if (isWordPrefix(first) && i + 1 < n) {
    const k = classAt(text, i + 1);
    if (k === NON_ASCII) return -1;
    if (isLetter(k)) s = i + 1;
  }
  if (s >= 0) {
    const upperEnd = runEnd(text, s, n, UPPER);
    if (upperEnd < 0) return -1;
    const lowerEnd = runEnd(text, upperEnd, n, LOWER);
    if (lowerEnd < 0) return -1;
    return contractionEnd(text, lowerEnd, n);
  }

  if (first === DIGIT) return digitsEnd(text, i, n); // 3

  const punct = punctuationEnd(text, i, n, first, true); // 4
  if (punct !== 0) return punct;

  // 5–7: `first` is whitespace.
  const run = spaceRun(text, i, n);
  if (!run) return -1;
  if (run.lastNewline >= 0) return run.lastNewline + 1; // 5: up to the run's last line break
  if (run.end === n) return n; // 6: the run ends the text
  if (run.end - i >= 2) return run.end - 1; // 6: the last space is left to prefix the next piece
  return run.end; // 7
}

function cl100kAsciiPieceEnd(text: string, i: number, n: number): number {
  const first = classAt(text, i);
  if (first === NON_ASCII) return -1;

  if (text.charCodeAt(i) === 39) {
    const c = contractionEnd(text, i, n); // 1
    if (c > i) return c;
  }

  // 2: [prefix] letters+
  if (isLetter(first)) return lettersEnd(text, i, n);
  if (isWordPrefix(first) && i + 1 < n) {
    const k = classAt(text, i + 1);
    if (k === NON_ASCII) return -1;
    if (isLetter(k)) return lettersEnd(text, i + 1, n);
  }

  if (first === DIGIT) return digitsEnd(text, i, n); // 3

  const punct = punctuationEnd(text, i, n, first, false); // 4
  if (punct !== 0) return punct;

  // 5–8: `first` is whitespace.
  const run = spaceRun(text, i, n);
  if (!run) return -1;
  if (run.end === n) return n; // 5: \s+$
  if (run.lastNewline >= 0) return run.lastNewline + 1; // 6: up to the run's last line break
  if (run.end - i >= 2) return run.end - 1; // 7
  return run.end; // 8
}

const STICKY: Record<Encoding, RegExp> = {
  o200k_base: new RegExp(O200K_TOKEN_SPLIT_REGEX.source, 'uy'),
  cl100k_base: new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, 'uy'),
};
const ASCII_SCANNER: Record<Encoding, (text: string, i: number, n: number) => number> = {
  o200k_base: o200kAsciiPieceEnd,
  cl100k_base: cl100kAsciiPieceEnd,
};

/** End of the piece of `text` that starts at `i` (0 ≤ i < text.length). */
export function pieceEnd(text: string, i: number, enc: Encoding): number {
  const end = ASCII_SCANNER[enc](text, i, text.length);
  if (end >= 0) return end;
  const re = STICKY[enc];
  re.lastIndex = i;
  const m = re.exec(text);
  // The alternatives cover letters, numbers, whitespace and everything else, so a match always exists.
  return m && m[0].length > 0 ? i + m[0].length : i + 1;
}

/** The pieces of `text`, as strings. */
export function pieces(text: string, enc: Encoding): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const end = pieceEnd(text, i, enc);
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}
