// The HTML report (the same script as the Run and Compare panels) in Chromium, for a REAL run that was
// throttled and cut off (throttled-run.ts): the throttling card and banner, the unmeasured-work card
// and banner and the SLO verdict statuses equal summary.json; and, under VS Code 1.139's Dark Modern,
// Light Modern and High Contrast colour values, the chart lines measured on the rendered canvas
// contrast at least 3:1 with the background, verdict text 4.5:1, and a lone point draws a marker.
// Screenshots go to test-artifacts/.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { verdictStatus, type RunSummary, type TargetSummary } from '../../../src/engine/summary';
import { errorPercent } from '../../../src/results/compare-metrics';
import { htmlReport, readReportAssets, REPORT_THEME, type ReportAssets } from '../../../src/shared/html-report';
import type { CompareInitMessage, InitMessage } from '../../../src/protocol/panel';
import { runInitMessage } from '../../../src/shared/panel-targets';
import { readRunFiles, type RunFiles } from '../../../src/results/run-files';
import { contrastRatio, parseColour } from '../../../webview-ui/src/model/colours';
import { compareRuns } from '../../../src/results/compare';
import { VSCODE_THEMES, type VsCodeTheme } from '../webview/fixtures/vscode-themes';
import { ARTIFACTS, useReportBrowser } from './report-browser';
import { throttledRun } from './throttled-run';
import { WEBVIEW_DIST } from './webview-dist';

/** What the canvas of one chart shows: its background pixel and, per dataset colour, the pixels of
 *  exactly that colour inside the plot area (legend excluded) and their contrast with the background. */
interface CanvasMeasure {
  background: [number, number, number];
  series: { colour: string; pixels: number; contrast: number }[];
}

/** Runs in the page (plain JavaScript: the test runner's transform would add helpers the page lacks).
 *  Reads the canvas' pixels; a series' pixels are those within 2 of its colour in each channel. */
const MEASURE_CANVAS = `function (selector) {
  const canvas = document.querySelector(selector);
  const scale = canvas.width / canvas.clientWidth;
  const [left, top, right, bottom] = (canvas.dataset.plotArea || '').split(' ').map((v) => Math.round(Number(v) * scale));
  const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const at = (x, y) => [0, 1, 2].map((c) => image[(y * canvas.width + x) * 4 + c]);
  const lin = (v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const background = at(1, 1);
  const series = (canvas.dataset.colours || '').split(' ').filter(Boolean).map((colour) => {
    const want = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
    let pixels = 0;
    const sum = [0, 0, 0];
    for (let y = top; y < bottom; y++) {
      for (let x = left; x < right; x++) {
        const px = at(x, y);
        if (px.every((v, i) => Math.abs(v - want[i]) <= 2)) {
          pixels++;
          px.forEach((v, i) => (sum[i] += v));
        }
      }
    }
    const mean = sum.map((v) => v / Math.max(1, pixels));
    const [hi, lo] = [luminance(mean), luminance(background)].sort((a, b) => b - a);
    return { colour, pixels, contrast: (hi + 0.05) / (lo + 0.05) };
  });
  return { background, series };
}`;

/** Runs in the page: a theme's variables on the body (the others removed) and its body class. */
const APPLY_THEME = `function ({ vars, bodyClass }) {
  for (const name of [...document.body.style]) if (name.startsWith('--vscode-')) document.body.style.removeProperty(name);
  for (const [name, value] of Object.entries(vars)) document.body.style.setProperty(name, value);
  document.body.className = 'perflab-report ' + bodyClass;
}`;

describe('HTML report in Chromium: throttling, unmeasured work, verdicts and readable colours', function () {
  this.timeout(180_000);
  let files: RunFiles;
  let summary: RunSummary;
  let assets: ReportAssets;
  const { open: openPage } = useReportBrowser('perflab-report-truth-');

  before(async () => {
    const run = await throttledRun();
    files = await readRunFiles(run.dir);
    summary = files.summary!;
    assets = readReportAssets(WEBVIEW_DIST);
  });

  const target = (name: string): TargetSummary => summary.targets.find((t) => t.target === name)!;

  function runInit(overrides: Partial<InitMessage> = {}): InitMessage {
    return { ...runInitMessage(files, { interactive: false }), ...overrides };
  }

  /** Two device pixels per CSS pixel: a 1.5 px line has whole pixels of its own colour to measure. */
  const open = async (name: string, html: string, waitFor: string): Promise<Page> =>
    (await openPage(name, html, waitFor, { viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 2 })).page;

  /** The report without its own light/dark set: the page then has only the variables a test sets, as
   *  a webview in VS Code has only the theme's. */
  const bare = (html: string) => {
    assert.ok(html.includes(REPORT_THEME));
    return html.replace(REPORT_THEME, '');
  };

  /** Puts a theme's variables and body class on the page; the class change makes the script re-read
   *  the colours (webview-ui/src/main.ts), as when VS Code switches theme. */
  async function applyTheme(page: Page, theme: VsCodeTheme): Promise<void> {
    await page.evaluate(`(${APPLY_THEME})(${JSON.stringify(theme)})`);
    const background = parseColour(theme.vars['--vscode-editor-background'])!;
    const hex = `#${[background.r, background.g, background.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    await page.waitForFunction(`document.body.dataset.chartBackground === ${JSON.stringify(hex)}`);
  }

  async function measure(page: Page, chartId: string): Promise<CanvasMeasure> {
    return (await page.evaluate(`(${MEASURE_CANVAS})(${JSON.stringify(`figure[data-chart-id="${chartId}"] canvas`)})`)) as CanvasMeasure;
  }

  /** Contrast of an element's computed text colour with the page's chart background. */
  async function textContrast(page: Page, selector: string): Promise<number> {
    const [colour, background] = (await page.evaluate(
      `[getComputedStyle(document.querySelector(${JSON.stringify(selector)})).color, document.body.dataset.chartBackground]`,
    )) as [string, string];
    return contrastRatio(parseColour(colour)!, parseColour(background)!);
  }

  it('the run really was throttled and cut off (the fixture’s premise)', () => {
    const [paygo, ptu] = [target('paygo'), target('ptu')];
    assert.ok(paygo.requests.throttled_responses > paygo.requests.attempts / 2, JSON.stringify(paygo.requests));
    assert.ok(paygo.requests.retried > 0 && paygo.requests.backoff_ms > 0 && (paygo.requests.errors.throttled ?? 0) > 0, JSON.stringify(paygo.requests));
    assert.ok(ptu.requests.cancelled > 0 && ptu.schedule.unsent > 0, `${ptu.requests.cancelled} cancelled, ${ptu.schedule.unsent} unsent`);
    const statuses = new Set(summary.slos.map(verdictStatus));
    for (const s of ['pass', 'fail', 'not_judged', 'incomplete'] as const) assert.ok(statuses.has(s), `a verdict ${s}: ${[...statuses].join(', ')}`);
  });

  it('Run report: throttling card and banner, errors not 0%, verdict statuses — as summary.json says', async () => {
    const page = await open('truth-run.html', htmlReport('throttle-fixture', runInit(), assets), '[data-card-id="ttft_p50"]');
    const paygo = target('paygo');
    const r = paygo.requests;
    const card = page.locator('[data-card-id="throttling"]');
    assert.equal(Number(await card.getAttribute('data-value')), (r.throttled_responses / r.attempts) * 100);
    assert.deepEqual(
      await card.evaluate((el) =>
        ['throttled-responses', 'attempts', 'retried', 'backoff-ms', 'ended-throttled'].map((k) => Number(el.getAttribute(`data-${k}`))),
      ),
      [r.throttled_responses, r.attempts, r.retried, r.backoff_ms, r.errors.throttled],
    );
    assert.match((await card.textContent()) ?? '', new RegExp(`${r.throttled_responses} of ${r.attempts} attempts answered 429`));
    const banner = (await page.locator('[data-banner="throttled"]').textContent()) ?? '';
    assert.ok(
      banner.startsWith(`Throttled: ${r.throttled_responses} of ${r.attempts} attempts answered 429 — the deployment or its quota limited this run.`),
      banner,
    );
    assert.match(banner, new RegExp(`${r.errors.throttled} ended throttled and count as failed`));
    // Requests that ended throttled are failures: the errors card shows them, never 0%.
    const errorsCard = page.locator('[data-card-id="error_pct"]');
    assert.equal(Number(await errorsCard.getAttribute('data-value')), errorPercent(paygo));
    assert.notEqual((await errorsCard.locator('.card-value').textContent())?.trim(), '0%');
    assert.match((await errorsCard.textContent()) ?? '', new RegExp(`${r.errors.throttled} throttled`));
    await assertVerdicts(page, 'paygo');
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-truth-paygo.png'), fullPage: true });

    // The cut-off target: unmeasured work gets a card and a banner; its holding SLOs are incomplete.
    await page.selectOption('#target-select', 'ptu');
    const ptu = target('ptu');
    const notMeasured = page.locator('[data-card-id="not_measured"]');
    await notMeasured.waitFor();
    assert.deepEqual(await notMeasured.evaluate((el) => ['value', 'cancelled', 'unsent'].map((k) => Number(el.getAttribute(`data-${k}`)))), [
      ptu.requests.cancelled + ptu.schedule.unsent,
      ptu.requests.cancelled,
      ptu.schedule.unsent,
    ]);
    const incomplete = (await page.locator('[data-banner="not_measured"]').textContent()) ?? '';
    assert.ok(
      incomplete.startsWith(
        `Incomplete: ${ptu.requests.cancelled + ptu.schedule.unsent} of ${ptu.requests.sent + ptu.schedule.unsent} requests were not measured`,
      ),
      incomplete,
    );
    assert.equal(await page.locator('[data-card-id="throttling"]').count(), 0, 'ptu was not throttled');
    await assertVerdicts(page, 'ptu');
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-truth-ptu.png'), fullPage: true });
    await page.close();
  });

  /** Every SLO of the target: its status, its words (never "FAIL (actual –)"), its note. */
  async function assertVerdicts(page: Page, name: string): Promise<void> {
    const shown = await page.$$eval('[data-slo]', (els) =>
      els.map((e) => ({
        slo: e.getAttribute('data-slo'),
        status: e.getAttribute('data-status'),
        verdict: e.querySelector('.slo-verdict')?.textContent,
        note: e.querySelector('.slo-note')?.textContent ?? null,
      })),
    );
    const verdicts = summary.slos.filter((v) => v.target === name);
    assert.deepEqual(
      shown.map((s) => [s.slo, s.status]),
      verdicts.map((v) => [v.slo, verdictStatus(v)]),
    );
    for (const [i, v] of verdicts.entries()) {
      const label = { pass: 'PASS', fail: 'FAIL', not_judged: 'NOT JUDGED', incomplete: 'INCOMPLETE' }[verdictStatus(v)];
      if (verdictStatus(v) === 'not_judged') assert.equal(shown[i].verdict, 'NOT JUDGED', v.slo);
      else assert.ok(shown[i].verdict!.startsWith(`${label} · actual `), `${v.slo}: ${shown[i].verdict}`);
      assert.equal(shown[i].note, v.note ?? null, v.slo);
    }
  }

  for (const [key, theme] of Object.entries(VSCODE_THEMES)) {
    it(`${theme.name}: chart lines on the canvas ≥ 3:1 against the background, verdict text ≥ 4.5:1`, async () => {
      const page = await open(`truth-${key}.html`, bare(htmlReport('throttle-fixture', runInit(), assets)), '[data-card-id="ttft_p50"]');
      await applyTheme(page, theme);
      const expected = parseColour(theme.vars['--vscode-editor-background'])!;
      // p50/p95 (blue, orange), achieved/target RPM, failed/throttled (the throttled line is orange).
      for (const chartId of ['ttft', 'e2e', 'rpm', 'errors', 'in_flight']) {
        const m = await measure(page, chartId);
        assert.deepEqual(m.background, [expected.r, expected.g, expected.b], `${chartId}: the canvas is painted with the theme's background`);
        assert.ok(m.series.length > 0, `${chartId}: has series`);
        for (const s of m.series) {
          assert.ok(s.pixels >= 20, `${theme.name} ${chartId}: ${s.pixels} pixels of ${s.colour} drawn`);
          assert.ok(s.contrast >= 3, `${theme.name} ${chartId}: ${s.colour} contrasts ${s.contrast.toFixed(2)}:1`);
        }
      }
      // Verdicts are text: 4.5:1 (the themes' own PASS green is 2:1 on Light Modern's white).
      assert.ok((await textContrast(page, '.slo-fail .slo-verdict')) >= 4.5, 'FAIL text');
      assert.ok((await textContrast(page, '.slo-incomplete .slo-verdict')) >= 4.5, 'INCOMPLETE text');
      await page.screenshot({ path: path.join(ARTIFACTS, `report-truth-${key}.png`) });
      await page.selectOption('#target-select', 'steady');
      await page.locator('.slo-pass').first().waitFor();
      assert.ok((await textContrast(page, '.slo-pass .slo-verdict')) >= 4.5, 'PASS text');
      await page.close();
    });
  }

  it('a lone point (the first window) draws a visible marker', async () => {
    // One window per target, with a TTFT, and no summary yet: what a live panel shows after a second.
    // Per target its window with the widest p50–p95 spread (equal values would draw one marker over the
    // other); the steady target (never throttled, several requests a window) is the one measured.
    const spread = (w: (typeof files.windows)[number]) => (w.ttft.p95 ?? 0) - (w.ttft.p50 ?? 0);
    const lone = (t: string) => files.windows.filter((w) => w.target === t && w.ttft.p50 !== null).sort((a, b) => spread(b) - spread(a))[0];
    const first = ['paygo', 'ptu', 'steady'].map(lone).filter((w) => w !== undefined);
    assert.ok(spread(lone('steady')) > 0, 'the steady target has a window whose p50 and p95 differ');
    const page = await open(
      'truth-lone.html',
      bare(htmlReport('lone', runInit({ windows: first, summary: null, live: true }), assets)),
      'figure[data-chart-id="ttft"]',
    );
    await page.selectOption('#target-select', 'steady');
    await page.waitForSelector('figure[data-chart-id="ttft"][data-points="2"]');
    await applyTheme(page, VSCODE_THEMES.darkModern);
    const m = await measure(page, 'ttft');
    for (const s of m.series) {
      // A 3 px radius marker at two device pixels per CSS pixel: ~100 pixels.
      assert.ok(s.pixels >= 30, `${s.colour}: ${s.pixels} pixels`);
      assert.ok(s.contrast >= 3, `${s.colour}: ${s.contrast.toFixed(2)}:1`);
    }
    await page.close();
  });

  it('Compare report: better/worse as the tests decide, the test named, verdict statuses side by side', async () => {
    const compare: CompareInitMessage = {
      type: 'compareInit',
      runIds: [files.dir],
      runs: [{ label: 'throttle-fixture', summary, windows: files.windows }],
      alignment: 'clock',
      interactive: false,
    };
    const page = await open('truth-compare.html', bare(htmlReport('Compare', compare, assets)), 'tr[data-metric="TTFT p95"]');
    await applyTheme(page, VSCODE_THEMES.lightModern);
    const table = compareRuns([summary], ['throttle-fixture']);
    for (const row of table.rows) {
      const shown = await page.$$eval(`tr[data-metric="${row.metric}"] td`, (tds) =>
        tds.map((td) => [td.getAttribute('data-verdict'), td.getAttribute('data-method')]),
      );
      assert.deepEqual(
        shown,
        row.cells.map((c) => [c.verdict, c.method ?? null]),
        row.metric,
      );
    }
    // paygo is the baseline: ptu, never throttled, is better on throttling, by Fisher's exact test.
    const throttled = page.locator('tr[data-metric="Throttled (HTTP 429)"] td').nth(1);
    assert.deepEqual([await throttled.getAttribute('data-verdict'), await throttled.getAttribute('data-method')], ['better', 'fisher']);
    assert.match((await throttled.getAttribute('title')) ?? '', /^significant \(p [<=] [\d.]+\)\. Errors and throttling: Fisher's exact test/);
    assert.ok((await textContrast(page, 'td.verdict-better .cell-verdict')) >= 4.5, 'the better text on Light Modern');
    const methods = await page.$$eval('.compare-methods li', (lis) => lis.map((li) => li.getAttribute('data-method')));
    assert.deepEqual(methods, table.methods);
    // SLO statuses side by side.
    const slos = await page.$$eval('.slo-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-status'))));
    assert.deepEqual(
      slos,
      table.slos.map((row) => row.verdicts.map((v) => (v ? verdictStatus(v) : null))),
    );
    // Not judged says so, with no actual (never "FAIL (actual –)").
    for (const text of await page.$$eval('.slo-table td[data-status="not_judged"]', (tds) => tds.map((td) => td.textContent))) assert.equal(text, 'NOT JUDGED');
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-truth-compare.png'), fullPage: true });
    await page.close();
  });
});
