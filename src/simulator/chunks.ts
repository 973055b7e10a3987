// Wire shapes of chat completion responses, serialized once per request.
//
// Content chunks differ only in their text, so each stream serializes a template once and splits it
// around the content: a chunk on the wire is then `prefix + text + suffix` — no JSON.stringify per
// chunk. Generated text never needs JSON escaping (see text.ts). Azure returns keys sorted
// alphabetically and adds content-filter annotations; OpenAI uses its own key order.
// Shapes on request (docs/stream-shapes.md): reasoning as `delta.reasoning_content` / `delta.reasoning`,
// vLLM's continuous usage (cumulative usage on every chunk) and Azure's asynchronous-filter annotations.

import { sseEvent, type EncoderInput, type OutputPiece, type StreamEncoder } from './encoder';

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

export function usageOf(promptTokens: number, completionTokens: number, reasoningTokens = 0): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoningTokens,
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

const sse = (json: string): string => sseEvent(json);

export const DONE_EVENT = 'data: [DONE]\n\n';

/** vLLM's per-chunk usage: cumulative counts, no details. */
type ContinuousUsage = Pick<Usage, 'prompt_tokens' | 'completion_tokens' | 'total_tokens'>;

/** A `chat.completion.chunk` object with one choice (or none), in the flavor's field order. */
function chunkObject(base: ResponseBase, choices: unknown[], usage?: Usage | ContinuousUsage): Record<string, unknown> {
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

export function contentTemplate(base: ResponseBase, field = 'content'): ContentTemplate {
  const json = serialize(base.flavor, chunkObject(base, [choice(base, { [field]: CONTENT_MARK }, null, COMPLETION_FILTER_RESULTS)]));
  const at = json.indexOf(CONTENT_MARK);
  return { prefix: 'data: ' + json.slice(0, at), suffix: json.slice(at + CONTENT_MARK.length) + '\n\n' };
}

/** A content event cut off inside its JSON (malformed fault): `…"delta":{"content":"text"` */
export function malformedContentEvent(t: ContentTemplate, text: string): string {
  return `${t.prefix}${jsonStringBody(text)}"\n\n`;
}

// eslint-disable-next-line no-control-regex -- control characters are what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
/** `text` as it appears between the quotes of a JSON string. Filler text never needs escaping (one
 *  regex test); generated questions (question-generator.ts) carry quotes and newlines. */
function jsonStringBody(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
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

/** Azure's asynchronous-filter annotation: no delta, empty id, the offsets checked so far. Not a token. */
export function asyncFilterEvent(checkedChars: number, finish: string | null): string {
  const annotation = {
    choices: [
      {
        content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: checkedChars },
        content_filter_results: COMPLETION_FILTER_RESULTS,
        finish_reason: finish,
        index: 0,
      },
    ],
    created: 0,
    id: '',
    model: '',
    object: '',
  };
  return sse(sortedJson(annotation));
}

/** Content chunks between two asynchronous-filter annotations. */
export const ASYNC_FILTER_EVERY = 10;

export interface ChatShape {
  /** Send Azure's prompt-filter chunk first. */
  promptFilter: boolean;
  /** Azure's asynchronous-filter annotations. */
  asyncFilter: boolean;
  /** The delta field that carries reasoning. */
  reasoningField: 'reasoning_content' | 'reasoning';
  /** The final usage chunk (include_usage). */
  finalUsage: boolean;
  /** Cumulative usage on every chunk (vLLM continuous_usage_stats). */
  continuousUsage: boolean;
}

/** Chat Completions events in stream order. */
export class ChatEncoder implements StreamEncoder {
  private readonly content: ContentTemplate;
  private readonly reasoning: ContentTemplate;
  private contentPieces = 0;
  private contentChars = 0;

  constructor(
    private readonly base: ResponseBase,
    private readonly shape: ChatShape,
    private readonly input: EncoderInput,
  ) {
    this.content = contentTemplate(base);
    this.reasoning = contentTemplate(base, shape.reasoningField);
  }

  get sendsUsage(): boolean {
    return this.shape.finalUsage || this.shape.continuousUsage;
  }

  get continuousUsage(): boolean {
    return this.shape.continuousUsage;
  }

  private usageSoFar(completion: number): ContinuousUsage {
    const prompt = this.input.promptTokens;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  open(): string {
    const role = { role: 'assistant', content: '', refusal: null };
    const usage = this.shape.continuousUsage ? this.usageSoFar(0) : undefined;
    const roleChunk = sse(serialize(this.base.flavor, chunkObject(this.base, [choice(this.base, role, null, {})], usage)));
    return (this.shape.promptFilter ? promptFilterEvent(this.base) : '') + roleChunk;
  }

  piece(p: OutputPiece, _index: number, completionSoFar: number): string {
    let event: string;
    if (this.shape.continuousUsage) {
      const field = p.kind === 'content' ? 'content' : this.shape.reasoningField;
      const c = choice(this.base, { [field]: p.text }, null, COMPLETION_FILTER_RESULTS);
      event = sse(serialize(this.base.flavor, chunkObject(this.base, [c], this.usageSoFar(completionSoFar))));
    } else {
      const t = p.kind === 'content' ? this.content : this.reasoning;
      event = t.prefix + jsonStringBody(p.text) + t.suffix;
    }
    if (p.kind !== 'content') return event;
    this.contentPieces++;
    this.contentChars += p.text.length;
    if (this.shape.asyncFilter && this.contentPieces % ASYNC_FILTER_EVERY === 0) event += asyncFilterEvent(this.contentChars, null);
    return event;
  }

  malformed(p: OutputPiece): string {
    return malformedContentEvent(p.kind === 'content' ? this.content : this.reasoning, p.text);
  }

  close(): string {
    const { base, input, shape } = this;
    const usage = shape.continuousUsage ? this.usageSoFar(input.completionTokens) : undefined;
    let tail = sse(serialize(base.flavor, chunkObject(base, [choice(base, {}, input.finishReason, {})], usage)));
    // Azure's asynchronous filter annotates the end of the text even after the finish chunk.
    if (shape.asyncFilter) tail += asyncFilterEvent(this.contentChars, input.finishReason);
    if (this.sendsUsage) tail += usageEvent(base, usageOf(input.promptTokens, input.completionTokens, input.reasoningTokens));
    return tail + DONE_EVENT;
  }

  body(): string {
    const { input } = this;
    return completionBody(this.base, input.content, input.finishReason, usageOf(input.promptTokens, input.completionTokens, input.reasoningTokens));
  }
}
