// Reusable Playwright helpers for driving the VS Code web workbench served by code-server.
// Kept free of DOM types (tsconfig has no "dom" lib): everything goes through locators.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { recordCommandLabel } from './command-log';

export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'test-artifacts');

/** Waits for the workbench shell; 13-19 s after navigation on these machines. Returns the wait in ms. */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<number> {
  const t0 = Date.now();
  await page.locator('.monaco-workbench').first().waitFor({ state: 'attached', timeout: timeoutMs });
  return Date.now() - t0;
}

const quickInput = '.quick-input-widget';
const quickInputBox = `${quickInput} .quick-input-box input`;

/**
 * Opens the command palette (F1) and runs the command whose title matches exactly, e.g.
 * 'Hello: Count' (category + title as shown in the palette).
 *
 * Retries: an extension's commands only join the palette once the extension host has registered
 * its contributions (seconds after the workbench appears), and an open palette does not refresh.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator(quickInputBox);
  // Exact label match, so 'Hello: Count' never picks 'Hello: Count Again' or a "similar command".
  const row = page
    .locator(`${quickInput} .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  for (let attempt = 1; ; attempt++) {
    try {
      // A quick input that was just answered may still be closing, and closes the palette with it.
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await row.waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(1000, deadline - Date.now())) });
      break;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline)
        throw new Error(`command "${title}" not in the palette after ${attempt} attempt(s): ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  await row.click();
  recordCommandLabel(title);
  // The palette is done when it closes, or when the command put its own quick input in its place.
  const widget = page.locator(quickInput);
  const paletteGone = async () => !(await widget.isVisible()) || !(await input.inputValue()).startsWith('>');
  for (const until = Date.now() + 10_000; Date.now() < until && !(await paletteGone().catch(() => true));) await page.waitForTimeout(100);
}

/** The quick input once its title matches (each step of a multi-step command retitles the same widget). */
async function quickInputTitled(page: Page, title: RegExp, timeoutMs: number): Promise<void> {
  await page.locator(`${quickInput} .quick-input-title`, { hasText: title }).first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Waits until the quick input titled `title` has gone (closed, or retitled by the next step): a key
 *  pressed before that (F1 for the next command) would close it unanswered. */
async function quickInputAnswered(page: Page, title: RegExp, timeoutMs: number): Promise<void> {
  await page.locator(`${quickInput} .quick-input-title`, { hasText: title }).first().waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Answers an input box: waits for its title, types `text`, presses Enter. */
export async function answerInput(page: Page, title: RegExp, text: string, timeoutMs = 20_000): Promise<void> {
  await quickInputTitled(page, title, timeoutMs);
  await page.locator(quickInputBox).fill(text);
  await page.keyboard.press('Enter');
  await quickInputAnswered(page, title, timeoutMs);
}

/** Picks the row labelled exactly `label` in the quick pick titled `title` (typed into its filter, then clicked). */
export async function pickItem(page: Page, title: RegExp, label: string, timeoutMs = 20_000): Promise<void> {
  await quickInputTitled(page, title, timeoutMs);
  await page.locator(quickInputBox).fill(label);
  const row = page
    .locator(`${quickInput} .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  await quickInputAnswered(page, title, timeoutMs);
}

/**
 * Runs a command whose first question is a quick pick, and picks `label` in it. A panel that reveals
 * itself just then (a run that has just ended) takes the focus and closes the pick before it is
 * answered; nothing has been chosen yet, so the command is simply run again (at most three times).
 */
export async function runCommandAndPick(page: Page, command: string, title: RegExp, label: string, timeoutMs = 20_000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, command);
    try {
      await pickItem(page, title, label, attempt < 3 ? Math.min(timeoutMs, 8_000) : timeoutMs);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** The labels of the context menu a right-click on `target` opens; the menu is closed again. */
export async function contextMenuLabels(page: Page, target: Locator, timeoutMs = 20_000): Promise<string[]> {
  await target.click({ button: 'right', timeout: timeoutMs });
  const menu = page.locator('.context-view .monaco-menu').first();
  await menu.waitFor({ state: 'visible', timeout: timeoutMs });
  const labels = (await menu.locator('.action-item .action-label').allTextContents()).map((l) => l.trim()).filter(Boolean);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
  return labels;
}

/** Runs the context-menu entry labelled `label` on `target`. */
export async function runContextMenu(page: Page, target: Locator, label: string, timeoutMs = 20_000): Promise<void> {
  await target.click({ button: 'right', timeout: timeoutMs });
  const item = page
    .locator('.context-view .monaco-menu .action-item', { has: page.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  // The menu ignores a click that comes too soon after it opened (the right button's own release):
  // hover first, and if it is still open after the click, Enter runs the hovered (focused) entry.
  await item.hover();
  await page.waitForTimeout(300);
  await item.click();
  const menu = page.locator('.context-view .monaco-menu').first();
  if (
    !(await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(
      () => true,
      () => false,
    ))
  )
    await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: timeoutMs });
  recordCommandLabel(label);
}

/** The messages in the notification centre (opened, read, closed again). The workbench draws no
 *  toasts under its test driver, so this is where notifications can be read. */
export async function notificationCentre(page: Page): Promise<string[]> {
  await runCommand(page, 'Notifications: Show Notifications', 20_000);
  const centre = page.locator('.notifications-center');
  await centre.waitFor({ state: 'visible', timeout: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const texts = (await centre.locator('.notification-list-item-message').allTextContents()).map((t) => t.trim());
  await runCommand(page, 'Notifications: Hide Notifications', 20_000);
  await centre.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  return texts;
}

/** Waits until the notification centre lists a message containing `text` (the centre is opened while
 *  it waits, then closed); throws with the messages it lists after `timeoutMs`. */
export async function waitForNotification(page: Page, text: string, timeoutMs = 20_000): Promise<void> {
  await runCommand(page, 'Notifications: Show Notifications', 20_000);
  const centre = page.locator('.notifications-center');
  try {
    await centre.waitFor({ state: 'visible', timeout: 10_000 });
    const message = centre.locator('.notification-list-item-message', { hasText: text }).first();
    if (
      !(await message.waitFor({ state: 'attached', timeout: timeoutMs }).then(
        () => true,
        () => false,
      ))
    ) {
      const texts = (await centre.locator('.notification-list-item-message').allTextContents()).map((t) => t.trim());
      throw new Error(`no notification says "${text}": ${texts.join(' | ') || 'none at all'}`);
    }
  } finally {
    await runCommand(page, 'Notifications: Hide Notifications', 20_000);
    await centre.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }
}

const dialogBox = '.monaco-dialog-box';

/** The modal dialog on screen: its message (and detail) once it shows, or throws after `timeoutMs`. */
export async function dialogText(page: Page, timeoutMs = 20_000): Promise<string> {
  const box = page.locator(dialogBox).first();
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await box.locator('.dialog-message-container').first().innerText()).trim();
}

/** Is a modal dialog on screen now? */
export async function dialogShown(page: Page): Promise<boolean> {
  return page.locator(dialogBox).first().isVisible();
}

/** Clicks the button labelled `label` of the modal dialog on screen and waits for it to close. */
export async function answerDialog(page: Page, label: string, timeoutMs = 20_000): Promise<void> {
  const box = page.locator(dialogBox).first();
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  await box
    .locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${escapeRegExp(label)}$`) })
    .first()
    .click({ timeout: timeoutMs });
  await box.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Texts of the notification toasts on screen. */
export async function notificationTexts(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-toasts .notification-toast').allTextContents()).map((t) => t.trim());
}

/** Polls `check` every 300 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function depth(frame: Frame): number {
  let d = 0;
  for (let f = frame.parentFrame(); f; f = f.parentFrame()) d++;
  return d;
}

/**
 * Finds a webview's content frame. VS Code nests it: workbench > webview host iframe
 * (pre/index.html) > content iframe (depth 2). It appears some seconds after the command that
 * opens it, so poll. `selector` (optional) must exist in the frame, to tell webviews apart.
 */
export async function findWebviewFrame(page: Page, selector?: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (depth(frame) < 2 || frame.isDetached()) continue;
      if (!selector) return frame;
      if (
        (await frame
          .locator(selector)
          .count()
          .catch(() => 0)) > 0
      )
        return frame;
    }
    if (Date.now() > deadline) {
      const seen = page
        .frames()
        .map((f) => `${depth(f)}:${f.url().slice(0, 120)}`)
        .join('\n  ');
      throw new Error(`no webview frame${selector ? ` containing ${selector}` : ''} after ${timeoutMs} ms; frames:\n  ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Full-page screenshot into test-artifacts/ (git-ignored) unless `file` is a path with a folder. */
export async function screenshot(page: Page, file: string): Promise<string> {
  const path = file.includes('/') ? resolve(file) : join(ARTIFACTS_DIR, file.endsWith('.png') ? file : `${file}.png`);
  mkdirSync(resolve(path, '..'), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
