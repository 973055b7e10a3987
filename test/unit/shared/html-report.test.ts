// The self-contained HTML report (src/shared/html-report.ts), read as text: the embedded data cannot
// end its <script> element whatever the strings hold, parses back to the message (export actions
// off), and nothing in the document loads from the network. The browser test draws it for real.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WindowSnapshot } from '../../../src/engine/records';
import { escapeHtml, htmlReport, jsonForScript, readReportAssets, type ReportAssets } from '../../../src/shared/html-report';
import type { CompareInitMessage, InitMessage } from '../../../src/protocol/panel';
import { panelTargets } from '../../../src/shared/panel-targets';
import { readRunFiles } from '../../../src/results/run-files';
import { ensureWebviewBuilt, WEBVIEW_DIST } from './webview-dist';
import { realRun, tempDir, type RealRun } from './real-run';

const EVIL = 'x</script><script>alert(1)</script><!-- \u2028 \u2029 </SCRIPT > & "q" \'s';

/** The text of the element `<script type="application/json" id="perflab-data">`, up to the first `</script`. */
function embeddedData(html: string): string {
  const open = '<script type="application/json" id="perflab-data">';
  const start = html.indexOf(open);
  assert.ok(start >= 0, 'data element present');
  const end = html.toLowerCase().indexOf('</script', start);
  return html.slice(start + open.length, end);
}

function initOf(run: RealRun, overrides: Partial<InitMessage> = {}): InitMessage {
  return {
    type: 'init',
    runId: run.dir,
    scenario: run.scenario,
    targets: panelTargets(run.scenario),
    windows: run.windows,
    summary: run.summary,
    distributions: {},
    live: false,
    interactive: true,
    ...overrides,
  };
}

describe('shared/html-report', function () {
  this.timeout(120_000);
  let run: RealRun;
  let assets: ReportAssets;
  before(async () => {
    ensureWebviewBuilt();
    run = await realRun();
    assets = readReportAssets(WEBVIEW_DIST);
  });

  it('jsonForScript: no "<" and no raw U+2028/U+2029 in the output, and it parses back to the same value', () => {
    const value = { s: EVIL, nested: [{ t: '<!--<script>' }], n: 1.5, nil: null };
    const json = jsonForScript(value);
    assert.ok(!json.includes('<'));
    assert.ok(!/[\u2028\u2029]/.test(json));
    assert.deepEqual(JSON.parse(json), value);
    // Also as JavaScript source (pre-ES2019 engines treat U+2028 as a line break in strings).
    assert.deepEqual(new Function(`return ${json};`)(), value);
  });

  it('escapeHtml escapes the five HTML-special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('embeds a real run so that hostile strings cannot close the data element, and the data round-trips', async () => {
    const files = await readRunFiles(run.dir);
    const scenario = { ...files.scenario, name: EVIL };
    const windows: WindowSnapshot[] = files.windows.map((w, i) => (i === 0 ? { ...w, time: EVIL } : w));
    const data = initOf(run, { scenario, windows, distributions: files.distributions });
    const html = htmlReport(`Report ${EVIL}`, data, assets);
    const text = embeddedData(html);
    assert.deepEqual(JSON.parse(text), { ...data, interactive: false });
    // Exactly two script elements, the data and the bundle: nothing injected.
    assert.equal((html.match(/<script\b/gi) ?? []).length, 2);
    assert.equal((html.match(/<\/script/gi) ?? []).length, 2);
    assert.ok(!/[\u2028\u2029]/.test(text));
    // The title is text, not markup.
    assert.match(html, /<title>Report x&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;!-- /);
    // The message itself is not changed (its export actions stay on in the panel).
    assert.equal(data.interactive, true);
  });

  it('forces interactive false for a Compare report too', () => {
    const compare: CompareInitMessage = {
      type: 'compareInit',
      runIds: [run.dir],
      runs: [{ label: 'a', summary: run.summary, windows: run.windows }],
      alignment: 'clock',
      interactive: true,
    };
    const html = htmlReport('Compare', compare, assets);
    assert.deepEqual(JSON.parse(embeddedData(html)), { ...compare, interactive: false });
  });

  it('a script that contains "</script" cannot end its own element early', () => {
    const html = htmlReport('t', initOf(run), { script: 'const s = "</script><b>"; const t = `</SCRIPT>`;', css: '' });
    assert.equal((html.match(/<\/script/gi) ?? []).length, 2);
    assert.ok(html.includes('const s = "<\\/script><b>"; const t = `<\\/script>`;'));
  });

  it('with the real bundle: a strict CSP, and no http(s) URL in any src, href or CSS url()', () => {
    const html = htmlReport('Real', initOf(run), assets);
    assert.ok(assets.script.length > 10_000 && assets.css.length > 1_000, 'real assets');
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">/,
    );
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i, 'no remote src/href');
    assert.doesNotMatch(html, /url\(\s*["']?\s*(?:https?:)?\/\//i, 'no remote CSS url()');
    assert.doesNotMatch(html, /@import/i, 'no CSS import');
    // The codicon font is inlined.
    assert.match(html, /url\(data:font\/ttf;base64,/);
    assert.ok(html.includes(assets.css));
  });

  it('readReportAssets: the built webview, or an error that names the missing file and the fix', () => {
    assert.equal(assets.script, fs.readFileSync(path.join(WEBVIEW_DIST, 'webview.js'), 'utf8'));
    assert.equal(assets.css, fs.readFileSync(path.join(WEBVIEW_DIST, 'report.css'), 'utf8'));
    const empty = tempDir('perflab-no-dist-');
    assert.throws(
      () => readReportAssets(empty),
      (e: Error) => e.message.includes(path.join(empty, 'webview.js')) && e.message.includes('npm run build'),
    );
    fs.writeFileSync(path.join(empty, 'webview.js'), '');
    assert.throws(
      () => readReportAssets(empty),
      (e: Error) => e.message.includes(path.join(empty, 'report.css')),
    );
  });
});
