// HTTP targets (provider: http) against a small app on 127.0.0.1 that answers in each stream kind
// with known timing: what is read as text, when TTFT is, how the answer ends, what is an error, and
// what the request carried (templates filled, the key only in its header).

import { strict as assert } from 'node:assert';
import type * as http from 'node:http';
import { runCollect, scenario } from './helpers';
import { startFaultServer, type FaultServer } from './fault-server';
import type { HttpResponseSpec, Target } from '../../../src/engine/scenario/types';
import { startRun } from '../../../src/engine/run';
import { countTokens } from '../../../src/tokens';

const GAP_MS = 40;

function appTarget(url: string, response: HttpResponseSpec, overrides: Partial<Target> = {}): Target {
  return {
    name: 'app',
    provider: 'http',
    endpoint: url,
    model: 'gpt-4o-mini',
    auth: { type: 'none' },
    http: {
      request: {
        method: 'POST',
        url: '/api/chat?kind={{turn}}',
        headers: { 'x-session': '{{session_id}}' },
        body: '{"question": "{{prompt}}", "messages": {{messages}}, "turn": {{turn}}}',
      },
      response,
    },
    ...overrides,
  };
}

/** Writes `pieces` GAP_MS apart after a first non-text event, then ends. Returns when each text piece was written. */
function streamPieces(res: http.ServerResponse, contentType: string, pieces: string[], written: number[], end = true): void {
  res.writeHead(200, { 'content-type': contentType });
  res.write(contentType === 'text/event-stream' ? 'data: {"type":"retrieval"}\n\n' : contentType.includes('ndjson') ? '{"type":"retrieval"}\n' : '');
  let i = 0;
  const next = () => {
    if (i === pieces.length) {
      if (end) res.end();
      return;
    }
    res.write(pieces[i++]);
    written.push(performance.now());
    setTimeout(next, GAP_MS);
  };
  setTimeout(next, GAP_MS);
}

describe('HTTP targets (provider: http)', function () {
  this.timeout(60_000);
  let server: FaultServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  const run = (t: Target, requests = 1) => runCollect(scenario([t], { workload: { requests, clients: 1 }, record_chunks: true }));

  it('sse: TTFT is the first event with text (not the retrieval event), done_when ends it, usage is read', async () => {
    const written: number[] = [];
    server = await startFaultServer((_req, res) =>
      streamPieces(
        res,
        'text/event-stream',
        [
          'data: {"delta":{"text":"Hel"}}\n\n',
          'data: {"delta":{"text":"lo"}}\n\n',
          'data: {"done":true,"usage":{"prompt_tokens":11,"completion_tokens":2}}\n\n',
        ],
        written,
        false, // done_when ends the answer before the body does
      ),
    );
    const { records, summary } = await run(appTarget(server.url, { stream: 'sse', text_path: 'delta.text', done_when: 'done == true', usage_path: 'usage' }));
    const r = records[0];
    assert.equal(r.error, null, r.error_message ?? '');
    assert.equal(r.api, 'http');
    assert.equal(r.content_chunks, 2, 'two text events; the retrieval and done events are not chunks');
    assert.equal(r.prompt_tokens, 11);
    assert.equal(r.completion_tokens, 2);
    assert.equal(r.tokens_estimated, false);
    // TTFT is the first text write (GAP_MS after the retrieval event), never the retrieval event.
    const start = r.start_ms - performance.timeOrigin;
    assert.ok(r.ttft_ms! >= written[0] - start - 1, `ttft ${r.ttft_ms} vs first text written at ${written[0] - start}`);
    assert.ok(r.ttft_ms! >= GAP_MS - 1);
    assert.ok(r.e2e_ms! >= written[2] - start - 1, 'the answer ends at the done event');
    assert.equal(summary.targets[0].api, 'http');
    assert.equal(summary.targets[0].response_stream, 'sse');
  });

  it('the request is filled from the templates: URL, headers, JSON body with escaped prompt and messages', async () => {
    server = await startFaultServer((_req, res) => streamPieces(res, 'text/event-stream', ['data: {"delta":{"text":"ok"}}\n\n'], []));
    const t = appTarget(server.url, { stream: 'sse', text_path: 'delta.text' });
    await run(t);
    const got = server.attempts[0];
    assert.match(got.url, /^\/api\/chat\?kind=1$/);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers.accept, 'text/event-stream');
    const body = JSON.parse(got.body) as { question: string; messages: { role: string; content: string }[]; turn: number };
    assert.equal(body.turn, 1);
    assert.equal(body.question, body.messages.at(-1)!.content, '{{prompt}} is the last user message');
    assert.ok(body.messages.length >= 1);
  });

  it('a body without {{prompt}} or {{messages}} is what is sent: the prompt-token estimate counts it, not the prompts', async () => {
    server = await startFaultServer((_req, res) => streamPieces(res, 'text/event-stream', ['data: {"delta":{"text":"ok"}}\n\n'], []));
    const t = appTarget(server.url, { stream: 'sse', text_path: 'delta.text' });
    t.http!.request.body = '{"question": "What is the refund policy for annual plans?"}';
    const { records } = await run(t);
    assert.equal(records[0].tokens_estimated, true);
    assert.equal(records[0].prompt_tokens, countTokens(t.http!.request.body, 'o200k_base'));
  });

  it('ndjson: one JSON per line, stamped per line; the end of the body completes the answer', async () => {
    const written: number[] = [];
    server = await startFaultServer((_req, res) =>
      streamPieces(res, 'application/x-ndjson', ['{"delta":{"text":"a"}}\n', '{"delta":{"text":"b"}}\n{"delta":{"text":"c"}}\n'], written),
    );
    const { records } = await run(appTarget(server.url, { stream: 'ndjson', text_path: 'delta.text' }));
    const r = records[0];
    assert.equal(r.error, null, r.error_message ?? '');
    assert.equal(r.content_chunks, 3, 'two lines in one write are two chunks');
    assert.equal(r.tokens_estimated, true, 'no usage_path: counted with the tokenizer, marked estimated');
    assert.ok(r.completion_tokens! >= 1);
    assert.ok(r.ttft_ms! >= GAP_MS - 1);
  });

  it('text: every piece is text', async () => {
    server = await startFaultServer((_req, res) => streamPieces(res, 'text/plain', ['Hello ', 'world'], []));
    const { records } = await run(appTarget(server.url, { stream: 'text' }));
    assert.equal(records[0].error, null, records[0].error_message ?? '');
    assert.equal(records[0].content_chunks, 2);
    assert.ok(records[0].ttft_ms! >= GAP_MS - 1);
  });

  it('json: E2E only (no TTFT or TBT), said in the summary', async () => {
    server = await startFaultServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ answer: 'All done here.', usage: { input_tokens: 9, output_tokens: 4 } }));
      }, GAP_MS);
    });
    const { records, summary } = await run(appTarget(server.url, { stream: 'json', text_path: 'answer', usage_path: 'usage' }));
    const r = records[0];
    assert.equal(r.error, null, r.error_message ?? '');
    assert.equal(r.ttft_ms, null);
    assert.equal(r.tbt_ms, null);
    assert.ok(r.e2e_ms! >= GAP_MS - 1);
    assert.equal(r.completion_tokens, 4);
    assert.equal(r.prompt_tokens, 9);
    assert.ok(summary.targets[0].warnings.some((w) => w.includes('only TTFB and E2E are measured')));
  });

  it('a text_path that matches nothing is an error naming the first event', async () => {
    server = await startFaultServer((_req, res) => streamPieces(res, 'text/event-stream', ['data: {"delta":{"text":"x"}}\n\n'], []));
    const { records } = await run(appTarget(server.url, { stream: 'sse', text_path: 'choices[0].delta.content' }));
    assert.equal(records[0].error, 'malformed_stream');
    assert.match(
      records[0].error_message!,
      /text_path "choices\[0\]\.delta\.content" matched no text in 2 event\(s\); the first event was: \{"type":"retrieval"\}/,
    );
  });

  it('done_when that never comes: the answer was cut (stream_dropped), not a success', async () => {
    server = await startFaultServer((_req, res) => streamPieces(res, 'text/event-stream', ['data: {"delta":{"text":"x"}}\n\n'], []));
    const { records } = await run(appTarget(server.url, { stream: 'sse', text_path: 'delta.text', done_when: 'done' }));
    assert.equal(records[0].error, 'stream_dropped');
    assert.match(records[0].error_message!, /before an event matching done_when \(done\)/);
  });

  it('an app answering JSON to a stream: sse target is told to use stream: json', async () => {
    server = await startFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"answer":"x"}');
    });
    const { records } = await run(appTarget(server.url, { stream: 'sse', text_path: 'delta.text' }));
    assert.equal(records[0].error, 'malformed_stream');
    assert.match(records[0].error_message!, /use response\.stream: json/);
  });

  it("a key in request.url's query (an Azure Functions ?code=) is sent, and never written to summary.json", async () => {
    server = await startFaultServer((_req, res) => streamPieces(res, 'text/event-stream', ['data: {"delta":{"text":"ok"}}\n\n'], []));
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-http-'));
    const code = 'function-code-0123456789';
    const t = appTarget(server.url, { stream: 'sse', text_path: 'delta.text' });
    t.http!.request.url = `/api/chat?code=${code}`;
    await runCollect(scenario([t], { workload: { requests: 1, clients: 1 } }), out);
    assert.equal(server.attempts[0].url, `/api/chat?code=${code}`);
    const written = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(written.length > 0);
    for (const e of written) assert.ok(!fs.readFileSync(path.join(e.parentPath, e.name), 'utf8').includes(code), `${e.name} holds the code`);
  });

  it('the key goes only in the header auth.header names, and never into the records', async () => {
    const key = 'app-key-0123456789';
    server = await startFaultServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad key ${key}` } }));
    });
    const t = appTarget(server.url, { stream: 'sse', text_path: 'delta.text' }, { auth: { type: 'api-key', header: 'x-api-key' } });
    const records: { error_message: string | null }[] = [];
    const r = startRun(scenario([t], { workload: { requests: 1, clients: 1 } }), {
      outDir: null,
      seed: 1,
      resolveCredential: async () => ({ header: 'api-key', value: key }),
      onRecord: (rec) => records.push(rec),
    });
    await r.done;
    const got = server.attempts[0];
    assert.equal(got.headers['x-api-key'], key);
    assert.equal(got.headers['api-key'], undefined);
    assert.equal(got.headers.authorization, undefined);
    assert.ok(!JSON.stringify(records).includes(key), 'the key echoed in an error body is redacted');
    assert.match(records[0].error_message!, /\[redacted\]/);
  });
});
