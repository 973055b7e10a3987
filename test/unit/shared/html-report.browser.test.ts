// The self-contained HTML report in a real browser (Debian's Chromium through playwright-core), built
// from a REAL run folder exactly as the extension builds it (readRunFiles + panelTargets + htmlReport
// + the built webview): it loads nothing but itself, raises no error, and what it draws — headline
// cards, SLO verdicts, time charts, histograms, data tables, the Compare table — equals summary.json.
// Screenshots go to test-artifacts/.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { TargetSummary } from '../../../src/engine/summary';
import { errorPercent } from '../../../src/results/compare-metrics';
import { htmlReport, readReportAssets, type ReportAssets } from '../../../src/shared/html-report';
import type { CompareInitMessage, InitMessage } from '../../../src/protocol/panel';
import { runInitMessage } from '../../../src/shared/panel-targets';
import { readRunFiles, type RunFiles } from '../../../src/results/run-files';
import { PRICE_OVERRIDE_HINT } from '../../../src/tokens/pricing';
import { realRun, type RealRun } from './real-run';
import { ARTIFACTS, useReportBrowser } from './report-browser';
import { WEBVIEW_DIST } from './webview-dist';
import { verdictStatus } from '../../../src/engine/summary';
import { compareCell } from '../../../src/results/compare';

describe('HTML report in Chromium', function () {
  this.timeout(120_000);
  let run: RealRun;
  let files: RunFiles;
  let assets: ReportAssets;
  const { open: openPage } = useReportBrowser('perflab-report-');

  before(async () => {
    run = await realRun();
    files = await readRunFiles(run.dir);
    assets = readReportAssets(WEBVIEW_DIST);
  });

  /** The compare verdict of target `b` against `a` for a metric row, as the panel's model decides it
   *  (significance tests on the summary's histograms and counts: test/unit/webview/compare.test.ts). */
  function verdictOf(metric: string, better: 'lower' | 'higher', a: TargetSummary, b: TargetSummary, value: (t: TargetSummary) => number | null): string {
    const side = (t: TargetSummary) => ({ target: t, histograms: files.summary!.distributions?.[t.target] ?? null });
    return compareCell(metric, better, value(a), value(b), side(a), side(b)).verdict;
  }

  const open = (name: string, html: string, waitFor: string) => openPage(name, html, waitFor);

  function runInit(overrides: Partial<InitMessage> = {}): InitMessage {
    return { ...runInitMessage(files, { interactive: true }), ...overrides };
  }

  /** `data-value` of every card (`[data-card-id]`), by id. */
  const cardValues = (page: Page) =>
    page.$$eval('[data-card-id]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-card-id')!, e.getAttribute('data-value')!])));

  /** What each card must say for a target: summary.json's numbers ('' where the number is null). */
  function expectedCards(t: TargetSummary): Record<string, number | null> {
    const cost = t.cost_usd.total;
    return {
      ttft_p50: t.latency_ms.ttft.p50,
      ttft_p95: t.latency_ms.ttft.p95,
      ttft_p99: t.latency_ms.ttft.p99,
      tbt_p50: t.latency_ms.tbt.p50,
      tbt_p95: t.latency_ms.tbt.p95,
      tbt_p99: t.latency_ms.tbt.p99,
      e2e_p50: t.latency_ms.e2e.p50,
      e2e_p95: t.latency_ms.e2e.p95,
      e2e_p99: t.latency_ms.e2e.p99,
      achieved_rpm: t.schedule.achieved_rpm,
      error_pct: errorPercent(t),
      tokens_in: t.tokens.prompt,
      tokens_out: t.tokens.completion,
      cost_so_far: cost,
      cost_per_hour: cost === null ? null : (cost / t.duration_s) * 3600,
      cost_per_request: t.cost_usd.per_request,
      cost_per_1k: t.cost_usd.per_1k_requests,
      cost_per_hour_target: t.cost_usd.per_hour_at_target_rate,
    };
  }

  function assertCards(actual: Record<string, string>, t: TargetSummary): void {
    const expected = expectedCards(t);
    for (const [id, value] of Object.entries(expected)) {
      assert.ok(id in actual, `card ${id} is drawn`);
      if (value === null) assert.equal(actual[id], '', `${t.target} ${id}: no value`);
      else assert.ok(actual[id] !== '' && Math.abs(Number(actual[id]) - value) <= Math.abs(value) * 1e-12, `${t.target} ${id}: ${actual[id]} ≠ ${value}`);
    }
  }

  async function assertTarget(page: Page, t: TargetSummary): Promise<void> {
    assertCards(await cardValues(page), t);
    // The cost cards say what priced the cost and where to set one's own price (src/tokens/pricing.ts).
    const costText = await page.$$eval('[data-card-id^="cost_"]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-card-id')!, e.textContent ?? ''])),
    );
    const basis = t.cost_usd.price ? `list price as of ${t.cost_usd.price.as_of}` : `no price for ${t.model}`;
    for (const id of ['cost_so_far', 'cost_per_request']) {
      assert.ok(costText[id].includes(basis) && costText[id].includes(PRICE_OVERRIDE_HINT), `${t.target} ${id}: ${costText[id]}`);
    }
    // SLO verdicts: one element per SLO of this target, with the summary's verdict.
    const slos = await page.$$eval('[data-slo]', (els) => els.map((e) => [e.getAttribute('data-slo'), e.getAttribute('data-status')]));
    assert.deepEqual(
      slos,
      files.summary!.slos.filter((v) => v.target === t.target).map((v) => [v.slo, verdictStatus(v)]),
    );
    // Time charts received points.
    const points = await page.$$eval('figure[data-chart-id]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-chart-id')!, Number(e.getAttribute('data-points'))])),
    );
    for (const id of ['ttft', 'tbt', 'chunk_gap', 'e2e', 'rpm', 'tpm', 'errors', 'in_flight'])
      assert.ok(points[id] > 0, `${t.target} chart ${id}: ${points[id]} points`);
    // Histograms: as many values as the run's distributions hold.
    const d = files.distributions[t.target];
    const histograms = {
      ttft_hist: d.ttft,
      chunk_gap_hist: d.chunk_gap,
      e2e_hist: d.e2e,
      prompt_tokens_hist: d.prompt_tokens,
      completion_tokens_hist: d.completion_tokens,
    };
    for (const [id, dist] of Object.entries(histograms)) {
      assert.ok(dist.count > 0, `${t.target} ${id} has data`);
      assert.equal(points[id], dist.count, `${t.target} ${id}`);
    }
    assert.equal(points.ttft_hist, t.latency_ms.ttft.count);
    assert.equal(points.chunk_gap_hist, t.latency_ms.chunk_gap.count);
  }

  it('a Run report: loads nothing else, cards/SLOs/charts/histograms equal summary.json, the target select switches them', async () => {
    const summary = files.summary!;
    const [fast, slow] = summary.targets;
    assert.deepEqual([fast.target, slow.target], ['fast', 'slow']);
    // The fixture is built so that cost and SLOs differ between the two targets.
    assert.ok(fast.cost_usd.total! > 0 && slow.cost_usd.total === null);
    assert.ok(summary.slos.some((v) => v.pass) && summary.slos.some((v) => !v.pass));

    const { page } = await open('run-report.html', htmlReport('report-fixture — LLM Perf Lab', runInit(), assets), '[data-card-id="ttft_p50"]');
    assert.equal(await page.title(), 'report-fixture — LLM Perf Lab');
    assert.equal(await page.textContent('h1'), 'report-fixture');
    // The report has no host: no export or KQL actions.
    assert.equal(await page.locator('text=Save HTML report').count(), 0);
    assert.equal(await page.locator('text=Copy KQL').count(), 0);
    assert.equal(await page.getAttribute('.status', 'data-state'), 'completed');
    await assertTarget(page, fast);
    await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-run-fast.png'), fullPage: true });

    await page.selectOption('#target-select', 'slow');
    await page.waitForSelector(`[data-card-id="ttft_p50"][data-value="${slow.latency_ms.ttft.p50}"]`);
    await assertTarget(page, slow);
    await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-run-slow.png'), fullPage: true });
  });

  it('a run this machine distorted, or one that failed as a whole, says so in the report', async () => {
    const summary = structuredClone(files.summary!);
    const why = "the client's own delay added ≈ 31 ms (p95) to first tokens, above 8 ms";
    summary.targets[0].client_limited = true;
    summary.targets[0].client_limited_reasons = [why];
    summary.targets[0].warnings.unshift(
      `this machine may have inflated these latencies: ${why} — read them as upper bounds, or run with fewer clients or on a bigger machine`,
    );
    summary.error = 'target "slow": no request succeeded (12 throttled)';
    const { page } = await open('run-report-limited.html', htmlReport('limited', runInit({ summary }), assets), '[data-card-id="ttft_p50"]');
    const warnings = await page.$$eval('.warnings li', (lis) => lis.map((li) => li.textContent ?? ''));
    assert.ok(
      warnings.some((w) => w.includes('this machine may have inflated these latencies') && w.includes('≈ 31 ms')),
      warnings.join('\n'),
    );
    assert.equal(await page.getAttribute('.status', 'data-state'), 'error');
    assert.match((await page.textContent('.status')) ?? '', /^Failed: target "slow": no request succeeded \(12 throttled\)/);
  });

  it('a chart’s table button shows a <table> with one row per window of the target', async () => {
    const { page } = await open('run-report-table.html', htmlReport('table', runInit(), assets), 'figure[data-chart-id="ttft"]');
    for (const target of ['fast', 'slow']) {
      if (target === 'slow') await page.selectOption('#target-select', 'slow');
      const windows = files.windows.filter((w) => w.target === target);
      const figure = page.locator('figure[data-chart-id="ttft"]');
      const button = figure.locator('button[aria-controls="table-ttft"]');
      if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      const table = figure.locator('#table-ttft table');
      await table.waitFor();
      assert.equal(await table.locator('tbody tr').count(), windows.length, target);
      // First column: each window's t; the other two: TTFT p50 and p95 of that window.
      const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      assert.deepEqual(
        rows.map((r) => Number(r[0])),
        windows.map((w) => w.t),
      );
      assert.deepEqual(await table.locator('thead th').allTextContents(), ['t (s)', 'TTFT p50', 'TTFT p95']);
      await page.screenshot({ path: path.join(ARTIFACTS, `html-report-table-${target}.png`) });
    }
    // Toggling again hides it.
    const button = page.locator('figure[data-chart-id="ttft"] button[aria-controls="table-ttft"]');
    await button.click();
    assert.equal(await page.locator('#table-ttft').isHidden(), true);
  });

  it('a Compare report of the run’s two targets: the TTFT rows equal each target’s summary, better/worse right', async () => {
    const summary = files.summary!;
    const compare: CompareInitMessage = {
      type: 'compareInit',
      runIds: [files.dir],
      runs: [{ label: 'report-fixture', summary, windows: files.windows }],
      alignment: 'clock',
      interactive: false,
    };
    const { page } = await open('compare-report.html', htmlReport('Compare — LLM Perf Lab', compare, assets), 'tr[data-metric="TTFT p95"]');
    const [fast, slow] = summary.targets;
    for (const stat of ['p50', 'p95', 'p99'] as const) {
      const cells = await page.$$eval(`tr[data-metric="TTFT ${stat}"] td[data-value]`, (tds) =>
        tds.map((td) => [td.getAttribute('data-value'), td.getAttribute('data-verdict')]),
      );
      const [a, b] = [fast.latency_ms.ttft[stat]!, slow.latency_ms.ttft[stat]!];
      // Lower is better; the first column is the baseline.
      const verdict = verdictOf(`TTFT ${stat}`, 'lower', fast, slow, (t) => t.latency_ms.ttft[stat]);
      assert.deepEqual(cells, [
        [String(a), 'baseline'],
        [String(b), verdict],
      ]);
      // p99 of fewer than 100 requests is not judged (src/results/significance.ts).
      if (stat !== 'p99' || Math.min(fast.latency_ms.ttft.count, slow.latency_ms.ttft.count) >= 100)
        assert.equal(verdict, 'worse', 'the slow target is slower to first token');
    }
    const rpm = await page.$$eval('tr[data-metric="Achieved RPM"] td[data-value]', (tds) =>
      tds.map((td) => [td.getAttribute('data-value'), td.getAttribute('data-verdict')]),
    );
    const rpmVerdict = verdictOf('Achieved RPM', 'higher', fast, slow, (t) => t.schedule.achieved_rpm);
    assert.deepEqual(rpm, [
      [String(fast.schedule.achieved_rpm), 'baseline'],
      [String(slow.schedule.achieved_rpm), rpmVerdict],
    ]);
    // SLO verdicts side by side, as the summary says.
    const sloRow = await page.$$eval('.slo-table tbody tr', (trs) =>
      trs.map((tr) => [tr.querySelector('th')!.textContent, ...[...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-status'))]),
    );
    const texts = [...new Set(summary.slos.map((v) => v.slo))];
    assert.deepEqual(
      sloRow,
      texts.map((slo) => [slo, ...['fast', 'slow'].map((t) => verdictStatus(summary.slos.find((v) => v.slo === slo && v.target === t)!))]),
    );
    // The overlay charts got both targets' points.
    for (const id of ['compare_ttft_p95', 'compare_e2e_p95', 'compare_rpm']) {
      assert.ok(Number(await page.getAttribute(`figure[data-chart-id="${id}"]`, 'data-points')) > 0, id);
    }
    assert.equal(await page.locator('text=Save HTML report').count(), 0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-compare.png'), fullPage: true });
  });

  it('hostile strings in the data are drawn as text: no markup injected, no request, no script run', async () => {
    const name = 'evil</script><img src="https://example.invalid/x.png" onerror="window.pwned=1"><script>window.pwned=2</script>\u2028end';
    const scenario = { ...files.scenario, name };
    const { page } = await open('hostile-report.html', htmlReport(name, runInit({ scenario }), assets), '[data-card-id="ttft_p50"]');
    assert.equal(await page.textContent('h1'), name);
    assert.equal(await page.title(), name);
    assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
    assert.equal(await page.locator('img').count(), 0);
    // The numbers are still the summary's.
    assertCards(await cardValues(page), files.summary!.targets[0]);
  });
});
