// `perflab dataset generate`: asks a deployment (or the simulator) for varied user messages in an
// application's domain, in batches, until N unique ones are collected, so every virtual user of a
// load test asks something different.
//
// Requests go through the engine's own request building and transport (chat-request.ts /
// responses-request.ts, stream-attempt.ts): routes, api-versions, Azure / OpenAI / compatible /
// simulator, the Responses API, and the credential — which is attached only to this target's
// request, so a key is sent to no other endpoint. `endpoint: simulator` starts the in-process
// simulator, which answers these requests with real questions (simulator/question-generator.ts).
//
// Stopping: when N unique messages are in; or, keeping what was collected and saying why, after
// `maxCalls` requests, after EXHAUSTED_AFTER answers in a row brought nothing new (the model keeps
// repeating itself), after FAILURES_IN_A_ROW failed requests, or when cancelled.

import { buildChatRequest, chatRequestBody, usesMaxCompletionTokens, type ChatMessage, type Credential } from '../engine/chat-request';
import { buildResponsesRequest, responsesRequestBody } from '../engine/responses-request';
import { apiOf, type Target } from '../engine/scenario/types';
import { runAttempt, Transport, type AttemptControl } from '../engine/stream-attempt';
import { startSimulator } from '../simulator/server';
import type { RunningSimulator } from '../simulator/types';
import type { ModelOverrides } from '../tokens';
import { datasetLine, encodingFor, oneLine, type DatasetLine } from './dataset-file';
import { Deduper } from './dedupe';
import { parseAnswer } from './parse-answer';

export const DEFAULT_BATCH_SIZE = 25;
export const MAX_BATCH_SIZE = 100;
/** Answers in a row that add no new message before the generator is considered exhausted. */
export const EXHAUSTED_AFTER = 3;
/** Failed requests in a row before giving up (a wrong key or route will not fix itself). */
export const FAILURES_IN_A_ROW = 3;
/** Already collected messages quoted in a prompt as "do not repeat these". */
const AVOID_EXAMPLES = 12;

export interface GenerateOptions {
  target: Target;
  /** The target's credential (null: none, and always for the simulator). */
  credential: Credential | null;
  count: number;
  about: string;
  /** Added as a system message to every line (not sent while generating). */
  system?: string;
  batchSize?: number;
  /** Default: 3 × the batches N needs, + 2. */
  maxCalls?: number;
  timeouts?: { request_s: number; idle_s: number };
  /** How long a throttled (429) request is retried, honoring retry-after. */
  maxRetryS?: number;
  modelOverrides?: ModelOverrides;
  signal?: AbortSignal;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GenerateProgress {
  call: number;
  maxCalls: number;
  unique: number;
  count: number;
  /** One line for a log or a progress bar (no secrets: endpoint origins and counts only). */
  message: string;
}

export type StopReason = 'complete' | 'max-calls' | 'exhausted' | 'failures' | 'cancelled';

export interface GenerateResult {
  lines: DatasetLine[];
  calls: number;
  failedCalls: number;
  duplicates: number;
  nearDuplicates: number;
  stopReason: StopReason;
  /** Why fewer than `count` lines were collected; null when complete. */
  shortfall: string | null;
  /** Request errors (HTTP status and the service's message; never a key). */
  errors: string[];
}

const FOCUS: readonly string[] = [
  'first-time users with simple, short questions',
  'experienced users with detailed, multi-part requests',
  'users troubleshooting a problem who describe what they already tried',
  'users comparing options or asking for a recommendation',
  'busy users who type terse, few-word messages',
  'users who paste some context (an error message, a paragraph, a list) and ask about it',
  'casual writers: informal tone, typos, no punctuation',
  'users asking about their own specific situation with concrete details (names, numbers, dates)',
];

/** The generation request for one batch. Also what the simulator recognises (question-generator.ts). */
export function generationMessages(about: string, k: number, call: number, avoid: readonly string[]): ChatMessage[] {
  const lines = [
    `Write ${k} different messages that real users might send to this application.`,
    `Application domain: ${about.replace(/\s+/g, ' ').trim()}`,
    '',
    'Make them varied: different intents (questions, requests, troubleshooting, comparisons, complaints),',
    'different personas and levels of expertise, and different lengths, from a few words to a short paragraph.',
    `In this batch, lean towards ${FOCUS[call % FOCUS.length]}.`,
    'Write each message exactly as the user would type it. Do not answer them and do not number them.',
  ];
  if (avoid.length > 0) {
    lines.push('', 'These were already collected; write different ones:', ...avoid.map((a) => `- ${oneLine(a, 120)}`));
  }
  lines.push('', `Return only a JSON array of ${k} strings, nothing else.`);
  return [
    { role: 'system', content: 'You write realistic test data for load-testing a chat application.' },
    { role: 'user', content: lines.join('\n') },
  ];
}

export async function generateDataset(o: GenerateOptions): Promise<GenerateResult> {
  if (!Number.isInteger(o.count) || o.count < 1) throw new RangeError(`count must be a whole number ≥ 1 (got ${o.count})`);
  if (o.about.trim() === '') throw new RangeError('describe the application\'s domain (--about "…")');
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, Math.floor(o.batchSize ?? DEFAULT_BATCH_SIZE)));
  const maxCalls = o.maxCalls ?? Math.ceil(o.count / batchSize) * 3 + 2;
  const timeouts = o.timeouts ?? { request_s: 300, idle_s: 60 };
  const target = o.target;
  const model = target.model ?? target.deployment;
  const encoding = encodingFor(model, o.modelOverrides);
  const dedupe = new Deduper(true);
  const result: GenerateResult = { lines: [], calls: 0, failedCalls: 0, duplicates: 0, nearDuplicates: 0, stopReason: 'complete', shortfall: null, errors: [] };
  const kept: string[] = [];

  let simulator: RunningSimulator | null = null;
  let baseUrl = target.endpoint;
  if (target.endpoint === 'simulator') {
    simulator = await startSimulator({ ...target.simulator, host: '127.0.0.1', port: 0 });
    baseUrl = simulator.url;
  }
  const transport = new Transport(1);
  const where = target.endpoint === 'simulator' ? 'the simulator' : new URL(baseUrl).origin;
  let noNewInARow = 0;
  let failuresInARow = 0;
  try {
    while (result.lines.length < o.count) {
      if (o.signal?.aborted) {
        result.stopReason = 'cancelled';
        break;
      }
      if (result.calls >= maxCalls) {
        result.stopReason = 'max-calls';
        break;
      }
      if (noNewInARow >= EXHAUSTED_AFTER) {
        result.stopReason = 'exhausted';
        break;
      }
      if (failuresInARow >= FAILURES_IN_A_ROW) {
        result.stopReason = 'failures';
        break;
      }
      const remaining = o.count - result.lines.length;
      // Ask for a few more than still needed: some will be repeats.
      const k = Math.min(batchSize, Math.max(5, Math.ceil(remaining * 1.2)));
      const messages = generationMessages(o.about, k, result.calls, kept.slice(-AVOID_EXAMPLES));
      const maxTokens = k * 80 + 400 + (usesMaxCompletionTokens(model) ? 8000 : 0);
      const request =
        apiOf(target) === 'responses'
          ? buildResponsesRequest(target, baseUrl, responsesRequestBody(target, messages, {}, maxTokens), o.credential)
          : buildChatRequest(target, baseUrl, chatRequestBody(target, messages, {}, maxTokens), o.credential);
      result.calls++;
      const answer = await callOnce(transport, request, timeouts, o.maxRetryS ?? 60, o.signal);
      const items = parseAnswer(answer.text);
      let added = 0;
      for (const item of items) {
        if (result.lines.length >= o.count) break;
        const verdict = dedupe.add(item);
        if (verdict === 'duplicate') result.duplicates++;
        else if (verdict === 'near-duplicate') result.nearDuplicates++;
        else if (verdict === 'kept') {
          result.lines.push(datasetLine(item, o.system, encoding));
          kept.push(item);
          added++;
        }
      }
      let note = '';
      if (answer.error !== null) {
        result.failedCalls++;
        result.errors.push(answer.error);
        note = ` — request failed: ${answer.error}`;
      } else if (items.length === 0) {
        result.failedCalls++;
        const error = `the answer held no list of messages: ${JSON.stringify(oneLine(answer.text, 160))}`;
        result.errors.push(error);
        note = ` — ${error}`;
      }
      failuresInARow = note === '' ? 0 : failuresInARow + 1;
      if (note === '') noNewInARow = added === 0 ? noNewInARow + 1 : 0;
      o.onProgress?.({
        call: result.calls,
        maxCalls,
        unique: result.lines.length,
        count: o.count,
        message: `request ${result.calls} to ${where}: ${items.length} messages, ${added} new — ${result.lines.length}/${o.count}${note}`,
      });
    }
  } finally {
    transport.destroy();
    await simulator?.close();
  }
  if (result.lines.length < o.count) result.shortfall = shortfallText(result, o.count);
  return result;
}

function shortfallText(r: GenerateResult, count: number): string {
  const got = `${r.lines.length} of ${count} unique messages after ${r.calls} request(s)`;
  const repeats = `${r.duplicates} repeats and ${r.nearDuplicates} near-repeats were dropped`;
  switch (r.stopReason) {
    case 'cancelled':
      return `cancelled with ${got}`;
    case 'failures':
      return `stopped with ${got}: ${FAILURES_IN_A_ROW} requests in a row failed (last: ${r.errors[r.errors.length - 1] ?? 'unknown'})`;
    case 'exhausted':
      return `stopped with ${got}: ${EXHAUSTED_AFTER} answers in a row brought nothing new (${repeats}); the model has run out of different messages for this --about. Describe the domain more broadly, or generate with another --about and combine the files`;
    case 'max-calls':
      return `stopped with ${got}, the most this run makes (--max-calls) (${repeats}${r.failedCalls > 0 ? `, ${r.failedCalls} request(s) failed` : ''}). Describe the domain more broadly or raise --max-calls`;
    default:
      return got;
  }
}

interface Answer {
  text: string;
  error: string | null;
}

/** One streamed request, retried while throttled (429, honoring retry-after) for up to maxRetryS. */
async function callOnce(
  transport: Transport,
  request: Parameters<typeof runAttempt>[1],
  timeouts: { request_s: number; idle_s: number },
  maxRetryS: number,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  const first = performance.now();
  for (let attempt = 1; ; attempt++) {
    const control: AttemptControl = { abort: () => {}, startedAt: performance.now(), lastActivity: performance.now() };
    const watch = setInterval(() => {
      const now = performance.now();
      if (now - control.startedAt > timeouts.request_s * 1000) control.abort('timeout', `no complete answer after ${timeouts.request_s} s`);
      else if (now - control.lastActivity > timeouts.idle_s * 1000) control.abort('timeout', `the answer stalled for ${timeouts.idle_s} s`);
    }, 250);
    const onAbort = () => control.abort('cancelled', 'cancelled');
    signal?.addEventListener('abort', onAbort);
    let r;
    try {
      r = await runAttempt(transport, request, control);
    } finally {
      clearInterval(watch);
      signal?.removeEventListener('abort', onAbort);
    }
    if (r.status === 429 && !signal?.aborted) {
      const left = maxRetryS * 1000 - (performance.now() - first);
      if (left > 0) {
        const wait = Math.min(left, r.retryAfterMs ?? Math.min(8000, 500 * 2 ** (attempt - 1)));
        await sleep(wait, signal);
        continue;
      }
    }
    return { text: r.text, error: r.error === null ? null : (r.errorMessage ?? r.error) };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
