// The Server section in a real browser (Debian's Chromium through playwright-core), drawn by the built
// webview bundle from a REAL run whose `fast` target had its simulator's /metrics scraped
// (test/unit/shared/real-run.ts): in the HTML report its cards equal summary.json's `server` block,
// each chart drew the server's points beside the client's, the other target has no section; Azure
// Monitor's minutes, fetched from a local ARM stand-in, are drawn as steps; and inside a stand-in for
// VS Code's webview API the section follows a live run (server points in batches, then the summary)
// and its button asks the host to fetch Azure Monitor. Screenshots go to test-artifacts/.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { fetchAzureServerMetrics } from '../../../src/engine/server-metrics/azure-fetch';
import type { RunSummary, TargetSummary } from '../../../src/engine/summary';
import { readRunFiles, type RunFiles } from '../../../src/results/run-files';
import type { ServerSeries } from '../../../src/results/server-series';
import { htmlReport, readReportAssets, type ReportAssets } from '../../../src/shared/html-report';
import type { InitMessage } from '../../../src/protocol/panel';
import { runInitMessage } from '../../../src/shared/panel-targets';
import { ARM_TOKEN, armStandIn, RESOURCE_ID, type ArmStandIn } from './arm-stand-in';
import { copyRun, realRun } from './real-run';
import { ARTIFACTS, useReportBrowser } from './report-browser';
import { WEBVIEW_DIST } from './webview-dist';

/** Posts `message` to the page as VS Code's host would. */
async function postToPage(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(m, '*'), message);
}

/** `data-value` of the Server section's cards, by id, and where they come from. */
const serverCards = (page: Page) =>
  page.$$eval('[data-section="server"] [data-card-id]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-card-id')!, [e.getAttribute('data-value')!, e.getAttribute('data-source')!]])),
  );

/** Each server chart's id (data-server-chart) → points drawn (data-points) and how each dataset is drawn. */
const serverCharts = (page: Page): Promise<Record<string, { points: number; stepped: string | null }>> =>
  page.$$eval('[data-section="server"] figure[data-server-chart]:not([hidden])', (els) =>
    Object.fromEntries(
      els.map((e) => [
        e.getAttribute('data-server-chart')!,
        { points: Number(e.getAttribute('data-points')), stepped: e.querySelector('canvas')!.getAttribute('data-stepped') },
      ]),
    ),
  );

/** Non-null points of the server's series on each chart (what data-points counts). */
function expectedPoints(series: ServerSeries[], target: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of series) if (s.target === target && s.chart !== null) out[s.chart] = (out[s.chart] ?? 0) + s.points.filter((p) => p.y !== null).length;
  return out;
}

/** What the Server section's cards must say for a target: summary.json's `server` numbers. */
function expectedCards(t: TargetSummary): Record<string, number | null> {
  const s = t.server!;
  return {
    server_ttft_p50: s.latency_ms!.ttft!.p50,
    server_ttft_p95: s.latency_ms!.ttft!.p95,
    outside_ttft_p50: s.outside_server_ms!.ttft_p50,
    outside_ttft_p95: s.outside_server_ms!.ttft_p95,
    server_running_max: s.running!.max,
    server_waiting_max: s.waiting!.max,
    server_kv_cache_max: s.kv_cache!.max * 100,
  };
}

describe('Server section in Chromium', function () {
  this.timeout(120_000);
  let files: RunFiles;
  let assets: ReportAssets;
  let arm: ArmStandIn;
  const { open } = useReportBrowser('perflab-server-report-');

  before(async () => {
    files = await readRunFiles((await realRun()).dir);
    assets = readReportAssets(WEBVIEW_DIST);
    arm = await armStandIn();
  });

  after(async () => {
    await arm?.close();
  });

  function init(f: RunFiles, overrides: Partial<InitMessage> = {}): InitMessage {
    return { ...runInitMessage(f, { interactive: false }), ...overrides };
  }

  it('the report: cards equal summary.json’s server block, the charts drew every scrape, no section for a target without server_metrics', async () => {
    const summary = files.summary!;
    const fast = summary.targets.find((t) => t.target === 'fast')!;
    assert.ok(fast.server?.prometheus && fast.server.prometheus.scrapes >= 4, 'the run scraped the simulator');
    assert.ok(fast.server.latency_ms?.ttft && fast.server.latency_ms.ttft.count > 0, 'the simulator’s TTFT histogram observed requests');
    assert.equal(summary.targets.find((t) => t.target === 'slow')!.server, undefined);

    const { page } = await open(
      'server-report.html',
      htmlReport('report-fixture — LLM Perf Lab', init(files), assets),
      '[data-section="server"] [data-card-id="server_ttft_p50"]',
    );
    const p = fast.server.prometheus;
    assert.equal(await page.textContent('[data-section="server"] .server-source'), `vLLM · ${p.url} · every 0.5 s · ${p.scrapes} scrapes`);
    const cards = await serverCards(page);
    for (const [id, value] of Object.entries(expectedCards(fast))) {
      assert.ok(id in cards, `card ${id}`);
      assert.equal(cards[id][1], 'summary', id);
      assert.ok(value !== null && Math.abs(Number(cards[id][0]) - value) <= Math.abs(value) * 1e-12, `${id}: ${cards[id][0]} ≠ ${value}`);
    }
    assert.match(
      (await page.textContent('[data-section="server"] .server-caveat'))!,
      /^Server percentiles are interpolated within the buckets of vllm:time_to_first_token_seconds: at p50 the bucket is .+ wide/,
    );

    const charts = await serverCharts(page);
    const expected = expectedPoints(files.server, 'fast');
    assert.deepEqual(Object.keys(charts).sort(), Object.keys(expected).sort());
    for (const id of ['server_load', 'server_ttft', 'server_e2e', 'server_kv_cache', 'server_tokens']) assert.ok(id in charts, `chart ${id}`);
    for (const [id, n] of Object.entries(expected)) assert.equal(charts[id].points, n, id);
    // Client lines beside the server's: TTFT p50/p95 of each side, none stepped.
    assert.equal(charts.server_ttft.stepped, 'line line line line');
    assert.equal(charts.server_load.stepped, 'line line line');
    // The TTFT chart's table: the client's window times and the server's scrape times, one column per line.
    const figure = page.locator('figure[data-server-chart="server_ttft"]');
    await figure.locator('button[aria-controls="table-server-server_ttft"]').click();
    const table = figure.locator('table');
    assert.deepEqual(await table.locator('thead th').allTextContents(), ['t (s)', 'Client TTFT p50', 'Client TTFT p95', 'Server TTFT p50', 'Server TTFT p95']);
    const times = new Set([
      ...files.windows.filter((w) => w.target === 'fast').map((w) => w.t),
      ...files.server.filter((s) => s.target === 'fast' && s.id === 'ttft_p50').flatMap((s) => s.points.map((pt) => pt.x)),
    ]);
    assert.equal(await table.locator('tbody tr').count(), times.size);
    await page.screenshot({ path: path.join(ARTIFACTS, 'server-report-fast.png'), fullPage: true });

    await page.selectOption('#target-select', 'slow');
    await page.waitForSelector('[data-section="server"]', { state: 'hidden' });
    await page.selectOption('#target-select', 'fast');
    await page.waitForSelector('[data-section="server"]', { state: 'visible' });
  });

  it('Azure Monitor fetched from an ARM stand-in: each minute drawn as a step, its status and the SKU’s missing metric said', async () => {
    const dir = copyRun(files.dir);
    const summaryFile = path.join(dir, 'summary.json');
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as RunSummary;
    // The same run as if its scenario had asked for Azure Monitor metrics of the deployment too.
    const target = summary.scenario.targets.find((t) => t.name === 'fast')!;
    target.server_metrics!.azure_monitor = { resource_id: RESOURCE_ID, arm_endpoint: arm.url };
    fs.writeFileSync(summaryFile, JSON.stringify(summary));
    const results = await fetchAzureServerMetrics(dir, { tokenProvider: async () => ARM_TOKEN });
    assert.equal(results[0].status, 'complete');
    const fetched = await readRunFiles(dir);
    const azure = fetched.server.filter((s) => s.source === 'azure-monitor');
    assert.ok(azure.length >= 4, `${azure.length} Azure series`);

    const { page } = await open('server-report-azure.html', htmlReport('azure', init(fetched), assets), '[data-section="server"] .server-azure p');
    assert.match(
      (await page.textContent('[data-section="server"] .server-azure p'))!,
      /^Azure Monitor \(accounts\/contoso\): complete · fetched .* — .*AzureOpenAIProvisionedManagedUtilizationV2 is not available for this resource/,
    );
    assert.equal(await page.getAttribute('[data-section="server"] .server-azure p', 'data-status'), 'complete');
    // The report has no host: nothing to fetch with.
    assert.equal(await page.locator('text=Fetch Azure Monitor metrics').count(), 0);
    const charts = await serverCharts(page);
    const requests = Object.entries(charts).find(([id]) => id.endsWith('|AzureOpenAIRequests'));
    assert.ok(requests, Object.keys(charts).join(', '));
    assert.equal(requests[1].stepped, 'steps');
    const series = azure.find((s) => s.metric === 'AzureOpenAIRequests')!;
    assert.equal(requests[1].points, series.points.filter((pt) => pt.y !== null).length);
    const ttr = Object.entries(charts).find(([id]) => id.endsWith('|AzureOpenAITimeToResponse'))!;
    assert.equal(ttr[1].stepped, 'steps steps', 'average and maximum');
    await page.locator('[data-section="server"]').screenshot({ path: path.join(ARTIFACTS, 'server-report-azure.png') });
  });

  it('in the editor: live server points in batches, then the summary’s numbers; a failed scrape said; the fetch button posts to the host', async () => {
    const fakeApi = `<script>
window.__posted = []; window.__state = undefined;
function acquireVsCodeApi() { return { postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } }; }
</script>`;
    const html = htmlReport('panel', init(files), assets).replace('<div id="root"></div>', `<div id="root"></div>\n${fakeApi}`);
    const { page } = await open('server-panel.html', html, null);
    assert.deepEqual(await page.evaluate('window.__posted'), [{ type: 'ready' }]);

    // A run starting: no summary, no windows, no server points yet.
    await postToPage(page, init(files, { windows: [], summary: null, server: [], distributions: {}, live: true, interactive: true }));
    await page.waitForSelector('[data-section="server"] .server-messages li');
    assert.equal(await page.textContent('[data-section="server"] .server-messages li'), ' Waiting for the first scrape of the server’s metrics…');
    assert.equal(await page.locator('[data-section="server"] figure[data-server-chart]:not([hidden])').count(), 0);

    // The scrapes arrive as the host batches them: each series with its new points only.
    const fast = files.server.filter((s) => s.target === 'fast' && s.source === 'prometheus');
    const xs = [...new Set(fast.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
    const half = xs[Math.floor(xs.length / 2)];
    const part = (keep: (x: number) => boolean) => fast.map((s) => ({ ...s, points: s.points.filter((p) => keep(p.x)) })).filter((s) => s.points.length > 0);
    await postToPage(page, { type: 'windows', windows: files.windows.filter((w) => w.t <= half) });
    await postToPage(page, { type: 'server', series: part((x) => x <= half) });
    await page.waitForSelector('[data-section="server"] [data-card-id="server_running_max"][data-source="window"]');
    const nonNull = (keep: (x: number) => boolean, chart: string) =>
      part(keep)
        .filter((s) => s.chart === chart)
        .reduce((n, s) => n + s.points.filter((p) => p.y !== null).length, 0);
    assert.equal(
      (await serverCharts(page)).server_load.points,
      nonNull((x) => x <= half, 'server_load'),
    );
    await postToPage(page, { type: 'windows', windows: files.windows.filter((w) => w.t > half) });
    await postToPage(page, { type: 'server', series: part((x) => x > half) });
    await page.waitForSelector(`figure[data-server-chart="server_load"][data-points="${nonNull(() => true, 'server_load')}"]`);
    const live = await serverCards(page);
    const runningMax = Math.max(...fast.find((s) => s.id === 'running')!.points.map((p) => p.y ?? 0));
    assert.deepEqual(live.server_running_max, [String(runningMax), 'window']);

    // The run ends: the summary's numbers, and what went wrong with the scrapes said in the section.
    const summary = structuredClone(files.summary!);
    const t = summary.targets.find((x) => x.target === 'fast')!;
    const warning = `server metrics: 1 of ${t.server!.prometheus!.scrapes + 1} scrapes of ${t.server!.prometheus!.url} failed; the first: connection refused — is the server running, and does it serve metrics on this host and port?`;
    t.warnings.push(warning);
    t.server!.azure_monitor = {
      resource_id: RESOURCE_ID,
      status: 'pending',
      message: 'Azure Monitor publishes metrics a few minutes late: fetch them with `perflab server-metrics run` (or open the run in the editor)',
      series: [],
    };
    await postToPage(page, { type: 'summary', summary });
    await page.waitForSelector('[data-section="server"] [data-card-id="server_ttft_p50"][data-source="summary"]');
    const cards = await serverCards(page);
    for (const [id, value] of Object.entries(expectedCards(t)))
      assert.ok(Math.abs(Number(cards[id][0]) - value!) <= Math.abs(value!) * 1e-12, `${id}: ${cards[id][0]} ≠ ${value}`);
    assert.deepEqual(await page.$$eval('[data-section="server"] .server-messages li', (lis) => lis.map((li) => li.textContent!.trim())), [warning]);
    assert.match(
      (await page.textContent('[data-section="server"] .server-azure p'))!,
      /^Azure Monitor \(accounts\/contoso\): pending — Azure Monitor publishes metrics a few minutes late/,
    );
    await page.click('text=Fetch Azure Monitor metrics');
    assert.deepEqual(((await page.evaluate('window.__posted')) as unknown[]).at(-1), { type: 'fetchServerMetrics' });
    await page.locator('[data-section="server"]').screenshot({ path: path.join(ARTIFACTS, 'server-panel-live.png') });
  });
});
