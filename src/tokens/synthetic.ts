// Synthetic chat prompts that hit a requested prompt-token count exactly, for load tests whose
// context size must be what the scenario says (the `context` shape profile and friends).

import { countChatTokens, type ChatMessage } from './chat';
import { mulberry32, pick, randInt } from './rng';
import { countTokens, type Encoding } from './tokenizer';

export interface SyntheticOptions {
  /** Placed at the very start of the first message (defeats server prompt caching); counted. */
  prefix?: string;
  /** Seed of the English filler text; the same seed gives the same text. */
  seed?: number;
}

const SYSTEM_TEXT = 'You are a helpful assistant. Answer in long, detailed prose.';
// Ends in ':' so the body's first piece (" Word") starts a new pre-token: counts add up exactly.
const INSTRUCTION = 'Write a long, detailed answer of several pages that continues and expands on the following notes. Do not stop early:';

// Plain lowercase ASCII words, so every " word" is one pre-token in both encodings and a text made
// of them counts as the sum of its pieces. No digits, apostrophes or newlines (they re-split text).
const WORDS = (
  'the a of and to in is that for it as with on by this from at which be are was or an not have has ' +
  'system model request response latency token stream server client queue network memory cache batch ' +
  'river mountain forest city harbor village garden winter summer morning evening journey story letter ' +
  'engineer teacher farmer doctor artist traveler builder student writer captain neighbor merchant ' +
  'bright quiet careful rapid gentle heavy simple complex ancient modern steady patient curious honest ' +
  'builds carries measures explains follows gathers improves moves opens reaches remembers shares ' +
  'slowly quickly often rarely always together carefully clearly nearly finally however because while ' +
  'light water stone paper signal answer question method result pattern detail window bridge market ' +
  'music history science weather travel kitchen library harvest lantern compass festival horizon'
).split(/\s+/);
// Words that are one token with a leading space in both o200k_base and cl100k_base (checked by the
// tests); used to top up the last one to three tokens.
const ONE_TOKEN_FILLERS = [' the', ' and', ' of', ' to', ' in', ' more', ' so', ' then'];

/** A seeded stream of English-looking sentences, as pre-token pieces (" Word", " word", ",", "."). */
function* pieces(seed: number): Generator<string> {
  const rng = mulberry32(seed);
  for (;;) {
    const n = randInt(rng, 6, 20);
    for (let i = 0; i < n; i++) {
      const w = pick(rng, WORDS);
      yield i === 0 ? ' ' + w[0].toUpperCase() + w.slice(1) : ' ' + w;
      if (i > 1 && i < n - 2 && rng() < 0.08) yield ',';
    }
    yield '.';
  }
}

/** The filler body for one (encoding, seed), grown on demand, with running token/char totals. */
interface Body {
  gen: Generator<string>;
  text: string;
  /** cumTokens[k] / cumChars[k]: tokens / characters of the first k pieces. */
  cumTokens: number[];
  cumChars: number[];
}

const bodies = new Map<string, Body>();
const MAX_BODIES = 8; // a seed per request would otherwise grow this without bound
const pieceCounts = new Map<Encoding, Map<string, number>>();

function pieceTokens(piece: string, enc: Encoding): number {
  let m = pieceCounts.get(enc);
  if (!m) pieceCounts.set(enc, (m = new Map()));
  let n = m.get(piece);
  if (n === undefined) m.set(piece, (n = countTokens(piece, enc)));
  return n;
}

function body(enc: Encoding, seed: number, minTokens: number): Body {
  const key = `${enc}:${seed}`;
  let b = bodies.get(key);
  if (!b) {
    if (bodies.size >= MAX_BODIES) bodies.delete(bodies.keys().next().value!);
    b = { gen: pieces(seed), text: '', cumTokens: [0], cumChars: [0] };
    bodies.set(key, b);
  }
  const parts: string[] = [];
  let tokens = b.cumTokens[b.cumTokens.length - 1];
  let chars = b.cumChars[b.cumChars.length - 1];
  while (tokens < minTokens) {
    const p = b.gen.next().value as string;
    parts.push(p);
    tokens += pieceTokens(p, enc);
    chars += p.length;
    b.cumTokens.push(tokens);
    b.cumChars.push(chars);
  }
  if (parts.length) b.text += parts.join('');
  return b;
}

/** English text of exactly `n` tokens (when alone or after text ending in ':', '.' or a word). */
function bodyText(enc: Encoding, seed: number, n: number): string {
  if (n <= 0) return '';
  const b = body(enc, seed, n);
  // Largest prefix of whole pieces that fits, then single-token words for the rest.
  let lo = 0;
  let hi = b.cumTokens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b.cumTokens[mid] <= n) lo = mid;
    else hi = mid - 1;
  }
  let text = b.text.slice(0, b.cumChars[lo]);
  for (let i = b.cumTokens[lo]; i < n; i++) text += ONE_TOKEN_FILLERS[i % ONE_TOKEN_FILLERS.length];
  return text;
}

/**
 * A system + user chat whose prompt tokens (countChatTokens(...).total, i.e. the service's
 * usage.prompt_tokens) equal `contextTokens` exactly. Small targets drop the instruction, then the
 * system text; a target below the bare two-message framing (+ prefix) throws a RangeError.
 */
export function syntheticChat(enc: Encoding, contextTokens: number, options: SyntheticOptions = {}): ChatMessage[] {
  if (!Number.isInteger(contextTokens) || contextTokens < 0) {
    throw new RangeError(`contextTokens must be a non-negative integer, got ${contextTokens}`);
  }
  const prefix = options.prefix ?? '';
  const seed = options.seed ?? 1;
  const templates: [string, string][] = [
    [prefix + SYSTEM_TEXT, INSTRUCTION],
    [prefix + SYSTEM_TEXT, ''],
    [prefix, ''],
  ];
  for (const [system, instruction] of templates) {
    const fixed = countChatTokens(
      [
        { role: 'system', content: system },
        { role: 'user', content: instruction },
      ],
      enc,
    ).total;
    if (fixed <= contextTokens) {
      return [
        { role: 'system', content: system },
        { role: 'user', content: instruction + bodyText(enc, seed, contextTokens - fixed) },
      ];
    }
  }
  const min = countChatTokens(
    [
      { role: 'system', content: prefix },
      { role: 'user', content: '' },
    ],
    enc,
  ).total;
  throw new RangeError(`contextTokens ${contextTokens} is below the minimum of ${min} for a system + user chat with this prefix`);
}

/**
 * A short random string for the start of a prompt, so no two requests share a cached prefix:
 * twelve digits and a newline, i.e. 10^12 values at 5 tokens in both encodings (digits group by 3).
 */
export function randomCachePrefix(rng: () => number): string {
  let id = '';
  for (let i = 0; i < 12; i++) id += Math.floor(rng() * 10);
  return `${id}\n`;
}
