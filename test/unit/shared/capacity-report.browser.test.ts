// The capacity search's HTML report in a real browser (Debian's Chromium through playwright-core),
// built as `perflab report <capacity-folder>` builds it (htmlReport + the built webview) from
// test/unit/webview/fixtures/capacity.json, a search `perflab capacity` ran on the built-in
// simulator: it loads nothing but itself, raises no error, and draws the answer (2063 RPM, limited by
// saturation), both charts and one table row per step. The same bundle inside a stand-in for VS Code's
// webview API: the live banner, the "Open run" buttons and a capacityUpdate redraw.
// Screenshots go to test-artifacts/.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { htmlReport, readReportAssets, type ReportAssets } from '../../../src/shared/html-report';
import type { CapacityInitMessage, CapacityUpdateMessage } from '../../../src/protocol/panel';
import { ARTIFACTS, useReportBrowser } from './report-browser';
import { REPO_ROOT, WEBVIEW_DIST } from './webview-dist';

const FIXTURE = path.join(REPO_ROOT, 'test', 'unit', 'webview', 'fixtures', 'capacity.json');

/** The part of a canvas element read here (this project's tsconfig has no DOM types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Posts `message` to the page as VS Code's host would. */
async function postToPage(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(m, '*'), message);
}

/** Distinct colours and pixel count of `selector`'s canvas: a drawn chart has far more than its background. */
async function canvasInk(page: Page, selector: string): Promise<{ colours: number; width: number }> {
  return page.$eval(selector, (el) => {
    const canvas = el as unknown as Canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return { colours: colours.size, width: canvas.width };
  });
}

describe('capacity HTML report in Chromium', function () {
  this.timeout(120_000);
  let assets: ReportAssets;
  let report: CapacityReport;
  const { open } = useReportBrowser('perflab-capacity-report-');

  before(async () => {
    assets = readReportAssets(WEBVIEW_DIST);
    report = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  });

  function init(overrides: Partial<CapacityInitMessage> = {}): CapacityInitMessage {
    return { type: 'capacityInit', capacityId: '/work/.perflab/capacity/slots', report, current: null, live: false, interactive: false, ...overrides };
  }

  it('the report: 2063 RPM limited by saturation, both charts drawn, one row per step, no request', async () => {
    const steps = report.targets[0].steps;
    const { page } = await open('capacity-report.html', htmlReport('slots capacity — LLM Perf Lab', init(), assets), '.capacity-headline');
    assert.equal(await page.title(), 'slots capacity — LLM Perf Lab');
    assert.equal(await page.textContent('h1'), 'Capacity: slots');
    assert.equal(await page.getAttribute('.status', 'data-state'), 'completed');

    // The headline states the answer and what limits it.
    const headline = page.locator('.capacity-headline');
    assert.equal(await headline.getAttribute('data-capacity'), '2063');
    assert.equal(await headline.getAttribute('data-limited-by'), 'saturation');
    assert.equal(await headline.getAttribute('data-lower-bound'), 'false');
    assert.equal(await page.textContent('.capacity-answer'), '2,063 RPM');
    assert.match((await page.textContent('.capacity-limited')) ?? '', /^limited by saturation/);
    assert.equal(await page.textContent('.capacity-detail'), report.targets[0].detail);
    assert.equal(await page.textContent('[data-fact-id="goodput"] .card-value'), '2,062.5 RPM');
    assert.equal(await page.textContent('[data-fact-id="headroom"] .card-value'), '×1.38');
    // Not live: no banner.
    assert.equal(await page.locator('.capacity-live').count(), 0);

    // Both charts drew: every step is a point, and the canvas holds more than its background.
    for (const id of ['capacity_0_achieved', 'capacity_0_latency']) {
      assert.equal(Number(await page.getAttribute(`figure[data-chart-id="${id}"]`, 'data-points')), steps.length, id);
      const ink = await canvasInk(page, `figure[data-chart-id="${id}"] canvas`);
      assert.ok(ink.width > 300, `${id}: ${ink.width} px wide`);
      assert.ok(ink.colours > 50, `${id}: only ${ink.colours} colours drawn`);
    }
    // A chart's table twin: one row per step.
    const figure = page.locator('figure[data-chart-id="capacity_0_achieved"]');
    await figure.locator('button[aria-controls="table-capacity_0_achieved"]').click();
    assert.equal(await figure.locator('table tbody tr').count(), steps.length);

    // The steps table: one row per step, in the order they ran, the run folder as text (no host).
    const rows = page.locator('table.capacity-steps tbody tr');
    assert.equal(await rows.count(), steps.length);
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-offered'), tr.getAttribute('data-passed'), tr.querySelector('.capacity-run code')?.textContent]),
    );
    assert.deepEqual(
      cells,
      steps.map((s) => [String(s.offered_rpm), String(s.passed), s.run_dir]),
    );
    const verdicts = await page.$$eval('table.capacity-steps td.capacity-verdict', (tds) => tds.map((td) => td.textContent?.trim()));
    assert.deepEqual(
      verdicts,
      steps.map((s) => (s.passed ? 'pass' : `FAIL ${s.limited_by}`)),
    );
    assert.equal(await page.locator('text=Open run').count(), 0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'capacity-report.png'), fullPage: true });
  });

  it('in the editor: the live banner, "Open run" posts the step’s folder, and an update redraws', async () => {
    // The report's bundle with a stand-in for VS Code's webview API: messages come from postMessage.
    const fakeApi = `<script>
window.__posted = []; window.__state = undefined;
function acquireVsCodeApi() { return { postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } }; }
</script>`;
    const html = htmlReport('panel', init(), assets).replace('<div id="root"></div>', `<div id="root"></div>\n${fakeApi}`);
    const { page } = await open('capacity-panel.html', html, null);
    assert.deepEqual(await page.evaluate('window.__posted'), [{ type: 'ready' }]);

    // While the search runs: the banner names the step and the bracket.
    const running = structuredClone(report);
    running.status = 'running';
    running.ended_at = null;
    const target = running.targets[0];
    target.search = 'running';
    const last = target.steps.pop()!;
    const current = { target: 'slots', index: 10, offered_rpm: 2063, bracket: { passed: 2000, failed: 2125 } };
    const live: CapacityInitMessage = init({ report: running, current, live: true, interactive: true });
    await postToPage(page, live);
    await page.waitForSelector('.capacity-live');
    assert.equal((await page.textContent('.capacity-live'))?.trim(), 'Step 10 at 2,063 RPM — holds at 2,000, fails at 2,125');
    assert.equal(await page.getAttribute('.status', 'data-state'), 'live');
    assert.equal(await page.locator('table.capacity-steps tbody tr').count(), 9);
    assert.deepEqual(await page.evaluate('window.__state'), { capacityId: live.capacityId });

    // Each row's button opens that step's run.
    const buttons = page.locator('table.capacity-steps button', { hasText: 'Open run' });
    assert.equal(await buttons.count(), 9);
    assert.equal(await buttons.nth(4).getAttribute('aria-label'), 'Open the run of step 5 (4,000 RPM)');
    await buttons.nth(4).click();
    assert.deepEqual((await page.evaluate('window.__posted')) as unknown[], [{ type: 'ready' }, { type: 'openStepRun', runDir: 'slots/step-05-4000rpm' }]);

    // The search ends: the update redraws with the tenth step and no banner.
    const done: CapacityUpdateMessage = { type: 'capacityUpdate', report, current: null, live: false };
    await postToPage(page, done);
    await page.waitForSelector('.capacity-live', { state: 'detached' });
    assert.equal(await page.locator('table.capacity-steps tbody tr').count(), 10);
    assert.equal(await page.getAttribute('.capacity-headline', 'data-capacity'), '2063');
    assert.equal(await page.getAttribute('.status', 'data-state'), 'completed');
    assert.equal(Number(await page.getAttribute('figure[data-chart-id="capacity_0_achieved"]', 'data-points')), 10);
    assert.equal(await page.locator('table.capacity-steps tr[data-step="10"] code').count(), 0, 'in the editor the run folder is a button');
    assert.equal(last.run_dir, 'slots/step-10-2063rpm');
    await page.locator('table.capacity-steps tr[data-step="10"] button').click();
    assert.deepEqual(((await page.evaluate('window.__posted')) as unknown[]).at(-1), { type: 'openStepRun', runDir: last.run_dir });
    await page.screenshot({ path: path.join(ARTIFACTS, 'capacity-panel.png'), fullPage: true });
  });
});
