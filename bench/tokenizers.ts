// Tokenizer library choice, by measurement: exactness against OpenAI's tiktoken (WASM), speed,
// bundle size and cold load time. Run: `npx tsx bench/tokenizers.ts` (writes nothing; prints a
// markdown table to paste into docs/tokenizers.md; an optional argument keeps only the candidates whose
// name contains it). Candidates that are not installed are skipped:
// `gpt-tokenizer` plus the npm aliases `gpt-tokenizer-v3` / `gpt-tokenizer-v4`, and `js-tiktoken`.
// `npx tsx bench/tokenizers.ts --long-pieces` times only perflab's counter on single huge pieces
// (issue 12's inputs: BPE merges are quadratic in a piece's length unless src/tokens/long-piece-bpe.ts
// does them; every other candidate here takes seconds to minutes on these).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { mulberry32, pick, randInt } from '../src/tokens/rng';

type EncName = 'o200k_base' | 'cl100k_base';
const ENCODINGS: EncName[] = ['o200k_base', 'cl100k_base'];
const ROOT = path.resolve(__dirname, '..');

interface Enc {
  encode(text: string): number[];
  count(text: string): number;
  /** Drop internal caches between timed passes so a pass does not reuse the previous one's work. */
  reset?(): void;
}

interface Candidate {
  label: string;
  version: string;
  load(enc: EncName): Enc;
  /** Source of a minimal module that counts tokens for both encodings, as the runtime would ship it. */
  bundleEntry: string;
  /** Files the bundle needs next to it at run time (the WASM binary), counted in its size. */
  extraFiles?: string[];
}

function version(pkg: string): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

// Special-token text like "<|endoftext|>" is ordinary text in a chat request, so every library is
// asked to encode it as text (tiktoken's encode_ordinary).
function gptTokenizer(pkg: string): Candidate | undefined {
  const v = version(pkg);
  if (!v) return undefined;
  return {
    label: `gpt-tokenizer`,
    version: v,
    load(enc) {
      const m = require(`${pkg}/encoding/${enc}`);
      const plain = { disallowedSpecial: new Set<string>() };
      return {
        encode: (t) => m.encode(t, plain),
        count: (t) => m.countTokens(t, plain),
        reset: () => m.clearMergeCache(),
      };
    },
    bundleEntry: `
      const plain = { disallowedSpecial: new Set() };
      let o, c;
      exports.count = (text, enc) => enc === 'o200k_base'
        ? (o ??= require('${pkg}/encoding/o200k_base')).countTokens(text, plain)
        : (c ??= require('${pkg}/encoding/cl100k_base')).countTokens(text, plain);`,
  };
}

// What src/tokens counts with since 2026-11-28: its own counter (src/tokens/piece-count.ts) over
// gpt-tokenizer's rank table; ids (and so the "exact?" column) still come from gpt-tokenizer.
function perflabCounter(): Candidate {
  return {
    label: 'perflab counter (src/tokens; ids from gpt-tokenizer)',
    version: `gpt-tokenizer ${version('gpt-tokenizer')} tables`,
    load(enc) {
      const tokens = require(path.join(ROOT, 'src', 'tokens', 'tokenizer.ts')) as typeof import('../src/tokens/tokenizer');
      return { encode: (t) => tokens.encode(t, enc), count: (t) => tokens.countTokens(t, enc), reset: () => tokens.pieceCounter(enc).clearCache() };
    },
    bundleEntry: `
      const { countTokens } = require(${JSON.stringify(path.join(ROOT, 'src', 'tokens', 'tokenizer.ts'))});
      exports.count = countTokens;`,
  };
}

function jsTiktoken(): Candidate | undefined {
  const v = version('js-tiktoken');
  if (!v) return undefined;
  return {
    label: 'js-tiktoken',
    version: v,
    load(enc) {
      const { Tiktoken } = require('js-tiktoken/lite');
      const ranks = require(`js-tiktoken/ranks/${enc}`);
      const t = new Tiktoken(ranks.default ?? ranks);
      return { encode: (s) => t.encode(s, [], []), count: (s) => t.encode(s, [], []).length };
    },
    bundleEntry: `
      const { Tiktoken } = require('js-tiktoken/lite');
      const unwrap = (m) => m.default ?? m;
      const cache = {};
      const get = (enc) => cache[enc] ??= new Tiktoken(enc === 'o200k_base'
        ? unwrap(require('js-tiktoken/ranks/o200k_base')) : unwrap(require('js-tiktoken/ranks/cl100k_base')));
      exports.count = (text, enc) => get(enc).encode(text, [], []).length;`,
  };
}

/** The reference: OpenAI's Rust tiktoken compiled to WASM. Measured too, for scale. */
function tiktokenWasm(): Candidate {
  return {
    label: 'tiktoken (WASM, reference)',
    version: version('tiktoken') ?? '?',
    load(enc) {
      const t = require('tiktoken').get_encoding(enc);
      return { encode: (s) => Array.from(t.encode_ordinary(s) as Uint32Array), count: (s) => t.encode_ordinary(s).length };
    },
    bundleEntry: `
      const { Tiktoken } = require('tiktoken/lite');
      const cache = {};
      const get = (enc) => {
        if (cache[enc]) return cache[enc];
        const r = enc === 'o200k_base' ? require('tiktoken/encoders/o200k_base.json') : require('tiktoken/encoders/cl100k_base.json');
        return cache[enc] = new Tiktoken(r.bpe_ranks, r.special_tokens, r.pat_str);
      };
      exports.count = (text, enc) => get(enc).encode_ordinary(text).length;`,
    extraFiles: [path.join(ROOT, 'node_modules/tiktoken/lite/tiktoken_bg.wasm')],
  };
}

// ---------------------------------------------------------------- corpus (seeded, ~1 MB)

const rng = mulberry32(20240607);
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her she there been one all we their has would when if so no will more can about what up out who ' +
  'latency throughput token stream request response server model deployment benchmark percentile quota ' +
  "isn't don't we'll they've I'm you'd it's can't HTTP JSON TTFT GPU API retry-after camelCase snake_case " +
  'naïve café résumé coöperate façade Zürich São Paulo'
).split(' ');

function prose(n: number): string {
  let s = '';
  while (s.length < n) {
    const words = Array.from({ length: randInt(rng, 4, 22) }, () => pick(rng, WORDS));
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    s += words.join(' ') + pick(rng, ['. ', '! ', '? ', ', ', '; ', '.\n\n', ': ', ' — ', '… ']);
  }
  return s;
}

function code(n: number): string {
  const lines = [
    'export async function fetchJson(url: string, init?: RequestInit): Promise<unknown> {',
    '  const res = await fetch(url, { ...init, headers: { "content-type": "application/json" } });',
    '  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);',
    '\tfor (let i = 0; i < n; i++) { total += xs[i] * 0.5e-3; }',
    'def percentile(xs: list[float], q: float) -> float:',
    '    return sorted(xs)[int(len(xs) * q)]  # TODO(perf): use a histogram',
    '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); return 0; }',
    "SELECT p50, p95, p99 FROM runs WHERE model = 'gpt-4o' AND ttft_ms > 800 ORDER BY start_ms DESC;",
    '    }\n  }\n}\n',
    'const re = /^(?<name>[A-Za-z_$][\\w$]*)\\s*=\\s*(?<value>.+)$/u;',
    '<div class="panel" data-id="42">&nbsp;<span>{{ variable }}</span></div>',
    'fn main() -> Result<(), Box<dyn std::error::Error>> { let v: Vec<u8> = vec![0xff; 16]; Ok(()) }',
  ];
  let s = '';
  while (s.length < n) s += ' '.repeat(randInt(rng, 0, 3) * 2) + pick(rng, lines) + '\n';
  return s;
}

function json(n: number): string {
  let s = '';
  while (s.length < n) {
    const obj = {
      id: `chatcmpl-${Math.floor(rng() * 1e12).toString(36)}`,
      created: 1700000000 + randInt(rng, 0, 1e7),
      model: pick(rng, ['gpt-4o-2024-08-06', 'gpt-35-turbo', 'o3-mini']),
      choices: [{ index: 0, delta: { content: prose(randInt(rng, 5, 60)) }, finish_reason: null }],
      usage: { prompt_tokens: randInt(rng, 1, 1e5), completion_tokens: randInt(rng, 1, 4096), ratio: rng() },
      tags: ['a', 'β', '東京', '🚀'],
    };
    s += JSON.stringify(obj, null, rng() < 0.5 ? 2 : undefined) + '\n';
  }
  return s;
}

/** Characters from the given code point ranges, grouped into "words" of 1–8 characters. */
function script(n: number, ranges: [number, number][], sep: string[] = [' ']): string {
  let s = '';
  while (s.length < n) {
    const len = randInt(rng, 1, 8);
    for (let i = 0; i < len; i++) {
      const [lo, hi] = pick(rng, ranges);
      s += String.fromCodePoint(randInt(rng, lo, hi));
    }
    s += pick(rng, sep);
  }
  return s;
}

const EMOJI = ['😀', '🚀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '❤️', '🧑🏿‍💻', '✅', '🔥', '🥲', '🫠', '1️⃣', '©️'];
function emoji(n: number): string {
  let s = '';
  while (s.length < n) s += pick(rng, EMOJI) + pick(rng, ['', '', ' ', '\n', ' ok ', '!']);
  return s;
}

function whitespace(n: number): string {
  let s = '';
  const ws = [' ', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u3000', '\v', '\f'];
  while (s.length < n) {
    const run = randInt(rng, 1, rng() < 0.1 ? 300 : 40);
    s += rng() < 0.5 ? pick(rng, ws).repeat(run) : Array.from({ length: run }, () => pick(rng, ws)).join('');
    s += pick(rng, ['x', 'word', '}', '', '  end', '.']);
  }
  return s;
}

function digits(n: number): string {
  let s = '';
  while (s.length < n) {
    const r = rng();
    if (r < 0.3) s += String(randInt(rng, 0, 1e9));
    else if (r < 0.5) s += (rng() * 1e6).toFixed(randInt(rng, 0, 8));
    else if (r < 0.6) s += '9'.repeat(randInt(rng, 1, 300));
    else if (r < 0.7) s += `${randInt(rng, 1, 12)}/${randInt(rng, 1, 28)}/20${randInt(rng, 10, 30)}`;
    else if (r < 0.8) s += String.fromCodePoint(...Array.from({ length: 6 }, () => randInt(rng, 0x0660, 0x0669)));
    else if (r < 0.9) s += `+1 (${randInt(rng, 200, 999)}) ${randInt(rng, 100, 999)}-${randInt(rng, 1000, 9999)}`;
    else s += `${randInt(rng, 0, 99)}%`;
    s += pick(rng, [' ', ', ', '\n', '', '.', 'px ', 'ms']);
  }
  return s;
}

/** Any Unicode scalar value (no surrogates), BMP-heavy. */
function randomScalar(): string {
  for (;;) {
    const cp = rng() < 0.8 ? randInt(rng, 0x20, 0xffff) : randInt(rng, 0x10000, 0x10ffff);
    if (cp < 0xd800 || cp > 0xdfff) return String.fromCodePoint(cp);
  }
}
function randomUnicode(n: number): string {
  let s = '';
  while (s.length < n) s += randomScalar() + (rng() < 0.05 ? ' ' : '');
  return s;
}

const CJK: [number, number][] = [
  [0x4e00, 0x9fff],
  [0x3040, 0x309f],
  [0x30a0, 0x30ff],
  [0xac00, 0xd7a3],
];
const ARABIC: [number, number][] = [
  [0x0621, 0x064a],
  [0x064b, 0x0652],
];
const OTHER_SCRIPTS: [number, number][] = [
  [0x0400, 0x04ff],
  [0x0900, 0x097f],
  [0x0e00, 0x0e7f],
  [0x05d0, 0x05ea],
  [0x0370, 0x03ff],
];
const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|endofprompt|>', '<|fim_prefix|>'];

const CATEGORIES: Record<string, (n: number) => string> = {
  prose,
  code,
  json,
  cjk: (n) => script(n, CJK, ['', '', '', '', '。', '、', ' ', '\n']),
  arabic: (n) => script(n, ARABIC, [' ', '، ', '. ']),
  'other scripts': (n) => script(n, OTHER_SCRIPTS),
  emoji,
  whitespace,
  digits,
  'random unicode': randomUnicode,
  'special-token text': (n) => {
    let s = '';
    while (s.length < n) s += prose(randInt(rng, 1, 80)) + pick(rng, SPECIALS);
    return s;
  },
};

/** Short strings mixing every alphabet above, with odd casing around contractions and case changes. */
function randomShort(): string {
  const parts = [
    () => pick(rng, WORDS),
    () => pick(rng, ["'S", "'s", "'LL", "'Re", "'ve", "'D", "'m", "'T"]),
    () => pick(rng, ['HTTPServer', 'camelCaseWord', 'XMLHttpRequest', 'ÀÉÎõü', 'ǅungla', 'ﬁnance']),
    () => String(randInt(rng, 0, 99999)),
    () => pick(rng, [' ', '  ', '\n', '\t', '\r\n', ' \n ', '\u00a0']),
    () => pick(rng, ['.', ',', '!?', '...', '"', "'", '(', ')', '{}', '[]', '—', '–', '«»']),
    () => script(randInt(rng, 1, 6), CJK, ['']),
    () => script(randInt(rng, 1, 8), ARABIC, ['', ' ']),
    () => script(randInt(rng, 1, 8), OTHER_SCRIPTS, ['', ' ']),
    () => pick(rng, EMOJI),
    () => randomScalar(),
    () => 'e\u0301',
    () => pick(rng, SPECIALS),
  ];
  let s = '';
  const n = randInt(rng, 1, 40);
  for (let i = 0; i < n; i++) s += pick(rng, parts)();
  return s;
}

// ~1 MiB of UTF-8 split evenly over the categories, in samples of 2–6 k characters.
const corpus: { category: string; text: string }[] = [];
const budget = (1 << 20) / Object.keys(CATEGORIES).length;
for (const [category, gen] of Object.entries(CATEGORIES)) {
  for (let bytes = 0; bytes < budget;) {
    const text = gen(randInt(rng, 2048, 6144));
    corpus.push({ category, text });
    bytes += Buffer.byteLength(text);
  }
}
for (let i = 0; i < 5000; i++) corpus.push({ category: 'random short', text: randomShort() });
// Lone surrogates are not valid Unicode; reported apart (what a server does with them is its own business).
const loneSurrogates = Array.from(
  { length: 200 },
  () => prose(randInt(rng, 1, 30)) + String.fromCharCode(randInt(rng, 0xd800, 0xdfff)) + prose(randInt(rng, 1, 30)),
);

// Worst case for BPE: one long regex piece (CJK text with no punctuation; a base64-like blob behaves alike).
const worstCase = script(2000, CJK.slice(0, 1), ['']).slice(0, 2000);

const chatMessages = Array.from({ length: 10_000 }, () => prose(randInt(rng, 20, 400)));
const corpusBytes = corpus.reduce((n, s) => n + Buffer.byteLength(s.text), 0);

// ---------------------------------------------------------------- measurements

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function timePasses(enc: Enc, texts: string[], passes = 5): number {
  for (const t of texts) enc.count(t); // warm-up: JIT, lazy tables
  const times: number[] = [];
  for (let p = 0; p < passes; p++) {
    enc.reset?.();
    const t0 = performance.now();
    for (const t of texts) enc.count(t);
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function bundleSize(c: Candidate, dir: string, name: string): Promise<{ bytes: number; file: string }> {
  const file = path.join(dir, `${name}.cjs`);
  await esbuild.build({
    stdin: { contents: c.bundleEntry, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile: file,
    logLevel: 'error',
    legalComments: 'none',
  });
  let bytes = fs.statSync(file).size;
  for (const extra of c.extraFiles ?? []) {
    fs.copyFileSync(extra, path.join(dir, path.basename(extra)));
    bytes += fs.statSync(extra).size;
  }
  return { bytes, file };
}

/** A fresh Node process loads the bundle and counts one string per encoding; median of 5 runs. */
function coldLoad(file: string, encs: EncName[]): { ms: number; rssMb: number } {
  const script = `
    const t0 = performance.now();
    const m = require(${JSON.stringify(file)});
    for (const e of ${JSON.stringify(encs)}) m.count('hello world', e);
    console.log(JSON.stringify({ ms: performance.now() - t0, rss: process.memoryUsage().rss }));`;
  const runs = Array.from({ length: 5 }, () => {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { ms: number; rss: number };
  });
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rss)) / 2 ** 20 };
}

async function main(): Promise<void> {
  const candidates = [
    perflabCounter(),
    gptTokenizer('gpt-tokenizer'),
    gptTokenizer('gpt-tokenizer-v3'),
    gptTokenizer('gpt-tokenizer-v4'),
    jsTiktoken(),
    tiktokenWasm(),
  ].filter((c): c is Candidate => c !== undefined);
  const reference = candidates[candidates.length - 1];
  // `npx tsx bench/tokenizers.ts gpt-tokenizer` measures only the matching candidates.
  const only = process.argv[2];
  const measured = only ? candidates.filter((c) => c.label.includes(only)) : candidates;

  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}`);
  console.log(`corpus: ${corpus.length} strings, ${(corpusBytes / 2 ** 20).toFixed(2)} MiB UTF-8; ${chatMessages.length} chat messages\n`);

  const ref: Record<EncName, Enc> = { o200k_base: reference.load('o200k_base'), cl100k_base: reference.load('cl100k_base') };
  const refIds: Record<EncName, number[][]> = {
    o200k_base: corpus.map((s) => ref.o200k_base.encode(s.text)),
    cl100k_base: corpus.map((s) => ref.cl100k_base.encode(s.text)),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-tok-'));
  const rows: string[] = [];

  for (const [i, c] of measured.entries()) {
    const r: string[] = [];
    let mismatches = 0;
    let checked = 0;
    let countMismatches = 0;
    let decodeNote = '';
    let loneMismatch = 0;
    const byCategory = new Map<string, number>();
    const msPerMb: string[] = [];
    const usPerMsg: string[] = [];
    for (const e of ENCODINGS) {
      console.error(`${c.label}@${c.version} ${e}...`);
      const enc = c.load(e);
      for (const [j, s] of corpus.entries()) {
        checked++;
        let ok = false;
        try {
          ok = sameIds(enc.encode(s.text), refIds[e][j]);
          if (enc.count(s.text) !== refIds[e][j].length) countMismatches++;
        } catch (err) {
          decodeNote = String(err).slice(0, 80);
        }
        if (!ok) {
          if (mismatches < 5) console.error(`  mismatch ${e} ${s.category}: ${JSON.stringify(s.text.slice(0, 200))}`);
          mismatches++;
          byCategory.set(`${e}/${s.category}`, (byCategory.get(`${e}/${s.category}`) ?? 0) + 1);
        }
      }
      for (const s of loneSurrogates) {
        try {
          if (!sameIds(enc.encode(s), ref[e].encode(s))) loneMismatch++;
        } catch {
          loneMismatch++;
        }
      }
      const bigTexts = corpus.filter((s) => s.category !== 'random short').map((s) => s.text);
      const bigBytes = bigTexts.reduce((n, t) => n + Buffer.byteLength(t), 0);
      msPerMb.push((timePasses(enc, bigTexts) / (bigBytes / 2 ** 20)).toFixed(0));
      usPerMsg.push(((timePasses(enc, chatMessages) * 1000) / chatMessages.length).toFixed(1));
    }
    const worstEnc = c.load('o200k_base');
    const tw = performance.now();
    worstEnc.count(worstCase);
    const worstMs = performance.now() - tw;
    const b = await bundleSize(c, dir, `c${i}`);
    const loadOne = coldLoad(b.file, ['o200k_base']);
    const load = coldLoad(b.file, ENCODINGS);
    console.log(
      `${c.label}@${c.version}: ${mismatches}/${checked} id mismatches, ${countMismatches} count mismatches, lone surrogates ${loneMismatch}/${loneSurrogates.length * 2} ${decodeNote}`,
    );
    for (const [k, v] of byCategory) console.log(`   ${k}: ${v}`);
    r.push(c.label, c.version, `${mismatches}/${checked} (counts: ${countMismatches})`, msPerMb.join(' / '), usPerMsg.join(' / '));
    r.push(worstMs.toFixed(0), (b.bytes / 1024).toFixed(0), `${loadOne.ms.toFixed(0)} / ${load.ms.toFixed(0)}`, load.rssMb.toFixed(0));
    rows.push(`| ${r.join(' | ')} |`);
  }

  console.log(
    '\n| library | version | exact? (id mismatches/N, both encodings; count mismatches) | ms per MB (o200k / cl100k) | µs per chat message (o200k / cl100k) | worst case ms (2,000 CJK chars in one piece, o200k) | bundle KB (min) | cold load ms (o200k only / both) | RSS after load MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Cold counts of single huge pieces, both encodings: ms, and tokens. */
function longPieces(): void {
  const tokens = require(path.join(ROOT, 'src', 'tokens', 'tokenizer.ts')) as typeof import('../src/tokens/tokenizer');
  const r = mulberry32(12);
  const inputs: [string, string][] = [
    ['200 KB of DNA letters (ACGT…)', Array.from({ length: 200_000 }, () => 'ACGT'[Math.floor(r() * 4)]).join('')],
    [
      '80 KB of emoji',
      Array.from({ length: 40_000 }, () => pick(r, ['😀', '🚀', '👍🏽', '🔥']))
        .join('')
        .slice(0, 80_000),
    ],
    ['10 MB of `a`', 'a'.repeat(10_000_000)],
    ['1 MB of CJK, no punctuation', script(1_000_000, CJK.slice(0, 1), ['']).slice(0, 1_000_000)],
  ];
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}\n`);
  console.log('| input (one piece) | o200k ms | cl100k ms | tokens (o200k / cl100k) |');
  console.log('|---|---|---|---|');
  for (const [label, text] of inputs) {
    const ms: string[] = [];
    const counts: number[] = [];
    for (const e of ENCODINGS) {
      tokens.countTokens('warm up', e);
      tokens.pieceCounter(e).clearCache();
      const t0 = performance.now();
      counts.push(tokens.countTokens(text, e));
      ms.push((performance.now() - t0).toFixed(0));
    }
    console.log(`| ${label} | ${ms[0]} | ${ms[1]} | ${counts.join(' / ')} |`);
  }
}

if (process.argv[2] === '--long-pieces') longPieces();
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
