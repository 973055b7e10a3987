// One Chromium for a browser test file of the HTML report (Debian's Chromium through playwright-core):
// registers the mocha hooks that launch it (a clear error when it is missing), make a temporary folder
// for the report files, and check after each test that every page it opened loaded nothing but its own
// file and raised no error.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { tempDir } from './real-run';
import { ensureWebviewBuilt, REPO_ROOT } from './webview-dist';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of the browser tests. */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

export interface Opened {
  page: Page;
  url: string;
  /** Every request the page made (the file itself included). */
  requests: string[];
  errors: string[];
}

export interface ReportBrowser {
  /** Writes `html` as `name`, opens it, and waits for `waitFor` (when given). */
  open(name: string, html: string, waitFor: string | null, pageOptions?: BrowserContextOptions): Promise<Opened>;
}

export function useReportBrowser(tempPrefix: string): ReportBrowser {
  let browser: Browser;
  let outDir: string;
  const opened: Opened[] = [];

  before(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: the HTML report browser tests need Debian's Chromium (install it with scripts/apt-deps.sh)`);
    ensureWebviewBuilt();
    outDir = tempDir(tempPrefix);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(function () {
    for (const o of opened.splice(0)) {
      if (this.currentTest?.state === 'failed') continue;
      assert.deepEqual(o.requests, [o.url], `requests other than the report file: ${o.requests.join(', ')}`);
      assert.deepEqual(o.errors, [], `page errors: ${o.errors.join('; ')}`);
    }
  });

  return {
    async open(name, html, waitFor, pageOptions = { viewport: { width: 1280, height: 900 } }) {
      const file = path.join(outDir, name);
      fs.writeFileSync(file, html);
      const url = pathToFileURL(file).href;
      const page = await browser.newPage(pageOptions);
      const o: Opened = { page, url, requests: [], errors: [] };
      page.on('request', (r) => o.requests.push(r.url()));
      page.on('pageerror', (e) => o.errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') o.errors.push(m.text());
      });
      opened.push(o);
      await page.goto(url);
      if (waitFor) await page.waitForSelector(waitFor);
      return o;
    },
  };
}
