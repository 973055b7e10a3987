// Builds the HTTP request for one chat completion, the way the official `openai` SDK builds it for the
// same target (URL, auth header, body). test/unit/engine/chat-request-vs-sdk.test.ts checks that
// against the SDK's `AzureOpenAI` / `OpenAI` clients, so this stays faithful to the reference.

import type { CompiledResponse } from './http-target/http-reader';
import type { Api, Provider, RequestOptions, Target } from './scenario/types';

export interface ChatMessage {
  role: string;
  content: string;
  name?: string;
}

/** A credential resolved for one target. The value is never logged or written anywhere. */
export interface Credential {
  header: 'api-key' | 'authorization';
  value: string;
}

export interface BuiltRequest {
  /** Which API's stream the response carries (picks the stream reader); `http`: an HTTP target's
   *  own shape, read as `http` says (src/engine/http-target/http-reader.ts). */
  api: Api | 'http';
  /** Default POST. */
  method?: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  http?: CompiledResponse;
}

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Azure accepts `stream_options.include_usage` from this api-version on (older ones reject it). */
const FIRST_AZURE_VERSION_WITH_USAGE = '2024-09-01-preview';

/** Provider from the endpoint's host name when none is given (the Azure tool's convention). */
export function providerFromEndpoint(endpoint: string): Provider {
  if (endpoint === 'simulator') return 'simulator';
  const host = new URL(endpoint).hostname.toLowerCase();
  if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com')) return 'azure';
  if (host === 'api.openai.com') return 'openai';
  return 'openai-compatible';
}

/** Azure's v1 routes (`…/openai/v1`) take the plain OpenAI request shape, with no api-version. */
export function isAzureV1Endpoint(endpoint: string): boolean {
  return /\/openai\/v1\/?$/.test(new URL(endpoint).pathname);
}

/** Whether requests for this target use Azure's deployment route. */
export function usesDeploymentRoute(target: Target): boolean {
  if (target.provider === 'azure') return !isAzureV1Endpoint(target.endpoint);
  // The simulator speaks both: with a deployment it is addressed like Azure, else like OpenAI.
  return target.provider === 'simulator' && target.deployment !== undefined;
}

export function chatCompletionsUrl(target: Target, baseUrl: string = target.endpoint): URL {
  if (usesDeploymentRoute(target)) {
    const url = joinUrl(baseUrl, `openai/deployments/${encodeURIComponent(target.deployment ?? '')}/chat/completions`);
    url.searchParams.set('api-version', target.api_version ?? DEFAULT_AZURE_API_VERSION);
    return url;
  }
  return openaiStyleUrl(target, baseUrl, 'chat/completions');
}

/** `{base}/{path}` for OpenAI-style routes (OpenAI, compatible servers, Azure v1, the simulator). */
export function openaiStyleUrl(target: Target, baseUrl: string, path: string): URL {
  if (target.provider === 'simulator') return joinUrl(baseUrl, `v1/${path}`);
  // OpenAI's API lives under /v1; users often give just the origin.
  if (target.provider === 'openai' && new URL(trimmedBase(baseUrl)).pathname === '/') return joinUrl(baseUrl, `v1/${path}`);
  return joinUrl(baseUrl, path);
}

/** `{base}/{path}` with the base's query kept as the query, as the SDK does: `…/api/v1?code=abc`
 *  (Azure Functions, APIM) → `…/api/v1/chat/completions?code=abc`. Callers add api-version beside it. */
export function joinUrl(baseUrl: string, path: string): URL {
  const url = new URL(trimmedBase(baseUrl));
  url.hash = '';
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname}/${path}`;
  return url;
}

export function trimmedBase(baseUrl: string): string {
  const base = baseUrl === 'simulator' ? OPENAI_BASE_URL : baseUrl;
  return base.endsWith('/') ? base.slice(0, -1) : base;
}

/** Reasoning models take `max_completion_tokens`; the others still take `max_tokens`. */
export function usesMaxCompletionTokens(model: string | undefined): boolean {
  return model !== undefined && /^(o\d|gpt-5)/i.test(model);
}

function supportsIncludeUsage(target: Target): boolean {
  if (!usesDeploymentRoute(target) || target.provider === 'simulator') return true;
  const version = target.api_version ?? DEFAULT_AZURE_API_VERSION;
  // api-versions are dates (YYYY-MM-DD[-preview]); they compare correctly as strings.
  return version >= FIRST_AZURE_VERSION_WITH_USAGE;
}

export function chatRequestBody(target: Target, messages: ChatMessage[], options: RequestOptions, maxTokens: number | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  // As the SDK does: `model` is always in the body (Azure's deployment route ignores it).
  const model = usesDeploymentRoute(target) ? target.model : (target.model ?? target.deployment);
  if (model !== undefined) body.model = model;
  body.messages = messages;
  body.stream = true;
  if (supportsIncludeUsage(target)) body.stream_options = { include_usage: true };
  const limit = maxTokens ?? options.max_tokens;
  if (limit !== undefined) {
    body[usesMaxCompletionTokens(target.model ?? target.deployment) ? 'max_completion_tokens' : 'max_tokens'] = limit;
  }
  for (const key of ['temperature', 'top_p', 'seed', 'stop', 'presence_penalty', 'frequency_penalty', 'reasoning_effort'] as const) {
    if (options[key] !== undefined) body[key] = options[key];
  }
  if (options.extra_body) Object.assign(body, options.extra_body);
  return body;
}

export function credentialHeaders(target: Target, credential: Credential | null): Record<string, string> {
  if (!credential) return {};
  if (credential.header === 'api-key') {
    // Azure takes the key in `api-key`; OpenAI-style servers take any key as a Bearer token.
    return usesDeploymentRoute(target) || target.provider === 'azure' ? { 'api-key': credential.value } : { authorization: `Bearer ${credential.value}` };
  }
  return { authorization: `Bearer ${credential.value}` };
}

export function buildChatRequest(target: Target, baseUrl: string, body: Record<string, unknown>, credential: Credential | null): BuiltRequest {
  return streamingRequest('chat', chatCompletionsUrl(target, baseUrl), target, body, credential);
}

/** A streaming POST with the SDK's headers for this target. */
export function streamingRequest(api: Api, url: URL, target: Target, body: Record<string, unknown>, credential: Credential | null): BuiltRequest {
  return {
    api,
    url,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...credentialHeaders(target, credential),
    },
    body: JSON.stringify(body),
  };
}
