// The shared message module's runtime guards: accept each well-formed message, reject the rest.
import { strict as assert } from 'node:assert';
import { isHostToWebview, isPanelMessage, isWebviewToHost, type PanelMessage } from '../../../src/protocol/panel';
import { scenario, win } from './fixtures';

const host: PanelMessage[] = [
  {
    type: 'init',
    runId: 'r',
    scenario: scenario(),
    targets: [{ name: 'a', model: null, target_rpm: null, price: null }],
    windows: [win(1)],
    summary: null,
    distributions: {},
    live: true,
    interactive: true,
  },
  { type: 'windows', windows: [win(2)] },
  {
    type: 'server',
    series: [
      {
        target: 'a',
        id: 'running',
        chart: 'server_load',
        chartTitle: 'Requests in flight: client vs server',
        label: 'Server: requests running',
        unit: 'requests',
        source: 'prometheus',
        metric: 'vllm:num_requests_running',
        points: [{ x: 1, y: 2 }],
      },
    ],
  },
  { type: 'summary', summary: { type: 'summary' } as never },
  { type: 'theme', kind: 'high-contrast' },
  { type: 'distributions', distributions: {} },
  {
    type: 'compareInit',
    runIds: ['/runs/a'],
    runs: [{ label: 'a', summary: { type: 'summary' } as never, windows: [win(1)] }],
    alignment: 'start',
    interactive: false,
  },
];
const webview: PanelMessage[] = [
  { type: 'ready' },
  { type: 'exportPng', chartId: 'ttft', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
  { type: 'exportData', format: 'csv', what: 'requests' },
  { type: 'copyKql', target: 'a' },
  { type: 'exportHtml' },
  { type: 'compareTargets' },
  { type: 'fetchServerMetrics' },
];

describe('panel messages', () => {
  it('accepts every well-formed message, each in its own direction only', () => {
    for (const m of host) assert.ok(isPanelMessage(m) && isHostToWebview(m) && !isWebviewToHost(m), m.type);
    for (const m of webview) assert.ok(isPanelMessage(m) && isWebviewToHost(m) && !isHostToWebview(m), m.type);
    // Survives structured cloning (what postMessage does).
    for (const m of [...host, ...webview]) assert.ok(isPanelMessage(structuredClone(m)), m.type);
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      [],
      {},
      { type: 'nope' },
      { type: 'toString' },
      { type: 'windows' },
      { type: 'windows', windows: {} },
      { type: 'server' },
      { type: 'server', series: [{ target: 'a', points: [] }] }, // no id
      { type: 'init', runId: 'r', scenario: {}, targets: [], windows: [], summary: null, distributions: {}, server: {}, live: true, interactive: true }, // server not a list
      { type: 'init', runId: 'r', scenario: {}, targets: [], windows: [], live: true }, // no summary field
      { type: 'theme', kind: 'sepia' },
      { type: 'exportPng', chartId: 'ttft', dataUrl: 'file:///etc/passwd' },
      { type: 'exportPng', chartId: 'ttft', dataUrl: 'data:text/html;base64,PGgxPg==' },
      { type: 'exportPng', dataUrl: 'data:image/png;base64,AA==' },
      { type: 'exportData', format: 'xlsx', what: 'windows' },
      { type: 'exportData', format: 'csv', what: 'secrets' },
      { type: 'copyKql' },
      { type: 'distributions', distributions: [] },
      { type: 'compareInit', runIds: [], runs: [{ label: 'a', windows: [] }], alignment: 'start', interactive: true }, // no summary
      { type: 'compareInit', runs: [], alignment: 'start', interactive: true }, // no runIds
      { type: 'compareInit', runIds: [], runs: [], alignment: 'sideways', interactive: true },
    ];
    for (const m of bad) assert.equal(isPanelMessage(m), false, JSON.stringify(m));
  });
});
