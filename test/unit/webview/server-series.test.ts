// The Server section's series from server-metrics.jsonl samples (src/results/server-series.ts) and what
// the Run panel's model makes of them (webview-ui/src/model/server.ts): the server's batch and queue
// summed over label sets, KV cache in percent, its TTFT percentiles over the same sliding window as the
// client's (checked against histogram_quantile of the bucket differences), token and request rates,
// restarts, Azure Monitor's minutes as steps (a gap for a missing minute, a later fetch replacing a
// value), labels and units; live batches add up to the whole; the charts put the client's series beside
// the server's; the cards are the summary's numbers once the run has ended.
import { strict as assert } from 'node:assert';
import type { ServerSample, ServerSummary } from '../../../src/engine/server-metrics/types';
import { histogramQuantile, type Bucket } from '../../../src/engine/server-metrics/histogram-quantile';
import type { TargetSummary } from '../../../src/engine/summary';
import { serverSeriesFromSamples, ServerSeriesBuilder, type ServerSeries } from '../../../src/results/server-series';
import { ServerModel, serverSection } from '../../../webview-ui/src/model/server';
import { RunViewModel, seriesFromWindows } from '../../../webview-ui/src/model/view-model';
import { lat, scenario, win } from './fixtures';

const URL = 'http://gpu:8000/metrics';
const BOUNDS = ['0.05', '0.1', '0.25', '0.5', '1.0', '+Inf'];

function sample(t: number, name: string, value: number, labels: Record<string, string> = { model_name: 'm' }, extra: Partial<ServerSample> = {}): ServerSample {
  return {
    t,
    time: new Date(Date.UTC(2026, 0, 1, 10) + t * 1000).toISOString(),
    target: 'a',
    source: 'prometheus',
    resource: URL,
    name,
    labels,
    value,
    ...extra,
  };
}

/** A TTFT histogram sample with cumulative counts per bound. */
function ttft(t: number, cumulative: number[], labels: Record<string, string> = { model_name: 'm' }): ServerSample {
  return sample(t, 'vllm:time_to_first_token_seconds', cumulative.at(-1)!, labels, { buckets: BOUNDS.map((b, i) => [b, cumulative[i]]), sum: 0 });
}

function buckets(cumulative: number[]): Bucket[] {
  return BOUNDS.map((b, i) => ({ bound: b === '+Inf' ? Infinity : Number(b), count: cumulative[i] }));
}

/** One scrape of a vLLM server at `t`: two label sets of running/waiting (summed), KV cache (the fullest
 *  counts), a token counter and the TTFT histogram. */
function scrape(t: number, o: { running: [number, number]; waiting: [number, number]; kv: [number, number]; prompt: number; ttft: number[] }): ServerSample[] {
  return [
    sample(t, 'vllm:num_requests_running', o.running[0], { model_name: 'm', engine: '0' }),
    sample(t, 'vllm:num_requests_running', o.running[1], { model_name: 'm', engine: '1' }),
    sample(t, 'vllm:num_requests_waiting', o.waiting[0], { model_name: 'm', engine: '0' }),
    sample(t, 'vllm:num_requests_waiting', o.waiting[1], { model_name: 'm', engine: '1' }),
    sample(t, 'vllm:kv_cache_usage_perc', o.kv[0], { model_name: 'm', engine: '0' }),
    sample(t, 'vllm:kv_cache_usage_perc', o.kv[1], { model_name: 'm', engine: '1' }),
    sample(t, 'vllm:prompt_tokens_total', o.prompt),
    ttft(t, o.ttft),
  ];
}

const byId = (series: ServerSeries[], id: string) => {
  const s = series.find((x) => x.id === id);
  assert.ok(s, `series ${id} among ${series.map((x) => x.id).join(', ')}`);
  return s;
};
const ys = (s: ServerSeries) => s.points.map((p) => p.y);

describe('server series from samples', () => {
  // Window 2 s, a scrape each second.
  const samples = [
    ...scrape(0, { running: [0, 0], waiting: [0, 0], kv: [0, 0], prompt: 1000, ttft: [0, 0, 0, 0, 0, 0] }),
    ...scrape(1, { running: [2, 1], waiting: [1, 0], kv: [0.1, 0.25], prompt: 1600, ttft: [1, 3, 4, 4, 4, 4] }),
    ...scrape(2, { running: [3, 3], waiting: [2, 2], kv: [0.5, 0.2], prompt: 2800, ttft: [1, 3, 8, 10, 10, 10] }),
    ...scrape(3, { running: [1, 0], waiting: [0, 0], kv: [0.05, 0.05], prompt: 3400, ttft: [1, 3, 8, 10, 10, 10] }),
  ];
  const series = serverSeriesFromSamples(samples, 2);

  it('draws the running batch and the queue summed over label sets, the KV cache (fullest) in percent', () => {
    const running = byId(series, 'running');
    assert.deepEqual(
      running.points,
      [0, 1, 2, 3].map((x, i) => ({ x, y: [0, 3, 6, 1][i] })),
    );
    assert.deepEqual(
      [running.label, running.unit, running.chart, running.metric],
      ['Server: requests running', 'requests', 'server_load', 'vllm:num_requests_running'],
    );
    assert.deepEqual(ys(byId(series, 'waiting')), [0, 1, 4, 0]);
    const kv = byId(series, 'kv_cache');
    assert.deepEqual(ys(kv), [0, 25, 50, 5]);
    assert.deepEqual([kv.label, kv.unit, kv.chart], ['Server: KV-cache usage', '%', 'server_kv_cache']);
    assert.ok(series.every((s) => s.source === 'prometheus' && !s.stepped));
  });

  it('computes TTFT p50/p95 over the sliding window as histogram_quantile of the bucket differences', () => {
    const p50 = byId(series, 'ttft_p50');
    const p95 = byId(series, 'ttft_p95');
    assert.deepEqual([p50.label, p50.unit, p50.chart, p95.label], ['Server TTFT p50', 'ms', 'server_ttft', 'Server TTFT p95']);
    const delta = (a: number[], b: number[]) => buckets(b.map((c, i) => c - a[i]));
    const ms = (q: number, a: number[], b: number[]) => Math.round(histogramQuantile(q, delta(a, b))! * 1000 * 100) / 100;
    const c = [
      [0, 0, 0, 0, 0, 0],
      [1, 3, 4, 4, 4, 4],
      [1, 3, 8, 10, 10, 10],
      [1, 3, 8, 10, 10, 10],
    ];
    // The first scrape is the baseline (nothing to measure yet); at t=1 and 2 the window reaches back to
    // t=0; at t=3 to t=1 (window 2 s): observations 6, all between 0.1 s and 0.5 s.
    assert.deepEqual(ys(p50), [null, ms(0.5, c[0], c[1]), ms(0.5, c[0], c[2]), ms(0.5, c[1], c[3])]);
    assert.deepEqual(ys(p95), [null, ms(0.95, c[0], c[1]), ms(0.95, c[0], c[2]), ms(0.95, c[1], c[3])]);
    assert.equal(ys(p50)[1], 75, 'p50 of [1 under 50 ms, 2 in 50–100 ms, 1 in 100–250 ms] interpolates to 75 ms');
    // The width of the bucket p50 fell in: what the cards' caveat reads.
    const width = byId(series, 'ttft_p50_bucket');
    assert.equal(width.chart, null, 'not drawn');
    assert.deepEqual(ys(width), [null, 50, 150, 150]);
  });

  it('a window with nothing observed is a gap, not zero', () => {
    const quiet = serverSeriesFromSamples([ttft(0, [1, 1, 1, 1, 1, 1]), ttft(1, [1, 1, 1, 1, 1, 1]), ttft(2, [1, 2, 2, 2, 2, 2])], 1);
    assert.deepEqual(ys(byId(quiet, 'ttft_p50')), [null, null, 75]);
  });

  it('turns token counters into per-minute rates over the window, across a server restart', () => {
    assert.deepEqual(ys(byId(series, 'prompt_tpm')), [null, 600 * 60, ((2800 - 1000) / 2) * 60, ((3400 - 1600) / 2) * 60]);
    const tpm = byId(series, 'prompt_tpm');
    assert.deepEqual([tpm.label, tpm.unit, tpm.chart], ['Server: prompt TPM', 'tpm', 'server_tokens']);
    // 100 → 160, restart, 30 → 90: 60 + 30 + 60 = 150 tokens over 3 s.
    const restarted = serverSeriesFromSamples(
      [0, 1, 2, 3].map((t, i) => sample(t, 'vllm:prompt_tokens_total', [100, 160, 30, 90][i])),
      10,
    );
    assert.deepEqual(ys(byId(restarted, 'prompt_tpm')), [null, 3600, 90 * 30, 50 * 60]);
  });

  it('draws other series by unit: gauges as values, counters (…_total) per second, under their own names', () => {
    const other = serverSeriesFromSamples(
      [0, 2].flatMap((t, i) => [
        sample(t, 'my_queue_depth', [3, 7][i]),
        sample(t, 'my_errors_total', [10, 16][i]),
        sample(t, 'vllm:gpu_prefix_cache_hit_rate', [0.5, 0.25][i]),
      ]),
      5,
    );
    const depth = byId(other, 'other:my_queue_depth');
    assert.deepEqual([depth.label, depth.unit, depth.chart, ys(depth)], ['my_queue_depth', 'number', 'other:number', [3, 7]]);
    const errors = byId(other, 'other:my_errors_total');
    assert.deepEqual([errors.label, errors.unit, errors.chart, ys(errors)], ['my_errors_total per second', 'per_s', 'other:per_s', [null, 3]]);
    const hit = byId(other, 'other:vllm:gpu_prefix_cache_hit_rate');
    assert.deepEqual([hit.label, hit.unit, hit.chartTitle, ys(hit)], ['prefix-cache hit rate', '%', 'Other server series (percent)', [50, 25]]);
  });

  it('live batches (one scrape each) add up to the series of the whole file', () => {
    const builder = new ServerSeriesBuilder(2);
    const batches: ServerSeries[][] = [];
    for (let t = 0; t <= 3; t++) {
      for (const s of samples.filter((x) => x.t === t)) builder.add(s);
      batches.push(builder.flush());
    }
    assert.deepEqual(builder.flush(), [], 'nothing new');
    assert.ok(
      batches.every((b) => b.every((s) => s.points.length === 1)),
      'each batch carries one new point per series',
    );
    const joined = new Map<string, ServerSeries>();
    for (const s of batches.flat()) {
      const j = joined.get(s.id);
      if (j) j.points.push(...s.points);
      else joined.set(s.id, { ...s, points: [...s.points] });
    }
    assert.deepEqual([...joined.values()], series);
  });

  describe('Azure Monitor', () => {
    const azure = (minute: number, name: string, value: number, aggregation: string, unit: string): ServerSample => ({
      t: minute * 60 - 20,
      time: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
      target: 'a',
      source: 'azure-monitor',
      resource: '/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/contoso',
      name,
      labels: { modeldeploymentname: 'gpt-4o' },
      value,
      aggregation,
      unit,
    });

    it('draws each minute as a step that holds until the next, a missing minute as a gap; a later fetch replaces a value', () => {
      const out = serverSeriesFromSamples(
        [
          azure(0, 'AzureOpenAIRequests', 10, 'total', 'Count'),
          azure(1, 'AzureOpenAIRequests', 12, 'total', 'Count'),
          azure(3, 'AzureOpenAIRequests', 7, 'total', 'Count'),
          azure(1, 'AzureOpenAIRequests', 15, 'total', 'Count'), // fetched again: Azure filled in late data
          azure(0, 'AzureOpenAITimeToResponse', 0.25, 'average', 'Seconds'),
          azure(0, 'AzureOpenAIProvisionedManagedUtilizationV2', 40, 'maximum', 'Percent'),
        ],
        60,
      );
      const requests = out.find((s) => s.metric === 'AzureOpenAIRequests')!;
      assert.equal(requests.stepped, true);
      assert.equal(requests.source, 'azure-monitor');
      assert.equal(requests.chartTitle, 'Azure OpenAI requests — Azure Monitor, per minute');
      assert.equal(requests.label, 'Total (modeldeploymentname=gpt-4o)');
      assert.equal(requests.unit, 'number');
      // -20 s (the minute the target started in) … 40 s, 40 … 100 s, then a gap, 160 … 220 s.
      assert.deepEqual(requests.points, [
        { x: -20, y: 10 },
        { x: 40, y: 15 },
        { x: 100, y: 15 },
        { x: 100, y: null },
        { x: 160, y: 7 },
        { x: 220, y: 7 },
      ]);
      const ttr = out.find((s) => s.metric === 'AzureOpenAITimeToResponse')!;
      assert.deepEqual(
        [ttr.unit, ttr.label, ttr.points],
        [
          'ms',
          'Average (modeldeploymentname=gpt-4o)',
          [
            { x: -20, y: 250 },
            { x: 40, y: 250 },
          ],
        ],
      );
      const util = out.find((s) => s.metric === 'AzureOpenAIProvisionedManagedUtilizationV2')!;
      assert.deepEqual([util.unit, util.chartTitle], ['%', 'Provisioned-managed utilization V2 — Azure Monitor, per minute']);
      assert.notEqual(util.chart, requests.chart, 'a chart per metric');
    });
  });
});

describe('Server section model', () => {
  const samples = [
    ...scrape(0, { running: [0, 0], waiting: [0, 0], kv: [0, 0], prompt: 0, ttft: [0, 0, 0, 0, 0, 0] }),
    ...scrape(1, { running: [2, 1], waiting: [1, 0], kv: [0.1, 0.25], prompt: 600, ttft: [1, 3, 4, 4, 4, 4] }),
    ...scrape(2, { running: [1, 1], waiting: [0, 0], kv: [0.2, 0.2], prompt: 1200, ttft: [1, 3, 5, 5, 5, 5] }),
  ];
  const withServer = () =>
    scenario({
      targets: [
        {
          name: 'a',
          provider: 'openai-compatible',
          endpoint: 'http://gpu:8000/v1',
          model: 'm',
          auth: { type: 'none' },
          server_metrics: { prometheus: 'endpoint', interval_s: 1, series: [] },
        },
        { name: 'b', provider: 'simulator', endpoint: 'simulator', model: 'm', auth: { type: 'none' } },
      ],
    });

  it('puts the client’s in-flight and TTFT beside the server’s, on charts in the roles’ order', () => {
    const vm = new RunViewModel({ scenario: withServer() });
    const windows = [win(1, { in_flight: 4, ttft: lat(120, 300) }), win(2, { in_flight: 3, ttft: lat(110, 280) })];
    vm.addWindows(windows);
    vm.addServer(serverSeriesFromSamples(samples, 10));
    const charts = vm.serverCharts('a');
    assert.deepEqual(
      charts.map((c) => c.id),
      ['server_load', 'server_ttft', 'server_kv_cache', 'server_tokens'],
    );
    const load = charts[0];
    assert.deepEqual(
      load.lines.map((l) => [l.label, !!l.client]),
      [
        ['Client: in flight (sent, not finished)', true],
        ['Server: requests running', false],
        ['Server: requests waiting', false],
      ],
    );
    const client = seriesFromWindows(windows, 'a');
    assert.deepEqual(load.lines[0].points, client.find((s) => s.id === 'in_flight')!.points);
    assert.deepEqual(
      load.lines[1].points.map((p) => p.y),
      [0, 3, 2],
    );
    assert.equal(load.unit, 'requests');
    assert.match(load.description, /Server: vllm:num_requests_running, vllm:num_requests_waiting\.$/);
    const ttftChart = charts[1];
    assert.deepEqual(
      ttftChart.lines.map((l) => l.label),
      ['Client TTFT p50', 'Client TTFT p95', 'Server TTFT p50', 'Server TTFT p95'],
    );
    assert.equal(ttftChart.title, 'TTFT: client vs server');
    // Target b has no server_metrics: no section, no charts.
    assert.equal(vm.serverSection('b'), null);
    assert.deepEqual(vm.serverCharts('b'), []);
  });

  it('while live: cards from the latest window, load so far, the bucket caveat, waiting for a first scrape', () => {
    const vm = new RunViewModel({ scenario: withServer() });
    const before = vm.serverSection('a')!;
    assert.deepEqual(before.messages, ['Waiting for the first scrape of the server’s metrics…']);
    assert.equal(before.source, "Prometheus · the endpoint's /metrics · every 1 s");
    assert.deepEqual(before.cards, []);
    vm.addWindows([win(2, { ttft: lat(120, 300) })]);
    vm.addServer(serverSeriesFromSamples(samples, 10));
    const live = vm.serverSection('a')!;
    assert.equal(live.cardSource, 'window');
    assert.deepEqual(live.messages, []);
    const cards = Object.fromEntries(live.cards.map((c) => [c.id, c]));
    // Window to t=2: 5 observations: 1 ≤ 50 ms, 2 in 50–100, 2 in 100–250 → p50 at rank 2.5 = 87.5 ms.
    assert.equal(cards.server_ttft_p50.value, 87.5);
    assert.equal(cards.outside_ttft_p50.value, 120 - 87.5);
    assert.equal(cards.server_running_max.value, 3);
    assert.equal(cards.server_running_max.note, 'so far; now 2');
    assert.equal(cards.server_kv_cache_max.value, 25);
    assert.match(live.caveat!, /within the buckets of vllm:time_to_first_token_seconds: at p50 the bucket is 50 ms wide/);
    // 32.5 ms apart, in a bucket 50 ms wide: the difference cannot be read.
    assert.equal(cards.outside_ttft_p50.note, "within the server's bucket width there (50 ms): no difference can be read");
    assert.equal(cards.outside_ttft_p95.note, 'time outside the server: network, gateway, a queue in front of it, this client · last 10 s');
  });

  it('after the run: the summary’s server block, its warnings, and a difference within the bucket said to be', () => {
    const server: ServerSummary = {
      window: { start: '2026-01-01T10:00:00Z', end: '2026-01-01T10:01:00Z' },
      prometheus: { url: URL, interval_s: 1, scrapes: 58, failed: 2, server: 'vLLM', series: [] },
      running: { avg: 1.5, max: 6 },
      waiting: { avg: 0.25, max: 9 },
      kv_cache: { avg: 0.2, max: 0.62 },
      latency_ms: {
        ttft: {
          metric: 'vllm:time_to_first_token_seconds',
          count: 90,
          avg: 130,
          p50: 120,
          p90: 200,
          p95: 240,
          p99: 300,
          p50_resolution_ms: 150,
          client_p50: 180,
          client_p95: 400,
        },
      },
      outside_server_ms: { ttft_p50: 60, ttft_p95: 160, e2e_p50: null },
      azure_monitor: {
        resource_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/contoso',
        status: 'incomplete',
        fetched_at: '2026-01-01T10:05:00.000Z',
        message: 'Azure Monitor has not published every minute of the run yet',
        series: [],
      },
    };
    const summary = {
      target: 'a',
      warnings: ['server metrics: 2 of 60 scrapes of http://gpu:8000/metrics failed; the first: connection refused', 'behind schedule'],
      server,
    } as unknown as TargetSummary;
    const model = new ServerModel();
    const section = serverSection(withServer().targets[0], summary, model, null, true)!;
    assert.equal(section.source, 'vLLM · http://gpu:8000/metrics · every 1 s · 58 scrapes, 2 failed');
    assert.deepEqual(section.messages, ['server metrics: 2 of 60 scrapes of http://gpu:8000/metrics failed; the first: connection refused']);
    assert.equal(section.cardSource, 'summary');
    assert.deepEqual(
      section.cards.map((c) => [c.id, c.value]),
      [
        ['server_ttft_p50', 120],
        ['server_ttft_p95', 240],
        ['outside_ttft_p50', 60],
        ['outside_ttft_p95', 160],
        ['server_running_max', 6],
        ['server_waiting_max', 9],
        ['server_kv_cache_max', 62],
      ],
    );
    assert.equal(section.cards[2].note, "within the server's bucket width there (150 ms): no difference can be read");
    assert.equal(section.cards[0].note, 'client 180 ms · vllm:time_to_first_token_seconds');
    assert.match(section.caveat!, /at p50 the bucket is 150 ms wide/);
    assert.deepEqual(section.azure, {
      status: 'incomplete',
      text: 'Azure Monitor (accounts/contoso): incomplete · fetched 2026-01-01 10:05:00Z — Azure Monitor has not published every minute of the run yet',
      canFetch: true,
    });
    // A target whose summary has no server block and whose scenario asks for none: no section.
    assert.equal(serverSection(scenario().targets[0], { target: 'a', warnings: [] } as unknown as TargetSummary, model, null, true), null);
  });

  it('keeps a long run bounded: decimated, the highest value kept for the cards', () => {
    const model = new ServerModel(100);
    const builder = new ServerSeriesBuilder(10);
    for (let t = 0; t < 3600; t++) {
      builder.add(sample(t, 'vllm:num_requests_waiting', t === 1234 ? 99 : t % 5));
      model.add(builder.flush());
    }
    const waiting = model.series('a').find((s) => s.id === 'waiting')!;
    assert.ok(waiting.points.length <= 100, `${waiting.points.length} points`);
    assert.ok(
      waiting.points.some((p) => p.x === 1234 && p.y === 99),
      'the spike is kept',
    );
    assert.deepEqual(model.latest('a', 'waiting'), { last: 3599 % 5, max: 99 });
  });
});
