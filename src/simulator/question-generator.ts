// Answers "write N user questions as a JSON array" requests, so `perflab dataset generate` works (and
// is tested) offline against the simulator. Everything else the simulator answers with filler text.
//
// When it applies: the LAST user message contains "JSON array" and asks for "<N> … questions" or
// "<N> … messages" (N = 1…999, with up to three words between, e.g. "25 different user messages").
// The domain is the rest of the line after "Application domain:" (or "Domain:"), else "the product".
//
// What it answers: a JSON array (pretty-printed, as models write it) of min(N, MAX_PER_ANSWER)
// distinct questions drawn WITHOUT replacement from a fixed pool for that domain. The pool is finite
// on purpose (QUESTION_POOL_SIZE questions: templates × facets, each with its own persona/closing
// decoration), so a caller asking for more than exists sees repeats and must stop short. The draw
// depends only on the simulator seed and the request's sequence number (deterministic per seed).
// Only ASCII text is produced apart from the domain itself, which is copied as given.
//
// Effect on benchmarks: none for synthetic shapes (they never say "JSON array"). A dataset prompt that
// itself asks for "a JSON array of N questions" gets these questions too, so its completion is the
// array's length rather than max_tokens (still capped by it): the usage reported is exact either way.

import { decode, encode, encodingForModel } from '../tokens';
import type { PromptMessage } from './prompt-tokens';
import { messageText } from './prompt-tokens';
import type { Rng } from './rng';

/** Questions in one answer at most (a real model's answer is bounded too). */
export const MAX_PER_ANSWER = 50;

const FACETS: readonly string[] = [
  'billing',
  'my account settings',
  'exporting data',
  'notifications',
  'the mobile app',
  'user permissions',
  'search',
  'pricing plans',
  'integrations with other tools',
  'error messages',
  'privacy and data retention',
  'performance on large projects',
];

// {f}: facet, {F}: facet capitalized, {d}: domain. Intents and lengths deliberately differ.
const TEMPLATES: readonly string[] = [
  'What should I know about {f} before I start using {d}?',
  'How does {f} actually work?',
  'Can you explain {f} to me like I am completely new to {d}?',
  "I'm having trouble with {f}. It worked yesterday and now it doesn't. What can I check first?",
  'Quick question: is there a limit on {f}?',
  'Compare the available options for {f} and tell me which one fits a small team.',
  'Why is {f} so slow today?',
  'Write a short checklist for setting up {f}.',
  'I need a monthly report on {f}. What is the easiest way to get those numbers out of {d}?',
  '{F}: where do I find it?',
  'Our security team asked how {d} handles {f}. Can you give me a clear answer I can forward to them?',
  'What are the most common mistakes people make with {f}, and how do I avoid them?',
  'Is {f} included in the free plan or do I have to pay for it?',
  'I tried to change {f} but the save button is greyed out. Any idea why?',
  'Summarize everything important about {f} in three bullet points.',
  'Give me a step-by-step guide to {f} for someone who has never used {d}, including what to do if something goes wrong halfway through.',
];

const PERSONAS: readonly string[] = [
  '',
  'Hi! ',
  'I run a five-person bakery and I am not very technical. ',
  'Developer here. ',
  'My manager keeps asking me about this. ',
  'Sorry if this was asked before, ',
  'Urgent: ',
  'I am a teacher setting this up for my class. ',
  'Long-time user, first time asking. ',
];

const CLOSINGS: readonly string[] = ['', ' Thanks!', ' Please keep it brief.', ' Examples would help.', ' I am on the latest version.'];

export const QUESTION_POOL_SIZE = TEMPLATES.length * FACETS.length;

/** The N and domain of a question-generation request, or null when it is not one. */
export function questionRequest(messages: readonly PromptMessage[]): { count: number; domain: string } | null {
  let last: string | null = null;
  for (const m of messages) if (m.role === 'user') last = messageText(m.content);
  if (last === null || !/\bJSON array\b/i.test(last)) return null;
  const n = /\b(\d{1,3})\s+(?:[A-Za-z-]+\s+){0,3}(?:questions|messages)\b/i.exec(last);
  if (!n || Number(n[1]) < 1) return null;
  const domain = /^\s*(?:Application domain|Domain):\s*(.+?)\s*$/im.exec(last)?.[1] ?? 'the product';
  return { count: Number(n[1]), domain };
}

/** Question i of the pool (0 ≤ i < QUESTION_POOL_SIZE) for `domain`. */
export function poolQuestion(i: number, domain: string): string {
  const t = i % TEMPLATES.length;
  const f = Math.floor(i / TEMPLATES.length);
  const facet = FACETS[f];
  const core = TEMPLATES[t]
    .replaceAll('{f}', facet)
    .replaceAll('{F}', facet[0].toUpperCase() + facet.slice(1))
    .replaceAll('{d}', domain);
  // Decorations vary with both indexes, so two questions from one template rarely share them.
  const persona = PERSONAS[(t * 7 + f * 5) % PERSONAS.length];
  const closing = CLOSINGS[(t * 3 + f * 2) % CLOSINGS.length];
  const body = persona.endsWith(', ') ? core[0].toLowerCase() + core.slice(1) : core;
  return persona + body + closing;
}

/** The answer text: a JSON array of distinct pool questions, drawn with `rng`. */
export function questionAnswer(request: { count: number; domain: string }, rng: Rng): string {
  const k = Math.min(request.count, MAX_PER_ANSWER, QUESTION_POOL_SIZE);
  const order = Array.from({ length: QUESTION_POOL_SIZE }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(order.length - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return JSON.stringify(
    order.slice(0, k).map((i) => poolQuestion(i, request.domain)),
    null,
    2,
  );
}

/** `text` as one piece per token of `model`'s tokenizer, so usage and chunking stay exact. Where a
 *  token ends inside a multi-byte character the text goes with the token that completes it and the
 *  earlier slots stay empty strings (still one token each). */
export function tokenPieces(text: string, model: string): string[] {
  const enc = encodingForModel(model);
  const ids = encode(text, enc);
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < ids.length; i++) {
    const piece = decode(ids.slice(start, i + 1), enc);
    if (piece.includes('\uFFFD') && i + 1 < ids.length) {
      pieces.push('');
      continue;
    }
    pieces.push(piece);
    start = i + 1;
  }
  return pieces;
}
