// Browser side of the language suite: a screenshot of a .prompty file with its inline token counts
// (CodeLens) for the README, once the host side has opened it; then the status-bar model picker,
// clicked and typed into as a user would.

import type { Page } from 'playwright-core';
import { recordCommand } from './command-log';
import { waitForMarker, writeMarker } from './markers';
import { runCommand, screenshot } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;

export default async function languageUi(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');
  await runCommand(page, 'View: Hide Secondary Side Bar', 20_000).catch((error: Error) => log(`could not hide the secondary side bar: ${error.message}`));
  await waitForMarker(workspace, 'prompt-open', 120_000);
  // The lenses render above their lines once the server answered: the template's count beside what is
  // sent with the front matter's sample values, both labelled, as the user reads them.
  await page
    .locator('.codelens-decoration', { hasText: /total \d+ sent with sample values · \d+ in the template/ })
    .first()
    .waitFor({ timeout: 30_000 });
  await page
    .locator('.codelens-decoration', { hasText: /system · \d+ tokens sent with sample values · \d+ in the template/ })
    .first()
    .waitFor({ timeout: 30_000 });
  await page
    .locator('.statusbar-item', { hasText: /\d+ tokens sent · \d+ in the template/ })
    .first()
    .waitFor({ timeout: 30_000 });
  await screenshot(page, 'language-prompt-counts');
  log('prompt file with inline token counts: screenshot taken');
  writeMarker(workspace, 'prompt-shot');

  // The status-bar model picker, as a user works it: click the model, type a name, Enter.
  await waitForMarker(workspace, 'pick-model', 180_000);
  await page.locator('.statusbar-item', { hasText: 'gpt-5-mini' }).first().click({ timeout: 30_000 });
  // The item runs "Pick Model for Prompt Token Counts…" (src/extension/language-client.ts).
  recordCommand('perflab.pickPromptModel');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 20_000 });
  await input.fill('gpt-4-turbo');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'gpt-4-turbo' }).first().waitFor({ timeout: 20_000 });
  await input.press('Enter');
  log('model picker: gpt-4-turbo picked');
  writeMarker(workspace, 'model-picked');
}
