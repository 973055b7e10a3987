// `perflab report` as a user runs it (the built CLI on real run folders): the HTML report holds the
// run's data and loads nothing from the network, the markdown's numbers are summary.json's, CSV rows
// are the run's windows and requests, bad folders exit 2 with a clear message, and Azure targets get
// their KQL query in the end-of-run text, the markdown and the HTML report.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunSummary } from '../../../src/engine/summary';
import { kqlForTarget } from '../../../src/shared/kql';
import { formatMs } from '../../../src/shared/markdown-report';
import { cliRuns, perflab, readJson, readJsonl, startSimulator, tmp, type Runs } from './report-runs';

/** The JSON in `<script type="application/json" id="perflab-data">`. */
function embeddedData(html: string) {
  const open = '<script type="application/json" id="perflab-data">';
  const start = html.indexOf(open);
  assert.ok(start >= 0, 'data element present');
  return JSON.parse(html.slice(start + open.length, html.indexOf('</script>', start)));
}

/** Cells of the markdown table row starting with `| first |` after the heading of `target`. */
function row(markdown: string, target: string, first: string): string[] {
  const from = markdown.indexOf(`### ${target} (`);
  assert.ok(from >= 0, `section ${target}`);
  const line = markdown
    .slice(from)
    .split('\n')
    .find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `${target}: ${first}`);
  return line.slice(2, -2).split(' | ');
}

const csvRows = (file: string) => fs.readFileSync(file, 'utf8').split('\r\n').filter(Boolean);

describe('perflab report', function () {
  this.timeout(120_000);
  let runs: Runs;
  before(async () => {
    runs = await cliRuns();
  });

  it("no flag: <run-dir>/report.html with the run's data, the panel's script, and no network URL", async () => {
    const r = await perflab(['report', runs.pair]);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(runs.pair, 'report.html');
    assert.equal(r.stdout.trim(), `HTML report: ${file}`);
    const html = fs.readFileSync(file, 'utf8');
    const data = embeddedData(html);
    const summary: RunSummary = readJson(path.join(runs.pair, 'summary.json'));
    assert.equal(data.type, 'init');
    assert.equal(data.interactive, false);
    assert.deepEqual(data.summary, summary);
    assert.deepEqual(data.windows, readJsonl(path.join(runs.pair, 'windows.jsonl')));
    assert.deepEqual(data.distributions, summary.distributions);
    assert.deepEqual(
      data.targets.map((t: { name: string }) => t.name),
      ['quick', 'sluggish'],
    );
    assert.match(html, /<title>pair — LLM Perf Lab<\/title>/);
    assert.ok(html.includes(fs.readFileSync(path.join('dist', 'webview', 'report.css'), 'utf8').slice(0, 200)), 'the report styles are inlined');
    // Offline: nothing is loaded from anywhere.
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /url\(\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import/i);
    assert.doesNotMatch(html, /<(link|img|iframe)\b/i);
    assert.ok(!html.includes('<details'), 'no KQL section: the simulator is not an Azure deployment');
  });

  it('--html --out F writes F (folders made as needed)', async () => {
    const file = path.join(tmp(), 'deep', 'er', 'fast.html');
    const r = await perflab(['report', runs.fast, '--html', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(embeddedData(fs.readFileSync(file, 'utf8')).summary, readJson(path.join(runs.fast, 'summary.json')));
  });

  it("--markdown: printed to stdout, every number is summary.json's, with SLO verdicts", async () => {
    const r = await perflab(['report', runs.pair, '--markdown']);
    assert.equal(r.code, 0, r.stderr);
    const summary: RunSummary = readJson(path.join(runs.pair, 'summary.json'));
    const failed = summary.slos.filter((v) => !v.pass).length;
    assert.equal(failed, 1, 'sluggish fails its TTFT SLO, the rest pass');
    assert.equal(r.stdout.split('\n')[0], `## LLM Perf Lab: pair — ❌ 1 of 4 SLOs failed`);
    for (const t of summary.targets) {
      for (const [name, key] of [
        ['TTFT (first token)', 'ttft'],
        ['TBT (per token)', 'tbt'],
        ['Chunk gap (per chunk)', 'chunk_gap'],
        ['E2E', 'e2e'],
      ] as const) {
        const st = t.latency_ms[key];
        assert.deepEqual(row(r.stdout, t.target, name), [name, formatMs(st.p50), formatMs(st.p95), formatMs(st.p99), String(st.count)]);
      }
      assert.ok(row(r.stdout, t.target, 'RPM')[1].startsWith(`${t.schedule.achieved_rpm.toFixed(1)} achieved of 600 target`));
      assert.ok(row(r.stdout, t.target, 'Requests')[1].startsWith(`${t.requests.sent} sent, ${t.requests.succeeded} ok, ${t.requests.failed} failed`));
      assert.ok(row(r.stdout, t.target, 'Cost')[1].startsWith(`$${t.cost_usd.total!.toFixed(6)} total`));
    }
    for (const v of summary.slos) assert.ok(r.stdout.includes(`| ${v.pass ? '✅' : '❌'} | ${v.target} | \`${v.slo}\` |`), v.slo);
    // The sluggish target really is slower: the numbers are the run's, not a template's.
    assert.ok(summary.targets[1].latency_ms.ttft.p50! > summary.targets[0].latency_ms.ttft.p50! + 300);
  });

  it('--csv, and several formats into an --out folder', async () => {
    const out = path.join(tmp(), 'artifacts');
    const r = await perflab(['report', runs.fast, '--csv', '--html', '--markdown', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), ['report.html', 'requests.csv', 'summary.md', 'windows.csv']);
    const windows = readJsonl(path.join(runs.fast, 'windows.jsonl'));
    const requests = readJsonl(path.join(runs.fast, 'requests.jsonl'));
    assert.equal(csvRows(path.join(out, 'windows.csv')).length, windows.length + 1);
    assert.equal(csvRows(path.join(out, 'requests.csv')).length, requests.length + 1);
    assert.match(csvRows(path.join(out, 'requests.csv'))[0], /^id,target,response_id,request_id,scheduled_ms,/);
    assert.ok(
      r.stdout.includes(`CSV: ${path.join(out, 'windows.csv')} (${windows.length} windows), ${path.join(out, 'requests.csv')} (${requests.length} requests)`),
      r.stdout,
    );
    assert.equal(fs.readFileSync(path.join(out, 'summary.md'), 'utf8'), (await perflab(['report', runs.fast, '--markdown'])).stdout);
    // Markdown on stdout: what was written is told on stderr, so `>> $GITHUB_STEP_SUMMARY` gets markdown only.
    const both = await perflab(['report', runs.fast, '--csv', '--markdown']);
    assert.equal(both.code, 0, both.stderr);
    assert.ok(both.stdout.startsWith('## LLM Perf Lab: fast'));
    assert.match(both.stderr, /^CSV: /);
    assert.ok(fs.existsSync(path.join(runs.fast, 'windows.csv')), 'CSV defaults to the run folder');
  });

  it('exit 2 with a clear message: missing folder, a file, not a run folder, unfinished run, damaged summary', async () => {
    const dir = tmp();
    const missing = await perflab(['report', path.join(dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `perflab: ${path.join(dir, 'nope')}: no such run folder\n`);
    assert.equal(missing.stdout, '');

    fs.writeFileSync(path.join(dir, 'file.txt'), 'x');
    const file = await perflab(['report', path.join(dir, 'file.txt')]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /is a file, not a run folder/);

    const empty = await perflab(['report', dir]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /is not a run folder: it has none of run\.json, summary\.json, requests\.jsonl, windows\.jsonl/);

    const unfinished = path.join(dir, 'unfinished');
    fs.cpSync(runs.fast, unfinished, { recursive: true });
    fs.rmSync(path.join(unfinished, 'summary.json'));
    const u = await perflab(['report', unfinished, '--markdown']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /the run has not finished \(no summary\.json\)/);
    assert.equal(u.stdout, '');

    fs.writeFileSync(path.join(unfinished, 'summary.json'), '{"type": "summ');
    const damaged = await perflab(['report', unfinished]);
    assert.equal(damaged.code, 2);
    assert.match(damaged.stderr, /summary\.json: not valid JSON/);
    assert.ok(!fs.existsSync(path.join(unfinished, 'report.html')));
  });

  it('an Azure deployment: the KQL query in the end-of-run text, the markdown and the HTML report', async () => {
    const sim = await startSimulator();
    const url = sim.url;
    try {
      const out = path.join(tmp(), 'azure-run');
      const run = await perflab(
        [
          'load',
          url,
          '--provider',
          'azure',
          '--deployment',
          'chat-prod',
          '--model',
          'gpt-4o',
          '--requests',
          '4',
          '--clients',
          '2',
          '--shape-profile',
          'custom',
          '--context-tokens',
          '30',
          '--max-tokens',
          '5',
          '--out',
          out,
        ],
        { env: { AZURE_OPENAI_API_KEY: 'test-key-not-checked' } },
      );
      assert.equal(run.code, 0, run.stderr);
      const summary: RunSummary = readJson(path.join(out, 'summary.json'));
      const target = summary.targets[0].target;
      const kql = kqlForTarget(summary, target)!;
      assert.match(kql, /modelDeploymentName\) == "chat-prod"/);
      assert.ok(run.stdout.includes(`(KQL for Log Analytics):\n${kql}\n`), run.stdout);

      const md = await perflab(['report', out, '--markdown']);
      assert.equal(md.code, 0, md.stderr);
      assert.ok(md.stdout.includes(`\`\`\`kusto\n${kql}\n\`\`\``), md.stdout);

      const html = await perflab(['report', out]);
      assert.equal(html.code, 0, html.stderr);
      const text = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
      assert.ok(text.includes('<details class="perflab-kql">'));
      assert.ok(text.includes(kql.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')));
    } finally {
      sim.stop();
    }
  });

  it('--help says what the default is and where files go', async () => {
    const r = await perflab(['report', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /With no format flag, writes <run-dir>\/report\.html/);
    assert.match(r.stdout, /--markdown +markdown summary for a CI job summary/);
  });
});
