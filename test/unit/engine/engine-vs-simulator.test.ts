// Every metric the engine records is checked against the simulator's own log of what it did.
// Tolerances: the simulator stamps a chunk right after writing it; the engine stamps it when parsed.
// Both share one clock (same process), so engine − simulator is the loopback + parse delay: small and
// never negative (TimingErrors in helpers.ts). The bound is far below the effects we guard against
// (a role chunk taken as the first token would be off by the whole TTFT).

import { strict as assert } from 'node:assert';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator } from '../../../src/simulator/types';
import { logFor, runCollect, scenario, target, TimingErrors, TOLERANCE_MS } from './helpers';

describe('engine measurements vs the simulator log', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  it('TTFT, E2E, chunk offsets, token counts and response ids match (OpenAI route)', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 80, tpot_ms: 5, jitter: 0.2 });
    const { records, summary } = await runCollect(scenario([target(sim.url)]));
    assert.equal(records.length, 12);
    const timing = new TimingErrors();
    for (const r of records) {
      assert.equal(r.error, null, r.error_message ?? '');
      const e = logFor(sim.log, r);
      timing.near(r.start_ms + r.ttft_ms!, e.first_content_ms!, 'TTFT');
      assert.ok(r.start_ms <= e.received_ms + 1, 'start precedes the server receiving the request');
      timing.near(r.start_ms + r.e2e_ms!, e.end_ms, 'E2E');
      assert.equal(r.completion_tokens, e.completion_tokens);
      assert.equal(r.prompt_tokens, e.prompt_tokens);
      assert.equal(r.prompt_tokens, 60, 'the synthetic prompt hits its context tokens exactly');
      assert.equal(r.tokens_estimated, false);
      assert.equal(r.content_chunks, e.content_chunk_ms.length);
      assert.equal(r.chunk_offsets_ms!.length, e.content_chunk_ms.length);
      r.chunk_offsets_ms!.forEach((offset, i) => timing.near(r.start_ms + offset, e.content_chunk_ms[i], `chunk ${i}`));
      const expectedTbt = (e.content_chunk_ms.at(-1)! - e.content_chunk_ms[0]) / (e.completion_tokens - 1);
      timing.span(r.tbt_ms! * (e.completion_tokens - 1), expectedTbt * (e.completion_tokens - 1), 'TBT span');
      assert.equal(e.client_request_id, String(r.id));
    }
    timing.check();
    const t = summary.targets[0];
    assert.equal(t.requests.succeeded, 12);
    assert.equal(
      t.tokens.completion,
      sim.log.reduce((a, e) => a + e.completion_tokens, 0),
    );
    assert.ok(t.latency_ms.ttft.p50! >= 80 * 0.8 - 1, 'TTFT reflects the simulated 80 ms');
  });

  it('never takes Azure prompt-filter or role chunks as the first token', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 150, tpot_ms: 2, jitter: 0, azure_prompt_filter: true });
    const t = target(sim.url, { provider: 'azure', endpoint: sim.url, deployment: 'gpt-4o', model: 'gpt-4o', api_version: '2024-10-21' });
    const { records } = await runCollect(scenario([t], { workload: { requests: 6 } }));
    for (const r of records) {
      const e = logFor(sim.log, r);
      assert.equal(e.route, 'azure');
      assert.ok(e.sent_prompt_filter, 'the simulator sent the filter chunk');
      assert.ok(r.ttft_ms! >= 140, `TTFT ${r.ttft_ms} ms must include the simulated 150 ms, not the role/filter chunk`);
      assert.ok(r.start_ms + r.ttft_ms! - e.first_content_ms! < TOLERANCE_MS);
      assert.ok(r.response_id && r.response_id.length > 0, 'response id from the first chunk with a non-empty id');
    }
  });

  it('reports multi-token chunks and keeps TBT per token', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 4, tokens_per_chunk: 4, jitter: 0 });
    const { records, summary } = await runCollect(
      scenario([target(sim.url)], { prompts: { kind: 'shape', profile: 'custom', context_tokens: 40, max_tokens: 24 } }),
    );
    for (const r of records) {
      assert.equal(r.completion_tokens, 24);
      assert.equal(r.content_chunks, 6);
      assert.ok(r.tbt_ms! > 2 && r.tbt_ms! < 8, `per-token tbt ${r.tbt_ms}`);
    }
    const t = summary.targets[0];
    assert.equal(t.tokens.tokens_per_chunk, 4);
    assert.ok(t.latency_ms.chunk_gap.p50! > t.latency_ms.tbt.p50! * 2, 'chunk gaps are several tokens long');
    assert.ok(
      t.warnings.some((w) => w.includes('4 tokens on average')),
      t.warnings.join('\n'),
    );
  });

  it('counts tokens itself, marked estimated, when the server reports no usage', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1 });
    // api-versions before 2024-09-01-preview reject include_usage, so the engine does not ask.
    const t = target(sim.url, { provider: 'azure', endpoint: sim.url, deployment: 'gpt-4o', model: 'gpt-4o', api_version: '2024-06-01' });
    const { records, summary } = await runCollect(scenario([t], { workload: { requests: 4 } }));
    for (const r of records) {
      const e = logFor(sim.log, r);
      assert.equal(e.sent_usage, false);
      assert.equal(r.tokens_estimated, true);
      assert.equal(r.completion_tokens, e.completion_tokens, 'tokenizer count equals what was sent');
      assert.equal(r.prompt_tokens, e.prompt_tokens);
    }
    assert.ok(summary.targets[0].warnings.some((w) => w.includes('estimated')));
  });
});
