// A real run against the built-in simulator with `server_metrics: { prometheus: true }`: the engine
// scrapes the simulator's /metrics over HTTP while the run goes, and what it recorded is checked
// against the simulator's own log of what it did — counters exactly, server-side TTFT percentiles
// within the width of vLLM's buckets. Scrapes that fail are warnings, never a failed run.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../../../src/engine/run';
import { summaryText } from '../../../src/engine/report-text';
import { parseScenario } from '../../../src/engine/scenario/load';
import { bucketWidthAt } from '../../../src/engine/server-metrics/histogram-quantile';
import { readServerSamples } from '../../../src/engine/server-metrics/samples-file';
import { SERVER_METRICS_FILE, type ServerSample } from '../../../src/engine/server-metrics/types';
import { TTFT_BUCKETS_S } from '../../../src/simulator/metrics';
import { startSimulator } from '../../../src/simulator/server';
import type { SimulatorLogEntry } from '../../../src/simulator/types';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-server-metrics-'));
}

function readLog(file: string): SimulatorLogEntry[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SimulatorLogEntry);
}

/** The exact q-quantile (nearest rank) of values. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1];
}

/** The last scraped value of a series, summed over its label sets. */
function lastValue(samples: ServerSample[], name: string): number {
  const mine = samples.filter((s) => s.name === name);
  const lastT = Math.max(...mine.map((s) => s.t));
  return mine.filter((s) => s.t === lastT).reduce((a, s) => a + s.value, 0);
}

describe('server metrics: scraping the simulator during a run', function () {
  this.timeout(120_000);

  it('records /metrics as it is scraped; counters match the simulator log and server TTFT its TTFT within a bucket', async () => {
    const dir = tmpDir();
    const logFile = path.join(dir, 'simulator.jsonl');
    // Two serving slots and ~330 ms per request hold ~360 RPM: at 600 RPM requests queue in the server.
    const scenario = parseScenario(
      `name: scrape
targets:
  - name: sim
    endpoint: simulator
    model: gpt-4o-mini
    simulator: { ttft_ms: 130, tpot_ms: 5, jitter: 0.2, max_concurrency: 2, seed: 3 }
    server_metrics: { prometheus: true, interval: 250ms }
workload: { rate: 600, duration: 4s, clients: 100 }
prompts: { shape: custom, context_tokens: 120, max_tokens: 40 }
`,
      path.join(dir, 'scrape.perf.yaml'),
    );
    scenario.targets[0].simulator!.log_file = logFile;
    let linesDuringRun = 0;
    const run = startRun(scenario, {
      outDir: path.join(dir, 'run'),
      seed: 5,
      resolveCredential: async () => null,
      onWindow: (w) => {
        // Appended as scraped: by the second window the file already holds scrapes.
        if (w.t >= 2 && linesDuringRun === 0) linesDuringRun = readServerSamples(path.join(dir, 'run')).length;
      },
    });
    const summary = await run.done;
    assert.equal(summary.error, undefined);
    assert.ok(linesDuringRun > 0, 'server-metrics.jsonl is written while the run goes, not at its end');

    const log = readLog(logFile).filter((e) => e.status === 200);
    const t = summary.targets[0];
    assert.equal(t.requests.succeeded, log.length);
    const server = t.server!;
    const p = server.prometheus!;
    assert.equal(p.failed, 0, p.error);
    assert.equal(p.server, 'vLLM');
    // A first scrape, one per 250 ms over ≥ 4 s, and a last one; ticks are skipped only while a scrape is in flight.
    assert.ok(p.scrapes >= 12, `${p.scrapes} scrapes`);

    const samples = readServerSamples(path.join(dir, 'run'));
    const url = `${p.url}`;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    for (const s of samples) {
      assert.equal(s.source, 'prometheus');
      assert.equal(s.target, 'sim');
      assert.equal(s.resource, url);
      assert.equal(new Date(s.time).toISOString(), s.time);
    }
    const times = [...new Set(samples.map((s) => s.t))];
    assert.equal(times.length, p.scrapes, 'one timestamp per scrape');
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      'appended in scrape order',
    );
    assert.ok(Math.abs(times[0]) < 0.5 && times.at(-1)! >= 4, `scrapes from the target's start (t=${times[0]}) to its end (t=${times.at(-1)})`);

    // Counters: the last scrape (after the last request finished) against the log.
    const sum = (f: (e: SimulatorLogEntry) => number) => log.reduce((a, e) => a + f(e), 0);
    assert.equal(
      lastValue(samples, 'vllm:prompt_tokens_total'),
      sum((e) => e.prompt_tokens),
    );
    assert.equal(
      lastValue(samples, 'vllm:generation_tokens_total'),
      sum((e) => e.completion_tokens),
    );
    assert.equal(lastValue(samples, 'vllm:request_success_total'), log.length);
    const stats = (name: string) => p.series.filter((s) => s.name === name).reduce((a, s) => a + (s.increase ?? 0), 0);
    assert.equal(
      stats('vllm:prompt_tokens_total'),
      sum((e) => e.prompt_tokens),
      "the summary's increase over the run",
    );
    assert.equal(
      stats('vllm:generation_tokens_total'),
      sum((e) => e.completion_tokens),
    );

    // The server's load: both slots busy, requests waiting behind them (the log says how long).
    assert.equal(server.running!.max, 2);
    assert.ok(server.waiting!.max >= 1, `waiting max ${server.waiting!.max}`);
    assert.ok(
      log.some((e) => (e.queued_ms ?? 0) > 0),
      'the log confirms requests waited for a slot',
    );
    assert.ok(server.kv_cache!.max > 0 && server.kv_cache!.max < 1);

    // Server TTFT (arrival → first token, the simulator's own clock) within a bucket of the log's.
    const logTtftS = log.map((e) => (e.first_content_ms! - e.received_ms) / 1000);
    const ttft = server.latency_ms!.ttft!;
    assert.equal(ttft.metric, 'vllm:time_to_first_token_seconds');
    assert.equal(ttft.count, log.length);
    const buckets = [...TTFT_BUCKETS_S, Infinity].map((bound) => ({ bound, count: 0 }));
    for (const q of [0.5, 0.95] as const) {
      const exact = quantile(logTtftS, q) * 1000;
      const got = q === 0.5 ? ttft.p50! : ttft.p95!;
      const width = bucketWidthAt(exact / 1000, buckets) * 1000;
      assert.ok(Math.abs(got - exact) <= width, `server TTFT p${q * 100}: ${got} ms vs the log's ${exact.toFixed(1)} ms (bucket ${width} ms wide)`);
    }
    assert.ok(Math.abs(ttft.avg! - (logTtftS.reduce((a, b) => a + b, 0) / log.length) * 1000) < 1, 'the mean comes from _sum exactly');
    assert.equal(ttft.client_p50, t.latency_ms.ttft.p50);
    assert.equal(server.outside_server_ms!.ttft_p50, Math.round((t.latency_ms.ttft.p50! - ttft.p50!) * 100) / 100);
    const e2e = server.latency_ms!.e2e!;
    assert.equal(e2e.count, log.length);
    assert.ok(server.latency_ms!.itl!.count > 0);

    // The lines of the CLI summary.
    const text = summaryText(summary, null);
    assert.match(text, /server \(vLLM\): http:\/\/127\.0\.0\.1:\d+\/metrics, \d+ scrapes; running max 2 \(avg [\d.]+\), waiting max \d/);
    // Time outside the server, or — when the difference is smaller than the server's bucket — no claim.
    const withinBucket = Math.abs(server.outside_server_ms!.ttft_p50!) < ttft.p50_resolution_ms!;
    assert.match(
      text,
      withinBucket
        ? /server TTFT p50 [\d.]+ \/ p95 [\d.]+ ms \(client [\d.]+ \/ [\d.]+\); client − server at p50 = -?[\d.]+ ms, within the server's bucket width there \([\d.]+ ms\)/
        : /server TTFT p50 [\d.]+ \/ p95 [\d.]+ ms \(client [\d.]+ \/ [\d.]+\); -?[\d.]+ ms outside the server at p50 \(server buckets [\d.]+ ms wide there\)/,
    );
    // summary.json on disk is the summary returned.
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
    assert.deepEqual(onDisk.targets[0].server, JSON.parse(JSON.stringify(server)));
  });

  it('a metrics URL that refuses, is missing or is not the text format is a warning, never a failed run', async () => {
    const dir = tmpDir();
    const other = await startSimulator({ keep_log: true });
    const closedPort = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    try {
      const target = (name: string, prometheus: string) =>
        `  - name: ${name}\n    endpoint: simulator\n    model: gpt-4o-mini\n    server_metrics: { prometheus: "${prometheus}", interval: 500ms }\n`;
      const scenario = parseScenario(
        `targets:\n${target('refused', `http://127.0.0.1:${closedPort}/metrics`)}${target('missing', `${other.url}/no-metrics-here`)}${target('json', `${other.url}/v1/models`)}workload: { requests: 4, clients: 2, mode: closed }\nprompts: { shape: custom, context_tokens: 20, max_tokens: 5 }\n`,
        path.join(dir, 'bad.perf.yaml'),
      );
      const summary = await startRun(scenario, { outDir: path.join(dir, 'run'), resolveCredential: async () => null }).done;
      assert.equal(summary.error, undefined);
      assert.equal(summary.passed, true);
      const warning = (name: string) => summary.targets.find((t) => t.target === name)!.warnings.find((w) => w.startsWith('server metrics:')) ?? '';
      assert.match(warning('refused'), /could not scrape http:\/\/127\.0\.0\.1:\d+\/metrics: connection refused/);
      assert.match(warning('missing'), /could not scrape .*\/no-metrics-here: HTTP 404/);
      assert.match(warning('json'), /could not scrape .*\/v1\/models: not the Prometheus text format/);
      for (const t of summary.targets) {
        assert.equal(t.requests.succeeded, 4, 'the client measured as usual');
        assert.equal(t.server!.prometheus!.scrapes, 0);
        assert.ok(t.server!.prometheus!.failed >= 2, 'a first and a last scrape at least');
      }
      assert.equal(fs.readFileSync(path.join(dir, 'run', SERVER_METRICS_FILE), 'utf8'), '', 'nothing scraped, nothing written');
    } finally {
      await other.close();
    }
  });

  it('sends a metrics token only when server_metrics.auth names one, and only to the metrics URL', async () => {
    const dir = tmpDir();
    const page = fs.readFileSync(path.join(__dirname, 'fixtures', 'vllm.txt'), 'utf8');
    const seen: (string | undefined)[] = [];
    const metrics = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(page);
    });
    await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(metrics.address() as net.AddressInfo).port}/metrics`;
    try {
      const scenario = parseScenario(
        `targets:\n  - name: sim\n    endpoint: simulator\n    model: gpt-4o-mini\n    server_metrics: { prometheus: "${url}", interval: 1s, auth: { env: METRICS_TOKEN } }\nworkload: { requests: 2, clients: 1, mode: closed }\nprompts: { shape: custom, context_tokens: 20, max_tokens: 5 }\n`,
        path.join(dir, 'auth.perf.yaml'),
      );
      const asked: string[] = [];
      const withToken = await startRun(scenario, {
        outDir: null,
        resolveCredential: async () => null,
        resolveServerMetricsToken: async (target, env) => (asked.push(`${target.name}:${env}`), 'metrics-token-0123456789'),
      }).done;
      assert.deepEqual(asked, ['sim:METRICS_TOKEN']);
      assert.ok(seen.length >= 2);
      assert.ok(
        seen.every((h) => h === 'Bearer metrics-token-0123456789'),
        JSON.stringify(seen),
      );
      // The fixture's two engines: running 8 + 6, waiting 3 + 0, KV cache the fuller one.
      assert.deepEqual(withToken.targets[0].server!.running, { avg: 14, max: 14 });
      assert.deepEqual(withToken.targets[0].server!.waiting, { avg: 3, max: 3 });
      assert.equal(withToken.targets[0].server!.kv_cache!.max, 0.438);

      seen.length = 0;
      const without = await startRun(scenario, { outDir: null, resolveCredential: async () => null }).done;
      assert.ok(seen.length >= 2 && seen.every((h) => h === undefined), 'no resolver here: no token at all');
      assert.ok(without.targets[0].warnings.some((w) => /server_metrics.auth is not read here; http:\/\/127\.0\.0\.1:\d+ was scraped without a token/.test(w)));
    } finally {
      await new Promise<void>((resolve) => metrics.close(() => resolve()));
    }
  });
});
