// Builds the HTTP request for one Responses API call (`POST …/responses`, stream: true), the way the
// official `openai` SDK's `client.responses.create()` builds it for the same target.
// test/unit/engine/responses-request-vs-sdk.test.ts checks that against the SDK's clients.
//
// Routes: OpenAI `{base}/v1/responses`; Azure v1 `{resource}/openai/v1/responses` (no api-version);
// Azure's dated route `{resource}/openai/responses?api-version=…` (what `AzureOpenAI` sends: the SDK
// does not put /deployments/ in front of /responses, the deployment goes in `model`).

import { type BuiltRequest, type ChatMessage, type Credential, joinUrl, openaiStyleUrl, streamingRequest, usesDeploymentRoute } from './chat-request';
import { DEFAULT_RESPONSES_API_VERSION } from './scenario/schema';
import type { RequestOptions, Target } from './scenario/types';

export function responsesUrl(target: Target, baseUrl: string = target.endpoint): URL {
  if (usesDeploymentRoute(target)) {
    const url = joinUrl(baseUrl, 'openai/responses');
    url.searchParams.set('api-version', target.api_version ?? DEFAULT_RESPONSES_API_VERSION);
    return url;
  }
  return openaiStyleUrl(target, baseUrl, 'responses');
}

/** Leading system (or developer) messages become `instructions`; the rest is the `input` list. */
export function responsesRequestBody(target: Target, messages: ChatMessage[], options: RequestOptions, maxTokens: number | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  // On Azure's dated route the deployment is named in `model` (there is no deployment in the path).
  const model = usesDeploymentRoute(target) ? target.deployment : (target.model ?? target.deployment);
  if (model !== undefined) body.model = model;
  let first = 0;
  const instructions: string[] = [];
  while (first < messages.length && (messages[first].role === 'system' || messages[first].role === 'developer')) {
    instructions.push(messages[first++].content);
  }
  if (instructions.length > 0) body.instructions = instructions.join('\n\n');
  body.input = messages.slice(first).map((m) => ({ role: m.role, content: m.content }));
  body.stream = true;
  const limit = maxTokens ?? options.max_tokens;
  if (limit !== undefined) body.max_output_tokens = limit;
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.top_p !== undefined) body.top_p = options.top_p;
  if (options.reasoning_effort !== undefined) body.reasoning = { effort: options.reasoning_effort };
  if (options.extra_body) Object.assign(body, options.extra_body);
  return body;
}

export function buildResponsesRequest(target: Target, baseUrl: string, body: Record<string, unknown>, credential: Credential | null): BuiltRequest {
  return streamingRequest('responses', responsesUrl(target, baseUrl), target, body, credential);
}
