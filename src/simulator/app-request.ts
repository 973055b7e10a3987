// What the app route (app-handler.ts) reads from a request: the response kind of `?stream=` and the
// JSON body. Anything it cannot use is a 400 with a message that says what is wrong.
import type { PromptMessage } from './prompt-tokens';
import type { AppStreamKind } from './types';
import { MAX_OUTPUT_TOKENS } from './request-body';

export const APP_STREAM_KINDS: readonly AppStreamKind[] = ['sse', 'ndjson', 'text', 'json'];

export interface AppRequest {
  /** `messages` as sent, or the `question` / `prompt` as one user message. */
  messages: PromptMessage[];
  sessionId?: string;
  turn?: number;
  maxTokens?: number;
  /** Picks the tokenizer (and the /metrics label); the app's own model otherwise. */
  model?: string;
}

/** A 400's message. */
export interface AppBadRequest {
  error: string;
}

/** `?stream=` → the response kind (sse when absent). */
export function appStreamKind(value: string | null): AppStreamKind | AppBadRequest {
  if (value === null || value === '') return 'sse';
  return (APP_STREAM_KINDS as readonly string[]).includes(value)
    ? (value as AppStreamKind)
    : { error: `Unknown stream kind "${value}": use one of ${APP_STREAM_KINDS.join(', ')}.` };
}

export function parseAppBody(raw: Buffer): AppRequest | AppBadRequest {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'The request body must be a JSON object.' };
    body = parsed as Record<string, unknown>;
  } catch {
    return { error: 'The request body is not valid JSON.' };
  }

  let messages: PromptMessage[];
  if (body.messages !== undefined) {
    const m = body.messages;
    if (!Array.isArray(m) || m.length === 0 || m.some((x) => x === null || typeof x !== 'object' || Array.isArray(x))) {
      return { error: "'messages' must be a non-empty array of chat messages (objects)." };
    }
    messages = m as PromptMessage[];
  } else {
    const key = body.question !== undefined ? 'question' : body.prompt !== undefined ? 'prompt' : undefined;
    if (key === undefined) return { error: "The body needs 'messages' (an array of chat messages) or 'question' / 'prompt' (a string)." };
    const text = body[key];
    if (typeof text !== 'string' || text === '') return { error: `'${key}' must be a non-empty string.` };
    messages = [{ role: 'user', content: text }];
  }

  const out: AppRequest = { messages };
  if (body.session_id !== undefined) {
    if (typeof body.session_id !== 'string') return { error: "'session_id' must be a string." };
    out.sessionId = body.session_id;
  }
  if (body.turn !== undefined) {
    if (typeof body.turn !== 'number' || !Number.isFinite(body.turn)) return { error: "'turn' must be a number." };
    out.turn = body.turn;
  }
  if (body.max_tokens !== undefined && body.max_tokens !== null) {
    const v = body.max_tokens;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_OUTPUT_TOKENS) {
      return { error: `'max_tokens' must be an integer from 1 to ${MAX_OUTPUT_TOKENS} (got ${JSON.stringify(v)}).` };
    }
    out.maxTokens = v;
  }
  if (typeof body.model === 'string' && body.model !== '') out.model = body.model;
  return out;
}
