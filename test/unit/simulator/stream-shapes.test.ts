import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { AZURE_PATH, AZURE_V1_PATH, OPENAI_PATH, chatBody, contentEvents, contentText, countTokens, post, type Reply } from './helpers';

/** Asserts the common tail: content…, finish, (usage), [DONE]; returns the content events. */
function checkBody(r: Reply, opts: { azure: boolean; usage: boolean; n: number; finish: string; tpc?: number }) {
  const ev = r.events;
  assert.equal(r.status, 200);
  assert.equal(r.ending, 'end');
  assert.match(String(r.headers['content-type']), /^text\/event-stream/);
  assert.equal(ev.at(-1)!.data, '[DONE]');
  let i = 0;
  if (opts.azure) {
    const f = ev[i++].json;
    assert.equal(f.id, '');
    assert.equal(f.object, '');
    assert.equal(f.model, '');
    assert.equal(f.created, 0);
    assert.deepEqual(f.choices, []);
    assert.equal(f.prompt_filter_results[0].prompt_index, 0);
    assert.equal(f.prompt_filter_results[0].content_filter_results.hate.filtered, false);
  }
  const role = ev[i++].json;
  assert.deepEqual(role.choices[0].delta.role, 'assistant');
  assert.equal(role.choices[0].delta.content, '');
  assert.equal(role.choices[0].finish_reason, null);
  const id = role.id;
  assert.match(id, /^chatcmpl-[A-Za-z0-9]{29}$/);

  const content = contentEvents(r);
  const tpc = opts.tpc ?? 1;
  assert.equal(content.length, Math.ceil(opts.n / tpc));
  assert.deepEqual(ev.slice(i, i + content.length), content, 'content events follow the role chunk');
  i += content.length;
  for (const c of content) {
    assert.equal(c.json.object, 'chat.completion.chunk');
    assert.equal(c.json.choices[0].finish_reason, null);
    assert.equal(c.json.choices[0].delta.role, undefined);
    assert.equal('content_filter_results' in c.json.choices[0], opts.azure);
  }
  const finish = ev[i++].json;
  assert.deepEqual(finish.choices[0].delta, {});
  assert.equal(finish.choices[0].finish_reason, opts.finish);
  let usage: any;
  if (opts.usage) {
    usage = ev[i++].json;
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage.completion_tokens, opts.n);
    assert.equal(usage.usage.total_tokens, usage.usage.prompt_tokens + opts.n);
    assert.equal(usage.usage.prompt_tokens_details.cached_tokens, 0);
    assert.ok(usage.usage.prompt_tokens > 0);
  }
  assert.equal(i, ev.length - 1, 'nothing between the last chunk and [DONE]');

  // Same id / created / model everywhere except Azure's filter chunk; usage:null iff include_usage.
  const chunks = ev.slice(opts.azure ? 1 : 0, -1).map((e) => e.json);
  for (const c of chunks) {
    assert.equal(c.id, id);
    assert.equal(c.created, role.created);
    assert.equal(c.model, role.model);
    if (c !== usage) assert.equal(c.usage, opts.usage ? null : undefined);
  }
  if (opts.azure && opts.usage) assert.equal(ev[0].json.usage, null);
  return { id, content, usage };
}

describe('simulator stream shapes', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ ttft_ms: 5, ttft_per_1k_prompt_ms: 0, tpot_ms: 1, keep_log: true });
  });
  after(() => sim.close());

  it('Azure deployment route: filter chunk, role chunk, content, finish, usage, [DONE]', async () => {
    const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 20, stream_options: { include_usage: true } }));
    checkBody(r, { azure: true, usage: true, n: 20, finish: 'length' });
    assert.equal(r.headers['x-ms-region'], 'simulator');
    assert.ok(r.headers['apim-request-id']);
    assert.ok(r.headers['x-request-id']);
    assert.equal(r.events[1].json.model, 'gpt-4o', 'Azure reports the deployment when the body names no model');
  });

  it('Azure route without include_usage: no usage chunk, no usage fields', async () => {
    const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 7 }));
    checkBody(r, { azure: true, usage: false, n: 7, finish: 'length' });
    assert.equal('usage' in r.events[0].json, false);
  });

  it('Azure route without the prompt filter option sends no filter chunk', async () => {
    const plain = await startSimulator({ ttft_ms: 1, tpot_ms: 1, azure_prompt_filter: false });
    try {
      const r = await post(plain.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 4 }));
      assert.equal(r.events[0].json.choices[0].delta.role, 'assistant');
      assert.equal(contentEvents(r).length, 4);
      assert.ok('content_filter_results' in contentEvents(r)[0].json.choices[0]);
    } finally {
      await plain.close();
    }
  });

  it('Azure v1 route: model from the body, Azure annotations, no api-version needed', async () => {
    const r = await post(sim.url, AZURE_V1_PATH, chatBody({ model: 'gpt-4.1-mini', stream: true, max_tokens: 12, stream_options: { include_usage: true } }));
    checkBody(r, { azure: true, usage: true, n: 12, finish: 'length' });
    assert.equal(r.events[1].json.model, 'gpt-4.1-mini');
  });

  it('OpenAI routes: role chunk first, no annotations', async () => {
    for (const path of [OPENAI_PATH, '/chat/completions']) {
      const r = await post(sim.url, path, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 9, stream_options: { include_usage: true } }));
      checkBody(r, { azure: false, usage: true, n: 9, finish: 'length' });
      assert.equal(r.headers['x-ms-region'], undefined);
      const r2 = await post(sim.url, path, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 3 }));
      checkBody(r2, { azure: false, usage: false, n: 3, finish: 'length' });
    }
  });

  it('content has exactly N tokens in both encodings: the request limit, else default_max_tokens', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ max_tokens: 1 }, 1, 'length'],
      [{ max_tokens: 37 }, 37, 'length'],
      [{ max_completion_tokens: 64 }, 64, 'length'],
      [{ max_tokens: 500, max_completion_tokens: 50 }, 50, 'length'],
      [{ max_tokens: 1000 }, 1000, 'length'],
      [{}, 200, 'stop'],
    ];
    for (const [extra, n, finish] of cases) {
      const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, ...extra }));
      const { usage } = checkBody(r, { azure: false, usage: true, n, finish });
      const text = contentText(r);
      assert.equal(usage.usage.completion_tokens, n);
      assert.equal(countTokens(text, 'o200k_base'), n, text);
      assert.equal(countTokens(text, 'cl100k_base'), n, text);
    }
  });

  it('tokens_per_chunk groups tokens into multi-token chunks', async () => {
    const multi = await startSimulator({ ttft_ms: 1, tpot_ms: 1, tokens_per_chunk: 4 });
    try {
      const r = await post(multi.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 30, stream_options: { include_usage: true } }));
      const { content } = checkBody(r, { azure: true, usage: true, n: 30, finish: 'length', tpc: 4 });
      const perChunk = content.map((c) => countTokens(c.json.choices[0].delta.content, 'o200k_base'));
      assert.deepEqual(perChunk, [4, 4, 4, 4, 4, 4, 4, 2]);
      assert.equal(countTokens(contentText(r), 'cl100k_base'), 30);
    } finally {
      await multi.close();
    }
  });

  it('frames chunks correctly when the model name is not ASCII', async () => {
    const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'modèle-ß-日本', stream: true, max_tokens: 5 }));
    checkBody(r, { azure: false, usage: false, n: 5, finish: 'length' });
    assert.equal(contentEvents(r)[0].json.model, 'modèle-ß-日本');
  });

  it('serves HTTP/1.0 clients (no chunked encoding) too', async () => {
    const port = new URL(sim.url).port;
    const body = JSON.stringify(chatBody({ model: 'gpt-4o', stream: true, max_tokens: 3 }));
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1');
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      s.on('end', () => resolve(text));
      s.on('error', reject);
      s.write(`POST ${OPENAI_PATH} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    assert.match(raw, /^HTTP\/1\.1 200/);
    assert.doesNotMatch(raw, /transfer-encoding: chunked/i);
    const events = raw
      .split('\r\n\r\n')[1]
      .split('\n\n')
      .filter((e) => e.startsWith('data: '));
    assert.equal(events.length, 1 + 3 + 1 + 1, 'role, 3 content, finish, [DONE]');
    assert.equal(events.at(-1), 'data: [DONE]');
  });

  it('non-streaming: one chat.completion with usage', async () => {
    const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', max_tokens: 25 }));
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const body = JSON.parse(r.body);
    assert.equal(body.object, 'chat.completion');
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.equal(body.usage.completion_tokens, 25);
    assert.equal(countTokens(body.choices[0].message.content, 'o200k_base'), 25);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + 25);

    const az = JSON.parse((await post(sim.url, AZURE_PATH, chatBody({ max_tokens: 3 }))).body);
    assert.ok(az.prompt_filter_results);
    assert.ok(az.choices[0].content_filter_results);
    assert.equal(az.usage.completion_tokens, 3);
  });

  it('bad requests get 400 in the right shape', async () => {
    const bad = await post(sim.url, OPENAI_PATH, '{"model":"gpt-4o","messages":[');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).error.type, 'invalid_request_error');

    const noMessages = await post(sim.url, OPENAI_PATH, { model: 'gpt-4o', stream: true });
    assert.equal(noMessages.status, 400);
    assert.deepEqual(JSON.parse(noMessages.body).error.param, 'messages');
    assert.equal(JSON.parse(noMessages.body).error.code, 'missing_required_parameter');

    const empty = await post(sim.url, AZURE_PATH, { messages: [] });
    assert.equal(empty.status, 400);
    assert.equal(JSON.parse(empty.body).error.code, 'empty_array');

    const noModel = await post(sim.url, OPENAI_PATH, chatBody());
    assert.equal(noModel.status, 400);
    assert.match(JSON.parse(noModel.body).error.message, /model/);

    const badMax = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', max_tokens: 0 }));
    assert.equal(badMax.status, 400);
    assert.equal(JSON.parse(badMax.body).error.param, 'max_tokens');

    const noVersion = await post(sim.url, '/openai/deployments/gpt-4o/chat/completions', chatBody({ stream: true }));
    assert.equal(noVersion.status, 400);
    assert.deepEqual(JSON.parse(noVersion.body), {
      error: {
        code: 'MissingApiVersionParameter',
        message: 'The api-version query parameter (?api-version=) is required for all requests.',
      },
    });

    // include_usage arrived with api-version 2024-09-01-preview; Azure rejects it before.
    const old = await post(
      sim.url,
      '/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01',
      chatBody({ stream: true, stream_options: { include_usage: true } }),
    );
    assert.equal(old.status, 400);
    assert.match(JSON.parse(old.body).error.message, /stream_options/);
    const oldPlain = await post(sim.url, '/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01', chatBody({ stream: true, max_tokens: 2 }));
    assert.equal(oldPlain.status, 200);

    const rejected = sim.log.filter((e) => e.status === 400);
    assert.ok(rejected.length >= 7);
  });

  it('GET /healthz, GET /v1/models, unknown routes', async () => {
    const h = await fetch(sim.url + '/healthz');
    assert.equal(h.status, 200);
    const m = await fetch(sim.url + '/v1/models');
    assert.equal(m.status, 200);
    const list = (await m.json()) as { object: string; data: Array<{ id: string; object: string }> };
    assert.equal(list.object, 'list');
    assert.ok(list.data.some((d) => d.id === 'gpt-4o' && d.object === 'model'));
    const nf = await fetch(sim.url + '/v1/nothing', { method: 'POST', body: '{}' });
    assert.equal(nf.status, 404);
    assert.match(((await nf.json()) as any).error.message, /Invalid URL/);
  });
});
