// Browser side of the language suite: a screenshot of a .prompty file with its inline token counts
// (CodeLens) for the README, once the host side has opened it.

import type { Page } from 'playwright-core';
import { waitForMarker, writeMarker } from './markers';
import { runCommand, screenshot } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;

export default async function languageUi(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');
  await runCommand(page, 'View: Hide Secondary Side Bar', 20_000).catch((error: Error) => log(`could not hide the secondary side bar: ${error.message}`));
  await waitForMarker(workspace, 'prompt-open', 120_000);
  // The lenses render above their lines once the server answered.
  await page.locator('.codelens-decoration', { hasText: /total \d+/ }).first().waitFor({ timeout: 30_000 });
  await page.locator('.codelens-decoration', { hasText: /system · \d+ tokens/ }).first().waitFor({ timeout: 30_000 });
  await screenshot(page, 'language-prompt-counts');
  log('prompt file with inline token counts: screenshot taken');
  writeMarker(workspace, 'prompt-shot');
}
