// Several SSE events in one network read: each gets its own parse-time timestamp, so the chunk-gap
// distribution has one gap per event pair — never one per read. A raw loopback server writes groups
// of events with one socket write each, for both wire formats.

import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BuiltRequest } from '../../../src/engine/chat-request';
import type { Api } from '../../../src/engine/scenario/types';
import { runAttempt, Transport, type AttemptControl } from '../../../src/engine/stream-attempt';

const GROUP = 5;
const PAUSE_MS = 40;

const chatEvent = (text: string) => `data: ${JSON.stringify({ id: 'chatcmpl-x', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
let seq = 0;
const responsesEvent = (type: string, fields: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;

/** Opening events, two groups of GROUP output events (one write each, PAUSE_MS apart), the end. */
function script(api: Api): string[] {
  const group = (g: number) =>
    Array.from({ length: GROUP }, (_, i) =>
      api === 'chat'
        ? chatEvent(` w${g}${i}`)
        : responsesEvent('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: ` w${g}${i}` }),
    ).join('');
  if (api === 'chat') {
    const finish = `data: ${JSON.stringify({ id: 'chatcmpl-x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
    const usage = `data: ${JSON.stringify({ id: 'chatcmpl-x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 * GROUP } })}\n\n`;
    return [chatEvent(''), group(0), group(1) + finish + usage + 'data: [DONE]\n\n'];
  }
  const response = { id: 'resp_1', status: 'completed', usage: { input_tokens: 5, output_tokens: 2 * GROUP, output_tokens_details: { reasoning_tokens: 0 } } };
  return [
    responsesEvent('response.created', { response: { id: 'resp_1', status: 'in_progress' } }),
    group(0),
    group(1) + responsesEvent('response.completed', { response }),
  ];
}

function serve(api: Api): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const writes = script(api);
    let i = 0;
    const next = () => {
      const last = i === writes.length - 1;
      if (last) res.end(writes[i]);
      else res.write(writes[i]);
      i++;
      if (!last) setTimeout(next, PAUSE_MS);
    };
    next();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('coalesced SSE events on loopback', () => {
  for (const api of ['chat', 'responses'] as const) {
    it(`${api}: one timestamp per event, chunk gaps between events, not between reads`, async () => {
      const server = await serve(api);
      const transport = new Transport(1);
      try {
        const port = (server.address() as AddressInfo).port;
        const path = api === 'chat' ? '/v1/chat/completions' : '/v1/responses';
        const request: BuiltRequest = { api, url: new URL(`http://127.0.0.1:${port}${path}`), headers: { 'content-type': 'application/json' }, body: '{}' };
        const control: AttemptControl = { abort: () => {}, startedAt: 0, lastActivity: 0 };
        const r = await runAttempt(transport, request, control);
        assert.equal(r.error, null, r.errorMessage ?? '');
        assert.equal(r.outputTimes.length, 2 * GROUP, 'every event of a read is its own output event');
        assert.equal(r.usage?.completion_tokens, 2 * GROUP);
        const gaps = r.outputTimes.slice(1).map((t, i) => t - r.outputTimes[i]);
        assert.ok(
          gaps.every((g) => g >= 0),
          "stamps follow the events' order",
        );
        // Within a write the events were parsed back to back (a loaded machine may still split a write
        // over two reads now and then); between writes the server paused.
        const withinWrite = gaps.filter((_, i) => i !== GROUP - 1);
        assert.ok(withinWrite.filter((g) => g < 2).length >= withinWrite.length - 2, `gaps inside one write: ${withinWrite.join(', ')}`);
        assert.ok(gaps[GROUP - 1] > PAUSE_MS * 0.7, `gap between reads ${gaps[GROUP - 1]}`);
        assert.equal(r.text.trim().split(/\s+/).length, 2 * GROUP);
      } finally {
        transport.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }
});
