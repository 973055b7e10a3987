// Whole-run distributions (src/engine/distribution.ts): fixed log-spaced bins, binning at the edges,
// merge, exact mean, and the tally's rules (warm-up/cancelled out, latencies from successes only),
// checked on hand-made records and against the engine's own statistics of a real simulator run.
import { strict as assert } from 'node:assert';
import {
  addToDistribution,
  distributionMean,
  DistributionTally,
  emptyDistribution,
  emptyTargetDistributions,
  LATENCY_EDGES_MS,
  logEdges,
  mergeDistribution,
  TOKEN_EDGES,
  type Distribution,
} from '../../../src/engine/distribution';
import type { RequestRecord } from '../../../src/engine/records';
import { realRun, type RealRun } from './real-run';

/** The bin a value belongs in, by linear scan: the last edge ≤ value. */
function binByScan(edges: number[], value: number): number {
  let bin = 0;
  for (let i = 0; i < edges.length; i++) if (edges[i] <= value) bin = i;
  return bin;
}

function binOf(d: Distribution, value: number): number {
  const before = [...d.counts];
  addToDistribution(d, value);
  const changed = d.counts.flatMap((c, i) => (c !== before[i] ? [i] : []));
  assert.equal(changed.length, 1, `${value} changed ${changed.length} bins`);
  return changed[0];
}

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    type: 'request',
    id: 0,
    target: 'a',
    response_id: null,
    request_id: null,
    scheduled_ms: null,
    start_ms: 0,
    send_lag_ms: null,
    ttfb_ms: 40,
    ttft_ms: 50,
    e2e_ms: 500,
    tbt_ms: 10,
    content_chunks: 3,
    prompt_tokens: 100,
    completion_tokens: 20,
    cached_tokens: 0,
    tokens_estimated: false,
    finish_reason: 'stop',
    status: 200,
    attempts: 1,
    throttled_attempts: 0,
    backoff_ms: 0,
    error: null,
    error_message: null,
    utilization: null,
    ratelimit_remaining_requests: null,
    ratelimit_remaining_tokens: null,
    warmup: false,
    ...overrides,
  };
}

describe('engine/distribution: bins', () => {
  it('logEdges: 0, then `perDecade` log-spaced edges per decade from `from` to `to`, 3 significant digits', () => {
    assert.deepEqual(logEdges(1, 100, 2), [0, 1, 3.16, 10, 31.6, 100]);
    assert.deepEqual(logEdges(0.1, 10, 1), [0, 0.1, 1, 10]);
  });

  for (const [name, edges, from, to] of [
    ['LATENCY_EDGES_MS', LATENCY_EDGES_MS, 0.1, 600_000],
    ['TOKEN_EDGES', TOKEN_EDGES, 1, 1_000_000],
  ] as const) {
    it(`${name}: strictly increasing from 0 through ${from} to ~${to}, 40 bins per decade, each ≤ ~6.5% wide`, () => {
      assert.equal(edges[0], 0);
      assert.equal(edges[1], from);
      // The last edge is the nearest whole step to \`to\` (within half a bin either side).
      const last = edges.at(-1)!;
      assert.ok(Math.abs(Math.log10(last / to)) <= 0.5 / 40, `last edge ${last} vs ${to}`);
      for (let i = 1; i < edges.length; i++) assert.ok(edges[i] > edges[i - 1], `edge ${i}: ${edges[i]} after ${edges[i - 1]}`);
      for (let i = 2; i < edges.length; i++) {
        const width = edges[i] / edges[i - 1];
        assert.ok(width > 1.04 && width < 1.075, `bin ${i - 1}: ${edges[i - 1]}–${edges[i]} is ×${width.toFixed(4)}`);
      }
      assert.equal(edges.length, 2 + Math.round(Math.log10(to / from) * 40));
      for (const e of edges) assert.equal(Number(e.toPrecision(3)), e);
    });
  }

  it('emptyDistribution: one zero count per edge, of the unit’s edges', () => {
    const ms = emptyDistribution('ms');
    assert.deepEqual([ms.unit, ms.edges, ms.count, ms.sum], ['ms', LATENCY_EDGES_MS, 0, 0]);
    assert.equal(ms.counts.length, LATENCY_EDGES_MS.length);
    assert.ok(ms.counts.every((c) => c === 0));
    const tokens = emptyDistribution('tokens');
    assert.deepEqual(tokens.edges, TOKEN_EDGES);
    assert.equal(tokens.counts.length, TOKEN_EDGES.length);
    // Separate count arrays: filling one leaves another alone.
    addToDistribution(ms, 5);
    assert.equal(emptyDistribution('ms').count, 0);
    assert.ok(emptyDistribution('ms').counts.every((c) => c === 0));
  });
});

describe('engine/distribution: addToDistribution', () => {
  it('an edge value lands in the bin that starts at it; just below lands in the bin before', () => {
    const d = emptyDistribution('ms');
    for (const i of [1, 2, 50, 137, LATENCY_EDGES_MS.length - 2]) {
      const edge = LATENCY_EDGES_MS[i];
      assert.equal(binOf(d, edge), i, `edge ${edge}`);
      assert.equal(binOf(d, edge - 1e-9 * edge), i - 1, `just below ${edge}`);
      const next = LATENCY_EDGES_MS[i + 1];
      assert.equal(binOf(d, (edge + next) / 2), i, `middle of ${edge}–${next}`);
    }
  });

  it('0 and values below the first positive edge go to bin 0; values ≥ the last edge to the last (open) bin', () => {
    const d = emptyDistribution('ms');
    const last = LATENCY_EDGES_MS.length - 1;
    assert.equal(binOf(d, 0), 0);
    assert.equal(binOf(d, 0.05), 0);
    assert.equal(binOf(d, 600_000), last);
    assert.equal(binOf(d, 3_600_000), last);
    assert.equal(binOf(d, Number.MAX_VALUE), last);
    assert.equal(d.count, 5);
    assert.equal(d.counts[0], 2);
    assert.equal(d.counts[last], 3);
  });

  it('agrees with a linear scan for thousands of values across the whole range', () => {
    for (const unit of ['ms', 'tokens'] as const) {
      const d = emptyDistribution(unit);
      const expected = d.counts.map(() => 0);
      let sum = 0;
      // Deterministic spread over ~9 decades, plus every edge itself.
      const values = [...Array.from({ length: 4000 }, (_, i) => 10 ** (-2 + (i * 9.3) / 4000) * (1 + (((i * 7919) % 97) / 97) * 0.05)), ...d.edges];
      for (const v of values) {
        addToDistribution(d, v);
        expected[binByScan(d.edges, v)]++;
        sum += v;
      }
      assert.deepEqual(d.counts, expected, unit);
      assert.equal(d.count, values.length);
      assert.equal(d.sum, sum);
      assert.equal(
        d.counts.reduce((a, b) => a + b, 0),
        d.count,
      );
    }
  });

  it('ignores negative, NaN and infinite values (count, sum and bins unchanged)', () => {
    const d = emptyDistribution('ms');
    for (const v of [-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) addToDistribution(d, v);
    assert.equal(d.count, 0);
    assert.equal(d.sum, 0);
    assert.ok(d.counts.every((c) => c === 0));
  });
});

describe('engine/distribution: mean and merge', () => {
  it('distributionMean is the exact mean of the values (not of bin midpoints), null when empty', () => {
    const d = emptyDistribution('ms');
    assert.equal(distributionMean(d), null);
    for (const v of [101, 102, 103, 250.5]) addToDistribution(d, v);
    assert.equal(distributionMean(d), (101 + 102 + 103 + 250.5) / 4);
  });

  it('merging two distributions equals one fed all the values', () => {
    const a = emptyDistribution('ms');
    const b = emptyDistribution('ms');
    const all = emptyDistribution('ms');
    [3, 40, 41, 900, 12_000].forEach((v) => {
      addToDistribution(a, v);
      addToDistribution(all, v);
    });
    [0.2, 40.5, 1e6].forEach((v) => {
      addToDistribution(b, v);
      addToDistribution(all, v);
    });
    mergeDistribution(a, b);
    assert.deepEqual(a.counts, all.counts);
    assert.equal(a.count, 8);
    assert.equal(a.sum, all.sum);
    assert.equal(distributionMean(a), distributionMean(all));
    // `from` is unchanged.
    assert.equal(b.count, 3);
  });

  it('refuses to merge distributions with different bins', () => {
    assert.throws(() => mergeDistribution(emptyDistribution('ms'), emptyDistribution('tokens')), /different bins/);
  });
});

describe('engine/distribution: DistributionTally', () => {
  it('leaves out warm-up and cancelled requests; failed requests count only their prompt tokens', () => {
    const tally = new DistributionTally();
    tally.add(record({ ttft_ms: 50, e2e_ms: 500, tbt_ms: 10, prompt_tokens: 100, completion_tokens: 20, chunk_offsets_ms: [50, 60, 75, 100] }));
    tally.add(record({ warmup: true, ttft_ms: 9999, prompt_tokens: 9999 }));
    tally.add(record({ error: 'cancelled', ttft_ms: 8888, prompt_tokens: 8888 }));
    tally.add(record({ error: 'http_error', status: 500, ttft_ms: null, e2e_ms: 30, tbt_ms: null, prompt_tokens: 200, completion_tokens: null }));
    tally.add(record({ error: 'stream_dropped', ttft_ms: 70, e2e_ms: 300, tbt_ms: 12, prompt_tokens: 300, completion_tokens: 5, chunk_offsets_ms: [70, 90] }));
    const d = tally.get('a')!;
    assert.deepEqual([d.ttft.count, d.ttft.sum], [1, 50]);
    assert.deepEqual([d.e2e.count, d.e2e.sum], [1, 500]);
    assert.deepEqual([d.tbt.count, d.tbt.sum], [1, 10]);
    assert.deepEqual([d.completion_tokens.count, d.completion_tokens.sum], [1, 20]);
    // Prompt tokens were sent for the success and both failures.
    assert.deepEqual([d.prompt_tokens.count, d.prompt_tokens.sum], [3, 600]);
    // Chunk gaps from the success's offsets only: 10, 15, 25.
    assert.deepEqual([d.chunk_gap.count, d.chunk_gap.sum], [3, 50]);
    const expectedItl = emptyDistribution('ms');
    [10, 15, 25].forEach((v) => addToDistribution(expectedItl, v));
    assert.deepEqual(d.chunk_gap.counts, expectedItl.counts);
  });

  it('keeps targets apart, skips null fields, has no chunk gaps without offsets, and serialises to plain data', () => {
    const tally = new DistributionTally();
    tally.add(record({ target: 'a', ttft_ms: null, tbt_ms: null, completion_tokens: null }));
    tally.add(record({ target: 'b', ttft_ms: 80, chunk_offsets_ms: [80] }));
    assert.equal(tally.get('c'), undefined);
    const a = tally.get('a')!;
    assert.deepEqual([a.ttft.count, a.tbt.count, a.completion_tokens.count, a.e2e.count, a.prompt_tokens.count, a.chunk_gap.count], [0, 0, 0, 1, 1, 0]);
    const b = tally.get('b')!;
    assert.deepEqual([b.ttft.count, b.ttft.sum, b.chunk_gap.count], [1, 80, 0]);
    const json = JSON.parse(JSON.stringify(tally));
    assert.deepEqual(Object.keys(json), ['a', 'b']);
    assert.deepEqual(json.b, JSON.parse(JSON.stringify(b)));
    assert.deepEqual(Object.keys(json.a).sort(), Object.keys(emptyTargetDistributions()).sort());
  });

  describe('on a real simulator run', function () {
    this.timeout(60_000);
    let run: RealRun;
    before(async () => {
      run = await realRun();
    });

    it('counts exactly what the engine’s summary counts, per target', () => {
      const tally = new DistributionTally();
      for (const r of run.records) tally.add(r);
      assert.deepEqual(Object.keys(tally.toJSON()).sort(), ['fast', 'slow']);
      for (const t of run.summary.targets) {
        const d = tally.get(t.target)!;
        assert.ok(t.latency_ms.ttft.count > 20, `${t.target}: a real run with requests (${t.latency_ms.ttft.count})`);
        assert.equal(d.ttft.count, t.latency_ms.ttft.count, `${t.target} ttft`);
        assert.equal(d.e2e.count, t.latency_ms.e2e.count, `${t.target} e2e`);
        assert.equal(d.tbt.count, t.latency_ms.tbt.count, `${t.target} tbt`);
        assert.equal(d.chunk_gap.count, t.latency_ms.chunk_gap.count, `${t.target} chunk gaps`);
        // Requests that count (completed − warm-up) all sent their prompt.
        assert.equal(d.prompt_tokens.count, t.requests.completed - t.requests.warmup_excluded);
        assert.equal(d.prompt_tokens.sum, t.tokens.prompt);
        assert.equal(d.completion_tokens.sum, t.tokens.completion);
        // Exact means agree with the summary's (rounded to 3 decimals) averages.
        assert.ok(Math.abs(distributionMean(d.ttft)! - t.latency_ms.ttft.avg!) < 0.001, `${t.target} ttft mean`);
        assert.ok(Math.abs(distributionMean(d.e2e)! - t.latency_ms.e2e.avg!) < 0.001, `${t.target} e2e mean`);
        // The TTFT median's bin holds the summary's p50 (HDR percentiles are within 0.1%).
        const p50 = t.latency_ms.ttft.p50!;
        let seen = 0;
        const medianBin = d.ttft.counts.findIndex((c) => (seen += c) >= d.ttft.count / 2);
        assert.ok(Math.abs(medianBin - binByScan(d.ttft.edges, p50)) <= 1, `${t.target}: median bin ${medianBin} vs p50 ${p50}`);
      }
    });
  });
});
