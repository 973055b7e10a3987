// Browser side of the panel suite (loaded by run-code-server-tests.ts --ui; the host side is
// extension/panel.test.ts). In the real workbench: the Run panel draws live while the run goes, every
// card equals the run's files and every point of its time charts equals windows.jsonl once it ends
// (for each target, and again when the panel is rebuilt; run-panel-checks.ts), its "Save HTML report" button
// works, the Compare panel shows each run's numbers with the right verdict, and the Capacity panel
// follows a search live, then equals capacity.json and opens a step's run. Then a click on the status
// bar item asks before it stops a run (the host answers: Cancel, then Stop), no progress notification
// covers a running panel, Compare Runs of one target of two runs shows two columns, and the end-of-run
// notification counts throttled and cancelled requests. Screenshots go to test-artifacts/ (the README's
// come from here).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { CapacityReport } from '../../src/engine/capacity/types';
import { verdictStatus, type RunSummary } from '../../src/engine/summary';
import { summaryOfTargets } from '../../src/extension/compare-selection';
import { compareRuns } from '../../src/results/compare';
import { waitForMarker, writeMarker } from './markers';
import { checkChartsAgainstWindows, checkEveryCard } from './run-panel-checks';
import { findWebviewFrame, notificationCentre, runCommand, screenshot, waitUntil } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;

export default async function panelUi(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');

  // Room for the editor and the panel side by side (these screenshots go into the README).
  await runCommand(page, 'View: Hide Secondary Side Bar', 20_000).catch((error: Error) => log(`could not hide the secondary side bar: ${error.message}`));

  // 1. Live: the panel opens beside the editor as soon as the run starts and its charts fill up.
  const run = await findWebviewFrame(page, '.run-view', 120_000);
  await waitUntil(async () => (await attr(run, '[data-chart-id="ttft"]', 'data-points')) > 0, 60_000, 'the live TTFT chart received data');
  const liveStatus = await run.locator('.status').first().textContent();
  if (!/^Live/.test(liveStatus ?? '')) throw new Error(`the panel is not live during the run: "${liveStatus}"`);
  await screenshot(page, 'panel-1-live');
  log(`Run panel live: ${liveStatus}`);

  // 2. Finished: headline numbers equal summary.json, for each target.
  const { runDir } = await waitForMarker<{ runDir: string }>(workspace, 'run-done', 180_000);
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  await waitUntil(async () => /^Finished/.test((await run.locator('.status').first().textContent()) ?? ''), 30_000, 'the panel says the run finished');
  for (const target of summary.targets) {
    await run.locator('#target-select').selectOption(target.target);
    await waitUntil(
      async () => (await run.locator('[data-card-id="ttft_p95"]').getAttribute('data-value')) === String(target.latency_ms.ttft.p95),
      10_000,
      `cards show ${target.target}`,
    );
    const cards = await checkEveryCard(run, runDir, target.target);
    const slo = summary.slos.find((v) => v.target === target.target && v.slo.startsWith('ttft'))!;
    const status = await run.locator(`[data-slo="${slo.slo}"]`).getAttribute('data-status');
    if (status !== verdictStatus(slo)) throw new Error(`${target.target}: SLO "${slo.slo}" shows ${status}, summary says ${verdictStatus(slo)}`);
    for (const chart of ['ttft', 'tbt', 'chunk_gap', 'e2e', 'rpm', 'tpm', 'in_flight', 'ttft_hist', 'chunk_gap_hist', 'prompt_tokens_hist']) {
      if ((await attr(run, `[data-chart-id="${chart}"]`, 'data-points')) <= 0) throw new Error(`${target.target}: chart ${chart} has no data`);
    }
    log(
      `Run panel (${target.target}): all ${cards} cards and the SLO verdict equal the run's files; ${await checkChartsAgainstWindows(page, run, runDir, target.target)}`,
    );
  }
  await run.locator('#target-select').selectOption(summary.targets[0].target);
  await screenshot(page, 'panel-2-finished');
  // The data-table twin of a chart (keyboard users and screen readers), opened from the keyboard.
  const tableButton = run.locator('[data-chart-id="ttft"] button[aria-controls]');
  await tableButton.focus();
  await page.keyboard.press('Enter');
  if ((await tableButton.getAttribute('aria-expanded')) !== 'true') throw new Error('Enter on the focused table button did not open the table');
  const rows = await run.locator('#table-ttft tbody tr').count();
  if (rows < 5) throw new Error(`the TTFT table has ${rows} rows`);
  await run.locator('button[aria-label="Save HTML report"]').click();
  await run.locator('button[aria-label="Save windows as CSV"]').click();
  await run.locator('[data-chart-id="ttft"] button[aria-label="Save Time to first token (TTFT) as PNG"]').click();
  // Pick the second target; the panel must remember it when it is hidden and shown again.
  const picked = summary.targets[1];
  await run.locator('#target-select').selectOption(picked.target);
  writeMarker(workspace, 'run-checked', { saved: true });

  await waitForMarker(workspace, 'panel-reshown', 120_000);
  const reshown = await findWebviewFrame(page, '.run-view', 60_000);
  await waitUntil(
    async () => (await reshown.locator('#target-select').inputValue()) === picked.target,
    20_000,
    `the re-shown panel restored the picked target (${picked.target})`,
  );
  await waitUntil(async () => (await attr(reshown, '[data-chart-id="ttft"]', 'data-points')) > 0, 20_000, 'the re-shown panel drew its charts again');
  await checkEveryCard(reshown, runDir, picked.target);
  const redrawn = await checkChartsAgainstWindows(page, reshown, runDir, picked.target);
  log(`Run panel hidden and shown again: rebuilt from the run, picked target restored; ${redrawn}`);
  writeMarker(workspace, 'reshown-checked');

  // 3. Compare two runs: the table's numbers are each run's summary numbers, with the verdict.
  const { runDirs } = await waitForMarker<{ runDirs: string[] }>(workspace, 'compare-open', 180_000);
  const compare = await findWebviewFrame(page, '.compare-view', 60_000);
  const summaries = runDirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8')) as RunSummary);
  await checkCompareRow(
    compare,
    'TTFT p95',
    summaries.map((s) => s.targets[0].latency_ms.ttft.p95),
    summaries,
  );
  await checkCompareRow(
    compare,
    'E2E p50',
    summaries.map((s) => s.targets[0].latency_ms.e2e.p50),
    summaries,
  );
  await screenshot(page, 'panel-3-compare-runs');
  log('Compare panel: two runs, numbers and verdicts equal the summaries');
  writeMarker(workspace, 'compare-checked');

  // 4. The two targets of the first run, on one clock.
  await waitForMarker(workspace, 'targets-open', 120_000);
  const targets = await findWebviewFrame(page, '.compare-view h1:has-text("Compare 2 targets")', 60_000);
  await checkCompareRow(
    targets,
    'TTFT p95',
    summary.targets.map((t) => t.latency_ms.ttft.p95),
    [summary],
  );
  await screenshot(page, 'panel-4-compare-targets');
  log('Compare panel: the two targets of one run, better/worse as the summaries say');
  const lightColours = await targets.locator('body').getAttribute('data-chart-series');
  writeMarker(workspace, 'targets-checked');

  // 5. A dark theme: the webview follows VS Code's colours, the charts are recoloured.
  await waitForMarker(workspace, 'theme-dark', 60_000);
  await waitUntil(
    async () => /vscode-dark/.test((await targets.locator('body').getAttribute('class')) ?? ''),
    20_000,
    'the webview body switched to the dark theme',
  );
  await waitUntil(
    async () => {
      const dark = await targets.locator('body').getAttribute('data-chart-series');
      return dark !== null && dark !== lightColours;
    },
    20_000,
    'the charts were recoloured from the dark theme',
  );
  await screenshot(page, 'panel-5-compare-dark');
  log('dark theme: webview and chart colours follow VS Code');
  writeMarker(workspace, 'theme-checked');

  // 6. Find Capacity: the panel follows the search (the step running now), then shows capacity.json's
  //    answer, and a step's "Open run" opens that run.
  await waitForMarker(workspace, 'capacity-start', 120_000);
  const capacity = await findWebviewFrame(page, '.capacity-view', 120_000);
  await waitUntil(
    async () => /^Step \d+ at [\d,]+ RPM/.test(((await capacity.locator('.capacity-live').first().textContent()) ?? '').trim()),
    60_000,
    'the Capacity panel shows the step running now',
  );
  await screenshot(page, 'panel-6-capacity-live');
  log(`Capacity panel live: ${(await capacity.locator('.capacity-live').first().textContent())?.trim()}`);
  const { dir } = await waitForMarker<{ dir: string }>(workspace, 'capacity-done', 180_000);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'capacity.json'), 'utf8')) as CapacityReport;
  const t = report.targets[0];
  const headline = capacity.locator(`.capacity-target[data-target="${t.target}"] .capacity-headline`);
  await waitUntil(async () => (await headline.getAttribute('data-search')) === 'complete', 30_000, 'the panel shows the finished search');
  const shown = [await headline.getAttribute('data-capacity'), await headline.getAttribute('data-limited-by')];
  if (shown[0] !== String(t.capacity_rpm) || shown[1] !== t.limited_by)
    throw new Error(`the Capacity panel shows ${shown.join(' / ')}, capacity.json says ${t.capacity_rpm} / ${t.limited_by}`);
  const stepRows = await capacity.locator(`table.capacity-steps[data-target="${t.target}"] tbody tr`).count();
  if (stepRows !== t.steps.length) throw new Error(`the steps table has ${stepRows} rows, capacity.json ${t.steps.length} steps`);
  if ((await attr(capacity, '.capacity-target [data-chart-id]', 'data-points')) <= 0) throw new Error('the capacity curve has no points');
  await screenshot(page, 'panel-7-capacity-done');
  log(`Capacity panel: ${t.capacity_rpm} RPM limited by ${t.limited_by}, ${stepRows} steps, equal to capacity.json`);
  await capacity.locator('button[aria-label="Save HTML report"]').click();
  await capacity.locator(`table.capacity-steps tbody tr[data-step="1"] button`).click();
  writeMarker(workspace, 'capacity-checked', { clicked: t.steps[0].run_dir });

  // 7. A run's progress is in the status bar (a spinner and the run's item), not in a notification over
  //    the panel; clicking the item asks before it stops the run.
  await waitForMarker(workspace, 'stop-ask', 180_000);
  await page.locator('.statusbar-item', { hasText: 'Running stoppable' }).first().waitFor({ state: 'visible', timeout: 20_000 });
  // A progress notification would stay on screen as a toast while the run goes, over the panel's charts.
  // The workbench draws no toasts under its test driver (VS Code's NotificationsToasts.addToast), so read
  // the notification centre: the status bar's progress is listed there as a silent entry (its title
  // alone, never a toast); a progress notification would be listed under its own title.
  const aboutTheRun = (await notificationCentre(page)).filter((text) => text.includes('stoppable'));
  if (aboutTheRun.some((text) => text !== 'Running stoppable')) throw new Error(`a notification about the run while it goes: ${aboutTheRun.join(' | ')}`);
  const item = page.locator('.statusbar-item', { hasText: '/ 01:30' }).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot(page, 'panel-8-status-bar-progress');
  // The host answers the question (the test workbench refuses modal dialogs): Cancel, then Stop.
  await item.click();
  log('status bar item clicked: the host was asked, answered Cancel');
  await waitForMarker(workspace, 'stop-confirm', 60_000);
  await item.click();
  log('status bar item clicked again: answered Stop');

  // 8. Compare Runs of two runs selected under one target of a two-target scenario: two columns.
  const { runDirs: pairDirs } = await waitForMarker<{ runDirs: string[] }>(workspace, 'pair-compare', 180_000);
  const pair = await findWebviewFrame(page, '.compare-view h1:has-text("Compare 2 runs")', 60_000);
  const pairSummaries = pairDirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8')) as RunSummary);
  const fast = pairSummaries.map((s) => s.targets.find((t) => t.target === 'fast')!);
  const headers = await pair.locator('table').first().locator('thead th').allTextContents();
  if (headers.length !== 3 || !headers.slice(1).every((h) => h.includes('fast'))) throw new Error(`the compare table's columns: ${headers.join(' | ')}`);
  await checkCompareRow(
    pair,
    'TTFT p95',
    fast.map((t) => t.latency_ms.ttft.p95),
    pairSummaries.map((s) => summaryOfTargets(s, ['fast'])),
  );
  // Two columns fit: the table is not cut at the panel's edge.
  const [right, width] = await pair
    .locator('table')
    .first()
    .evaluate((table) => [table.getBoundingClientRect().right, table.ownerDocument.documentElement.clientWidth]);
  if (right > width + 1) throw new Error(`the compare table is cut: it ends at ${right} px, the panel is ${width} px wide`);
  await screenshot(page, 'panel-10-compare-one-target');
  log(`Compare Runs of one target: columns ${headers.slice(1).join(' | ')}`);
  writeMarker(workspace, 'pair-checked');

  // 9. The end-of-run notification counts throttled and cancelled requests.
  const done = await waitForMarker<{ name: string; runDir: string; throttled: number; cancelled: number; statuses: { slo: string; status: string }[] }>(
    workspace,
    'throttled-done',
    180_000,
  );
  const said = (await notificationCentre(page)).find((text) => text.includes(`"${done.name}" finished`));
  if (!said) throw new Error(`no end-of-run notification for "${done.name}"`);
  for (const part of [`${done.throttled} throttled responses (HTTP 429)`, `${done.cancelled} cancelled`, 'incomplete']) {
    if (!said.includes(part)) throw new Error(`the end-of-run notification does not say "${part}": ${said}`);
  }
  await screenshot(page, 'panel-11-throttled-notification');
  log(`end-of-run notification: ${said}`);
  // The Run panel of that run: the throttling banner and card equal summary.json, and each SLO shows
  // its status (incomplete / fail / not judged), never a plain PASS on half a run.
  const throttledRun = await findWebviewFrame(page, '[data-banner="throttled"]', 60_000);
  const card = await throttledRun.locator('[data-card-id="throttling"]').first().getAttribute('data-throttled-responses');
  if (card !== String(done.throttled)) throw new Error(`the throttling card says ${card} responses, summary.json ${done.throttled}`);
  // Every card, the throttling and not-measured ones included, equals the run's files.
  const throttledCards = await checkEveryCard(throttledRun, done.runDir, 'limited');
  for (const v of done.statuses) {
    const shown = await throttledRun.locator(`[data-slo="${v.slo}"]`).first().getAttribute('data-status');
    if (shown !== v.status) throw new Error(`SLO "${v.slo}" shows ${shown}, summary.json says ${v.status}`);
  }
  await screenshot(page, 'panel-12-throttled-headline');
  log(
    `Run panel of the throttled run: banner, ${card} throttled responses, all ${throttledCards} cards equal the run's files, verdicts ${done.statuses.map((v) => v.status).join(', ')}`,
  );
  writeMarker(workspace, 'throttled-checked');
}

/** The row's cells show the summaries' numbers, with the verdict the Compare model reaches for them
 *  (src/results/compare.ts: a significance test, or the 1% rule without histograms). */
async function checkCompareRow(frame: Frame, metric: string, values: (number | null)[], summaries: RunSummary[]): Promise<void> {
  const cells = frame.locator(`tr[data-metric="${metric}"] td`);
  await cells.first().waitFor({ timeout: 30_000 });
  const shown = await cells.evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-value'), td.getAttribute('data-verdict')]));
  if (shown.length !== values.length) throw new Error(`compare ${metric}: ${shown.length} columns, expected ${values.length}`);
  const row = compareRuns(summaries).rows.find((r) => r.metric === metric);
  if (!row) throw new Error(`the Compare model has no row ${metric}`);
  values.forEach((v, i) => {
    const [value, verdict] = shown[i];
    if (value !== String(v)) throw new Error(`compare ${metric} column ${i}: shows ${value}, summary says ${v}`);
    if (verdict !== row.cells[i].verdict)
      throw new Error(`compare ${metric} column ${i}: verdict ${verdict}, expected ${row.cells[i].verdict} (${row.cells[i].why ?? ''})`);
  });
}

async function attr(frame: Frame, selector: string, name: string): Promise<number> {
  return Number((await frame.locator(selector).first().getAttribute(name)) ?? NaN);
}
