// Responses API requests must be what the official SDK's `client.responses.create({stream: true})`
// sends for the same target: URL (OpenAI, Azure v1, Azure's dated route), auth header and JSON body.
// The SDK's fetch is replaced by a recorder, as in chat-request-vs-sdk.test.ts.

import { strict as assert } from 'node:assert';
import OpenAI, { AzureOpenAI } from 'openai';
import { buildResponsesRequest, responsesRequestBody } from '../../../src/engine/responses-request';
import type { Target } from '../../../src/engine/scenario/types';

interface Captured {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function recordingFetch(into: Captured[]): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
    into.push({ url: String(url), headers, body: JSON.parse(String(init?.body)) });
    const completed = { type: 'response.completed', sequence_number: 0, response: { id: 'resp_x', status: 'completed', output: [] } };
    return new Response(`event: response.completed\ndata: ${JSON.stringify(completed)}\n\n`, {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
    });
  }) as typeof fetch;
}

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hi.' },
  { role: 'assistant', content: 'Hi.' },
  { role: 'user', content: 'Again.' },
];

/** What a user of the SDK writes for the same prompt. */
async function sdkRequest(client: OpenAI, model: string, extra: Record<string, unknown>): Promise<void> {
  const stream = await client.responses.create({
    model,
    instructions: 'You are terse.',
    input: messages.slice(1) as OpenAI.Responses.ResponseInput,
    stream: true,
    ...extra,
  } as OpenAI.Responses.ResponseCreateParamsStreaming);
  for await (const _ of stream) {
    // drain
  }
}

describe('Responses API request building vs the openai SDK', () => {
  it('OpenAI: /v1/responses (also from the bare origin), Bearer key, input/instructions/max_output_tokens/reasoning', async () => {
    for (const endpoint of ['https://api.openai.com/v1', 'https://api.openai.com']) {
      const captured: Captured[] = [];
      const client = new OpenAI({ baseURL: 'https://api.openai.com/v1', apiKey: 'sk-test', maxRetries: 0, fetch: recordingFetch(captured) });
      await sdkRequest(client, 'o4-mini', { max_output_tokens: 64, temperature: 1, reasoning: { effort: 'low' } });
      const target: Target = { name: 't', provider: 'openai', endpoint, model: 'o4-mini', api: 'responses', auth: { type: 'api-key' } };
      const body = responsesRequestBody(target, messages, { temperature: 1, reasoning_effort: 'low' }, 64);
      const ours = buildResponsesRequest(target, endpoint, body, { header: 'api-key', value: 'sk-test' });
      assert.equal(ours.api, 'responses');
      assert.equal(ours.url.toString(), captured[0].url);
      assert.equal(ours.headers.authorization, captured[0].headers.authorization);
      assert.deepEqual(JSON.parse(ours.body), captured[0].body);
    }
  });

  it('Azure v1 route: /openai/v1/responses, no api-version, model in the body', async () => {
    const captured: Captured[] = [];
    const client = new OpenAI({ baseURL: 'https://contoso.openai.azure.com/openai/v1', apiKey: 'entra-token', maxRetries: 0, fetch: recordingFetch(captured) });
    await sdkRequest(client, 'gpt-5-mini', { max_output_tokens: 100 });
    const target: Target = {
      name: 't',
      provider: 'azure',
      endpoint: 'https://contoso.openai.azure.com/openai/v1',
      model: 'gpt-5-mini',
      api: 'responses',
      auth: { type: 'bearer' },
    };
    const ours = buildResponsesRequest(target, target.endpoint, responsesRequestBody(target, messages, {}, 100), {
      header: 'authorization',
      value: 'entra-token',
    });
    assert.equal(ours.url.toString(), captured[0].url);
    assert.ok(!ours.url.searchParams.has('api-version'));
    assert.equal(ours.headers.authorization, captured[0].headers.authorization);
    assert.deepEqual(JSON.parse(ours.body), captured[0].body);
  });

  it('Azure dated route: /openai/responses?api-version=…, api-key header, the deployment as model', async () => {
    const captured: Captured[] = [];
    const client = new AzureOpenAI({
      endpoint: 'https://contoso.openai.azure.com',
      apiKey: 'test-key-azure',
      apiVersion: '2025-04-01-preview',
      deployment: 'o4-mini-prod',
      maxRetries: 0,
      fetch: recordingFetch(captured),
    });
    await sdkRequest(client, 'o4-mini-prod', { max_output_tokens: 50 });
    const target: Target = {
      name: 't',
      provider: 'azure',
      endpoint: 'https://contoso.openai.azure.com',
      deployment: 'o4-mini-prod',
      model: 'o4-mini',
      api_version: '2025-04-01-preview',
      api: 'responses',
      auth: { type: 'api-key' },
    };
    const ours = buildResponsesRequest(target, target.endpoint, responsesRequestBody(target, messages, {}, 50), {
      header: 'api-key',
      value: 'test-key-azure',
    });
    assert.equal(ours.url.toString(), captured[0].url);
    assert.equal(ours.headers['api-key'], captured[0].headers['api-key']);
    assert.equal(ours.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(ours.body), captured[0].body);
  });

  it('a query string in the endpoint stays the query, on the OpenAI-style and the Azure dated routes', async () => {
    const endpoint = 'https://fn.azurewebsites.net/api/v1?code=abc';
    let captured: Captured[] = [];
    const client = new OpenAI({ baseURL: endpoint, apiKey: 'sk-test', maxRetries: 0, fetch: recordingFetch(captured) });
    await sdkRequest(client, 'gpt-5-mini', { max_output_tokens: 10 });
    let target: Target = { name: 't', provider: 'openai-compatible', endpoint, model: 'gpt-5-mini', api: 'responses', auth: { type: 'api-key' } };
    let ours = buildResponsesRequest(target, endpoint, responsesRequestBody(target, messages, {}, 10), { header: 'api-key', value: 'sk-test' });
    assert.equal(captured[0].url, 'https://fn.azurewebsites.net/api/v1/responses?code=abc');
    assert.equal(ours.url.toString(), captured[0].url);

    captured = [];
    const azure = new AzureOpenAI({
      baseURL: 'https://apim.example.com/gw/openai?subscription=xyz',
      apiKey: 'test-key-azure',
      apiVersion: '2025-04-01-preview',
      deployment: 'o4-mini-prod',
      maxRetries: 0,
      fetch: recordingFetch(captured),
    });
    await sdkRequest(azure, 'o4-mini-prod', { max_output_tokens: 10 });
    target = {
      name: 't',
      provider: 'azure',
      endpoint: 'https://apim.example.com/gw?subscription=xyz',
      deployment: 'o4-mini-prod',
      api_version: '2025-04-01-preview',
      api: 'responses',
      auth: { type: 'api-key' },
    };
    ours = buildResponsesRequest(target, target.endpoint, responsesRequestBody(target, messages, {}, 10), { header: 'api-key', value: 'test-key-azure' });
    assert.equal(captured[0].url, 'https://apim.example.com/gw/openai/responses?subscription=xyz&api-version=2025-04-01-preview');
    assert.equal(ours.url.toString(), captured[0].url);
  });

  it('a chat without a system message has no instructions; extra_body is copied as it is', () => {
    const target: Target = {
      name: 't',
      provider: 'openai-compatible',
      endpoint: 'http://127.0.0.1:8000/v1',
      model: 'gpt-oss-20b',
      api: 'responses',
      auth: { type: 'none' },
    };
    const body = responsesRequestBody(target, [{ role: 'user', content: 'Hi' }], { extra_body: { store: false } }, undefined);
    assert.deepEqual(body, { model: 'gpt-oss-20b', input: [{ role: 'user', content: 'Hi' }], stream: true, store: false });
    assert.equal(buildResponsesRequest(target, target.endpoint, body, null).url.toString(), 'http://127.0.0.1:8000/v1/responses');
  });
});
