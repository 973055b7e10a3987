// Wire shapes of chat completion responses, serialized once per request.
//
// Content chunks differ only in their text, so each stream serializes a template once and splits it
// around the content: a chunk on the wire is then `prefix + text + suffix` — no JSON.stringify per
// chunk. Generated text never needs JSON escaping (see text.ts). Azure returns keys sorted
// alphabetically and adds content-filter annotations; OpenAI uses its own key order.

export type Flavor = 'openai' | 'azure';

export interface ResponseBase {
  flavor: Flavor;
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export const SYSTEM_FINGERPRINT = 'fp_simulator';
const CONTENT_MARK = '@@PERFLAB_CONTENT@@';

const SAFE = { filtered: false, severity: 'safe' };
/** Azure's annotations for a clean completion chunk. */
export const COMPLETION_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
/** Azure's annotations for a clean prompt. */
export const PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: { ...COMPLETION_FILTER_RESULTS, jailbreak: { filtered: false, detected: false } },
  },
];

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** JSON with keys sorted at every level, as Azure sends it. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
    return out;
  });
}

function serialize(flavor: Flavor, value: unknown): string {
  return flavor === 'azure' ? sortedJson(value) : JSON.stringify(value);
}

function sse(json: string): string {
  return `data: ${json}\n\n`;
}

export const DONE_EVENT = 'data: [DONE]\n\n';

/** A `chat.completion.chunk` object with one choice (or none), in the flavor's field order. */
function chunkObject(base: ResponseBase, choices: unknown[], usage?: Usage): Record<string, unknown> {
  const chunk: Record<string, unknown> = {
    id: base.id,
    object: 'chat.completion.chunk',
    created: base.created,
    model: base.model,
  };
  if (base.flavor === 'openai') chunk.service_tier = 'default';
  chunk.system_fingerprint = SYSTEM_FINGERPRINT;
  chunk.choices = choices;
  if (usage) chunk.usage = usage;
  else if (base.includeUsage) chunk.usage = null;
  return chunk;
}

function choice(base: ResponseBase, delta: Record<string, unknown>, finish: string | null, filter: object) {
  const c: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finish };
  if (base.flavor === 'azure') c.content_filter_results = filter;
  return c;
}

/** Azure's first event: prompt annotations, empty id/model, no choices. Not a token. */
export function promptFilterEvent(base: ResponseBase): string {
  const chunk: Record<string, unknown> = {
    choices: [],
    created: 0,
    id: '',
    model: '',
    object: '',
    prompt_filter_results: PROMPT_FILTER_RESULTS,
  };
  if (base.includeUsage) chunk.usage = null;
  return sse(sortedJson(chunk));
}

/** The role-only chunk that opens the stream (empty content: not a token). */
export function roleEvent(base: ResponseBase): string {
  const delta = { role: 'assistant', content: '', refusal: null };
  return sse(serialize(base.flavor, chunkObject(base, [choice(base, delta, null, {})])));
}

/** `prefix + text + suffix` is one content event. */
export interface ContentTemplate {
  prefix: string;
  suffix: string;
}

export function contentTemplate(base: ResponseBase): ContentTemplate {
  const json = serialize(
    base.flavor,
    chunkObject(base, [choice(base, { content: CONTENT_MARK }, null, COMPLETION_FILTER_RESULTS)]),
  );
  const at = json.indexOf(CONTENT_MARK);
  return { prefix: 'data: ' + json.slice(0, at), suffix: json.slice(at + CONTENT_MARK.length) + '\n\n' };
}

/** A content event cut off inside its JSON (malformed fault): `…"delta":{"content":"text"` */
export function malformedContentEvent(t: ContentTemplate, text: string): string {
  return `${t.prefix}${text}"\n\n`;
}

export function finishEvent(base: ResponseBase, finishReason: string): string {
  return sse(serialize(base.flavor, chunkObject(base, [choice(base, {}, finishReason, {})])));
}

export function usageEvent(base: ResponseBase, usage: Usage): string {
  return sse(serialize(base.flavor, chunkObject(base, [], usage)));
}

/** Body of a non-streaming `chat.completion`. */
export function completionBody(base: ResponseBase, content: string, finishReason: string, usage: Usage): string {
  const c: Record<string, unknown> = {
    index: 0,
    message: { role: 'assistant', content, refusal: null, annotations: [] },
    logprobs: null,
    finish_reason: finishReason,
  };
  if (base.flavor === 'azure') c.content_filter_results = COMPLETION_FILTER_RESULTS;
  const body: Record<string, unknown> = {
    id: base.id,
    object: 'chat.completion',
    created: base.created,
    model: base.model,
    choices: [c],
    usage,
  };
  if (base.flavor === 'openai') body.service_tier = 'default';
  if (base.flavor === 'azure') body.prompt_filter_results = PROMPT_FILTER_RESULTS;
  body.system_fingerprint = SYSTEM_FINGERPRINT;
  return serialize(base.flavor, body);
}
