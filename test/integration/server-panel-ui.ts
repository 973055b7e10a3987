// Browser side of the server suite (loaded by run-code-server-tests.ts --ui; the host side is
// extension/server.test.ts). In the real workbench: while the run goes, the Run panel's Server section
// draws the server's running batch and queue beside the client's in-flight requests; once it ends, its
// cards equal summary.json's `server` block and it says the Azure Monitor metrics are pending; its
// "Fetch Azure Monitor metrics" button fetches them (from a local ARM stand-in) and the panel redraws
// with Azure's minutes as steps. Screenshots go to test-artifacts/.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { RunSummary } from '../../src/engine/summary';
import { waitForMarker, writeMarker } from './markers';
import { findWebviewFrame, screenshot, waitUntil } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;

export default async function serverPanelUi(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');

  // 1. Live: the server's series arrive while the run goes, beside the client's.
  const run = await findWebviewFrame(page, '.run-view', 120_000);
  const load = '[data-section="server"] figure[data-server-chart="server_load"]';
  await waitUntil(async () => (await points(run, load)) > 0, 60_000, 'the live Server section drew the server’s batch and queue');
  const status = (await run.locator('.status').first().textContent()) ?? '';
  if (!/^Live/.test(status)) throw new Error(`the Server section only filled in after the run: "${status}"`);
  const live = await points(run, load);
  await waitUntil(async () => (await points(run, load)) > live, 30_000, 'the server’s points keep arriving');
  await screenshot(page, 'server-1-live');
  log(`Server section live: ${await points(run, load)} points of the server's batch and queue (${status})`);

  // 2. Finished: the cards are summary.json's server block; Azure Monitor is pending.
  const { runDir } = await waitForMarker<{ runDir: string }>(workspace, 'run-done', 180_000);
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  const server = summary.targets[0].server!;
  await waitUntil(
    async () => (await run.locator('[data-section="server"] [data-card-id="server_running_max"]').getAttribute('data-source')) === 'summary',
    30_000,
    'the Server cards switched to the summary',
  );
  const expected: Record<string, number | null | undefined> = {
    server_running_max: server.running?.max,
    server_waiting_max: server.waiting?.max,
    server_ttft_p50: server.latency_ms?.ttft?.p50,
    server_ttft_p95: server.latency_ms?.ttft?.p95,
    outside_ttft_p50: server.outside_server_ms?.ttft_p50,
  };
  for (const [id, value] of Object.entries(expected)) {
    if (value === undefined || value === null) throw new Error(`summary.json has no ${id}: ${JSON.stringify(server)}`);
    const shown = await run.locator(`[data-section="server"] [data-card-id="${id}"]`).getAttribute('data-value');
    if (Number(shown) !== value) throw new Error(`Server card ${id} shows ${shown}, summary.json says ${value}`);
  }
  const azureStatus = '[data-section="server"] .server-azure p';
  await waitUntil(async () => (await run.locator(azureStatus).getAttribute('data-status')) === 'pending', 20_000, 'Azure Monitor is pending');
  log(
    `Server cards equal summary.json (running max ${server.running!.max}, queue max ${server.waiting!.max}, server TTFT p50 ${server.latency_ms!.ttft!.p50} ms)`,
  );

  // 3. The button fetches Azure Monitor; the panel redraws with the minutes as steps.
  await run.locator('[data-section="server"] button[aria-label="Fetch Azure Monitor metrics"]').click();
  const fresh = async (): Promise<Frame> => findWebviewFrame(page, `${azureStatus}[data-status="complete"]`, 1000);
  await waitUntil(async () => !!(await fresh()), 90_000, 'the panel shows the Azure Monitor metrics fetched');
  const panel = await fresh();
  const requests = panel.locator('[data-section="server"] figure[data-server-chart$="|AzureOpenAIRequests"]');
  await waitUntil(
    async () => (await requests.count()) === 1 && Number(await requests.getAttribute('data-points')) > 0,
    20_000,
    'the Azure requests chart is drawn',
  );
  const stepped = await requests.locator('canvas').getAttribute('data-stepped');
  if (stepped !== 'steps') throw new Error(`Azure Monitor's minutes are drawn as "${stepped}", not as steps`);
  await panel.locator('[data-section="server"]').scrollIntoViewIfNeeded();
  await screenshot(page, 'server-2-azure');
  log(`Azure Monitor fetched from the panel: ${(await panel.locator(azureStatus).textContent())?.slice(0, 120)}`);
  writeMarker(workspace, 'azure-checked');
}

async function points(frame: Frame, selector: string): Promise<number> {
  return Number((await frame.locator(selector).first().getAttribute('data-points')) ?? 0);
}
