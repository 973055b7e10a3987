// What a webview's Chart.js charts hold, read from the live Chart.js instances in the page. The panel
// bundles Chart.js without a global, so each chart is reached the way DevTools shows a closure's
// variables, through the Chrome DevTools Protocol: Chart.js listens on its canvas with a function
// that keeps the chart in its closure (chart.js's createProxyAndListen / throttled), so the canvas's
// event listeners → the handler's [[Scopes]] → the object whose `canvas` is this canvas. Each chart is
// named by the `data-chart-id` of the card around its canvas (webview-ui/src/chart-card.ts).

import type { CDPSession, Frame, Page } from 'playwright-core';

export interface PlottedPoint {
  x: number;
  y: number | null;
}

export interface PlottedChart {
  id: string;
  /** Category labels (histograms); empty for line charts. */
  labels: string[];
  datasets: { label: string; data: (PlottedPoint | number | null)[] }[];
}

/** Called on a candidate object with the canvas: is it that canvas's chart? */
const IS_CHART_OF = `function (canvas) {
  try {
    return this !== null && typeof this === 'object' && this.canvas === canvas && !!this.data && Array.isArray(this.data.datasets);
  } catch (error) {
    return false;
  }
}`;

/** Called on a chart: what it plots, as JSON. */
const READ_CHART = `function () {
  const card = this.canvas.closest('[data-chart-id]');
  return JSON.stringify({
    id: card ? card.getAttribute('data-chart-id') : '',
    labels: (this.data.labels || []).map(String),
    datasets: this.data.datasets.map((d) => ({ label: String(d.label), data: d.data })),
  });
}`;

/** Every chart drawn in `frame` (a webview's content frame of `page`). */
export async function plottedCharts(page: Page, frame: Frame): Promise<PlottedChart[]> {
  const { session, contextId } = await frameContext(page, frame);
  try {
    const list = await session.send('Runtime.evaluate', {
      expression: 'Array.from(document.querySelectorAll("[data-chart-id] canvas"))',
      contextId,
      objectGroup: 'perflab-charts',
    });
    const items = await session.send('Runtime.getProperties', { objectId: list.result.objectId!, ownProperties: true });
    const charts: PlottedChart[] = [];
    for (const item of items.result) {
      const canvas = item.value?.objectId;
      if (!/^\d+$/.test(item.name) || !canvas) continue;
      const chart = await chartOf(session, canvas);
      if (!chart) continue;
      const read = await session.send('Runtime.callFunctionOn', { objectId: chart, functionDeclaration: READ_CHART, returnByValue: true });
      charts.push(JSON.parse(read.result.value as string) as PlottedChart);
    }
    return charts;
  } finally {
    await session.detach().catch(() => undefined);
  }
}

/** The object id of the chart drawn on `canvas` (an object id), found in its listeners' closures. */
async function chartOf(session: CDPSession, canvas: string): Promise<string | undefined> {
  const { listeners } = await session.send('DOMDebugger.getEventListeners', { objectId: canvas });
  for (const listener of listeners) {
    if (!listener.handler?.objectId) continue;
    const handler = await session.send('Runtime.getProperties', { objectId: listener.handler.objectId, ownProperties: true });
    const scopes = handler.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (!scopes) continue;
    for (const scope of (await session.send('Runtime.getProperties', { objectId: scopes, ownProperties: true })).result) {
      if (!scope.value?.objectId) continue;
      for (const variable of (await session.send('Runtime.getProperties', { objectId: scope.value.objectId, ownProperties: true })).result) {
        const candidate = variable.value?.objectId;
        if (!candidate || variable.value?.type !== 'object') continue;
        const test = await session.send('Runtime.callFunctionOn', {
          objectId: candidate,
          functionDeclaration: IS_CHART_OF,
          arguments: [{ objectId: canvas }],
          returnByValue: true,
        });
        if (test.result.value === true) return candidate;
      }
    }
  }
  return undefined;
}

/**
 * A protocol session that sees `frame` and the id of the frame's main-world execution context. A
 * webview in the page's process is reached through the page's session, one in a process of its own
 * through a session of its own; the context is the one holding a token the frame was just given.
 */
async function frameContext(page: Page, frame: Frame): Promise<{ session: CDPSession; contextId: number }> {
  const token = `chart-probe-${process.pid}-${Date.now()}`;
  await frame.evaluate(`window.perflabChartProbe = ${JSON.stringify(token)}`);
  for (const target of [frame, page]) {
    const session = await page
      .context()
      .newCDPSession(target)
      .catch(() => undefined);
    if (!session) continue;
    const contexts: number[] = [];
    session.on('Runtime.executionContextCreated', (event) => contexts.push(event.context.id));
    // Enabling reports every existing context.
    await session.send('Runtime.enable');
    for (const contextId of contexts) {
      const probe = await session.send('Runtime.evaluate', { expression: 'window.perflabChartProbe', contextId, returnByValue: true }).catch(() => undefined);
      if (probe?.result.value === token) return { session, contextId };
    }
    await session.detach().catch(() => undefined);
  }
  throw new Error(`no protocol session reaches the webview frame ${frame.url().slice(0, 120)}`);
}
