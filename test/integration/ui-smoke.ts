// Browser side of the UI smoke test (loaded by run-code-server-tests.ts --ui): a person's path through
// the workbench — command palette → "LLM Perf Lab: Run Scenario…" → pick the scenario → open the
// LLM Perf Lab view → see the new run in the Scenarios tree; Generate Test Dataset… and New Scenario…
// answered through their inputs; "Set API Key…" only on a target that reads a key; Reveal Run Folder
// showing the run in the Explorer. Screenshots go to test-artifacts/. The host side
// (extension/ui-smoke.test.ts) checks the files; the two take turns through marker files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { waitForMarker, writeMarker } from './markers';
import { answerInput, contextMenuLabels, notificationTexts, pickItem, runCommand, runContextMenu, screenshot } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;

export default async function uiSmoke(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');
  await runCommand(page, 'LLM Perf Lab: Run Scenario…');
  const quickInput = page.locator('.quick-input-widget');
  await quickInput.locator('.monaco-list-row', { hasText: 'ui-smoke.perf.yaml' }).first().waitFor({ state: 'visible', timeout: 20_000 });
  await screenshot(page, 'ui-smoke-1-pick-scenario');
  await page.keyboard.type('ui-smoke');
  await page.keyboard.press('Enter');
  log('scenario picked; run started');

  // The activity-bar entry of the extension's view container (a click on it while it shows hides the side bar).
  const openView = async () => {
    const entry = page.locator('.activitybar .action-item', { has: page.locator('[aria-label="LLM Perf Lab"]') }).first();
    if ((await entry.getAttribute('class'))?.split(' ').includes('checked')) return;
    await entry.click({ timeout: 20_000 });
  };
  await openView();
  const tree = page.locator('[id="workbench.view.extension.perflab"], .pane-body').filter({ hasText: 'ui-smoke' }).first();
  await tree.waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot(page, 'ui-smoke-2-running');
  // When the run ends the target row gains the run as a child; expand it if the tree kept it collapsed,
  // and wait for the run's headline numbers.
  const runRow = page.locator('.monaco-list-row', { hasText: /p95 TTFT [\d,.]+ m?s/ }).first();
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
  await answerInput(page, /how many different messages/, '12');
  await answerInput(page, /what is the application about/, 'cloud GPU billing');
  await answerInput(page, /system message for every line/, 'You are the billing assistant.');
  log('Generate Test Dataset answered: 12 messages about cloud GPU billing');

  try {
    await keysRevealAndNewScenario(page, log, openView, runRow);
  } catch (error) {
    await screenshot(page, 'ui-smoke-failed');
    throw error;
  }
}

async function keysRevealAndNewScenario(page: Page, log: (message: string) => void, openView: () => Promise<void>, runRow: Locator): Promise<void> {
  // "Set API Key…": on the Azure target (inline key icon and context menu), never on the simulator's.
  // The host writes that scenario once the dataset is done (two scenarios would make the dataset ask which).
  await waitForMarker(workspace, 'keyed-scenario', 120_000);
  await openView();
  const targetRow = (name: string) => page.locator('.monaco-list-row', { hasText: new RegExp(`^${name}`) }).first();
  await targetRow('prod').waitFor({ state: 'visible', timeout: 30_000 });
  const keyAction = (name: string) => targetRow(name).locator('.action-label[aria-label^="Set API Key"]');
  await targetRow('sim').hover();
  const simMenu = await contextMenuLabels(page, targetRow('sim'));
  if (!simMenu.includes('Generate Test Dataset…')) throw new Error(`the simulator target's context menu did not open with its entries: ${simMenu.join(', ')}`);
  if (simMenu.some((l) => /API Key/.test(l)) || (await keyAction('sim').count()) > 0)
    throw new Error(`"Set API Key…" is offered for a simulator target (menu: ${simMenu.join(', ')})`);
  await targetRow('prod').hover();
  const prodMenu = await contextMenuLabels(page, targetRow('prod'));
  if (!prodMenu.includes('Set API Key…') || (await keyAction('prod').count()) !== 1)
    throw new Error(`"Set API Key…" is not offered for the Azure target (menu: ${prodMenu.join(', ')})`);
  await screenshot(page, 'ui-smoke-4-key-only-where-needed');
  log('Set API Key… offered for the Azure target only');

  // Reveal Run Folder from the run's context menu: in a browser there is no OS file manager, so the
  // Explorer shows the run folder (before the fix: "command 'revealFileInOS' not found").
  const runId = fs.readdirSync(path.join(workspace, '.perflab', 'runs'))[0];
  await runContextMenu(page, runRow, 'Reveal Run Folder');
  const revealed = page.locator('.explorer-folders-view .monaco-list-row[aria-selected="true"]', { hasText: runId });
  await revealed.first().waitFor({ state: 'visible', timeout: 20_000 });
  await page.waitForTimeout(1000); // an error notification would be up by now
  const toasts = await notificationTexts(page);
  const bad = toasts.filter((t) => /revealFileInOS|not found|LLM Perf Lab/.test(t));
  if (bad.length) throw new Error(`Reveal Run Folder showed: ${bad.join(' | ')}`);
  await screenshot(page, 'ui-smoke-5-run-folder-revealed');
  log(`Reveal Run Folder: the Explorer shows ${runId}, no error`);

  // New Scenario… through its real inputs: the simulator, a model from the catalog, the prompt shape,
  // the rate, then VS Code's save dialog with the proposed name kept (the host checks the file).
  await runCommand(page, 'LLM Perf Lab: New Scenario…');
  await pickItem(page, /where is the deployment/, 'Simulator');
  await pickItem(page, /New Scenario \(2\/4\): model/, 'gpt-4o-mini');
  await pickItem(page, /New Scenario \(3\/4\): prompt shape/, 'balanced');
  await answerInput(page, /New Scenario \(4\/4\): requests per minute/, '90');
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: /Save the New Scenario/ })
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 });
  const pathInput = page.locator('.quick-input-widget .quick-input-box input');
  const proposed = Date.now() + 20_000;
  while (!(await pathInput.inputValue()).endsWith('/gpt-4o-mini.perf.yaml')) {
    if (Date.now() > proposed) throw new Error(`the save dialog proposed "${await pathInput.inputValue()}"`);
    await page.waitForTimeout(250);
  }
  await screenshot(page, 'ui-smoke-6-save-new-scenario');
  await page.keyboard.press('Enter');
  log('New Scenario… answered: simulator, gpt-4o-mini, balanced, 90 RPM');
  writeMarker(workspace, 'ui-done');
}
