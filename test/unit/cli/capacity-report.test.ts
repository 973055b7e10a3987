// `perflab report <capacity-folder>` as a user runs it (the built CLI): a folder holding capacity.json
// (written by `perflab capacity`; no summary.json) gets the Capacity panel's HTML report with the
// search embedded and nothing loaded from the network, and a markdown summary whose table rows are
// the steps of capacity.json; CSV, a damaged capacity.json and a folder that is neither a run nor a
// capacity search exit 2 with a clear message.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { formatMs } from '../../../src/shared/markdown-report';
import { perflab, readJson, tmp } from './report-runs';

const FIXTURE = path.join(__dirname, '..', 'webview', 'fixtures', 'capacity.json');

/** The JSON in `<script type="application/json" id="perflab-data">`. */
function embeddedData(html: string) {
  const open = '<script type="application/json" id="perflab-data">';
  const start = html.indexOf(open);
  assert.ok(start >= 0, 'data element present');
  return JSON.parse(html.slice(start + open.length, html.indexOf('</script>', start)));
}

/** A fresh capacity folder: the fixture's capacity.json alone. */
function capacityFolder(): string {
  const dir = path.join(tmp('perflab-capacity-report-'), 'search');
  fs.mkdirSync(dir);
  fs.copyFileSync(FIXTURE, path.join(dir, 'capacity.json'));
  return dir;
}

describe('perflab report on a capacity folder', function () {
  this.timeout(60_000);
  const report: CapacityReport = readJson(FIXTURE);

  it('no flag: <folder>/report.html with the search embedded, not interactive, and no network URL', async () => {
    const dir = capacityFolder();
    assert.ok(!fs.existsSync(path.join(dir, 'summary.json')));
    const r = await perflab(['report', dir]);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, 'report.html');
    assert.equal(r.stdout.trim(), `HTML report: ${file}`);
    assert.equal(r.stderr, '');
    const html = fs.readFileSync(file, 'utf8');
    const data = embeddedData(html);
    assert.equal(data.type, 'capacityInit');
    assert.equal(data.interactive, false);
    assert.equal(data.live, false);
    assert.equal(data.current, null);
    assert.deepEqual(data.report, report);
    assert.match(html, /<title>slots capacity — LLM Perf Lab<\/title>/);
    assert.ok(html.includes(fs.readFileSync(path.join('dist', 'webview', 'report.css'), 'utf8').slice(0, 200)), 'the report styles are inlined');
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /url\(\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /<(link|img|iframe)\b/i);
    assert.ok(!html.includes('<details class="perflab-kql"'), 'no KQL section for a capacity search');
  });

  it('--markdown: the answer in the title, one table row per step with capacity.json’s numbers', async () => {
    const dir = capacityFolder();
    const r = await perflab(['report', dir, '--markdown']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '## LLM Perf Lab: capacity of slots — 2063 RPM, limited by saturation');
    assert.ok(lines.includes('### slots — 2063 RPM, limited by saturation'), r.stdout);
    assert.ok(lines.includes('- Goodput at the capacity: 2062.5 RPM, 3437.5 output tokens/s'), r.stdout);
    assert.ok(lines.includes("- Headroom: ×1.38 over the scenario's 1500 RPM"), r.stdout);
    const rows = lines.filter((l) => /^\| \d+ \|/.test(l)).map((l) => l.slice(2, -2).split(' | '));
    const steps = report.targets[0].steps;
    assert.equal(rows.length, steps.length);
    rows.forEach((cells, i) => {
      const s = steps[i];
      assert.deepEqual(cells.slice(0, 10), [
        String(i + 1),
        String(s.offered_rpm),
        String(s.achieved_rpm),
        formatMs(s.ttft_p50_ms),
        formatMs(s.ttft_p95_ms),
        formatMs(s.e2e_p95_ms),
        `${(s.error_rate! * 100).toFixed(1)}%`,
        `${(s.throttled_rate! * 100).toFixed(1)}%`,
        String(s.goodput_rpm),
        s.passed ? '✅ pass' : `❌ FAIL ${s.limited_by}`,
      ]);
      assert.equal(cells.at(-1), `\`${s.run_dir}\``);
    });
    // The 4000 RPM step: 28.7% errors, its reasons in the row (the SLO's `<` escaped for markdown).
    assert.equal(rows[4][1], '4000');
    assert.equal(rows[4][6], '28.7%');
    assert.match(rows[4][10], /^TTFT grew from 2443 ms to 6399 ms.*SLO ttft\.p95 &lt; 800ms failed/);
  });

  it('--html --markdown --out a folder: report.html and summary.md there', async () => {
    const dir = capacityFolder();
    const out = path.join(tmp('perflab-capacity-report-'), 'artifacts');
    const r = await perflab(['report', dir, '--html', '--markdown', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), ['report.html', 'summary.md']);
    assert.deepEqual(embeddedData(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).report, report);
    assert.equal(fs.readFileSync(path.join(out, 'summary.md'), 'utf8'), (await perflab(['report', dir, '--markdown'])).stdout);
    assert.deepEqual(fs.readdirSync(dir), ['capacity.json'], 'nothing written to the capacity folder');
  });

  it('exit 2 with a clear message: --csv, a damaged capacity.json, and a folder that is neither', async () => {
    const dir = capacityFolder();
    const csv = await perflab(['report', dir, '--csv']);
    assert.equal(csv.code, 2);
    assert.equal(csv.stdout, '');
    assert.match(
      csv.stderr,
      /is a capacity folder: --csv exports one run's windows and requests; give a step's run folder instead \(e\.g\. .*slots\/step-01-250rpm\)/,
    );
    assert.deepEqual(fs.readdirSync(dir), ['capacity.json']);

    fs.writeFileSync(path.join(dir, 'capacity.json'), '{"type": "capa');
    const damaged = await perflab(['report', dir]);
    assert.equal(damaged.code, 2);
    assert.match(damaged.stderr, /capacity\.json: not valid JSON/);

    fs.writeFileSync(path.join(dir, 'capacity.json'), JSON.stringify({ type: 'summary', targets: [] }));
    const other = await perflab(['report', dir]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /capacity\.json: not a capacity search/);
    assert.ok(!fs.existsSync(path.join(dir, 'report.html')));

    const neither = tmp('perflab-capacity-report-');
    const empty = await perflab(['report', neither]);
    assert.equal(empty.code, 2);
    assert.match(
      empty.stderr,
      /is not a run folder: it has none of run\.json, summary\.json, requests\.jsonl, windows\.jsonl, server-metrics\.jsonl .*nor a capacity folder \(no capacity\.json\)/,
    );
  });
});
