// The engine builds requests itself (for speed), so it must build what the official SDK builds for the
// same target: URL, method, auth header and JSON body. The SDK's fetch is replaced by a recorder.

import { strict as assert } from 'node:assert';
import OpenAI, { AzureOpenAI } from 'openai';
import { buildChatRequest, chatRequestBody, providerFromEndpoint } from '../../../src/engine/chat-request';
import type { Target } from '../../../src/engine/scenario/types';

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function recordingFetch(into: Captured[]): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
    into.push({ url: String(url), method: init?.method ?? 'GET', headers, body: JSON.parse(String(init?.body)) });
    return new Response('data: [DONE]\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
}

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hi.' },
];

async function sdkRequest(client: OpenAI, model: string, extra: Record<string, unknown>): Promise<void> {
  const stream = await client.chat.completions.create({
    model,
    messages: messages as OpenAI.Chat.ChatCompletionMessageParam[],
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
  for await (const _ of stream) {
    // drain
  }
}

describe('chat request building vs the openai SDK', () => {
  it('Azure deployment route: URL with api-version, api-key header, same body', async () => {
    const captured: Captured[] = [];
    const client = new AzureOpenAI({
      endpoint: 'https://contoso.openai.azure.com',
      apiKey: 'test-key-azure',
      apiVersion: '2024-10-21',
      deployment: 'gpt-4o-prod',
      maxRetries: 0,
      fetch: recordingFetch(captured),
    });
    await sdkRequest(client, 'gpt-4o', { max_tokens: 50, temperature: 0 });
    const target: Target = {
      name: 't',
      provider: 'azure',
      endpoint: 'https://contoso.openai.azure.com',
      deployment: 'gpt-4o-prod',
      model: 'gpt-4o',
      api_version: '2024-10-21',
      auth: { type: 'api-key' },
    };
    const body = chatRequestBody(target, messages, { temperature: 0 }, 50);
    const ours = buildChatRequest(target, target.endpoint, body, { header: 'api-key', value: 'test-key-azure' });
    assert.equal(ours.url.toString(), captured[0].url);
    assert.equal(captured[0].method, 'POST');
    assert.equal(ours.headers['api-key'], captured[0].headers['api-key']);
    assert.equal(ours.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(ours.body), captured[0].body);
  });

  it('Azure v1 route: no api-version, model in body, plain OpenAI client', async () => {
    const captured: Captured[] = [];
    const client = new OpenAI({
      baseURL: 'https://contoso.openai.azure.com/openai/v1',
      apiKey: 'entra-token',
      maxRetries: 0,
      fetch: recordingFetch(captured),
    });
    await sdkRequest(client, 'gpt-4.1', { max_tokens: 20 });
    const target: Target = {
      name: 't',
      provider: 'azure',
      endpoint: 'https://contoso.openai.azure.com/openai/v1',
      model: 'gpt-4.1',
      auth: { type: 'bearer' },
    };
    const ours = buildChatRequest(target, target.endpoint, chatRequestBody(target, messages, {}, 20), {
      header: 'authorization',
      value: 'entra-token',
    });
    assert.equal(ours.url.toString(), captured[0].url);
    assert.equal(ours.headers.authorization, captured[0].headers.authorization);
    assert.deepEqual(JSON.parse(ours.body), captured[0].body);
  });

  it('OpenAI and compatible servers: Bearer auth, model in body, reasoning models use max_completion_tokens', async () => {
    for (const [endpoint, model, limitField] of [
      ['https://api.openai.com/v1', 'gpt-4o-mini', 'max_tokens'],
      ['http://127.0.0.1:8000/v1', 'o3-mini', 'max_completion_tokens'],
    ] as const) {
      const captured: Captured[] = [];
      const client = new OpenAI({ baseURL: endpoint, apiKey: 'sk-test', maxRetries: 0, fetch: recordingFetch(captured) });
      await sdkRequest(client, model, { [limitField]: 64, seed: 7 });
      const target: Target = { name: 't', provider: providerFromEndpoint(endpoint), endpoint, model, auth: { type: 'api-key' } };
      const ours = buildChatRequest(target, endpoint, chatRequestBody(target, messages, { seed: 7 }, 64), {
        header: 'api-key',
        value: 'sk-test',
      });
      assert.equal(ours.url.toString(), captured[0].url);
      assert.equal(ours.headers.authorization, captured[0].headers.authorization);
      assert.deepEqual(JSON.parse(ours.body), captured[0].body);
    }
  });

  it('a query string in the endpoint stays the query (Azure Functions, APIM); api-version goes beside it', async () => {
    const key = { header: 'api-key', value: 'sk-test' } as const;
    // OpenAI-style route: `…/api/v1?code=abc` → `…/api/v1/chat/completions?code=abc`.
    for (const endpoint of ['https://fn.azurewebsites.net/api/v1?code=abc', 'https://fn.azurewebsites.net/api/v1/?code=abc&x=1']) {
      const captured: Captured[] = [];
      const client = new OpenAI({ baseURL: endpoint, apiKey: 'sk-test', maxRetries: 0, fetch: recordingFetch(captured) });
      await sdkRequest(client, 'gpt-4o', { max_tokens: 8 });
      const target: Target = { name: 't', provider: 'openai-compatible', endpoint, model: 'gpt-4o', auth: { type: 'api-key' } };
      const ours = buildChatRequest(target, endpoint, chatRequestBody(target, messages, {}, 8), key);
      assert.equal(ours.url.toString(), captured[0].url);
      assert.equal(ours.url.pathname, '/api/v1/chat/completions');
    }
    // Azure deployment route behind a gateway: the gateway's parameter first, then api-version (an
    // api-version already in the endpoint is replaced where it stands, as the SDK does).
    for (const [endpoint, expected] of [
      [
        'https://apim.example.com/gw?subscription=xyz',
        'https://apim.example.com/gw/openai/deployments/gpt-4o-prod/chat/completions?subscription=xyz&api-version=2024-10-21',
      ],
      [
        'https://apim.example.com/gw?api-version=2023-05-15&code=abc',
        'https://apim.example.com/gw/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21&code=abc',
      ],
    ]) {
      const captured: Captured[] = [];
      const sdkBase = new URL(endpoint);
      sdkBase.pathname += '/openai';
      const client = new AzureOpenAI({
        baseURL: sdkBase.toString(),
        apiKey: 'sk-test',
        apiVersion: '2024-10-21',
        deployment: 'gpt-4o-prod',
        maxRetries: 0,
        fetch: recordingFetch(captured),
      });
      await sdkRequest(client, 'gpt-4o', { max_tokens: 8 });
      const target: Target = {
        name: 't',
        provider: 'azure',
        endpoint,
        deployment: 'gpt-4o-prod',
        model: 'gpt-4o',
        api_version: '2024-10-21',
        auth: { type: 'api-key' },
      };
      const ours = buildChatRequest(target, endpoint, chatRequestBody(target, messages, {}, 8), key);
      assert.equal(captured[0].url, expected);
      assert.equal(ours.url.toString(), expected);
    }
    // A function key with characters that need escaping: the same parameters reach the server.
    const endpoint = 'https://fn.azurewebsites.net/api/v1?code=a%2Bb%2Fc%3D%3D';
    const captured: Captured[] = [];
    const client = new OpenAI({ baseURL: endpoint, apiKey: 'sk-test', maxRetries: 0, fetch: recordingFetch(captured) });
    await sdkRequest(client, 'gpt-4o', { max_tokens: 8 });
    const target: Target = { name: 't', provider: 'openai-compatible', endpoint, model: 'gpt-4o', auth: { type: 'api-key' } };
    const ours = buildChatRequest(target, endpoint, chatRequestBody(target, messages, {}, 8), key);
    assert.deepEqual([...ours.url.searchParams], [...new URL(captured[0].url).searchParams]);
    assert.deepEqual([...ours.url.searchParams], [['code', 'a+b/c==']]);
  });

  it('infers the provider from the host name like the Azure benchmarking tool', () => {
    assert.equal(providerFromEndpoint('https://x.openai.azure.com'), 'azure');
    assert.equal(providerFromEndpoint('https://x.cognitiveservices.azure.com/'), 'azure');
    assert.equal(providerFromEndpoint('https://api.openai.com/v1'), 'openai');
    assert.equal(providerFromEndpoint('http://localhost:8000/v1'), 'openai-compatible');
  });
});
