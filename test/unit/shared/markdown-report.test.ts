// The markdown summary for CI job summaries (src/shared/markdown-report.ts), read back from a REAL
// two-target simulator run: every number is the summary's, SLO verdicts and warnings are all there,
// names cannot break the tables. And the KQL query in every report: the markdown, the HTML report
// and the end-of-run text carry it for Azure targets, and only for them.
import { strict as assert } from 'node:assert';
import { summaryText } from '../../../src/engine/report-text';
import type { RunSummary, TargetSummary } from '../../../src/engine/summary';
import { errorPercent } from '../../../src/results/compare-metrics';
import { escapeHtml, htmlReport, reportKql, type ReportAssets } from '../../../src/shared/html-report';
import { kqlForRun, kqlForTarget } from '../../../src/shared/kql';
import { formatMs, markdownReport } from '../../../src/shared/markdown-report';
import { panelTargets } from '../../../src/shared/panel-targets';
import { PRICE_OVERRIDE_HINT } from '../../../src/tokens/pricing';
import { realRun } from './real-run';

/** The cells of the markdown table row whose first cell is `first`, in the section of `target`. */
function rowOf(markdown: string, target: string | null, first: string): string[] {
  const from = target === null ? 0 : markdown.indexOf(`### ${target} (`);
  assert.ok(from >= 0, `section of ${target}`);
  const line = markdown
    .slice(from)
    .split('\n')
    .find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `row "${first}" of ${target}`);
  return line
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());
}

/** The run as if its targets were Azure deployments (the query needs provider, endpoint, deployment). */
function asAzure(summary: RunSummary, names: string[]): RunSummary {
  const copy = structuredClone(summary);
  copy.scenario.targets = copy.scenario.targets.map((t) =>
    names.includes(t.name)
      ? { ...t, provider: 'azure', endpoint: 'https://contoso.openai.azure.com/', deployment: `${t.name}-dep`, auth: { type: 'api-key' } }
      : t,
  );
  return copy;
}

describe('shared/markdown-report', function () {
  this.timeout(120_000);
  let summary: RunSummary;
  let md: string;
  before(async () => {
    summary = (await realRun()).summary;
    md = markdownReport(summary, { runDir: '/runs/fixture' });
  });

  it('formatMs: 2 decimals under 10 ms, 1 under 100, whole above; – when unknown', () => {
    assert.deepEqual([formatMs(3.14159), formatMs(42.06), formatMs(1234.5), formatMs(null), formatMs(undefined)], ['3.14', '42.1', '1235', '–', '–']);
  });

  it('heading: scenario name and the SLO verdict; the window and run folder under it', () => {
    const failed = summary.slos.filter((v) => !v.pass).length;
    assert.ok(failed > 0 && failed < summary.slos.length, 'the fixture passes some SLOs and fails some');
    assert.equal(md.split('\n')[0], `## LLM Perf Lab: report-fixture — ❌ ${failed} of ${summary.slos.length} SLOs failed`);
    assert.ok(md.includes(`${summary.started_at} – ${summary.ended_at}`));
    assert.ok(md.includes('results in `/runs/fixture`'));
    const passing = { ...summary, slos: summary.slos.filter((v) => v.pass) };
    assert.match(markdownReport(passing).split('\n')[0], new RegExp(`— ✅ ${passing.slos.length} SLOs passed$`));
    assert.match(markdownReport({ ...summary, slos: [] }).split('\n')[0], /— no SLOs$/);
    assert.equal(markdownReport(summary, { level: 1 }).split('\n')[0].startsWith('# LLM'), true);
  });

  it("per target: p50/p95/p99 of TTFT, TBT, chunk gap and E2E are the summary's numbers", () => {
    for (const t of summary.targets) {
      const rows: [string, keyof TargetSummary['latency_ms']][] = [
        ['TTFT (first token)', 'ttft'],
        ['TBT (per token)', 'tbt'],
        ['Chunk gap (per chunk)', 'chunk_gap'],
        ['E2E', 'e2e'],
      ];
      for (const [name, key] of rows) {
        const st = t.latency_ms[key];
        assert.deepEqual(rowOf(md, t.target, name), [name, formatMs(st.p50), formatMs(st.p95), formatMs(st.p99), String(st.count)], `${t.target} ${name}`);
      }
      assert.ok(!md.includes('TTFR'), 'no TTFR row when nothing reasoned');
    }
  });

  it('per target: achieved vs target RPM, requests and errors, throttling, tokens, cost', () => {
    const [fast, slow] = summary.targets;
    for (const t of summary.targets) {
      const rpm = rowOf(md, t.target, 'RPM')[1];
      assert.ok(rpm.startsWith(`${t.schedule.achieved_rpm.toFixed(1)} achieved of 900 target (${(t.schedule.achieved_ratio! * 100).toFixed(1)}%)`), rpm);
      const requests = rowOf(md, t.target, 'Requests')[1];
      assert.ok(
        requests.startsWith(`${t.requests.sent} sent, ${t.requests.succeeded} ok, ${t.requests.failed} failed (${Number(errorPercent(t)!.toFixed(2))}%)`),
        requests,
      );
      assert.ok(requests.includes(`${t.requests.warmup_excluded} warm-up excluded`));
      assert.equal(
        rowOf(md, t.target, 'Throttled')[1],
        `${t.requests.throttled_responses} HTTP 429 of ${t.requests.attempts} attempts (0%), ${t.requests.retried} retried`,
      );
      const tokens = rowOf(md, t.target, 'Tokens')[1];
      assert.ok(
        tokens.startsWith(
          `prompt ${t.tokens.prompt.toLocaleString('en-US')} (${t.tokens.prompt_tpm.toLocaleString('en-US')}/min), completion ${t.tokens.completion.toLocaleString('en-US')}`,
        ),
        tokens,
      );
    }
    // gpt-5-mini has a catalog list price; my-llama (in this fixture) is not in the catalog: no price.
    assert.ok(fast.cost_usd.total !== null && slow.cost_usd.total === null);
    const fastCost = rowOf(md, 'fast', 'Cost')[1];
    assert.match(fastCost, new RegExp(`^\\$${fast.cost_usd.total!.toFixed(6)} total, \\$[\\d.]+ per 1,000 requests`));
    assert.ok(fastCost.endsWith(`(list price as of ${fast.cost_usd.price!.as_of}; ${PRICE_OVERRIDE_HINT})`), fastCost);
    assert.equal(rowOf(md, 'slow', 'Cost')[1], `n/a (no price for my-llama; ${PRICE_OVERRIDE_HINT})`);
  });

  it('the CLI summary text: the cost with the price behind it and where to set one’s own', () => {
    const [fast] = summary.targets;
    const lines = summaryText(summary, null).split('\n');
    const at = lines.findIndex((l) => l.startsWith(`  cost (gpt-5-mini): $${fast.cost_usd.total!.toFixed(6)} total`));
    assert.ok(at >= 0, lines.join('\n'));
    assert.equal(lines[at + 1], `    price: list price as of ${fast.cost_usd.price!.as_of}; ${PRICE_OVERRIDE_HINT}`);
    assert.ok(lines.includes(`  cost: n/a, no price for my-llama; ${PRICE_OVERRIDE_HINT}`), lines.join('\n'));
    // The user's own price names itself (no hint); a summary from before prices were recorded shows its cost alone.
    const own = structuredClone(summary);
    own.targets[0].cost_usd.price = { input: 1, output: 2, origin: 'scenario' };
    assert.ok(summaryText(own, null).includes('    price: your price (pricing: in the scenario)\n'));
    delete own.targets[0].cost_usd.price;
    const older = summaryText(own, null).split('\n');
    assert.ok(!older[older.findIndex((l) => l.startsWith('  cost (gpt-5-mini)')) + 1].startsWith('    price:'));
  });

  it('every SLO verdict with ✅/❌ and its actual value; every warning', () => {
    const table = md.slice(md.indexOf('### SLOs'));
    for (const v of summary.slos) {
      const actual = v.unit === 'ratio' ? `${(v.actual! * 100).toFixed(2)}%` : `${v.actual} ${v.unit}`;
      assert.ok(table.includes(`| ${v.pass ? '✅' : '❌'} | ${v.target} | \`${v.slo}\` | ${actual} |`), `${v.target} ${v.slo}`);
    }
    for (const t of summary.targets)
      for (const w of t.warnings) assert.ok(md.includes(`- ⚠️ ${t.target}: ${w.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`), w);
  });

  it('TTFR row when the target reasoned', () => {
    const copy = structuredClone(summary);
    const ttfr = { count: 7, avg: 50, p50: 41.25, p90: 80, p95: 90.5, p99: 120, max: 130 };
    copy.targets[0].reasoning_latency_ms = { ttfr, tbt_all: ttfr };
    assert.deepEqual(rowOf(markdownReport(copy), 'fast', 'TTFR (first reasoning token)'), ['TTFR (first reasoning token)', '41.3', '90.5', '120', '7']);
    assert.ok(!rowOfExists(markdownReport(copy), 'slow', 'TTFR (first reasoning token)'));
  });

  it('names with pipes, line breaks and markup cannot break a table or inject HTML', () => {
    const copy = structuredClone(summary);
    copy.scenario.name = 'bad | name\n<script>x</script>';
    copy.slos[0] = { ...copy.slos[0], slo: 'ttft.p95 < 1s | `x`', target: 'a|b\nc' };
    const text = markdownReport(copy);
    assert.equal(text.split('\n')[0].startsWith('## LLM Perf Lab: bad | name &lt;script&gt;x&lt;/script&gt; — '), true);
    assert.ok(text.includes("| a\\|b c | `ttft.p95 < 1s \\| 'x'` |"), text);
    assert.ok(!text.includes('<script>'));
  });

  describe('the KQL query in every report', () => {
    it('markdown: a ```kusto block per Azure target, equal to kqlForTarget; none without Azure targets', () => {
      assert.ok(!md.includes('kusto') && !md.includes('Azure Monitor'));
      const azure = asAzure(summary, ['slow']);
      const text = markdownReport(azure);
      const blocks = [...text.matchAll(/```kusto\n([\s\S]*?)\n```/g)].map((m) => m[1]);
      assert.deepEqual(blocks, [kqlForTarget(azure, 'slow')]);
      assert.ok(text.indexOf('**slow**') < text.indexOf('```kusto'));
      assert.equal([...markdownReport(asAzure(summary, ['fast', 'slow'])).matchAll(/```kusto/g)].length, 2);
    });

    it('HTML report: a <details> section with each query as escaped text; none without Azure targets; the caller can override', async () => {
      const assets: ReportAssets = { script: 'void 0;', css: '' };
      const init = (s: RunSummary) => ({
        type: 'init' as const,
        runId: 'r',
        scenario: s.scenario,
        targets: panelTargets(s.scenario),
        windows: [],
        summary: s,
        distributions: {},
        live: false,
        interactive: true,
      });
      assert.ok(!htmlReport('t', init(summary), assets).includes('<details'));

      const azure = asAzure(summary, ['fast', 'slow']);
      azure.scenario.targets[0].deployment = 'dep"<b>';
      const html = htmlReport('t', init(azure), assets);
      const section = html.slice(html.indexOf('<details class="perflab-kql">'), html.indexOf('</details>'));
      assert.ok(section.length > 0);
      for (const { target, kql } of kqlForRun(azure)) {
        assert.ok(section.includes(`<h3>${target}</h3>\n<pre><code>${escapeHtml(kql)}</code></pre>`), target);
      }
      assert.ok(!section.includes('<b>'), 'names are text, not markup');
      // Still exactly the data and the bundle scripts: the section adds none.
      assert.equal((html.match(/<script\b/gi) ?? []).length, 2);
      // A compare of the run with itself lists each query once, labelled with the run.
      const compare = {
        type: 'compareInit' as const,
        runIds: ['a', 'b'],
        runs: [azure, azure].map((s) => ({ label: 'x', summary: s, windows: [] })),
        alignment: 'start' as const,
        interactive: true,
      };
      assert.deepEqual(
        reportKql(compare).map((k) => k.label),
        ['report-fixture · fast', 'report-fixture · slow'],
      );
      assert.ok(!htmlReport('t', init(azure), assets, { kql: [] }).includes('<details'));
    });

    it("end-of-run text: each Azure target's query, pasteable as printed; nothing for the simulator", () => {
      assert.ok(!summaryText(summary, '/runs/x').includes('AzureDiagnostics'));
      const azure = asAzure(summary, ['slow']);
      const text = summaryText(azure, '/runs/x');
      const kql = kqlForTarget(azure, 'slow')!;
      assert.ok(text.includes(`Azure Monitor, server-side latency of "slow" in this window (KQL for Log Analytics):\n${kql}\n\nResults: /runs/x`), text);
    });
  });
});

function rowOfExists(markdown: string, target: string, first: string): boolean {
  try {
    rowOf(markdown, target, first);
    return true;
  } catch {
    return false;
  }
}
