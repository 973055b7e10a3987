// HTTP targets against the simulator's app route, compared with its log of what it wrote and when:
// for each stream kind, TTFT is the first text the app wrote (after its retrieval step, never the
// retrieval event), every text event is a chunk, E2E ends with the answer, and usage is the app's.

import { strict as assert } from 'node:assert';
import { runCollect, scenario, TimingErrors } from './helpers';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator, SimulatorLogEntry } from '../../../src/simulator/types';
import type { HttpStreamKind, Target } from '../../../src/engine/scenario/types';

const RETRIEVAL_MS = 80;
const TTFT_MS = 60;

function appTarget(url: string, stream: HttpStreamKind): Target {
  const paths: Record<HttpStreamKind, { text_path?: string }> = {
    sse: { text_path: 'delta.text' },
    ndjson: { text_path: 'delta.text' },
    text: {},
    json: { text_path: 'answer' },
  };
  return {
    name: 'app',
    provider: 'http',
    endpoint: url,
    model: 'gpt-4o-mini',
    auth: { type: 'none' },
    http: {
      request: {
        method: 'POST',
        url: `/app/chat?stream=${stream}`,
        headers: {},
        body: '{"messages": {{messages}}, "session_id": "{{session_id}}", "turn": {{turn}}, "max_tokens": 12}',
      },
      response: { stream, ...paths[stream], ...(stream === 'text' ? {} : { usage_path: 'usage' }), ...(stream === 'sse' ? { done_when: 'done == true' } : {}) },
    },
  };
}

describe('HTTP targets against the simulator app route (its log is the truth)', function () {
  this.timeout(60_000);
  let sim: RunningSimulator | null = null;
  afterEach(async () => {
    await sim?.close();
    sim = null;
  });

  for (const stream of ['sse', 'ndjson', 'text'] as const) {
    it(`${stream}: TTFT at the first text written after retrieval, every text event a chunk, E2E at the end`, async () => {
      sim = await startSimulator({ keep_log: true, ttft_ms: TTFT_MS, tpot_ms: 3, jitter: 0, app_retrieval_ms: RETRIEVAL_MS, tokens_per_chunk: 2 });
      const { records, summary } = await runCollect(scenario([appTarget(sim.url, stream)], { workload: { requests: 8, clients: 2 } }));
      const timing = new TimingErrors();
      for (const r of records) {
        assert.equal(r.error, null, r.error_message ?? '');
        const e: SimulatorLogEntry = sim!.log.find((x) => x.client_request_id === String(r.id))!;
        assert.equal(e.route, 'app');
        assert.equal(e.app_stream, stream);
        assert.ok(r.ttft_ms! >= RETRIEVAL_MS + TTFT_MS - 1, `TTFT ${r.ttft_ms} ms includes retrieval and the model's first token`);
        assert.ok(r.ttfb_ms! < r.ttft_ms!, 'headers come before the first text');
        timing.near(r.start_ms + r.ttft_ms!, e.first_content_ms!, 'first text');
        timing.near(r.start_ms + r.e2e_ms!, stream === 'sse' ? e.end_ms - 1 : e.end_ms, 'end');
        assert.equal(r.content_chunks, e.content_chunk_ms.length, 'one chunk per text event the app wrote');
        if (stream === 'text') {
          assert.equal(r.tokens_estimated, true);
        } else {
          assert.equal(r.tokens_estimated, false);
          assert.equal(r.prompt_tokens, e.prompt_tokens);
          assert.equal(r.completion_tokens, e.completion_tokens);
        }
      }
      timing.check();
      assert.equal(summary.targets[0].requests.succeeded, 8);
    });
  }

  it('json: E2E at the body the app wrote, no TTFT', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: TTFT_MS, tpot_ms: 3, jitter: 0, app_retrieval_ms: RETRIEVAL_MS });
    const { records } = await runCollect(scenario([appTarget(sim.url, 'json')], { workload: { requests: 6, clients: 2 } }));
    const timing = new TimingErrors();
    for (const r of records) {
      assert.equal(r.error, null, r.error_message ?? '');
      const e: SimulatorLogEntry = sim!.log.find((x) => x.client_request_id === String(r.id))!;
      assert.equal(r.ttft_ms, null);
      assert.equal(r.content_chunks, 0);
      timing.near(r.start_ms + r.e2e_ms!, e.end_ms, 'end');
      assert.equal(r.completion_tokens, e.completion_tokens);
    }
    timing.check();
  });
});
