// Browser side of the UI smoke test (loaded by run-code-server-tests.ts --ui): a person's path through
// the workbench — command palette → "LLM Perf Lab: Run Scenario…" → pick the scenario → open the
// LLM Perf Lab view → see the new run in the Scenarios tree. Screenshots go to test-artifacts/.

import type { Page } from 'playwright-core';
import { runCommand, screenshot } from './ui';

export default async function uiSmoke(page: Page, log: (message: string) => void): Promise<void> {
  await runCommand(page, 'LLM Perf Lab: Run Scenario…');
  const quickInput = page.locator('.quick-input-widget');
  await quickInput.locator('.monaco-list-row', { hasText: 'ui-smoke.perf.yaml' }).first().waitFor({ state: 'visible', timeout: 20_000 });
  await screenshot(page, 'ui-smoke-1-pick-scenario');
  await page.keyboard.type('ui-smoke');
  await page.keyboard.press('Enter');
  log('scenario picked; run started');

  // The activity-bar entry of the extension's view container.
  await page.locator('.activitybar [aria-label="LLM Perf Lab"]').first().click({ timeout: 20_000 });
  const tree = page.locator('[id="workbench.view.extension.perflab"], .pane-body').filter({ hasText: 'ui-smoke' }).first();
  await tree.waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot(page, 'ui-smoke-2-running');
  // When the run ends the target row gains the run as a child; expand it if the tree kept it collapsed,
  // and wait for the run's headline numbers.
  const runRow = page.locator('.monaco-list-row', { hasText: /p95 TTFT \d+ ms/ }).first();
  const collapsedTarget = page.locator('.monaco-list-row[aria-expanded="false"]', { hasText: /^sim/ }).first();
  const deadline = Date.now() + 90_000;
  while (!(await runRow.isVisible())) {
    if (Date.now() > deadline) {
      await screenshot(page, 'ui-smoke-failed');
      throw new Error('the Scenarios tree did not show the finished run within 90 s');
    }
    if (await collapsedTarget.isVisible()) await collapsedTarget.click();
    await page.waitForTimeout(1000);
  }
  await screenshot(page, 'ui-smoke-3-tree-shows-run');
  log('the Scenarios tree shows the finished run');

  // Generate Test Dataset… through its real inputs: count, what the application is about, system
  // message; the one scenario's simulator target writes the questions (checked on the host side).
  await runCommand(page, 'LLM Perf Lab: Generate Test Dataset…');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const answer = async (title: RegExp, text: string) => {
    await page.locator('.quick-input-widget', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(text);
    await page.keyboard.press('Enter');
  };
  await answer(/how many different messages/, '12');
  await answer(/what is the application about/, 'cloud GPU billing');
  await answer(/system message for every line/, 'You are the billing assistant.');
  log('Generate Test Dataset answered: 12 messages about cloud GPU billing');
}
