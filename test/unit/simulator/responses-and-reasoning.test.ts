// The simulator's newer shapes on the wire: the Responses API (checked by the official SDK too),
// reasoning deltas, vLLM continuous usage, servers that send no usage, Azure's asynchronous-filter
// annotations and coalesced writes.
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI } from 'openai';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import type { SimulatorOptions } from '../../../src/simulator/types';
import { AZURE_PATH, OPENAI_PATH, chatBody, contentEvents, countTokens, post } from './helpers';

const responsesBody = (extra: Record<string, unknown> = {}) => ({
  model: 'o4-mini',
  instructions: 'You are a helpful assistant.',
  input: [{ role: 'user', content: 'Tell me about latency.' }],
  stream: true,
  ...extra,
});

describe('simulator: Responses API, reasoning and usage shapes', () => {
  const sims: RunningSimulator[] = [];
  const start = async (o: Partial<SimulatorOptions>) => {
    const s = await startSimulator({ ttft_ms: 5, ttft_per_1k_prompt_ms: 0, tpot_ms: 1, jitter: 0, keep_log: true, ...o });
    sims.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });

  it('Responses API: event order, sequence numbers, one id, usage only in the terminal event', async () => {
    const sim = await start({ reasoning_tokens: 3 });
    const r = await post(sim.url, '/v1/responses', responsesBody({ max_output_tokens: 10 }));
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/event-stream/);
    const types = r.events.map((e) => e.json.type);
    assert.deepEqual(types, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      ...Array(3).fill('response.reasoning_summary_text.delta'),
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(7).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete', // max_output_tokens reached, as the real API says it
    ]);
    assert.ok(!r.events.some((e) => e.data === '[DONE]'), 'no [DONE] in the Responses API');
    assert.deepEqual(
      r.events.map((e) => e.json.sequence_number),
      types.map((_, i) => i),
    );
    const created = r.events[0].json.response;
    const last = r.events.at(-1)!.json.response;
    assert.match(created.id, /^resp_[0-9a-f]{48}$/);
    assert.equal(last.id, created.id);
    assert.equal(created.usage, null);
    assert.deepEqual(last.usage, {
      input_tokens: sim.log[0].prompt_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 10,
      output_tokens_details: { reasoning_tokens: 3 },
      total_tokens: sim.log[0].prompt_tokens + 10,
    });
    assert.deepEqual(last.incomplete_details, { reason: 'max_output_tokens' });
    const text = r.events
      .filter((e) => e.json.type === 'response.output_text.delta')
      .map((e) => e.json.delta)
      .join('');
    assert.equal(countTokens(text, 'o200k_base'), 7);
    assert.equal(last.output[1].content[0].text, text);
    assert.equal(sim.log[0].api, 'responses');
    assert.equal(sim.log[0].response_id, created.id);
    assert.equal(sim.log[0].reasoning_chunk_ms.length, 3);
    assert.equal(sim.log[0].content_chunk_ms.length, 7);
  });

  it('Responses API: reasoning text events; completed without a limit; 400s the real API gives', async () => {
    const sim = await start({ reasoning_tokens: 2, reasoning_event: 'text', default_max_tokens: 5 });
    const r = await post(sim.url, '/v1/responses', responsesBody());
    const types = r.events.map((e) => e.json.type);
    assert.equal(types.filter((t) => t === 'response.reasoning_text.delta').length, 2);
    assert.equal(types.at(-1), 'response.completed');
    assert.equal(r.events.at(-1)!.json.response.status, 'completed');
    const noInput = await post(sim.url, '/v1/responses', { model: 'o4-mini', stream: true });
    assert.equal(noInput.status, 400);
    assert.match(JSON.parse(noInput.body).error.message, /Missing required parameter: 'input'/);
    const noModel = await post(sim.url, '/openai/v1/responses', { input: 'hi', stream: true });
    assert.equal(noModel.status, 400);
    const noVersion = await post(sim.url, '/openai/responses', responsesBody());
    assert.equal(noVersion.status, 400, 'the dated Azure route needs an api-version');
  });

  it('the official SDK reads the Responses stream on the OpenAI, Azure v1 and dated Azure routes', async () => {
    const sim = await start({ reasoning_tokens: 4 });
    const clients: OpenAI[] = [
      new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-sim', maxRetries: 0 }),
      new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey: 'sk-sim', maxRetries: 0 }),
      new AzureOpenAI({ endpoint: sim.url, apiKey: 'sim', apiVersion: '2025-04-01-preview', deployment: 'o4-mini', maxRetries: 0 }),
    ];
    for (const client of clients) {
      const stream = await client.responses.create({ model: 'o4-mini', input: 'Hi', stream: true, max_output_tokens: 12 });
      let reasoning = 0;
      let text = '';
      let final: OpenAI.Responses.Response | undefined;
      for await (const event of stream) {
        if (event.type === 'response.reasoning_summary_text.delta') reasoning++;
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.incomplete') final = event.response;
      }
      assert.equal(reasoning, 4);
      assert.equal(countTokens(text, 'o200k_base'), 8);
      assert.equal(final?.usage?.output_tokens, 12);
      assert.equal(final?.usage?.output_tokens_details.reasoning_tokens, 4);
    }
    assert.deepEqual(
      sim.log.map((e) => e.route),
      ['openai', 'azure-v1', 'azure'],
    );
  });

  it('chat: reasoning as delta.reasoning_content or delta.reasoning, or hidden and counted in usage', async () => {
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      const sim = await start({ reasoning_tokens: 5, reasoning_field: field });
      const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'o4-mini', stream: true, max_tokens: 12, stream_options: { include_usage: true } }));
      const reasoning = r.events.filter((e) => typeof e.json?.choices?.[0]?.delta?.[field] === 'string');
      assert.equal(reasoning.length, 5);
      assert.ok(r.events.indexOf(reasoning.at(-1)!) < r.events.indexOf(contentEvents(r)[0]), 'reasoning first');
      assert.equal(contentEvents(r).length, 7);
      const usage = r.events.at(-2)!.json.usage;
      assert.equal(usage.completion_tokens, 12);
      assert.equal(usage.completion_tokens_details.reasoning_tokens, 5);
    }
    const hidden = await start({ reasoning_tokens: 40, reasoning_field: 'hidden', tpot_ms: 2 });
    const r = await post(hidden.url, OPENAI_PATH, chatBody({ model: 'o4-mini', stream: true, max_tokens: 50, stream_options: { include_usage: true } }));
    assert.ok(!r.events.some((e) => e.json?.choices?.[0]?.delta?.reasoning_content), 'nothing streamed');
    assert.equal(contentEvents(r).length, 10);
    assert.equal(r.events.at(-2)!.json.usage.completion_tokens_details.reasoning_tokens, 40);
    const e = hidden.log[0];
    assert.ok(e.first_content_ms! - e.headers_ms! >= 40 * 2 * 0.9, 'the answer starts after the unseen reasoning');
    assert.equal(e.reasoning_tokens, 40);
    assert.equal(e.completion_tokens, 50);
  });

  it('chat: vLLM continuous usage (cumulative on every chunk, only with include_usage), forced, or none', async () => {
    const sim = await start({ reasoning_tokens: 2 });
    const opts = { include_usage: true, continuous_usage_stats: true };
    const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 6, stream_options: opts }));
    const counts = r.events.filter((e) => e.json).map((e) => e.json.usage.completion_tokens);
    assert.deepEqual(counts, [0, 1, 2, 3, 4, 5, 6, 6, 6], 'role, 6 output chunks, finish, final usage chunk');
    const ignored = await post(sim.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 3, stream_options: { continuous_usage_stats: true } }));
    assert.ok(
      ignored.events.every((e) => e.json?.usage === undefined),
      'continuous_usage_stats needs include_usage',
    );

    const forced = await start({ usage: 'continuous' });
    const f = await post(forced.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 3 }));
    assert.deepEqual(
      f.events.filter((e) => e.json).map((e) => e.json.usage.completion_tokens),
      [0, 1, 2, 3, 3, 3],
    );
    assert.equal(forced.log[0].continuous_usage, true);

    const none = await start({ usage: 'none' });
    const n = await post(none.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 3, stream_options: { include_usage: true } }));
    assert.ok(
      n.events.every((e) => !e.json?.usage),
      'a server that ignores include_usage',
    );
    assert.equal(none.log[0].include_usage, true);
    assert.equal(none.log[0].sent_usage, false);
  });

  it('chat on Azure: asynchronous-filter annotations every 10 content chunks and after the finish chunk', async () => {
    const sim = await start({ azure_async_filter: true });
    const r = await post(sim.url, AZURE_PATH, chatBody({ stream: true, max_tokens: 25, stream_options: { include_usage: true } }));
    const annotations = r.events.filter((e) => e.json && e.json.id === '' && e.json.choices?.[0]?.content_filter_offsets);
    assert.equal(annotations.length, 3);
    for (const a of annotations) assert.equal(a.json.choices[0].delta, undefined, 'no delta: not a token');
    const finishAt = r.events.findIndex((e) => e.json?.choices?.[0]?.finish_reason === 'length' && e.json.id !== '');
    assert.equal(r.events.indexOf(annotations[2]), finishAt + 1, 'one annotation after the finish chunk');
    assert.equal(r.events.at(-1)!.data, '[DONE]');
    assert.equal(contentEvents(r).length, 25);
  });

  it('coalesced events: N output events per socket write, each logged at that write', async () => {
    const sim = await start({ coalesce_events: 4, tpot_ms: 5 });
    const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'm', stream: true, max_tokens: 12 }));
    const content = contentEvents(r);
    assert.equal(content.length, 12);
    // The test client stamps each read: events of one write share a read.
    const reads = new Set(content.map((e) => e.t));
    assert.ok(reads.size <= 3 + 1, `${reads.size} reads for 3 writes`);
    const e = sim.log[0];
    assert.equal(e.output_writes, 3);
    assert.equal(new Set(e.content_chunk_ms).size, 3, 'four events share each write time');
  });
});
