// The simulator's LLM app route (POST /app/chat, /api/chat): a retrieval step, then the chat model's
// generation, in four response kinds. Real HTTP on 127.0.0.1; every client observation is checked
// against the simulator's own log.

import { strict as assert } from 'node:assert';
import { request, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { histogramSeries, parsePrometheusText } from '../../../src/engine/server-metrics/prometheus-text';
import { startSimulator, type RunningSimulator, type SimulatorLogEntry } from '../../../src/simulator';
import { agent, contentText, OPENAI_PATH, post, sleep } from './helpers';

interface Piece {
  /** performance.now() when the bytes ending this piece arrived. */
  t: number;
  /** A JSON event (sse, ndjson) or a raw body chunk (text). */
  raw: string;
  json?: any;
}

interface AppReply {
  status: number;
  headers: IncomingHttpHeaders;
  start: number;
  headersAt: number;
  pieces: Piece[];
  body: string;
  ending: 'end' | 'aborted';
}

/** POSTs to the app route and splits what arrives into its events as they arrive: SSE events,
 *  JSON lines, or the raw chunks of a text body. */
function appPost(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<AppReply> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(
      base + path,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        const headersAt = performance.now();
        const type = String(res.headers['content-type'] ?? '');
        const separator = type.startsWith('text/event-stream') ? '\n\n' : type.startsWith('application/x-ndjson') ? '\n' : null;
        const pieces: Piece[] = [];
        let text = '';
        let pending = '';
        let settled = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const t = performance.now();
          text += chunk;
          if (separator === null) {
            pieces.push({ t, raw: chunk });
            return;
          }
          pending += chunk;
          let at: number;
          while ((at = pending.indexOf(separator)) >= 0) {
            let raw = pending.slice(0, at);
            pending = pending.slice(at + separator.length);
            if (separator === '\n\n') {
              assert.ok(raw.startsWith('data: '), `an SSE event is one data line: ${raw}`);
              raw = raw.slice(6);
            }
            const piece: Piece = { t, raw };
            try {
              piece.json = JSON.parse(raw);
            } catch {
              /* malformed fault */
            }
            pieces.push(piece);
          }
        });
        const finish = (ending: AppReply['ending']) => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, start, headersAt, pieces, body: text, ending });
        };
        res.on('end', () => finish('end'));
        res.on('error', () => finish('aborted'));
        res.on('close', () => finish(res.complete ? 'end' : 'aborted'));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const textOf = (p: Piece) => p.json?.delta?.text as string | undefined;

/** The log entry of the last request. */
const last = (sim: RunningSimulator): SimulatorLogEntry => sim.log[sim.log.length - 1];

const MESSAGES = [
  { role: 'system', content: 'You answer from the documents.' },
  { role: 'user', content: 'How long does retrieval take?' },
  { role: 'assistant', content: 'About 150 ms.' },
  { role: 'user', content: 'And the model?' },
];

describe('simulator LLM app route', function () {
  this.timeout(30_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  /** The log's timeline of a streaming kind: headers at once, then retrieval, first text, end. */
  function checkStreamTimeline(e: SimulatorLogEntry, retrievalMs: number, jitter: number) {
    const retrievalEnd = e.received_ms + e.retrieval_ms!;
    assert.ok(e.headers_ms! - e.received_ms < 20, `headers at once: ${e.headers_ms! - e.received_ms} ms after the body`);
    assert.ok(e.headers_ms! <= retrievalEnd, 'headers ≤ retrieval');
    assert.ok(retrievalEnd <= e.first_content_ms!, 'retrieval ≤ first text');
    assert.ok(e.first_content_ms! <= e.end_ms, 'first text ≤ end');
    assert.equal(e.content_chunk_ms[0], e.first_content_ms);
    for (let i = 1; i < e.content_chunk_ms.length; i++) assert.ok(e.content_chunk_ms[i] >= e.content_chunk_ms[i - 1]);
    checkRetrieval(e, retrievalMs, jitter);
  }

  /** retrieval_ms is the option within its jitter (plus a late timer on a busy machine). */
  function checkRetrieval(e: SimulatorLogEntry, retrievalMs: number, jitter: number) {
    const ms = e.retrieval_ms!;
    assert.ok(ms >= retrievalMs * (1 - jitter) - 1 && ms <= retrievalMs * (1 + jitter) + 60, `retrieval took ${ms} ms for ${retrievalMs} ± ${jitter * 100}%`);
  }

  it('sse: headers at once, a retrieval event, a delta per model chunk, a done event with the usage', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 120, ttft_ms: 60, tpot_ms: 4, tokens_per_chunk: 2, seed: 7 });
    const r = await appPost(sim.url, '/app/chat?stream=sse', { messages: MESSAGES, session_id: 'app-s1', turn: 2, max_tokens: 15 });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/event-stream');
    assert.ok(!r.body.includes('[DONE]'));
    const [first, ...rest] = r.pieces;
    assert.deepEqual(first.json, { type: 'retrieval', documents: 3 });
    const done = rest.pop()!;
    const deltas = rest;
    assert.ok(deltas.every((p) => typeof textOf(p) === 'string' && Object.keys(p.json).length === 1 && Object.keys(p.json.delta).length === 1));
    const e = last(sim);
    assert.deepEqual(done.json, { done: true, usage: { prompt_tokens: e.prompt_tokens, completion_tokens: e.completion_tokens } });
    assert.equal(e.completion_tokens, 15);
    assert.equal(deltas.length, 8, '15 tokens in chunks of 2');
    assert.equal(e.content_chunk_ms.length, deltas.length);
    assert.equal(deltas.map(textOf).join(''), e.content);
    assert.deepEqual(
      [e.route, e.api, e.app_stream, e.stream, e.status, e.session_id, e.turn, e.prompt_messages, e.fault, e.sent_usage],
      ['app', 'chat', 'sse', true, 200, 'app-s1', 2, 4, null, true],
    );
    checkStreamTimeline(e, 120, 0.1);
    // The client sees the same order: headers long before the retrieval event, text after it.
    assert.ok(r.headersAt - r.start < first.t - r.start - 50, 'TTFB is early');
    assert.ok(first.t <= deltas[0].t);
    assert.ok(deltas[0].t - r.start >= 120 * 0.9 + 60 * 0.9, `TTFT ${deltas[0].t - r.start} ms = retrieval + the model's TTFT`);
  });

  it('ndjson: the same objects, one JSON per line', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 80, ttft_ms: 40, tpot_ms: 3, tokens_per_chunk: 3 });
    const r = await appPost(sim.url, '/app/chat?stream=ndjson', { question: 'What is the refund policy?', session_id: 'app-s2', turn: 1, max_tokens: 10 });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/x-ndjson');
    assert.ok(r.body.endsWith('}\n'));
    assert.equal(r.body.split('\n').length, r.pieces.length + 1, 'every line is one JSON object');
    assert.ok(r.pieces.every((p) => p.json !== undefined));
    const e = last(sim);
    assert.deepEqual(r.pieces[0].json, { type: 'retrieval', documents: 3 });
    assert.deepEqual(r.pieces[r.pieces.length - 1].json, { done: true, usage: { prompt_tokens: e.prompt_tokens, completion_tokens: 10 } });
    const deltas = r.pieces.slice(1, -1);
    assert.equal(deltas.length, 4, '10 tokens in chunks of 3');
    assert.equal(deltas.map(textOf).join(''), e.content);
    assert.deepEqual([e.app_stream, e.session_id, e.turn, e.prompt_messages, e.completion_tokens], ['ndjson', 'app-s2', 1, 1, 10]);
    checkStreamTimeline(e, 80, 0.1);
  });

  it('text: the raw text pieces only, chunked', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 80, ttft_ms: 40, tpot_ms: 15 });
    const r = await appPost(sim.url, '/app/chat?stream=text', { prompt: 'Summarise the document.', max_tokens: 8 });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    const e = last(sim);
    assert.equal(r.body, e.content, 'nothing but the text');
    assert.equal(e.content_chunk_ms.length, 8);
    assert.equal(e.completion_tokens, 8);
    assert.ok(r.pieces.length >= 2, `the text arrives over time (${r.pieces.length} chunks)`);
    assert.deepEqual([e.app_stream, e.stream, e.sent_usage, e.session_id, e.turn], ['text', true, false, undefined, undefined]);
    checkStreamTimeline(e, 80, 0.1);
    assert.ok(r.pieces[0].t - r.start >= 80 * 0.9 + 40 * 0.9, 'the first text comes after retrieval and TTFT');
  });

  it('json: one body after the whole generation; headers only then', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 80, ttft_ms: 40, tpot_ms: 5 });
    const r = await appPost(sim.url, '/app/chat?stream=json', { messages: MESSAGES, session_id: 'app-s3', turn: 3, max_tokens: 12 });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const e = last(sim);
    assert.deepEqual(JSON.parse(r.body), { answer: e.content, usage: { prompt_tokens: e.prompt_tokens, completion_tokens: 12 } });
    assert.ok(r.headersAt - r.start >= 80 * 0.9 + 40 * 0.9 + 11 * 5 * 0.9, `headers after the whole generation (${r.headersAt - r.start} ms)`);
    // Retrieval ≤ headers = the body write (the one text-bearing write) ≤ end.
    const retrievalEnd = e.received_ms + e.retrieval_ms!;
    assert.ok(retrievalEnd <= e.headers_ms!);
    assert.equal(e.first_content_ms, e.headers_ms);
    assert.deepEqual(e.content_chunk_ms, [e.headers_ms]);
    assert.ok(e.headers_ms! <= e.end_ms);
    assert.deepEqual([e.app_stream, e.stream, e.session_id, e.turn, e.prompt_messages, e.sent_usage], ['json', false, 'app-s3', 3, 4, true]);
    checkRetrieval(e, 80, 0.1);
  });

  it('/api/chat is the same route, sse by default; the model part is what the chat route plans for the same request', async () => {
    const options = { keep_log: true, app_retrieval_ms: 10, ttft_ms: 10, tpot_ms: 1, seed: 42 };
    // Two simulators with the same seed: request #1 of each gets the same draws.
    const chat = await startSimulator(options);
    try {
      const viaChat = await post(chat.url, OPENAI_PATH, { model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
      sim = await startSimulator(options);
      const viaApp = await appPost(sim.url, '/api/chat', { messages: MESSAGES });
      assert.equal(viaApp.headers['content-type'], 'text/event-stream');
      const usage = viaApp.pieces[viaApp.pieces.length - 1].json.usage;
      const chatUsage = viaChat.events.find((ev) => ev.json?.usage)!.json.usage;
      assert.equal(usage.prompt_tokens, chatUsage.prompt_tokens, 'prompt tokens of the messages, as the chat route counts them');
      assert.equal(usage.completion_tokens, 200, 'default_max_tokens when the body names none');
      assert.equal(usage.completion_tokens, chatUsage.completion_tokens);
      const text = viaApp.pieces
        .map(textOf)
        .filter((t) => t !== undefined)
        .join('');
      assert.equal(text, contentText(viaChat), 'the same answer text');
      assert.equal(last(sim).finish_reason, chat.log[0].finish_reason);
      // A question counts as one user message.
      const viaChatQ = await post(chat.url, OPENAI_PATH, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Why?' }], max_tokens: 1 });
      const viaAppQ = await appPost(sim.url, '/app/chat?stream=json', { question: 'Why?', max_tokens: 1 });
      assert.equal(JSON.parse(viaAppQ.body).usage.prompt_tokens, JSON.parse(viaChatQ.body).usage.prompt_tokens);
    } finally {
      await chat.close();
    }
  });

  it("a reasoning model's reasoning is counted in the usage and takes its time, but the app shows only the answer", async () => {
    sim = await startSimulator({
      keep_log: true,
      app_retrieval_ms: 10,
      ttft_ms: 10,
      tpot_ms: 10,
      jitter: 0,
      reasoning_tokens: 6,
      reasoning_field: 'reasoning_content',
    });
    const r = await appPost(sim.url, '/app/chat?stream=sse', { question: 'q', max_tokens: 10 });
    const deltas = r.pieces.filter((p) => textOf(p) !== undefined);
    const e = last(sim);
    assert.equal(deltas.length, 4, 'the 4 answer tokens, no reasoning event');
    assert.equal(deltas.map(textOf).join(''), e.content);
    assert.deepEqual(r.pieces[r.pieces.length - 1].json.usage, { prompt_tokens: e.prompt_tokens, completion_tokens: 10 });
    assert.deepEqual([e.completion_tokens, e.reasoning_tokens, e.reasoning_chunk_ms.length], [10, 6, 0]);
    assert.ok(e.first_content_ms! - e.received_ms >= 10 + 10 + 6 * 10 - 1, 'the hidden reasoning is decoded before the first answer token');
  });

  it('retrieval_ms follows app_retrieval_ms within the jitter, on top of the model TTFT', async () => {
    for (const retrieval of [30, 250]) {
      sim = await startSimulator({ keep_log: true, app_retrieval_ms: retrieval, jitter: 0.2, ttft_ms: 30, tpot_ms: 1 });
      for (let i = 0; i < 4; i++) {
        const r = await appPost(sim.url, '/app/chat', { question: 'q', max_tokens: 2 });
        assert.equal(r.status, 200);
        const e = last(sim);
        checkRetrieval(e, retrieval, 0.2);
        assert.ok(e.first_content_ms! - e.received_ms >= e.retrieval_ms! + 30 * 0.8 - 1, 'the model starts after retrieval');
      }
      const spread = sim.log.map((e) => e.retrieval_ms!);
      assert.ok(Math.max(...spread) > Math.min(...spread), 'jittered');
      await sim.close();
    }
  });

  it('400 for bodies it cannot use, as {"error":{"message"}}, logged', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 5, ttft_ms: 5, tpot_ms: 1 });
    const bad: Array<[string, unknown]> = [
      ['/app/chat', 'not json'],
      ['/app/chat', '[1, 2]'],
      ['/app/chat', {}],
      ['/app/chat', { session_id: 's', turn: 1 }],
      ['/app/chat', { messages: [] }],
      ['/app/chat', { messages: 'hello' }],
      ['/app/chat', { question: '' }],
      ['/app/chat', { prompt: 42 }],
      ['/app/chat', { question: 'q', session_id: 7 }],
      ['/app/chat', { question: 'q', turn: 'two' }],
      ['/app/chat', { question: 'q', max_tokens: 0 }],
      ['/api/chat?stream=xml', { question: 'q' }],
    ];
    for (const [path, body] of bad) {
      const r = await appPost(sim.url, path, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.headers['content-type'], 'application/json');
      const parsed = JSON.parse(r.body);
      assert.deepEqual(Object.keys(parsed), ['error']);
      assert.deepEqual(Object.keys(parsed.error), ['message']);
      assert.ok(parsed.error.message.length > 10);
    }
    assert.equal(sim.log.length, bad.length);
    assert.ok(sim.log.every((e) => e.route === 'app' && e.status === 400 && e.headers_ms === e.end_ms && e.content_chunk_ms.length === 0));
    assert.match(JSON.parse((await appPost(sim.url, '/app/chat', 'not json')).body).error.message, /not valid JSON/);
    assert.match(JSON.parse((await appPost(sim.url, '/app/chat', {})).body).error.message, /messages.*question/);
  });

  it('401 without the key when api_key is set; x-api-key, api-key and Bearer are accepted; the key is never logged', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 5, ttft_ms: 5, tpot_ms: 1, api_key: 'app-sekret' });
    const body = { question: 'q', max_tokens: 2 };
    const good: Array<Record<string, string>> = [{ 'x-api-key': 'app-sekret' }, { 'api-key': 'app-sekret' }, { authorization: 'Bearer app-sekret' }];
    for (const headers of good) {
      assert.equal((await appPost(sim.url, '/app/chat?stream=json', body, headers)).status, 200, JSON.stringify(headers));
    }
    const wrong: Array<Record<string, string>> = [{}, { 'x-api-key': 'nope' }, { authorization: 'Bearer nope' }];
    for (const headers of wrong) {
      const r = await appPost(sim.url, '/app/chat', body, headers);
      assert.equal(r.status, 401);
      assert.equal(typeof JSON.parse(r.body).error.message, 'string');
    }
    assert.deepEqual(
      sim.log.map((e) => [e.auth, e.status, e.fault]),
      [
        ['api-key', 200, null],
        ['api-key', 200, null],
        ['bearer', 200, null],
        ['none', 401, 'unauthorized'],
        ['api-key', 401, 'unauthorized'],
        ['bearer', 401, 'unauthorized'],
      ],
    );
    assert.ok(!JSON.stringify(sim.log).includes('app-sekret'));
  });

  it('429 with retry-after-ms over rpm_limit, before any header', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 5, ttft_ms: 5, tpot_ms: 1, rpm_limit: 2 });
    const body = { question: 'q', session_id: 'app-s9', turn: 3, max_tokens: 2 };
    assert.equal((await appPost(sim.url, '/app/chat', body)).status, 200);
    assert.equal((await appPost(sim.url, '/app/chat?stream=text', body)).status, 200);
    const r = await appPost(sim.url, '/app/chat', body);
    assert.equal(r.status, 429);
    assert.equal(r.headers['content-type'], 'application/json');
    const ms = Number(r.headers['retry-after-ms']);
    assert.ok(Number.isInteger(ms) && ms > 0, `retry-after-ms ${r.headers['retry-after-ms']}`);
    assert.equal(Number(r.headers['retry-after']), Math.ceil(ms / 1000));
    assert.match(JSON.parse(r.body).error.message, /retry after/);
    const e = last(sim);
    assert.deepEqual([e.status, e.fault, e.retry_after_ms, e.session_id, e.turn, e.retrieval_ms], [429, 'throttled', ms, 'app-s9', 3, undefined]);
  });

  it('retrieval holds no serving slot: with max_concurrency 1 the second request waits after its retrieval, headers already sent', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 50, ttft_ms: 60, tpot_ms: 5, jitter: 0, max_concurrency: 1 });
    const body = { question: 'q', max_tokens: 20 };
    const replies = await Promise.all([appPost(sim.url, '/app/chat', body), appPost(sim.url, '/app/chat', body)]);
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200],
    );
    const [a, b] = [...sim.log].sort((x, y) => x.seq - y.seq);
    for (const e of [a, b]) checkStreamTimeline(e, 50, 0);
    assert.equal(a.queued_ms, undefined);
    assert.ok(b.queued_ms! > 100, `the second waited ${b.queued_ms} ms for the slot`);
    assert.ok(b.first_content_ms! >= a.end_ms, 'its generation starts when the first one ends');
    assert.ok(Math.abs(b.received_ms + b.retrieval_ms! + b.queued_ms! - a.end_ms) < 25, 'the wait runs from its retrieval end to the free slot');
  });

  it('a client that leaves during retrieval is logged and frees the request; close() cuts one in retrieval', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 400, jitter: 0, ttft_ms: 5, tpot_ms: 1 });
    const controller = new AbortController();
    const res = await fetch(`${sim.url}/app/chat`, { method: 'POST', body: JSON.stringify({ question: 'q' }), signal: controller.signal });
    assert.equal(res.status, 200, 'headers come at once');
    assert.equal(sim.inFlight(), 1, 'a request in retrieval is in flight');
    controller.abort();
    await sleep(100);
    assert.equal(sim.inFlight(), 0);
    assert.equal(sim.log.length, 1);
    assert.deepEqual([sim.log[0].interrupted, sim.log[0].retrieval_ms, sim.log[0].first_content_ms], ['client', undefined, undefined]);
    await sleep(400);
    assert.equal(sim.log.length, 1, 'its retrieval step never fires');

    const pending = appPost(sim.url, '/app/chat', { question: 'q' });
    await sleep(100);
    await sim.close();
    assert.equal((await pending).ending, 'aborted');
    assert.equal(last(sim).interrupted, 'shutdown');
  });

  it('faults act on the model part: a dropped stream is cut, an error is a 500, a malformed event breaks its JSON (text has none to break)', async () => {
    const quick = { keep_log: true, app_retrieval_ms: 5, ttft_ms: 5, tpot_ms: 1 };
    sim = await startSimulator({ ...quick, faults: { error_rate: 0, drop_rate: 1, stall_rate: 0, stall_ms: 0, malformed_rate: 0 } });
    const dropped = await appPost(sim.url, '/app/chat?stream=ndjson', { question: 'q', max_tokens: 10 });
    assert.equal(dropped.ending, 'aborted');
    assert.equal(last(sim).fault, 'drop');
    assert.ok(!dropped.pieces.some((p) => p.json?.done), 'no done event');
    await sim.close();

    sim = await startSimulator({ ...quick, faults: { error_rate: 1, drop_rate: 0, stall_rate: 0, stall_ms: 0, malformed_rate: 0 } });
    const failed = await appPost(sim.url, '/app/chat', { question: 'q' });
    assert.equal(failed.status, 500);
    assert.equal(typeof JSON.parse(failed.body).error.message, 'string');
    assert.equal(last(sim).fault, 'error_500');
    await sim.close();

    sim = await startSimulator({ ...quick, faults: { error_rate: 0, drop_rate: 0, stall_rate: 0, stall_ms: 0, malformed_rate: 1 } });
    const malformed = await appPost(sim.url, '/app/chat?stream=sse', { question: 'q', max_tokens: 6 });
    assert.equal(malformed.pieces.filter((p) => p.json === undefined).length, 1);
    assert.equal(last(sim).fault, 'malformed');
    const text = await appPost(sim.url, '/app/chat?stream=text', { question: 'q', max_tokens: 6 });
    assert.equal(text.body, last(sim).content);
    assert.equal(last(sim).fault, null);
  });

  it('GET /metrics counts app requests like the others', async () => {
    sim = await startSimulator({ keep_log: true, app_retrieval_ms: 20, ttft_ms: 10, tpot_ms: 2, rpm_limit: 4 });
    for (const kind of ['sse', 'ndjson', 'text', 'json'])
      assert.equal((await appPost(sim.url, `/app/chat?stream=${kind}`, { messages: MESSAGES, max_tokens: 5 })).status, 200);
    assert.equal((await appPost(sim.url, '/app/chat', { question: 'q' })).status, 429);
    const families = new Map(parsePrometheusText(await (await fetch(`${sim.url}/metrics`)).text()).map((f) => [f.name, f]));
    const sum = (name: string) => families.get(name)!.samples.reduce((a, s) => a + s.value, 0);
    const served = sim.log.filter((e) => e.status === 200);
    assert.equal(served.length, 4);
    assert.equal(sum('vllm:request_success_total'), 4, 'the 429 never reached the model');
    assert.equal(
      sum('vllm:prompt_tokens_total'),
      served.reduce((a, e) => a + e.prompt_tokens, 0),
    );
    assert.equal(sum('vllm:generation_tokens_total'), 20);
    const ttft = histogramSeries(families.get('vllm:time_to_first_token_seconds')!)[0];
    assert.equal(ttft.count, 3, 'the three streamed kinds; a json body is no first token');
    const e2e = histogramSeries(families.get('vllm:e2e_request_latency_seconds')!)[0];
    assert.equal(e2e.count, 4);
  });
});
