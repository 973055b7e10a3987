// Every stream shape real servers send, through the engine, checked against the simulator's log of
// what it really wrote: chat / responses × plain, reasoning (each wire form, and hidden), continuous
// usage, no usage, Azure filter chunks and routes, coalesced events, multi-token chunks.
// Timing: see TimingErrors in helpers.ts.

import { strict as assert } from 'node:assert';
import type { RequestRecord } from '../../../src/engine/records';
import type { Api, Target } from '../../../src/engine/scenario/types';
import type { RunSummary } from '../../../src/engine/summary';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator, SimulatorLogEntry, SimulatorOptions } from '../../../src/simulator/types';
import { statusLine, summaryText } from '../../../src/engine/report-text';
import { parseSlo } from '../../../src/engine/scenario/slo';
import { logFor, runCollect, scenario, target, TimingErrors } from './helpers';

const MAX_TOKENS = 24;

interface Shape {
  name: string;
  sim: Partial<SimulatorOptions>;
  /** Target fields (routes); the simulator's URL is filled in. */
  target?: (url: string) => Partial<Target>;
  /** The simulator route the requests must reach (default: openai). */
  route?: SimulatorLogEntry['route'];
  extraBody?: Record<string, unknown>;
  /** Streamed reasoning tokens expected per request. */
  streamedReasoning?: number;
  hiddenReasoning?: number;
  estimated?: boolean;
}

const REASONING = 8;
const azureDated = (url: string): Partial<Target> => ({ provider: 'azure', endpoint: url, deployment: 'o4-mini', model: 'o4-mini' });
const azureV1 = (url: string): Partial<Target> => ({ provider: 'azure', endpoint: `${url}/openai/v1`, model: 'o4-mini' });

const SHAPES: Record<Api, Shape[]> = {
  chat: [
    { name: 'plain', sim: {} },
    { name: 'reasoning as delta.reasoning_content', sim: { reasoning_tokens: REASONING }, streamedReasoning: REASONING },
    { name: 'reasoning as delta.reasoning', sim: { reasoning_tokens: REASONING, reasoning_field: 'reasoning' }, streamedReasoning: REASONING },
    { name: 'hidden reasoning (counted in usage only)', sim: { reasoning_tokens: REASONING, reasoning_field: 'hidden' }, hiddenReasoning: REASONING },
    {
      name: 'continuous usage requested (vLLM continuous_usage_stats)',
      sim: { reasoning_tokens: REASONING },
      extraBody: { stream_options: { include_usage: true, continuous_usage_stats: true } },
      streamedReasoning: REASONING,
    },
    { name: 'continuous usage forced by the server', sim: { usage: 'continuous' } },
    { name: 'no usage', sim: { usage: 'none' }, estimated: true },
    { name: 'no usage, streamed reasoning', sim: { usage: 'none', reasoning_tokens: REASONING }, streamedReasoning: REASONING, estimated: true },
    {
      name: 'Azure prompt filter, asynchronous filter annotations, buffered multi-token chunks',
      sim: { azure_prompt_filter: true, azure_async_filter: true, tokens_per_chunk: 3 },
      target: (url) => ({ ...azureDated(url), api_version: '2024-10-21' }),
      route: 'azure',
    },
    { name: 'coalesced events (4 per write)', sim: { coalesce_events: 4, reasoning_tokens: REASONING }, streamedReasoning: REASONING },
  ],
  responses: [
    { name: 'plain', sim: {} },
    { name: 'reasoning summary events', sim: { reasoning_tokens: REASONING }, streamedReasoning: REASONING },
    { name: 'reasoning text events', sim: { reasoning_tokens: REASONING, reasoning_event: 'text' }, streamedReasoning: REASONING },
    { name: 'hidden reasoning (counted in usage only)', sim: { reasoning_tokens: REASONING, reasoning_event: 'hidden' }, hiddenReasoning: REASONING },
    { name: 'continuous usage asked of the server: still only in response.completed', sim: { usage: 'continuous' } },
    { name: 'no usage', sim: { usage: 'none', reasoning_tokens: REASONING }, streamedReasoning: REASONING, estimated: true },
    {
      name: 'Azure dated route (/openai/responses?api-version=…)',
      sim: { reasoning_tokens: REASONING },
      target: azureDated,
      route: 'azure',
      streamedReasoning: REASONING,
    },
    { name: 'Azure v1 route (/openai/v1/responses)', sim: { tokens_per_chunk: 3 }, target: azureV1, route: 'azure-v1' },
    { name: 'coalesced events (4 per write)', sim: { coalesce_events: 4, reasoning_tokens: REASONING }, streamedReasoning: REASONING },
  ],
};

/** One record against the simulator's log entry for it. */
function checkRecord(r: RequestRecord, e: SimulatorLogEntry, api: Api, shape: Shape, timing: TimingErrors): void {
  const near = timing.near.bind(timing);
  assert.equal(r.error, null, r.error_message ?? '');
  assert.equal(r.api, api);
  assert.equal(e.api, api);
  assert.equal(e.route, shape.route ?? 'openai');
  if (e.route === 'azure') assert.equal(e.api_version, api === 'responses' ? '2025-04-01-preview' : '2024-10-21');
  assert.equal(r.response_id, e.response_id);
  assert.match(r.response_id!, api === 'responses' ? /^resp_[0-9a-f]{48}$/ : /^chatcmpl-/);
  // Times: first visible token, first reasoning token, end of stream, every output event.
  near(r.start_ms + r.ttft_ms!, e.first_content_ms!, 'TTFT');
  if (shape.streamedReasoning) {
    near(r.start_ms + r.ttfr_ms!, e.first_reasoning_ms!, 'TTFR');
    assert.ok(r.ttfr_ms! < r.ttft_ms!, 'reasoning comes before the visible answer');
  } else {
    assert.equal(r.ttfr_ms, null, 'no reasoning streamed: no TTFR');
  }
  near(r.start_ms + r.e2e_ms!, e.end_ms, 'E2E');
  const logTimes = [...e.reasoning_chunk_ms, ...e.content_chunk_ms].sort((a, b) => a - b);
  assert.equal(r.content_chunks, logTimes.length, 'one output event per SSE event');
  assert.equal(r.reasoning_chunks, e.reasoning_chunk_ms.length);
  r.chunk_offsets_ms!.forEach((offset, i) => near(r.start_ms + offset, logTimes[i], `output event ${i}`));
  // Tokens: from usage, or counted (and marked) when the server sent none.
  assert.equal(r.tokens_estimated, shape.estimated === true);
  assert.equal(e.sent_usage, shape.estimated !== true);
  assert.equal(r.completion_tokens, e.completion_tokens);
  assert.equal(r.completion_tokens, MAX_TOKENS);
  assert.equal(r.prompt_tokens, e.prompt_tokens);
  const reasoning = (shape.streamedReasoning ?? 0) + (shape.hiddenReasoning ?? 0);
  assert.equal(e.reasoning_tokens, reasoning);
  assert.equal(r.reasoning_tokens, shape.estimated && !reasoning ? null : reasoning, 'reasoning tokens');
  // TBT over visible tokens and over all tokens.
  const visible = MAX_TOKENS - reasoning;
  const tbt = (e.content_chunk_ms.at(-1)! - e.content_chunk_ms[0]) / (visible - 1);
  // Spans: the engine's per-token value times the tokens, against the simulator's first→last writes.
  timing.span(r.tbt_ms! * (visible - 1), tbt * (visible - 1), 'TBT span');
  if (shape.hiddenReasoning) {
    assert.equal(r.tbt_all_ms, null, 'hidden reasoning has no times');
  } else {
    const tbtAll = (logTimes.at(-1)! - logTimes[0]) / (MAX_TOKENS - 1);
    timing.span(r.tbt_all_ms! * (MAX_TOKENS - 1), tbtAll * (MAX_TOKENS - 1), 'TBT-all span');
  }
}

function checkSummary(s: RunSummary, shape: Shape, records: RequestRecord[]): void {
  const t = s.targets[0];
  assert.equal(t.requests.succeeded, records.length);
  const reasoning = (shape.streamedReasoning ?? 0) + (shape.hiddenReasoning ?? 0);
  if (!shape.estimated || reasoning) assert.equal(t.tokens.reasoning, reasoning * records.length);
  assert.equal(t.reasoning_latency_ms!.ttfr.count, shape.streamedReasoning ? records.length : 0);
  const tpc = shape.sim.tokens_per_chunk ?? 1;
  assert.equal(t.tokens.tokens_per_chunk, shape.hiddenReasoning ? 1 : MAX_TOKENS / records[0].content_chunks);
  assert.equal(
    t.warnings.some((w) => w.includes('tokens on average')),
    tpc > 1,
    t.warnings.join('\n'),
  );
  assert.equal(
    t.warnings.some((w) => w.includes('did not stream')),
    shape.hiddenReasoning !== undefined,
    t.warnings.join('\n'),
  );
  assert.equal(
    t.warnings.some((w) => w.includes('estimated')),
    shape.estimated === true,
    t.warnings.join('\n'),
  );
}

describe('every stream shape: engine records vs the simulator log', function () {
  this.timeout(60_000);
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  for (const api of ['chat', 'responses'] as const) {
    for (const shape of SHAPES[api]) {
      it(`${api}: ${shape.name}`, async () => {
        sim = await startSimulator({ keep_log: true, ttft_ms: 40, tpot_ms: 3, jitter: 0.2, ...shape.sim });
        const t = target(sim.url, { api, ...shape.target?.(sim.url) });
        const request = shape.extraBody ? { extra_body: shape.extraBody } : {};
        const prompts = { kind: 'shape', profile: 'custom', context_tokens: 60, max_tokens: MAX_TOKENS } as const;
        const { records, summary } = await runCollect(scenario([t], { prompts, request, workload: { requests: 6, clients: 3 } }));
        assert.equal(records.length, 6);
        const timing = new TimingErrors();
        for (const r of records) checkRecord(r, logFor(sim.log, r), api, shape, timing);
        timing.check();
        checkSummary(summary, shape, records);
        for (const e of sim.log) {
          // Coalesced: several events per write, yet (checkRecord) one timestamp per event.
          const events = e.content_chunk_ms.length + e.reasoning_chunk_ms.length;
          assert.equal(e.output_writes, Math.ceil(events / (shape.sim.coalesce_events ?? 1)));
        }
        if (shape.extraBody || shape.sim.usage === 'continuous') {
          for (const e of sim.log) assert.equal(e.continuous_usage, api === 'chat', 'continuous usage is a Chat Completions shape');
        }
      });
    }
  }

  it('reasoning in the live line, the text summary and SLOs; plain runs keep their old lines', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 2, jitter: 0, reasoning_tokens: REASONING });
    const slos = ['ttfr.p95 < 10s', 'tbt_all.p95 < 1s', 'ttfr.p50 > 1s'].map(parseSlo);
    const { summary, windows } = await runCollect(
      scenario([target(sim.url, { api: 'responses' })], { slos, prompts: { kind: 'shape', profile: 'custom', context_tokens: 60, max_tokens: MAX_TOKENS } }),
    );
    const t = summary.targets[0];
    assert.equal(t.api, 'responses');
    assert.ok(t.reasoning_latency_ms!.ttfr.p50! > 15 && t.reasoning_latency_ms!.ttfr.p50! < t.latency_ms.ttft.p50!, 'TTFR precedes TTFT');
    assert.deepEqual(
      summary.slos.map((v) => v.pass),
      [true, true, false],
    );
    assert.equal(summary.slos[0].actual, t.reasoning_latency_ms!.ttfr.p95);
    const line = statusLine(windows.at(-1)!, false);
    assert.match(line, /ttfr avg: \d+ 95th: \d+ {2}ttft avg: \d+/);
    assert.match(line, /reasoning tpm: \d+/);
    const text = summaryText(summary, null);
    assert.match(text, /Target sim \(openai-compatible, Responses API, gpt-4o-mini\)/);
    for (const label of ['TTFR (first reasoning token)', 'TTFT (first visible token)', 'TBT (per visible token)', 'TBT (per token, reasoning too)']) {
      assert.ok(text.includes(label), `${label} in\n${text}`);
    }
    assert.match(text, new RegExp(`reasoning ${REASONING * 12} \\(in 12 requests\\)`));
    await sim.close();

    sim = await startSimulator({ ttft_ms: 5, tpot_ms: 1 });
    const plain = await runCollect(scenario([target(sim.url)], { workload: { requests: 2 } }));
    assert.doesNotMatch(statusLine(plain.windows.at(-1)!, false), /ttfr|reasoning/);
    assert.doesNotMatch(summaryText(plain.summary, null), /TTFR|reasoning/);
  });
});
