// What the simulator needs from a request body, for Chat Completions and the Responses API, with the
// provider's 400 answers for bodies the real service would refuse.
import type { PromptMessage } from './prompt-tokens';
import type { ChatRoute, SimApi } from './routes';
import * as errors from './errors';

/** Azure accepts `stream_options` from this api-version on; older ones reject the field. */
export const FIRST_AZURE_VERSION_WITH_STREAM_OPTIONS = '2024-09-01-preview';

export interface GenerationRequest {
  /** The prompt as chat messages (Responses: `instructions` as a system message, then `input`). */
  messages: PromptMessage[];
  model?: string;
  /** max_tokens / max_completion_tokens / max_output_tokens. */
  limit?: number;
  stream: boolean;
  /** Chat: `stream_options.include_usage`; Responses: always (usage is in the terminal event). */
  includeUsage: boolean;
  /** Chat: vLLM's `stream_options.continuous_usage_stats` (only with include_usage, as vLLM). */
  continuousUsage: boolean;
}

export function parseBody(api: SimApi, route: ChatRoute, apiVersion: string | undefined, raw: Buffer): GenerationRequest | errors.ErrorReply {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return errors.invalidJson();
    body = parsed as Record<string, unknown>;
  } catch {
    return errors.invalidJson();
  }
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : undefined;
  // Chat on Azure's deployment route names the model in the path; every other route needs it in the body.
  const modelMissing = model === undefined && !(api === 'chat' && route === 'azure');
  return api === 'chat' ? chatRequest(body, model, modelMissing, route, apiVersion) : responsesRequest(body, model, modelMissing);
}

const missingModel = () => errors.invalidRequest('you must provide a model parameter');

function chatRequest(
  body: Record<string, unknown>,
  model: string | undefined,
  modelMissing: boolean,
  route: ChatRoute,
  apiVersion: string | undefined,
): GenerationRequest | errors.ErrorReply {
  const messages = body.messages;
  if (messages === undefined || messages === null) {
    return errors.invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(messages) || messages.some((m) => m === null || typeof m !== 'object')) {
    return errors.invalidRequest("Invalid type for 'messages': expected an array of objects.", 'messages', 'invalid_type');
  }
  if (messages.length === 0) {
    return errors.invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  if (modelMissing) return missingModel();
  let limit: number | undefined;
  for (const param of ['max_tokens', 'max_completion_tokens'] as const) {
    const v = positiveInteger(body, param);
    if (typeof v === 'object') return v;
    if (v !== undefined) limit = param === 'max_completion_tokens' ? v : (limit ?? v);
  }
  const stream = body.stream === true;
  const options = body.stream_options;
  if (route === 'azure' && options !== undefined && options !== null && apiVersion! < FIRST_AZURE_VERSION_WITH_STREAM_OPTIONS) {
    return errors.invalidRequest('Unrecognized request argument supplied: stream_options');
  }
  const o = typeof options === 'object' && options !== null ? (options as Record<string, unknown>) : {};
  const includeUsage = stream && o.include_usage === true;
  return {
    messages: messages as PromptMessage[],
    model,
    limit,
    stream,
    includeUsage,
    continuousUsage: includeUsage && o.continuous_usage_stats === true,
  };
}

function responsesRequest(body: Record<string, unknown>, model: string | undefined, modelMissing: boolean): GenerationRequest | errors.ErrorReply {
  const input = body.input;
  if (input === undefined || input === null) {
    return errors.invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
  if (typeof input !== 'string' && !(Array.isArray(input) && input.every((m) => m !== null && typeof m === 'object'))) {
    return errors.invalidRequest("Invalid type for 'input': expected a string or an array of input items.", 'input', 'invalid_type');
  }
  if (modelMissing) return missingModel();
  const limit = positiveInteger(body, 'max_output_tokens');
  if (typeof limit === 'object') return limit;
  const messages: PromptMessage[] = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  if (typeof input === 'string') messages.push({ role: 'user', content: input });
  else messages.push(...(input as PromptMessage[]));
  const stream = body.stream === true;
  return { messages, model, limit, stream, includeUsage: stream, continuousUsage: false };
}

/** The largest output a simulated request may ask for (more than any real model produces). */
export const MAX_OUTPUT_TOKENS = 1_000_000;

function positiveInteger(body: Record<string, unknown>, param: string): number | undefined | errors.ErrorReply {
  const v = body[param];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    return errors.invalidRequest(`Invalid '${param}': expected an integer >= 1, but got ${JSON.stringify(v)} instead.`, param, 'invalid_value');
  }
  if (v > MAX_OUTPUT_TOKENS) {
    // As a real service answers (and the simulator never allocates an answer it cannot hold).
    return errors.invalidRequest(
      `'${param}' is too large: ${v}. The simulator supports at most ${MAX_OUTPUT_TOKENS} completion tokens.`,
      param,
      'invalid_value',
    );
  }
  return v;
}
