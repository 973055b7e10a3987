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
  const { session, contextId } = await frameContext(page, frame);
  try {
    const prototype = await session.send('Runtime.evaluate', { expression: 'Object.prototype', contextId });
    const objects = await session.send('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId! });
    const read = await session.send('Runtime.callFunctionOn', { objectId: objects.objects.objectId!, functionDeclaration: READ_CHARTS, returnByValue: true });
    if (read.exceptionDetails) throw new Error(`reading the charts failed: ${read.exceptionDetails.text}`);
    return JSON.parse(read.result.value as string) as PlottedChart[];
  } finally {
    await session.detach().catch(() => undefined);
  }
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
    const session = await page.context().newCDPSession(target).catch(() => undefined);
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
