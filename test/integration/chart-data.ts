// What a webview's Chart.js charts hold, read from the live Chart.js instances in the page. The panel
// bundles Chart.js without a global, so the instances are found the way DevTools finds objects: the
// Chrome DevTools Protocol's Runtime.queryObjects lists every object of the webview frame's realm,
// and the charts are those with a connected canvas, a config and datasets. Each chart is named by the
// `data-chart-id` of the card around its canvas (webview-ui/src/chart-card.ts).

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

/** Runs in the webview's realm with `this` = every object of it: the Chart.js instances' data. */
const READ_CHARTS = `function () {
  const charts = [];
  for (const o of this) {
    try {
      if (!o || !(o.canvas instanceof HTMLCanvasElement) || !o.canvas.isConnected || !o.config || !o.data || !Array.isArray(o.data.datasets) || typeof o.getDatasetMeta !== 'function') continue;
      const card = o.canvas.closest('[data-chart-id]');
      if (!card) continue;
      charts.push({
        id: card.getAttribute('data-chart-id'),
        labels: (o.data.labels || []).map(String),
        datasets: o.data.datasets.map((d) => ({ label: String(d.label), data: d.data })),
      });
    } catch (error) {
      // an object whose properties cannot be read is not a chart
    }
  }
  return JSON.stringify(charts);
}`;

/** Every chart drawn in `frame` (a webview's content frame of `page`). */
export async function plottedCharts(page: Page, frame: Frame): Promise<PlottedChart[]> {
  // A webview on the workbench's origin runs in the page's process; one on another site would be a
  // frame of its own for the protocol.
  const ownSession = await page.context().newCDPSession(frame).catch(() => undefined);
  const session = ownSession ?? (await page.context().newCDPSession(page));
  try {
    const contextId = await frameContextId(session, frame);
    const prototype = await session.send('Runtime.evaluate', { expression: 'Object.prototype', contextId });
    const objects = await session.send('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId! });
    const read = await session.send('Runtime.callFunctionOn', { objectId: objects.objects.objectId!, functionDeclaration: READ_CHARTS, returnByValue: true });
    if (read.exceptionDetails) throw new Error(`reading the charts failed: ${read.exceptionDetails.text}`);
    return JSON.parse(read.result.value as string) as PlottedChart[];
  } finally {
    await session.detach().catch(() => undefined);
  }
}

/** The id of `frame`'s main-world execution context, found by the frame's URL. */
async function frameContextId(session: CDPSession, frame: Frame): Promise<number> {
  const contexts: { id: number; auxData?: { frameId?: string; isDefault?: boolean } }[] = [];
  session.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
  // Enabling reports every existing context.
  await session.send('Runtime.enable');
  const { frameTree } = await session.send('Page.getFrameTree');
  const ids: string[] = [];
  const walk = (node: typeof frameTree) => {
    if (node.frame.url === frame.url()) ids.push(node.frame.id);
    for (const child of node.childFrames ?? []) walk(child);
  };
  walk(frameTree);
  const context = contexts.find((c) => c.auxData?.isDefault && ids.includes(c.auxData.frameId ?? ''));
  if (!context) throw new Error(`no execution context for the webview frame ${frame.url().slice(0, 120)} (${ids.length} frame(s) with its URL)`);
  return context.id;
}
