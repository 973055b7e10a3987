// The "http" suite, driven only from the browser: a workspace holding nothing but a REST Client file
// (`support.http`) whose requests call the simulator's LLM app route on 127.0.0.1 (started here, so
// its log says what it really served). The extension starts for the .http file and shows "Load test
// this request" above each request; a click writes `support-ask.perf.yaml` beside it, opens it
// prefilled and says what it left out (a secret header); Run on that message runs it, and the run's
// summary.json counts successes with TTFT measured for requests the simulator served. Then the palette
// entry with the cursor in the second request, and a second click that writes `-2` beside the first.
// Last, New Scenario… for "your own LLM app" writes a scenario that runs against the same app route.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startSimulator } from '../../src/simulator';
import { recordCommand } from './command-log';
import { RunFolders } from './run-folders';
import { runSteps, type UiStep } from './ui-steps';
import { answerInput, pickItem, runCommand, runCommandAndPick, waitUntil } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;

/** The .http file, as a person would write it to try the app by hand. */
const SUPPORT_HTTP = (base: string) => `@base = ${base}
@question = How do I reset my password?

### Ask the support app
# @name ask
POST {{base}}/app/chat?stream=sse
Content-Type: application/json
Accept: text/event-stream
Cookie: session=LITERAL-SESSION-COOKIE

{"question": "{{question}}", "max_tokens": 16}

### Health check
# @name health
GET {{base}}/healthz
`;

const LENS = 'Load test this request';

export default async function httpUi(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');
  const sim = await startSimulator({ port: 0, keep_log: true, ttft_ms: 60, tpot_ms: 6, app_retrieval_ms: 30, seed: 18 });
  const httpFile = path.join(workspace, 'support.http');
  // run-all.ts wrote a stand-in so that the extension starts for it; now the simulator's address is known.
  fs.writeFileSync(httpFile, SUPPORT_HTTP(sim.url));
  const file = (name: string) => path.join(workspace, name);
  const runs = new RunFolders(workspace);
  const lenses = page.locator('.codelens-decoration a', { hasText: LENS });
  const activeTab = (name: string) => page.locator('.tab.active', { hasText: name }).first();

  const steps: UiStep[] = [
    {
      name: 'a workspace with only a .http file: the extension starts, and each request shows "Load test this request"',
      run: async () => {
        await openFile(page, 'support.http');
        await waitUntil(async () => (await lenses.count()) === 2, 60_000, `two "${LENS}" lenses in support.http`);
      },
    },
    {
      name: 'the lens writes support-ask.perf.yaml beside the .http file, opens it prefilled, and says what it left out',
      run: async () => {
        await lenses.first().click();
        recordCommand('perflab.loadTestHttpRequest');
        await activeTab('support-ask.perf.yaml').waitFor({ state: 'visible', timeout: 30_000 });
        const yaml = fs.readFileSync(file('support-ask.perf.yaml'), 'utf8');
        for (const expected of [
          'name: support-ask',
          'provider: http',
          `endpoint: ${sim.url}\n`,
          'url: /app/chat?stream=sse',
          '{"question": "How do I reset my password?", "max_tokens": 16}',
          'stream: sse',
          'text_path: delta.text',
          '# Left out: header Cookie (line 9)',
        ])
          if (!yaml.includes(expected)) throw new Error(`support-ask.perf.yaml lacks "${expected}":\n${yaml}`);
        if (yaml.includes('LITERAL-SESSION-COOKIE')) throw new Error('the cookie was copied into the scenario');
        // The editor shows the file's text (its first line), not an empty or stale document.
        await page.locator('.monaco-editor .view-line', { hasText: 'Load test of request "ask" in support.http' }).first().waitFor({ timeout: 20_000 });
        await notificationWithRun(page, 'wrote support-ask.perf.yaml', 'Left out header Cookie (line 9)');
      },
    },
    {
      name: 'Run on that message runs the scenario: successes with TTFT measured, every one served by the simulator',
      run: async () => {
        // A shorter run than the generated minute, written as a person would edit it, keeps the suite short.
        const scenario = file('support-ask.perf.yaml');
        fs.writeFileSync(
          scenario,
          fs
            .readFileSync(scenario, 'utf8')
            .replace(/rate: 30 /, 'rate: 120')
            .replace('duration: 1m', 'duration: 6s'),
        );
        const before = sim.log.length;
        await clickRun(page, 'wrote support-ask.perf.yaml');
        const summary = (await runs.next('support-ask', undefined, 120_000)) as unknown as SummaryWithLatency;
        const t = summary.targets[0];
        const served = sim.log.slice(before);
        if (summary.error) throw new Error(`the run failed: ${summary.error}`);
        if (!(t.requests.succeeded > 0) || t.requests.failed !== 0) throw new Error(`requests: ${JSON.stringify(t.requests)}`);
        if (t.latency_ms.ttft.count !== t.requests.succeeded || !(t.latency_ms.ttft.p50! > 0))
          throw new Error(`TTFT not measured for every success: ${JSON.stringify(t.latency_ms.ttft)} of ${t.requests.succeeded}`);
        if (served.length !== t.requests.sent || !served.every((e) => e.route === 'app' && e.status === 200 && e.app_stream === 'sse'))
          throw new Error(
            `the simulator served ${served.length} request(s) (${JSON.stringify(served.map((e) => [e.route, e.status]))}), summary.json says ${t.requests.sent} sent`,
          );
        log(`run: ${t.requests.succeeded} succeeded, TTFT p50 ${t.latency_ms.ttft.p50} ms; the simulator served ${served.length}`);
      },
    },
    {
      name: 'the palette entry takes the request at the cursor; a second click writes support-ask-2.perf.yaml, the first untouched',
      run: async () => {
        await openFile(page, 'support.http');
        await goToLine(page, 14);
        await runCommand(page, 'LLM Perf Lab: Load Test This Request');
        await activeTab('support-health.perf.yaml').waitFor({ state: 'visible', timeout: 30_000 });
        const health = fs.readFileSync(file('support-health.perf.yaml'), 'utf8');
        if (!health.includes('method: GET') || !health.includes('url: /healthz')) throw new Error(`support-health.perf.yaml:\n${health}`);

        const first = fs.readFileSync(file('support-ask.perf.yaml'), 'utf8');
        await openFile(page, 'support.http');
        await waitUntil(async () => (await lenses.count()) === 2, 30_000, 'the lenses are back');
        await lenses.first().click();
        await activeTab('support-ask-2.perf.yaml').waitFor({ state: 'visible', timeout: 30_000 });
        if (fs.readFileSync(file('support-ask.perf.yaml'), 'utf8') !== first) throw new Error('support-ask.perf.yaml was overwritten');
        if (!fs.readFileSync(file('support-ask-2.perf.yaml'), 'utf8').includes('name: support-ask'))
          throw new Error('support-ask-2.perf.yaml is not the scenario');
      },
    },
    {
      name: 'New Scenario… for your own LLM app: its URL and response kind give a scenario that runs against the app as written',
      run: async () => {
        const url = `${sim.url}/app/chat?stream=ndjson`;
        await runCommand(page, 'LLM Perf Lab: New Scenario…');
        await pickItem(page, /where is the deployment/, 'Your own LLM app (HTTP endpoint)');
        await answerInput(page, /New Scenario \(2\/6\): URL of the app's endpoint/, url);
        await pickItem(page, /New Scenario \(3\/6\): how does the app send its answer/, 'ndjson');
        await pickItem(page, /New Scenario \(4\/6\): model behind the app/, 'gpt-4o-mini');
        await pickItem(page, /New Scenario \(5\/6\): prompt shape/, 'balanced');
        await answerInput(page, /New Scenario \(6\/6\): requests per minute/, '120');
        await page
          .locator('.quick-input-widget .quick-input-title', { hasText: /Save the New Scenario/ })
          .first()
          .waitFor({ state: 'visible', timeout: 20_000 });
        await page.keyboard.press('Enter');
        const name = `app-127.0.0.1-${new URL(sim.url).port}.perf.yaml`;
        await waitUntil(async () => fs.existsSync(file(name)), 30_000, `${name} written`);
        const written = fs.readFileSync(file(name), 'utf8');
        for (const part of ['provider: http', `url: ${url}`, 'stream: ndjson', 'text_path: delta.text', '{"messages": {{messages}}}'])
          if (!written.includes(part)) throw new Error(`${name} lacks "${part}":\n${written}`);
        // As a person would shorten it before a first try.
        const shorter = written.replace(/^name: .*$/m, 'name: wizard-app').replace(/^( +duration: )\S+/m, (_line, key: string) => `${key}6s`);
        if (!/^ +duration: 6s/m.test(shorter)) throw new Error(`no duration to shorten in ${name}`);
        fs.writeFileSync(file(name), shorter);
        const before = sim.log.length;
        await runCommandAndPick(page, 'LLM Perf Lab: Run Scenario…', /Run Scenario/, name);
        const summary = (await runs.next('wizard-app', undefined, 120_000)) as unknown as SummaryWithLatency;
        const t = summary.targets[0];
        const served = sim.log.slice(before);
        if (summary.error) throw new Error(`the run failed: ${summary.error}`);
        if (!(t.requests.succeeded > 0) || t.requests.failed !== 0) throw new Error(`requests: ${JSON.stringify(t.requests)}`);
        if (t.latency_ms.ttft.count !== t.requests.succeeded) throw new Error(`TTFT not measured for every success: ${JSON.stringify(t.latency_ms.ttft)}`);
        if (served.length !== t.requests.sent || !served.every((e) => e.route === 'app' && e.app_stream === 'ndjson' && e.prompt_messages! >= 1))
          throw new Error(`the simulator served ${served.length} request(s), summary.json says ${t.requests.sent} sent`);
        log(`New Scenario (http): ${t.requests.succeeded} succeeded, TTFT p50 ${t.latency_ms.ttft.p50} ms`);
      },
    },
  ];
  try {
    await runSteps(page, log, steps);
  } finally {
    await sim.close();
  }
}

/** The parts of summary.json these steps read. */
interface SummaryWithLatency {
  error?: string;
  targets: { requests: { sent: number; succeeded: number; failed: number }; latency_ms: { ttft: { count: number; p50: number | null } } }[];
}

/** Quick Open (Ctrl+P), the file's name, a click on its row; waits for its tab. A key pressed while a
 *  panel or a closing quick input holds the focus can go nowhere: tried again (at most three times). */
async function openFile(page: Page, name: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page
    .locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }) })
    .first();
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Control+P');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(name);
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await row.click();
      await page.locator('.tab.active', { hasText: name }).first().waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/** Go to Line (Ctrl+G) in the active editor. */
async function goToLine(page: Page, line: number): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page
    .locator('.statusbar-item', { hasText: new RegExp(`Ln ${line},`) })
    .first()
    .waitFor({ timeout: 20_000 });
}

/** The notification centre lists a message containing every one of `texts` (the centre is closed again). */
async function notificationWithRun(page: Page, ...texts: string[]): Promise<void> {
  const item = await openNotification(page, texts);
  const buttons = (await item.locator('.monaco-button').allTextContents()).map((t) => t.trim());
  await runCommand(page, 'Notifications: Hide Notifications', 20_000);
  if (!buttons.includes('Run')) throw new Error(`the message offers ${JSON.stringify(buttons)}, not Run`);
}

/** Clicks Run on the message containing `text`. */
async function clickRun(page: Page, text: string): Promise<void> {
  const item = await openNotification(page, [text]);
  await item.locator('.monaco-button', { hasText: /^Run$/ }).first().click({ timeout: 20_000 });
  await runCommand(page, 'Notifications: Hide Notifications', 20_000).catch(() => undefined);
}

async function openNotification(page: Page, texts: string[]) {
  await runCommand(page, 'Notifications: Show Notifications', 20_000);
  const centre = page.locator('.notifications-center');
  await centre.waitFor({ state: 'visible', timeout: 10_000 });
  let item = centre.locator('.notification-list-item');
  for (const text of texts) item = item.filter({ hasText: text });
  try {
    await item.first().waitFor({ state: 'visible', timeout: 20_000 });
  } catch {
    const all = (await centre.locator('.notification-list-item-message').allTextContents()).map((t) => t.trim());
    throw new Error(`no notification says ${texts.map((t) => `"${t}"`).join(' and ')}: ${all.join(' | ') || 'none at all'}`);
  }
  return item.first();
}
