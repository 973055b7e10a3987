// The markdown report's Server table (src/shared/markdown-report.ts) on a REAL run whose `fast` target
// scraped its simulator's /metrics: the server's TTFT / E2E / inter-token / queue-time percentiles
// beside the client's with client − server and the bucket width, its load, the caveat; Azure Monitor's
// status and metrics; nothing for a target without server_metrics.
import * as assert from 'node:assert/strict';
import type { ServerAzureSummary } from '../../../src/engine/server-metrics/types';
import { formatMs, markdownReport } from '../../../src/shared/markdown-report';
import { realRun, type RealRun } from './real-run';

describe('markdown report: the Server table', function () {
  this.timeout(60_000);
  let run: RealRun;
  before(async () => {
    run = await realRun();
  });

  /** The lines of `text` from the heading starting with `heading` to the next heading. */
  function section(text: string, heading: string): string[] {
    const lines = text.split('\n');
    const from = lines.findIndex((l) => l.startsWith(heading));
    assert.ok(from >= 0, `no "${heading}" in\n${text}`);
    const to = lines.findIndex((l, i) => i > from && l.startsWith('#'));
    return lines.slice(from, to < 0 ? undefined : to);
  }

  it('the server’s percentiles beside the client’s, client − server, its load and the caveat — for the target that scraped', () => {
    const text = markdownReport(run.summary);
    const fast = run.summary.targets.find((t) => t.target === 'fast')!;
    const s = fast.server!;
    const p = s.prometheus!;
    const lines = section(text, '#### Server');
    assert.equal(lines[0], `#### Server: vLLM at \`${p.url}\` (${p.scrapes} scrapes, every 0.5 s)`);
    const ttft = s.latency_ms!.ttft!;
    const row = lines.find((l) => l.startsWith('| TTFT — `vllm:time_to_first_token_seconds`'))!;
    const cells = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${formatMs(Math.abs(x))}`;
    const within = Math.abs(ttft.client_p50! - ttft.p50!) < ttft.p50_resolution_ms!;
    assert.deepEqual(cells, [
      'TTFT — `vllm:time_to_first_token_seconds`',
      formatMs(ttft.p50),
      formatMs(ttft.p95),
      formatMs(fast.latency_ms.ttft.p50),
      formatMs(fast.latency_ms.ttft.p95),
      `${signed(ttft.client_p50! - ttft.p50!)}${within ? ` (within the ${formatMs(ttft.p50_resolution_ms)} ms bucket)` : ''}`,
      signed(ttft.client_p95! - ttft.p95!),
      String(ttft.count),
    ]);
    assert.equal(ttft.client_p50, fast.latency_ms.ttft.p50, 'the client side is the summary’s own TTFT');
    assert.ok(lines.some((l) => l.startsWith('| E2E — `vllm:e2e_request_latency_seconds`')));
    assert.ok(lines.some((l) => l.startsWith('| Inter-token; client: TBT per token — `vllm:inter_token_latency_seconds`')));
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          `Server percentiles are interpolated within the buckets of its histograms (at TTFT p50 the bucket is ${formatMs(ttft.p50_resolution_ms)} ms wide)`,
        ),
      ),
    );
    // Averages per scrape to three significant digits (the simulator's batch is small: under 100).
    const three = (x: number) => String(Number(x.toPrecision(3)));
    assert.ok(lines.includes(`| Requests running (batch) | ${three(s.running!.avg)} | ${s.running!.max} |`), lines.join('\n'));
    assert.ok(lines.includes(`| Requests waiting (queue) | ${three(s.waiting!.avg)} | ${s.waiting!.max} |`), lines.join('\n'));
    // One Server section: `slow` scraped nothing.
    assert.equal(text.split('\n').filter((l) => l.startsWith('#### Server')).length, 1);
    assert.ok(text.indexOf('#### Server') > text.indexOf('### fast') && text.indexOf('#### Server') < text.indexOf('### slow'));
  });

  it('Azure Monitor: where the fetch stands, and each metric’s min / avg / max / total per minute', () => {
    const summary = structuredClone(run.summary);
    const azure: ServerAzureSummary = {
      resource_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/contoso',
      status: 'incomplete',
      fetched_at: '2026-01-01T10:05:00.000Z',
      message: 'Azure Monitor has not published every minute of the run yet (it lags a few minutes): fetch again later',
      series: [
        {
          source: 'azure-monitor',
          name: 'AzureOpenAIRequests',
          labels: {},
          kind: 'counter',
          label: 'Azure OpenAI requests',
          unit: 'Count',
          aggregation: 'total',
          samples: 3,
          min: 10,
          avg: 12,
          max: 14,
          last: 14,
          increase: 36,
        },
        {
          source: 'azure-monitor',
          name: 'AzureOpenAITimeToResponse',
          labels: {},
          kind: 'gauge',
          label: 'time to response',
          unit: 'MilliSeconds',
          aggregation: 'average',
          samples: 3,
          min: 210,
          avg: 250.5,
          max: 300,
          last: 300,
        },
      ],
      extra: [
        {
          resource_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ApiManagement/service/gw',
          status: 'error',
          message: 'HTTP 403 AuthorizationFailed: it needs the Monitoring Reader role',
          series: [],
        },
      ],
    };
    summary.targets.find((t) => t.target === 'fast')!.server!.azure_monitor = azure;
    const lines = section(markdownReport(summary), '#### Azure Monitor');
    assert.deepEqual(lines.slice(0, 3), ['#### Azure Monitor (`accounts/contoso`): incomplete, fetched 2026-01-01T10:05:00.000Z', '', azure.message]);
    assert.ok(lines.includes('| Azure OpenAI requests | total | 10 | 12 | 14 | 36 |'), lines.join('\n'));
    assert.ok(lines.includes('| time to response (MilliSeconds) | average | 210 | 251 | 300 | – |'), lines.join('\n'));
    assert.ok(lines.includes('- `service/gw`: error — HTTP 403 AuthorizationFailed: it needs the Monitoring Reader role'), lines.join('\n'));
  });
});
