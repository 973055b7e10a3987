// Token counting for OpenAI's BPE encodings, id-for-id equal to OpenAI's tiktoken
// (measured in bench/tokenizers.ts, results in docs/tokenizers.md). Pure JS: no WASM to ship.

import type * as GptEncoding from 'gpt-tokenizer/encoding/o200k_base';
import { TokenRankTable, type RankTable } from './byte-table';
import { PieceHelper } from './piece-helper';
import { PieceCounter } from './piece-count';

export type Encoding = 'o200k_base' | 'cl100k_base';
export const ENCODINGS: readonly Encoding[] = ['o200k_base', 'cl100k_base'];

type EncodingApi = typeof GptEncoding;
const loaded = new Map<Encoding, EncodingApi>();

// Each rank table is megabytes of JS and takes a few hundred ms to build, so an encoding is
// loaded on first use only. The require paths stay literal so esbuild bundles both.
function api(enc: Encoding): EncodingApi {
  let a = loaded.get(enc);
  if (!a) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
    if (enc === 'o200k_base') a = require('gpt-tokenizer/encoding/o200k_base') as EncodingApi;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
    else if (enc === 'cl100k_base') a = require('gpt-tokenizer/encoding/cl100k_base') as EncodingApi;
    else throw unknownEncoding(enc);
    loaded.set(enc, a);
  }
  return a;
}

// Text such as "<|endoftext|>" inside a message is plain text to the service (tiktoken's
// encode_ordinary), never a control token and never an error.
const PLAIN = { disallowedSpecial: new Set<string>() };

export function isEncoding(name: string): name is Encoding {
  return (ENCODINGS as readonly string[]).includes(name);
}

export function encode(text: string, enc: Encoding): number[] {
  return api(enc).encode(text, PLAIN);
}

export function decode(ids: readonly number[], enc: Encoding): string {
  return api(enc).decode(ids);
}

/** gpt-tokenizer's table of the encoding's tokens by rank (the same array its encoder was built from). */
function rankTable(enc: Encoding): RankTable {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  if (enc === 'o200k_base') return (require('gpt-tokenizer/bpeRanks/o200k_base') as { default: RankTable }).default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  if (enc === 'cl100k_base') return (require('gpt-tokenizer/bpeRanks/cl100k_base') as { default: RankTable }).default;
  throw unknownEncoding(enc);
}

function unknownEncoding(enc: string): Error {
  return new Error(`Unknown encoding "${enc}" (expected ${ENCODINGS.join(' or ')})`);
}

const counters = new Map<Encoding, PieceCounter>();
let helper: PieceHelper | null = null;

/** The fast exact counter of an encoding (./piece-count), built on first use. */
export function pieceCounter(enc: Encoding): PieceCounter {
  let c = counters.get(enc);
  if (!c) {
    c = new PieceCounter(enc, TokenRankTable.build(rankTable(enc)));
    c.helper = helper;
    counters.set(enc, c);
  }
  return c;
}

/**
 * Starts a worker thread (`workerFile`, the bundled dist/piece-worker.js) that counts the new pieces of
 * large texts alongside this thread, for every encoding. For long-running processes on ≥ 2 cores.
 */
export function startCountHelper(workerFile: string): PieceHelper | null {
  if (helper) return helper;
  const tables = Object.fromEntries([...counters].map(([enc, c]) => [enc, c.ranks.parts]));
  helper = PieceHelper.start(workerFile, tables);
  for (const c of counters.values()) c.helper = helper;
  return helper;
}

/** Stops the helper thread; counting goes on without it. */
export function stopCountHelper(): void {
  helper?.dispose();
  helper = null;
  for (const c of counters.values()) c.helper = null;
}

/**
 * Loads an encoding and runs one warm-up round of the code that counts with it (PieceCounter.warmUp):
 * for long-running processes such as the language server, at start.
 */
export function warmUpCounting(enc: Encoding, use?: (text: string) => void): void {
  pieceCounter(enc).warmUp(use);
}

/** Number of tokens in `text`, equal to `encode(text, enc).length`, without building the ids. */
export function countTokens(text: string, enc: Encoding): number {
  if (text.length === 0) return 0;
  return pieceCounter(enc).count(text);
}
