// The simulator's GET /metrics on its own: the serving slots and the queue as they are at the moment of
// the scrape, and counters that count what the log says it did — requests it generated (a 429 never
// reached its engine), how each finished, the tokens.

import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { histogramSeries, parsePrometheusText, type PromFamily } from '../../../src/engine/server-metrics/prometheus-text';
import { KV_CACHE_CAPACITY_TOKENS } from '../../../src/simulator/metrics';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator } from '../../../src/simulator/types';
import { chatBody, OPENAI_PATH, post, sleep } from '../simulator/helpers';

async function scrape(sim: RunningSimulator): Promise<Map<string, PromFamily>> {
  const res = await fetch(`${sim.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Map(parsePrometheusText(await res.text()).map((f) => [f.name, f]));
}

const value = (f: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}) =>
  f
    .get(name)!
    .samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

describe('simulator: GET /metrics', function () {
  this.timeout(30_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  it('shows running and waiting requests at the moment of the scrape', async () => {
    sim = await startSimulator({ keep_log: true, max_concurrency: 1, ttft_ms: 300, tpot_ms: 2, jitter: 0 });
    const body = chatBody({ model: 'llama-3.1-8b', stream: true, max_tokens: 10 });
    const replies = [post(sim.url, OPENAI_PATH, body), post(sim.url, OPENAI_PATH, body), post(sim.url, OPENAI_PATH, body)];
    await sleep(100);
    const during = await scrape(sim);
    assert.equal(value(during, 'vllm:num_requests_running'), 1);
    assert.equal(value(during, 'vllm:num_requests_waiting'), 2);
    assert.equal(sim.log.length, 0, 'nothing finished yet');
    const kv = value(during, 'vllm:kv_cache_usage_perc');
    assert.ok(kv > 0 && kv < 1);
    assert.deepEqual(during.get('vllm:num_requests_running')!.samples[0].labels, { engine: '0', model_name: 'llama-3.1-8b' });
    await Promise.all(replies);
    const after = await scrape(sim);
    assert.equal(value(after, 'vllm:num_requests_running'), 0);
    assert.equal(value(after, 'vllm:num_requests_waiting'), 0);
    assert.equal(value(after, 'vllm:kv_cache_usage_perc'), 0);
    // The KV gauge during the scrape was one running request's prompt (its output had not started).
    assert.equal(kv, sim.log[0].prompt_tokens / KV_CACHE_CAPACITY_TOKENS);
    const queue = histogramSeries(after.get('vllm:request_queue_time_seconds')!)[0];
    assert.equal(queue.count, 3);
    assert.ok(Math.abs(queue.sum - sim.log.reduce((a, e) => a + (e.queued_ms ?? 0), 0) / 1000) < 1e-9, "queue time sums the log's waits");
  });

  it('counts what the log holds: successes by finish reason, aborts, tokens; not the 429s', async () => {
    sim = await startSimulator({ keep_log: true, rpm_limit: 4, ttft_ms: 20, tpot_ms: 20, jitter: 0 });
    await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o-mini', stream: true, max_tokens: 5 })); // length
    await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o-mini', stream: true })); // no limit: stop
    await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o-mini', stream: false, max_tokens: 3 })); // not streamed: no TTFT observation
    // A client that gives up half way: abort.
    await new Promise<void>((resolve) => {
      const req = http.request(`${sim.url}${OPENAI_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          setTimeout(resolve, 100);
        });
      });
      req.end(JSON.stringify(chatBody({ model: 'gpt-4o-mini', stream: true, max_tokens: 50 })));
    });
    const throttled = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o-mini', stream: true, max_tokens: 5 }));
    assert.equal(throttled.status, 429);
    await sleep(50);
    const f = await scrape(sim);
    const served = sim.log.filter((e) => e.status === 200);
    assert.equal(served.length, 4);
    assert.equal(sim.log.length, 5);
    assert.equal(value(f, 'vllm:request_success_total', { finished_reason: 'length' }), 2);
    assert.equal(value(f, 'vllm:request_success_total', { finished_reason: 'stop' }), 1);
    assert.equal(value(f, 'vllm:request_success_total', { finished_reason: 'abort' }), 1);
    assert.equal(
      value(f, 'vllm:prompt_tokens_total'),
      served.reduce((a, e) => a + e.prompt_tokens, 0),
    );
    assert.equal(
      value(f, 'vllm:generation_tokens_total'),
      served.reduce((a, e) => a + e.completion_tokens, 0),
    );
    const ttft = histogramSeries(f.get('vllm:time_to_first_token_seconds')!)[0];
    // The client that gave up left after the opening events, before its first token.
    assert.equal(ttft.count, served.filter((e) => e.first_content_ms !== undefined).length);
    assert.equal(ttft.count, 2, 'the two streams that ran to their end');
    const e2e = histogramSeries(f.get('vllm:e2e_request_latency_seconds')!)[0];
    assert.equal(e2e.count, 4);
    const itl = histogramSeries(f.get('vllm:inter_token_latency_seconds')!)[0];
    const gaps = served.reduce((a, e) => a + Math.max(0, e.content_chunk_ms.length - 1), 0);
    assert.equal(itl.count, gaps, 'one inter-token observation per gap between output events');
  });
});
