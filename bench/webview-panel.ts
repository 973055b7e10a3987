// The Run panel under a one-hour run and a 100,000-request run: the real webview bundle in headless
// Chromium (a stub `acquireVsCodeApi`, messages posted as the extension host posts them), the real
// host-side reader (readRunFiles), and data produced by the engine's own metrics code from synthetic
// request records (bench/lib/synthetic-run.ts). Generated files go to a temp dir, never the repo.
//
//   npx tsx bench/webview-panel.ts [all|update|memory|open] [--reps 5] [--panels 2] [--updates 30]
//   (--reps: host repetitions and Open Results repetitions; --panels: fresh panels per update row and
//   per memory run; --updates: measured updates of each kind per panel)
//
//   update  cost per live update (1-window `windows` message, and window + `distributions` as the host
//           flushes them) after an `init` of 60 … 14,400 windows; main-thread time per update from CDP
//           (TaskDuration) and from in-page marks (message handler + the panel's rAF render).
//   memory  webview JS heap (after a forced GC) while a run is fed window by window from 0 to 3,600;
//           heap after reopening the same run 1 vs 11 times in one panel; extension-host heap held by
//           ActiveRun.windows for 3,600 windows × 1 and 2 targets; size of a live `init` message.
//   open    Open Results of a 100,000-request run: readRunFiles with and without `distributions` in
//           summary.json, the init message's JSON, and the webview from `init` to the last chart drawn.

import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type { WindowSnapshot } from '../src/engine/records';
import type { InitMessage } from '../src/protocol/panel';
import { panelTargets, runInitMessage } from '../src/shared/panel-targets';
import { readRunFiles } from '../src/results/run-files';
import { extendWindows, generateRun, type SyntheticRun } from './lib/synthetic-run';

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const mode = args.find((a) => !a.startsWith('--')) ?? 'all';
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const REPS = flag('reps', 5);
const UPDATES = flag('updates', 30);
const PANELS = flag('panels', 2);
const VIEWPORT = { width: 1200, height: 900 };
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-bench-panel-'));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

// ---------------------------------------------------------------------------------------------------
// The page: the bundle built from webview-ui/src into the temp dir (so a concurrent `node esbuild.mjs`
// cannot swap it mid-run), the panel's HTML shell, and in-page instrumentation installed before the
// bundle runs.

async function buildAssets(): Promise<string> {
  const dir = path.join(WORK, 'webview');
  const options = {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: true,
    logLevel: 'warning',
    legalComments: 'none',
    absWorkingDir: ROOT,
  } as const;
  await build({ ...options, entryPoints: { webview: 'webview-ui/src/main.ts' }, outdir: dir });
  await build({ ...options, entryPoints: { webview: 'webview-ui/styles.css' }, outdir: dir, loader: { '.ttf': 'file' }, assetNames: '[name]' });
  const html = path.join(dir, 'panel.html');
  fs.writeFileSync(
    html,
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="webview.css"><title>Run</title></head>` +
      `<body class="vscode-dark"><div id="root"><p class="loading">Loading…</p></div><script src="webview.js"></script></body></html>`,
  );
  return html;
}

// Before the bundle: the VS Code API stub, a `message` listener that runs before the panel's (marks the
// start of each handler and registers a rAF ahead of the panel's render), and a canvas hook: chart.js
// starts every draw with clearRect, so the task after the last clearRect is "the last chart drawn".
const INIT_SCRIPT = `
(() => {
  const B = window.__bench = { measuring: false, draws: 0, realDraws: 0, lastDrawAt: 0, lastDrawTaskEnd: 0, pending: false,
    handleMs: 0, msgStart: 0, firstMsgAt: 0, rafStart: 0, rafEnd: 0, rafPending: false, posted: [], state: undefined, readyAt: 0 };
  window.acquireVsCodeApi = () => ({
    postMessage(m) { if (m && m.type === 'ready' && !B.readyAt) B.readyAt = performance.now(); B.posted.push(m); },
    getState() { return B.state; },
    setState(s) { B.state = s; },
  });
  const channel = new MessageChannel();
  channel.port1.onmessage = () => { B.pending = false; B.lastDrawTaskEnd = performance.now(); };
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...a) {
    B.draws++;
    if (this.canvas.width > 0 && this.canvas.height > 0) B.realDraws++;
    B.lastDrawAt = performance.now();
    if (!B.pending) { B.pending = true; channel.port2.postMessage(0); }
    return clearRect.apply(this, a);
  };
  window.addEventListener('message', () => {
    if (!B.measuring) return;
    B.msgStart = performance.now();
    if (!B.firstMsgAt) B.firstMsgAt = B.msgStart;
    if (!B.rafPending) { B.rafPending = true; requestAnimationFrame(() => { B.rafStart = performance.now(); }); }
  });
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const task = () => new Promise((r) => setTimeout(r, 0));
  // After the bundle: a listener that runs after the panel's (end of handler; a rAF after its render).
  B.installAfter = () => window.addEventListener('message', () => {
    if (!B.measuring) return;
    B.handleMs += performance.now() - B.msgStart;
    requestAnimationFrame(() => { B.rafEnd = performance.now(); });
  });
  B.messages = {};
  B.store = (key, value) => { B.messages[key] = value; };
  // Posts the stored messages (or parses stored JSON first, as a webview receives it), then waits for
  // quietFrames frames without any chart drawing.
  B.measure = async (key, quietFrames, json) => {
    Object.assign(B, { measuring: true, handleMs: 0, msgStart: 0, firstMsgAt: 0, rafStart: 0, rafEnd: 0, rafPending: false, lastDrawAt: 0, lastDrawTaskEnd: 0 });
    const draws0 = B.realDraws;
    const t0 = performance.now();
    const messages = json ? JSON.parse(B.messages[key]) : B.messages[key];
    const parsed = performance.now();
    for (const m of messages) window.postMessage(m, '*');
    const posted = performance.now();
    let quiet = 0, last = B.draws, frames = 0;
    while (quiet < quietFrames && frames < 600) { await frame(); frames++; if (B.draws !== last) { last = B.draws; quiet = 0; } else quiet++; }
    await task();
    B.measuring = false;
    return {
      parseMs: parsed - t0,
      postMs: posted - parsed,
      dispatchMs: B.firstMsgAt ? B.firstMsgAt - posted : 0,
      handleMs: B.handleMs,
      renderMs: B.rafEnd && B.rafStart ? B.rafEnd - B.rafStart : 0,
      toDrawnMs: B.lastDrawTaskEnd ? B.lastDrawTaskEnd - t0 : 0,
      draws: B.realDraws - draws0,
    };
  };
  B.cards = () => document.querySelectorAll('.card').length;
  // Points plotted on the time charts (histograms' data-points is a request count, not points).
  B.points = () => [...document.querySelectorAll('figure.chart-card')].filter((f) => !f.dataset.chartId.endsWith('_hist')).reduce((n, f) => n + Number(f.dataset.points || 0), 0);
})();`;

interface Measured {
  parseMs: number;
  postMs: number;
  dispatchMs: number;
  handleMs: number;
  renderMs: number;
  toDrawnMs: number;
  draws: number;
}

interface PanelPage {
  page: Page;
  cdp: CDPSession;
  readyMs: number;
  close: () => Promise<void>;
}

async function openPanel(browser: Browser, html: string): Promise<PanelPage> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(INIT_SCRIPT);
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction('window.__bench.readyAt > 0');
  if (errors.length > 0) throw new Error(errors.join('\n'));
  await page.evaluate('window.__bench.installAfter()');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const readyMs = (await page.evaluate('window.__bench.readyAt')) as number;
  return { page, cdp, readyMs, close: () => context.close() };
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return (await metrics(cdp)).JSHeapUsedSize;
}

/** Stores `messages` in the page (untimed transfer), then measures posting them; CDP main-thread
 *  time (TaskDuration, ScriptDuration, layout + style) over the same interval. */
async function measure(
  p: PanelPage,
  messages: unknown[] | string,
  quietFrames: number,
): Promise<Measured & { taskMs: number; scriptMs: number; layoutMs: number }> {
  const json = typeof messages === 'string';
  await p.page.evaluate(`window.__bench.store('m', ${json ? JSON.stringify(messages) : JSON.stringify(messages)})`);
  const m0 = await metrics(p.cdp);
  const r = (await p.page.evaluate(`window.__bench.measure('m', ${quietFrames}, ${json})`)) as Measured;
  const m1 = await metrics(p.cdp);
  const d = (k: string) => (m1[k] - m0[k]) * 1000;
  return { ...r, taskMs: d('TaskDuration'), scriptMs: d('ScriptDuration'), layoutMs: d('LayoutDuration') + d('RecalcStyleDuration') };
}

// ---------------------------------------------------------------------------------------------------
// Statistics and printing.

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const median = (v: number[]) => quantile(v, 0.5);
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : '—');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function table(headers: string[], rows: (string | number)[][]): void {
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log();
}

function initMessage(run: SyntheticRun, windows: WindowSnapshot[], finished: boolean, runId = 'bench-run'): InitMessage {
  return {
    type: 'init',
    runId,
    scenario: run.scenario,
    targets: panelTargets(run.scenario),
    windows,
    summary: finished ? run.summary : null,
    distributions: finished || windows.length > 0 ? run.distributions : {},
    live: !finished,
    interactive: true,
  };
}

// ---------------------------------------------------------------------------------------------------
// 1. Cost per update.

async function benchUpdates(browser: Browser, html: string, runs: { one: SyntheticRun; two: SyntheticRun }): Promise<void> {
  const configs = [
    { targets: 1 as const, n: 60 },
    { targets: 1 as const, n: 600 },
    { targets: 1 as const, n: 3600 },
    { targets: 1 as const, n: 14400 },
    { targets: 2 as const, n: 3600 },
  ];
  const pools = new Map<number, WindowSnapshot[]>();
  const longest = Math.max(...configs.map((c) => c.n)) + 2 * UPDATES + 20;
  pools.set(1, extendWindows(runs.one.windows, 1, longest));
  pools.set(2, extendWindows(runs.two.windows, 2, 3600 + 2 * UPDATES + 20));
  type Sample = Awaited<ReturnType<typeof measure>>;
  const results = new Map<string, { init: Sample[]; win: Sample[]; withDist: Sample[]; baseline: Sample[]; points: number[] }>();
  const key = (c: (typeof configs)[number]) => `${c.targets}×${c.n}`;
  for (const c of configs) results.set(key(c), { init: [], win: [], withDist: [], baseline: [], points: [] });
  const reps = PANELS;
  for (let rep = 0; rep < reps; rep++) {
    // Alternate the order each repetition so a noisy minute does not always hit the same config.
    for (const c of rep % 2 === 0 ? configs : [...configs].reverse()) {
      const r = results.get(key(c))!;
      const pool = pools.get(c.targets)!;
      const run = c.targets === 1 ? runs.one : runs.two;
      const p = await openPanel(browser, html);
      r.init.push(await measure(p, [initMessage(run, pool.slice(0, c.n * c.targets), false)], 8));
      let next = c.n * c.targets;
      const batch = () => {
        const b = pool.slice(next, next + c.targets);
        next += c.targets;
        return { type: 'windows', windows: b };
      };
      for (let i = 0; i < 10; i++) await measure(p, [batch()], 2); // warm-up (JIT, chart caches)
      for (let i = 0; i < UPDATES; i++) {
        r.win.push(await measure(p, [batch()], 2));
        r.withDist.push(await measure(p, [batch(), { type: 'distributions', distributions: run.distributions }], 2));
        if (i % 4 === 0) r.baseline.push(await measure(p, [{ type: 'noop' }], 2));
      }
      r.points.push((await p.page.evaluate('window.__bench.points()')) as number);
      await p.close();
    }
  }
  console.log(
    `\n### Cost per live update (${reps} panels per row, ${UPDATES} updates of each kind per panel, viewport ${VIEWPORT.width}×${VIEWPORT.height})\n`,
  );
  const baseTask = median([...results.values()].flatMap((r) => r.baseline.map((s) => s.taskMs)));
  console.log(`baseline (a message the panel ignores + 2 idle frames): TaskDuration median ${f2(baseTask)} ms — subtracted below\n`);
  const rows: (string | number)[][] = [];
  for (const c of configs) {
    const r = results.get(key(c))!;
    const task = (s: Sample[]) => s.map((x) => Math.max(0, x.taskMs - baseTask));
    const js = (s: Sample[]) => s.map((x) => x.handleMs + x.renderMs);
    rows.push([
      `${c.targets} × ${c.n.toLocaleString('en')}`,
      median(r.points).toLocaleString('en'),
      `${f1(median(task(r.win)))} / ${f1(quantile(task(r.win), 0.95))} / ${f1(Math.max(...task(r.win)))}`,
      `${f1(median(js(r.win)))} / ${f1(quantile(js(r.win), 0.95))}`,
      `${f1(median(r.win.map((s) => s.renderMs)))}`,
      `${f1(median(r.win.map((s) => s.layoutMs)))}`,
      `${f1(median(task(r.withDist)))} / ${f1(quantile(task(r.withDist), 0.95))} / ${f1(Math.max(...task(r.withDist)))}`,
      `${f1(median(r.win.map((s) => s.toDrawnMs)))}`,
      `${f1(median(r.init.map((s) => s.toDrawnMs)))}`,
    ]);
  }
  table(
    [
      'targets × windows before',
      'points drawn',
      '1-window update: main thread p50 / p95 / max (ms)',
      'of which JS (handler + render) p50 / p95',
      'render() p50',
      'style + layout p50',
      'window + distributions: main thread p50 / p95 / max',
      'post → drawn p50 (ms)',
      'init → drawn (ms)',
    ],
    rows,
  );
}

// ---------------------------------------------------------------------------------------------------
// 2. Memory.

async function benchMemory(browser: Browser, html: string, runs: { one: SyntheticRun; two: SyntheticRun }): Promise<void> {
  const checkpoints = [0, 60, 600, 1800, 3600];
  const heap = new Map<number, number[]>(checkpoints.map((c) => [c, []]));
  const jsByStretch = new Map<string, number[]>();
  const stretches: [number, number][] = [
    [1, 60],
    [541, 600],
    [3541, 3600],
  ];
  const feedReps = PANELS;
  const blank = await openPanel(browser, html);
  const blankHeap = await heapAfterGc(blank.cdp);
  await blank.close();
  for (let rep = 0; rep < feedReps; rep++) {
    const p = await openPanel(browser, html);
    await measure(p, [initMessage(runs.one, [], false)], 4);
    heap.get(0)!.push(await heapAfterGc(p.cdp));
    // Fed as live: one window per `windows` message, then a `distributions` message. Inside the
    // measured stretches each update is drawn before the next; between them 20 one-window messages are
    // posted per frame (one render for 20 windows, to keep the run under a few minutes: the state kept
    // — decimated series, charts — is the same; fewer renders only means less garbage to collect).
    const windows = runs.one.windows.slice(0, 3600);
    await p.page.evaluate(`window.__bench.store('all', ${JSON.stringify(windows)})`);
    await p.page.evaluate(`window.__bench.store('dist', ${JSON.stringify(runs.one.distributions)})`);
    const inStretch = (k: number) => stretches.some(([a, b]) => k >= a && k <= b);
    let k = 0;
    while (k < windows.length) {
      let count = 1;
      if (!inStretch(k + 1)) while (count < 20 && k + count < windows.length && !inStretch(k + count + 1) && !heap.has(k + count)) count++;
      await p.page.evaluate(
        `window.__bench.messages.m = [...window.__bench.messages.all.slice(${k}, ${k + count}).map((w) => ({ type: 'windows', windows: [w] })), { type: 'distributions', distributions: window.__bench.messages.dist }]`,
      );
      const r = (await p.page.evaluate(`window.__bench.measure('m', 1, false)`)) as Measured;
      k += count;
      for (const [a, b] of stretches)
        if (count === 1 && k >= a && k <= b) jsByStretch.set(`${a}–${b}`, [...(jsByStretch.get(`${a}–${b}`) ?? []), r.handleMs + r.renderMs]);
      if (heap.has(k)) heap.get(k)!.push(await heapAfterGc(p.cdp));
    }
    await p.close();
  }

  // Reopening: the same finished one-hour run posted as `init` again in one panel (Open Results on a
  // panel already showing it sends a fresh init).
  const reopen: number[][] = [[], []];
  for (let rep = 0; rep < feedReps; rep++) {
    const p = await openPanel(browser, html);
    const init = JSON.stringify([initMessage(runs.one, runs.one.windows, true)]);
    await measure(p, init, 6);
    reopen[0].push(await heapAfterGc(p.cdp));
    for (let i = 0; i < 10; i++) await measure(p, init, 6);
    reopen[1].push(await heapAfterGc(p.cdp));
    await p.close();
  }

  console.log(`\n### Webview JS heap, run fed window by window as live (window + distributions per update), ${feedReps} runs\n`);
  console.log(`blank page with the bundle loaded, no init: ${mb(blankHeap)} MB\n`);
  table(
    ['windows fed', ...checkpoints.map((c) => c.toLocaleString('en'))],
    [['JS heap after GC, median (MB)', ...checkpoints.map((c) => mb(median(heap.get(c)!)))]],
  );
  table(
    ['updates (window no.)', ...stretches.map(([a, b]) => `${a}–${b}`)],
    [
      [
        'JS per update (handler + render) p50 / p95 (ms)',
        ...stretches.map(([a, b]) => `${f1(median(jsByStretch.get(`${a}–${b}`)!))} / ${f1(quantile(jsByStretch.get(`${a}–${b}`)!, 0.95))}`),
      ],
    ],
  );
  table(['finished one-hour run opened in one panel', '1 time', '11 times'], [['JS heap after GC, median (MB)', mb(median(reopen[0])), mb(median(reopen[1]))]]);

  // Extension host: ActiveRun.windows keeps every window of a live run (structured-cloned from the
  // worker's message), and a panel (re)opened mid-run gets them all in one `init`.
  const host: Record<string, number[]> = { '1': [], '2': [] };
  const initBytes: Record<string, number[]> = { '1': [], '2': [] };
  const initMs: Record<string, number[]> = { '1': [], '2': [] };
  for (let rep = 0; rep < REPS; rep++) {
    for (const targets of [1, 2] as const) {
      const source = (targets === 1 ? runs.one : runs.two).windows.slice(0, 3600 * targets);
      // Five runs' worth kept at once (the delta is 5× larger than the GC noise), divided by 5.
      await settledGc();
      const before = process.memoryUsage().heapUsed;
      const copies: WindowSnapshot[][] = [];
      for (let c = 0; c < 5; c++) {
        const kept: WindowSnapshot[] = [];
        for (const w of source) kept.push(structuredClone(w));
        copies.push(kept);
      }
      await settledGc();
      host[targets].push((process.memoryUsage().heapUsed - before) / 5);
      const kept = copies[0];
      const t0 = performance.now();
      const json = JSON.stringify(initMessage(targets === 1 ? runs.one : runs.two, [...kept], false));
      initMs[targets].push(performance.now() - t0);
      initBytes[targets].push(Buffer.byteLength(json));
      copies.length = 0;
    }
  }
  console.log(`\n### Extension host: ActiveRun.windows after one hour (${REPS} repetitions)\n`);
  table(
    ['targets', 'windows kept', 'heap held, median (MB)', 'bytes per window', 'live init message (JSON, MB)', 'JSON.stringify of it, median (ms)'],
    (['1', '2'] as const).map((t) => [
      t,
      (3600 * Number(t)).toLocaleString('en'),
      mb(median(host[t])),
      Math.round(median(host[t]) / (3600 * Number(t))).toLocaleString('en'),
      mb(median(initBytes[t])),
      f1(median(initMs[t])),
    ]),
  );
}

async function settledGc(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------------------------------------------
// 3. Open Results of a 100,000-request run.

async function benchOpen(browser: Browser, html: string, run: SyntheticRun, dirs: { today: string; planned: string }): Promise<void> {
  const size = (f: string) => fs.statSync(path.join(dirs.today, f)).size;
  const read: Record<'today' | 'planned', number[]> = { today: [], planned: [] };
  const stringify: number[] = [];
  const webview: { ready: number[]; parse: number[]; handle: number[]; toDrawn: number[]; task: number[]; draws: number[] } = {
    ready: [],
    parse: [],
    handle: [],
    toDrawn: [],
    task: [],
    draws: [],
  };
  let initJson = '';
  for (let rep = 0; rep < REPS; rep++) {
    for (const which of rep % 2 === 0 ? (['today', 'planned'] as const) : (['planned', 'today'] as const)) {
      const t0 = performance.now();
      const files = await readRunFiles(dirs[which]);
      read[which].push(performance.now() - t0);
      if (which === 'planned') {
        // What RunPanel.initMessage() builds for a run folder; VS Code sends it to the webview as JSON.
        const t1 = performance.now();
        initJson = JSON.stringify([runInitMessage(files, { interactive: true })]);
        stringify.push(performance.now() - t1);
      } else if (rep === 0) {
        // The rebuilt histograms must equal the ones the engine code tallied (same records, same bins).
        if (JSON.stringify(files.distributions) !== JSON.stringify(run.distributions))
          throw new Error('distributions rebuilt from requests.jsonl differ from the tallied ones');
      }
    }
    const p = await openPanel(browser, html);
    webview.ready.push(p.readyMs);
    const r = await measure(p, initJson, 10);
    webview.parse.push(r.parseMs);
    webview.handle.push(r.handleMs);
    webview.toDrawn.push(r.toDrawnMs);
    webview.task.push(r.taskMs);
    webview.draws.push(r.draws);
    const cards = (await p.page.evaluate('window.__bench.cards()')) as number;
    if (cards === 0) throw new Error('the panel drew no headline cards');
    await p.close();
  }
  console.log(`\n### Open Results of a ${run.requests.toLocaleString('en')}-request run (${REPS} repetitions, files in the page cache)\n`);
  console.log(
    `requests.jsonl ${mb(size('requests.jsonl'))} MB, windows.jsonl ${mb(size('windows.jsonl'))} MB (${run.windows.length.toLocaleString('en')} windows), init message ${mb(Buffer.byteLength(initJson))} MB\n`,
  );
  const ms = (v: number[]) => `${f1(median(v))} (${f1(Math.min(...v))}–${f1(Math.max(...v))})`;
  const webviewMs = webview.toDrawn.map((x, i) => x + webview.ready[i]);
  table(
    ['step', 'summary.json without distributions (today)', 'with distributions (planned)'],
    [
      ['webview load → `ready` (ms)', ms(webview.ready), ms(webview.ready)],
      ['host: readRunFiles (ms)', ms(read.today), ms(read.planned)],
      ['host: JSON of the init message (ms)', ms(stringify), ms(stringify)],
      ['webview: JSON.parse of init (ms)', ms(webview.parse), ms(webview.parse)],
      ['webview: init handler (view-model + DOM + charts) (ms)', ms(webview.handle), ms(webview.handle)],
      ['webview: init posted → last chart drawn (ms)', ms(webview.toDrawn), ms(webview.toDrawn)],
      ['webview main thread, init → drawn (CDP TaskDuration, ms)', ms(webview.task), ms(webview.task)],
      [
        '**total: load + read + JSON + drawn (ms)**',
        `**${f1(median(read.today.map((x, i) => x + stringify[i] + webviewMs[i])))}**`,
        `**${f1(median(read.planned.map((x, i) => x + stringify[i] + webviewMs[i])))}**`,
      ],
    ],
  );
  console.log(
    `readRunFiles today / planned, median ratio: ${f1(median(read.today) / median(read.planned))}×; charts drawn per open: ${median(webview.draws)}\n`,
  );
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(
    `work dir ${WORK}; Node ${process.version}; reps ${REPS}; panels ${PANELS}; updates ${UPDATES}; ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const html = await buildAssets();
  const today = path.join(WORK, 'run-today');
  const planned = path.join(WORK, 'run-planned');
  fs.mkdirSync(today);
  fs.mkdirSync(planned);
  let t = performance.now();
  // One target, one hour, 100,000 requests (1,666.7 RPM): the data of every section.
  const one = generateRun({ targets: 1, rpm: 100_000 / 60, durationS: 3600, outDir: today });
  for (const f of ['requests.jsonl', 'windows.jsonl', 'run.json']) fs.linkSync(path.join(today, f), path.join(planned, f));
  fs.writeFileSync(path.join(planned, 'summary.json'), JSON.stringify({ ...one.summary, distributions: one.distributions }, null, 2));
  console.log(`generated 1 target: ${one.requests} requests, ${one.windows.length} windows in ${f1((performance.now() - t) / 1000)} s`);
  t = performance.now();
  const two = mode === 'open' ? one : generateRun({ targets: 2, rpm: 100_000 / 60, durationS: 3600 });
  if (mode !== 'open') console.log(`generated 2 targets: ${two.windows.length} windows in ${f1((performance.now() - t) / 1000)} s`);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  console.log(`Chromium ${browser.version()}`);
  try {
    if (mode === 'all' || mode === 'update') await benchUpdates(browser, html, { one, two });
    if (mode === 'all' || mode === 'memory') await benchMemory(browser, html, { one, two });
    if (mode === 'all' || mode === 'open') await benchOpen(browser, html, one, { today, planned });
  } finally {
    await browser.close();
    fs.rmSync(WORK, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  fs.rmSync(WORK, { recursive: true, force: true });
  process.exit(1);
});
