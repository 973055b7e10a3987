// Text for tokenizer tests: fuzzed strings over the characters that decide pre-tokenizer pieces, and
// real text from this repository (docs, code, JSON) plus non-ASCII scripts.

import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

// Every ASCII class the pre-tokenizers tell apart (upper, lower, digit, space, \r \n, \t \v \f,
// punctuation incl. ' and /, control characters), the contraction letters, and non-ASCII characters of
// each Unicode class the regexes name: Ll, Lu, Lt, Lm, Lo, M, Nd, Nl, non-ASCII spaces, an astral
// character and a lone surrogate.
const ASCII = [
  'a',
  'b',
  'Z',
  'Q',
  's',
  'S',
  't',
  'd',
  'm',
  'l',
  'L',
  'v',
  'e',
  'E',
  'r',
  'R',
  '0',
  '1',
  '9',
  ' ',
  ' ',
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '.',
  ',',
  '/',
  "'",
  '"',
  '-',
  '_',
  '(',
  '#',
  '\x00',
  '\x7f',
];
const NON_ASCII = ['é', 'É', 'ǅ', 'ʰ', '中', '\u0301', '\u00a0', '\u2028', '\u3000', '😀', '٣', 'Ⅻ', 'ß', '\ud800'];
// JavaScript's \s and Rust's \s (inside tiktoken) disagree on these two, so gpt-tokenizer's pieces and
// tiktoken's differ around them (docs/tokenizers.md): compared with the JavaScript regex only.
const JS_VS_RUST_SPACE = ['\u0085', '\ufeff'];
const NON_ASCII_JS = [...NON_ASCII, ...JS_VS_RUST_SPACE];

/** A random string of `length` characters, mostly ASCII; `forTiktoken` leaves out U+0085 and U+FEFF. */
export function fuzzText(rng: () => number, length: number, forTiktoken = false): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const pool = rng() < 0.85 ? ASCII : forTiktoken ? NON_ASCII : NON_ASCII_JS;
    s += pool[Math.floor(rng() * pool.length)];
  }
  return s;
}

const MULTILINGUAL =
  '東京大学の研究者は、新しいモデルを発表しました。한국어 문장도 있습니다. Привет, мир! naïve café résumé — “quotes” … ' +
  'مرحبا بالعالم. नमस्ते दुनिया। 😀🚀👍🏽 👨‍👩‍👧‍👦 ٠١٢٣٤٥٦٧٨٩ Ⅻ ǅungla e\u0301\n';

/**
 * At least `chars` characters of this repository's own text (README, docs, sources), deterministic.
 * Without U+3309F: docs/tokenizers.md quotes it as the one character V8's regex knows as a letter and
 * tiktoken's does not (Unicode 15), so the two pre-tokenize it differently.
 */
export function repoText(chars: number): string {
  const files = [
    'README.md',
    ...['docs', 'src/tokens', 'src/engine', 'src/server', 'examples'].flatMap((dir) =>
      fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => /\.(md|ts|ya?ml|json|jsonl|prompty)$/.test(f))
        .sort()
        .map((f) => path.join(dir, f)),
    ),
  ];
  let text = MULTILINGUAL;
  for (let round = 0; text.length < chars; round++) {
    for (const f of files) {
      const full = path.join(ROOT, f);
      if (fs.statSync(full).isFile()) text += fs.readFileSync(full, 'utf8') + (round ? MULTILINGUAL : '');
      if (text.length >= chars) break;
    }
  }
  return text.replace(/\u{3309F}/gu, '');
}
