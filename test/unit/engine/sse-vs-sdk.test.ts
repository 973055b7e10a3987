// The engine's fast SSE path must yield exactly what the official `openai` SDK parses from the same
// bytes, however the bytes are split into network reads.

import { strict as assert } from 'node:assert';
import { Stream } from 'openai/core/streaming';
import { SseParser } from '../../../src/engine/sse';
import { mulberry32 } from '../../../src/tokens/rng';

type Outcome = { items: unknown[]; end: 'done' | 'eof' | 'api_error' | 'malformed' };

async function parseWithSdk(chunks: Uint8Array[]): Promise<Outcome> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const stream = Stream.fromSSEResponse<unknown>(new Response(body), new AbortController());
  const items: unknown[] = [];
  let sawDone: boolean;
  const consoleError = console.error;
  console.error = () => {}; // the SDK logs malformed chunks; the test checks the outcome instead
  try {
    for await (const item of stream) items.push(item);
    // The SDK stops silently at [DONE] and at EOF; tell them apart by the bytes.
    sawDone = Buffer.concat(chunks).toString('utf8').includes('data: [DONE]');
  } catch (e) {
    return { items, end: e instanceof SyntaxError ? 'malformed' : 'api_error' };
  } finally {
    console.error = consoleError;
  }
  return { items, end: sawDone ? 'done' : 'eof' };
}

/** The engine's rules (stream-attempt.ts) applied to SseParser's events. */
function parseWithEngine(chunks: Uint8Array[]): Outcome {
  const items: unknown[] = [];
  let end: Outcome['end'] | null = null;
  const parser = new SseParser((event) => {
    if (end) return;
    if (event.data === '[DONE]') {
      end = 'done';
      return;
    }
    let value: any;
    try {
      value = JSON.parse(event.data);
    } catch {
      end = 'malformed';
      return;
    }
    if (event.event === 'error' || (value && value.error)) {
      end = 'api_error';
      return;
    }
    items.push(value);
  });
  for (const c of chunks) parser.push(Buffer.from(c));
  parser.end();
  return { items, end: end ?? 'eof' };
}

function splitRandomly(bytes: Buffer, random: () => number, maxPiece: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(random() * maxPiece);
    pieces.push(new Uint8Array(bytes.subarray(i, i + n)));
    i += n;
  }
  return pieces;
}

const chunk = (id: string, delta: object, extra: object = {}) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: null }], usage: null, ...extra })}\n\n`;

const streams: Record<string, string> = {
  openai:
    chunk('c1', { role: 'assistant', content: '' }) +
    chunk('c1', { content: 'Hello' }) +
    chunk('c1', { content: ' wörld 🌍 你好' }) +
    `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })}\n\n` +
    `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })}\n\n` +
    'data: [DONE]\n\n',
  azureWithFilterAndCrlf: (
    `data: ${JSON.stringify({ id: '', object: '', created: 0, model: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }], choices: [], usage: null })}\n\n` +
    chunk('a1', { role: 'assistant', content: '' }) +
    chunk('a1', { content: 'multi token chunk' }, {}) +
    'data: [DONE]\n\n'
  ).replace(/\n/g, '\r\n'),
  pingsCommentsAndMultilineData:
    ': ping\n\n' +
    chunk('p1', { content: 'a' }) +
    ':keep-alive\n' +
    'data: {"id":"p1",\ndata: "choices":[]}\n\n' +
    'event: \ndata: {"id":"p1","choices":[]}\n\n' +
    'data: [DONE]\n\n',
  noTrailingBlankLine: chunk('e1', { content: 'x' }) + 'data: {"id":"e1","choices":[]}',
  cutMidStream: chunk('d1', { content: 'partial' }) + 'data: {"id":"d1","cho',
  errorEventMidStream: chunk('m1', { content: 'ok' }) + 'data: {"error":{"message":"boom","type":"server_error"}}\n\n' + 'data: [DONE]\n\n',
  malformed: chunk('x1', { content: 'ok' }) + 'data: {"id":"x1","choices":[{"delta":{"content":"x"\n\n' + 'data: [DONE]\n\n',
  bareCrSeparators: chunk('r1', { content: 'cr' }).replace(/\n/g, '\r') + 'data: [DONE]\r\r',
};

describe('SSE fast path vs the openai SDK', () => {
  for (const [name, text] of Object.entries(streams)) {
    it(`parses "${name}" exactly as the SDK does, for 200 random splits`, async () => {
      const bytes = Buffer.from(text, 'utf8');
      const random = mulberry32(name.length * 7919);
      const whole = await parseWithSdk([new Uint8Array(bytes)]);
      assert.ok(whole.items.length > 0 || whole.end !== 'eof', 'the fixture must yield something');
      for (let i = 0; i < 200; i++) {
        const pieces = splitRandomly(bytes, random, 1 + (i % 40));
        const sdk = await parseWithSdk(pieces);
        const engine = parseWithEngine(pieces);
        assert.deepEqual(engine, sdk, `split #${i} (${pieces.length} pieces)`);
      }
    });
  }

  it('stamps each event of one network read with its own parse time', () => {
    const times: number[] = [];
    const parser = new SseParser((e) => times.push(e.at));
    const many = Array.from({ length: 50 }, (_, i) => chunk('t', { content: `w${i}` })).join('');
    parser.push(Buffer.from(many));
    assert.equal(times.length, 50);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1]);
  });
});
