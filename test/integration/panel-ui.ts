// Browser side of the panel suite (loaded by run-code-server-tests.ts --ui; the host side is
// extension/panel.test.ts). In the real workbench: the Run panel draws live while the run goes, its
// headline numbers equal summary.json once it ends (for each target), its "Save HTML report" button
// works, the Compare panel shows each run's numbers with the right verdict, and the Capacity panel
// follows a search live, then equals capacity.json and opens a step's run. Screenshots go to
// test-artifacts/ (the README's come from here).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { CapacityReport } from '../../src/engine/capacity/types';
import type { RunSummary, TargetSummary } from '../../src/engine/summary';
import { waitForMarker, writeMarker } from './markers';
import { findWebviewFrame, runCommand, screenshot } from './ui';

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
    await waitUntil(async () => (await run.locator('[data-card-id="ttft_p95"]').getAttribute('data-value')) === String(target.latency_ms.ttft.p95), 10_000, `cards show ${target.target}`);
    await checkCards(run, target);
    const slo = summary.slos.find((v) => v.target === target.target && v.slo.startsWith('ttft'))!;
    const status = await run.locator(`[data-slo="${slo.slo}"]`).getAttribute('data-status');
    if (status !== (slo.pass ? 'pass' : 'fail')) throw new Error(`${target.target}: SLO "${slo.slo}" shows ${status}, summary says ${slo.pass ? 'pass' : 'fail'}`);
    for (const chart of ['ttft', 'tbt', 'itl', 'e2e', 'rpm', 'tpm', 'in_flight', 'ttft_hist', 'itl_hist', 'prompt_tokens_hist']) {
      if ((await attr(run, `[data-chart-id="${chart}"]`, 'data-points')) <= 0) throw new Error(`${target.target}: chart ${chart} has no data`);
    }
    log(`Run panel (${target.target}): headline cards and SLO verdict equal summary.json`);
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
  await waitUntil(async () => (await reshown.locator('#target-select').inputValue()) === picked.target, 20_000, `the re-shown panel restored the picked target (${picked.target})`);
  await waitUntil(async () => (await attr(reshown, '[data-chart-id="ttft"]', 'data-points')) > 0, 20_000, 'the re-shown panel drew its charts again');
  await checkCards(reshown, picked);
  log('Run panel hidden and shown again: rebuilt from the run, picked target restored');
  writeMarker(workspace, 'reshown-checked');

  // 3. Compare two runs: the table's numbers are each run's summary numbers, with the verdict.
  const { runDirs } = await waitForMarker<{ runDirs: string[] }>(workspace, 'compare-open', 180_000);
  const compare = await findWebviewFrame(page, '.compare-view', 60_000);
  const summaries = runDirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8')) as RunSummary);
  await checkCompareRow(compare, 'TTFT p95', summaries.map((s) => s.targets[0].latency_ms.ttft.p95));
  await checkCompareRow(compare, 'E2E p50', summaries.map((s) => s.targets[0].latency_ms.e2e.p50));
  await screenshot(page, 'panel-3-compare-runs');
  log('Compare panel: two runs, numbers and verdicts equal the summaries');
  writeMarker(workspace, 'compare-checked');

  // 4. The two targets of the first run, on one clock.
  await waitForMarker(workspace, 'targets-open', 120_000);
  const targets = await findWebviewFrame(page, '.compare-view h1:has-text("Compare 2 targets")', 60_000);
  await checkCompareRow(targets, 'TTFT p95', summary.targets.map((t) => t.latency_ms.ttft.p95));
  await screenshot(page, 'panel-4-compare-targets');
  log('Compare panel: the two targets of one run, better/worse as the summaries say');
  const lightColours = await targets.locator('body').getAttribute('data-chart-series');
  writeMarker(workspace, 'targets-checked');

  // 5. A dark theme: the webview follows VS Code's colours, the charts are recoloured.
  await waitForMarker(workspace, 'theme-dark', 60_000);
  await waitUntil(async () => /vscode-dark/.test((await targets.locator('body').getAttribute('class')) ?? ''), 20_000, 'the webview body switched to the dark theme');
  await waitUntil(async () => {
    const dark = await targets.locator('body').getAttribute('data-chart-series');
    return dark !== null && dark !== lightColours;
  }, 20_000, 'the charts were recoloured from the dark theme');
  await screenshot(page, 'panel-5-compare-dark');
  log('dark theme: webview and chart colours follow VS Code');
  writeMarker(workspace, 'theme-checked');

  // 6. Find Capacity: the panel follows the search (the step running now), then shows capacity.json's
  //    answer, and a step's "Open run" opens that run.
  await waitForMarker(workspace, 'capacity-start', 120_000);
  const capacity = await findWebviewFrame(page, '.capacity-view', 120_000);
  await waitUntil(async () => /^Step \d+ at [\d,]+ RPM/.test(((await capacity.locator('.capacity-live').first().textContent()) ?? '').trim()), 60_000, 'the Capacity panel shows the step running now');
  await screenshot(page, 'panel-6-capacity-live');
  log(`Capacity panel live: ${(await capacity.locator('.capacity-live').first().textContent())?.trim()}`);
  const { dir } = await waitForMarker<{ dir: string }>(workspace, 'capacity-done', 180_000);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'capacity.json'), 'utf8')) as CapacityReport;
  const t = report.targets[0];
  const headline = capacity.locator(`.capacity-target[data-target="${t.target}"] .capacity-headline`);
  await waitUntil(async () => (await headline.getAttribute('data-search')) === 'complete', 30_000, 'the panel shows the finished search');
  const shown = [await headline.getAttribute('data-capacity'), await headline.getAttribute('data-limited-by')];
  if (shown[0] !== String(t.capacity_rpm) || shown[1] !== t.limited_by) throw new Error(`the Capacity panel shows ${shown.join(' / ')}, capacity.json says ${t.capacity_rpm} / ${t.limited_by}`);
  const stepRows = await capacity.locator(`table.capacity-steps[data-target="${t.target}"] tbody tr`).count();
  if (stepRows !== t.steps.length) throw new Error(`the steps table has ${stepRows} rows, capacity.json ${t.steps.length} steps`);
  if ((await attr(capacity, '.capacity-target [data-chart-id]', 'data-points')) <= 0) throw new Error('the capacity curve has no points');
  await screenshot(page, 'panel-7-capacity-done');
  log(`Capacity panel: ${t.capacity_rpm} RPM limited by ${t.limited_by}, ${stepRows} steps, equal to capacity.json`);
  await capacity.locator('button[aria-label="Save HTML report"]').click();
  await capacity.locator(`table.capacity-steps tbody tr[data-step="1"] button`).click();
  writeMarker(workspace, 'capacity-checked', { clicked: t.steps[0].run_dir });
}

async function checkCards(frame: Frame, t: TargetSummary): Promise<void> {
  const expected: Record<string, number | null> = {
    ttft_p50: t.latency_ms.ttft.p50,
    ttft_p95: t.latency_ms.ttft.p95,
    ttft_p99: t.latency_ms.ttft.p99,
    tbt_p95: t.latency_ms.tbt.p95,
    e2e_p95: t.latency_ms.e2e.p95,
    achieved_rpm: t.schedule.achieved_rpm,
    tokens_in: t.tokens.prompt,
    tokens_out: t.tokens.completion,
    cost_so_far: t.cost_usd.total,
    cost_per_request: t.cost_usd.per_request,
  };
  for (const [id, value] of Object.entries(expected)) {
    const shown = await frame.locator(`[data-card-id="${id}"]`).first().getAttribute('data-value');
    if (shown !== (value === null ? '' : String(value))) throw new Error(`${t.target}: card ${id} shows ${shown}, summary.json says ${value}`);
  }
}

async function checkCompareRow(frame: Frame, metric: string, values: (number | null)[]): Promise<void> {
  const cells = frame.locator(`tr[data-metric="${metric}"] td`);
  await cells.first().waitFor({ timeout: 30_000 });
  const shown = await cells.evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-value'), td.getAttribute('data-verdict')]));
  const base = values[0]!;
  values.forEach((v, i) => {
    const [value, verdict] = shown[i];
    if (value !== String(v)) throw new Error(`compare ${metric} column ${i}: shows ${value}, summary says ${v}`);
    // The panel calls values less than 1% apart the same (webview-ui/src/model/compare.ts SAME_WITHIN).
    const want = i === 0 ? 'baseline' : Math.abs(v! - base) < Math.abs(base) * 0.01 ? 'same' : v! < base ? 'better' : 'worse';
    if (verdict !== want) throw new Error(`compare ${metric} column ${i}: verdict ${verdict}, expected ${want}`);
  });
}

async function attr(frame: Frame, selector: string, name: string): Promise<number> {
  return Number((await frame.locator(selector).first().getAttribute(name)) ?? NaN);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
