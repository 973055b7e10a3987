// URL → route. Chat completions and the Responses API in three dialects, an LLM app, and GET helpers.
//   POST /openai/deployments/{deployment}/chat/completions?api-version=V   Azure (deployment route)
//   POST /openai/v1/chat/completions                                       Azure v1 (model in body)
//   POST /v1/chat/completions, POST /chat/completions                      OpenAI (model in body)
//   POST /openai/responses?api-version=V                                   Azure dated route (deployment in `model`)
//   POST /openai/v1/responses                                              Azure v1
//   POST /v1/responses, POST /responses                                    OpenAI
//   POST /app/chat?stream=K, POST /api/chat?stream=K                       LLM app (app-handler.ts), see below
//   GET  /healthz, GET /v1/models (also /openai/v1/models, /models)
//   GET  /metrics                                                          Prometheus text, vLLM's names (metrics.ts)
//
// The LLM app route stands for an application in front of the model (a RAG chat service), so HTTP
// targets (provider: http) can be tested with no account. Body: JSON with `messages` (chat messages)
// or `question` / `prompt` (a string); optional `session_id` (string), `turn` (number), `max_tokens`,
// `model` (picks the tokenizer). Key, when the simulator has one: `x-api-key`, `api-key` or Bearer.
// It runs a retrieval step (app_retrieval_ms, jittered), then the chat model exactly as the chat route
// plans it (latency, quotas, faults, serving slots, tokens_per_chunk). K (default sse):
//   sse     text/event-stream, headers at once; `data: {"type":"retrieval","documents":3}` when retrieval
//           ends, `data: {"delta":{"text":"…"}}` per model chunk, last
//           `data: {"done":true,"usage":{"prompt_tokens":P,"completion_tokens":C}}` (no [DONE])
//   ndjson  application/x-ndjson: the same objects, one JSON per line
//   text    text/plain; charset=utf-8, chunked: the raw text pieces only
//   json    application/json once generation is over: {"answer":"…","usage":{…}}
// Errors: {"error":{"message":"…"}} — 400 (bad body or stream kind), 401, 429 (retry-after-ms), 500.
import type { SimulatorLogEntry } from './types';

/** Routes of the model APIs (the app route has its own handler). */
export type ChatRoute = Exclude<SimulatorLogEntry['route'], 'app'>;
export type SimApi = SimulatorLogEntry['api'];

export type RouteMatch =
  | { kind: 'chat'; api: SimApi; route: ChatRoute; deployment?: string; apiVersion?: string }
  /** `stream`: the raw `?stream=` value (null when absent); app-handler.ts validates it. */
  | { kind: 'app'; stream: string | null }
  | { kind: 'healthz' }
  | { kind: 'metrics' }
  | { kind: 'models'; azure: boolean }
  | { kind: 'not-found'; azure: boolean; path: string };

const DEPLOYMENT_CHAT = /^\/openai\/deployments\/([^/]+)\/chat\/completions\/?$/;

export function matchRoute(method: string, url: string): RouteMatch {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const azure = path.startsWith('/openai/');
  if (method === 'POST') {
    if (path === '/v1/chat/completions' || path === '/chat/completions') return { kind: 'chat', api: 'chat', route: 'openai' };
    if (path === '/openai/v1/chat/completions') return { kind: 'chat', api: 'chat', route: 'azure-v1' };
    if (path === '/v1/responses' || path === '/responses') return { kind: 'chat', api: 'responses', route: 'openai' };
    if (path === '/openai/v1/responses') return { kind: 'chat', api: 'responses', route: 'azure-v1' };
    const query = () => new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (path === '/app/chat' || path === '/api/chat') return { kind: 'app', stream: query().get('stream') };
    const apiVersion = () => query().get('api-version') ?? undefined;
    if (path === '/openai/responses') return { kind: 'chat', api: 'responses', route: 'azure', apiVersion: apiVersion() };
    const m = DEPLOYMENT_CHAT.exec(path);
    if (m) return { kind: 'chat', api: 'chat', route: 'azure', deployment: safeDecode(m[1]), apiVersion: apiVersion() };
  } else if (method === 'GET' || method === 'HEAD') {
    if (path === '/healthz') return { kind: 'healthz' };
    if (path === '/metrics') return { kind: 'metrics' };
    if (path === '/v1/models' || path === '/models' || path === '/openai/v1/models') return { kind: 'models', azure };
  }
  return { kind: 'not-found', azure, path };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Models listed by GET /v1/models (any model name is accepted on chat routes). */
export const LISTED_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-35-turbo', 'o4-mini'];

export function modelsBody(): string {
  return JSON.stringify({
    object: 'list',
    data: LISTED_MODELS.map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })),
  });
}
