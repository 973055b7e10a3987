// `perflab import jmeter` on JMeter's CSV results (fixtures/README.md: the format, as the Apache JMeter
// manual and Azure Load Testing document it): elapsed becomes E2E, Latency TTFB (and never TTFT),
// failures get the engine's classes (429 throttled, 5xx http_error, a read timeout, a cut stream), the
// samplers' labels pick the targets, several engines' files merge, and the run reads back and renders
// like any other.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RequestRecord } from '../../../src/engine/records';
import type { RunSummary } from '../../../src/engine/summary';
import { forEachRequest, readRunFiles } from '../../../src/results/run-files';
import { markdownReport } from '../../../src/shared/markdown-report';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'perflab.js');
const FIXTURES = path.join(__dirname, 'fixtures');

function perflab(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const target = (name: string, host: string) =>
  `  - { name: ${name}, provider: azure, endpoint: "https://${host}.openai.azure.com", deployment: gpt-4o, model: gpt-4o }`;

function scenario(dir: string, targets: string[], slos: string[], extra = ''): string {
  const file = path.join(dir, `s${fs.readdirSync(dir).length}.perf.yaml`);
  fs.writeFileSync(
    file,
    `name: jmeter-import\ntargets:\n${targets.join('\n')}\nworkload: { rate: 60, clients: 4, duration: 3s${extra} }\nprompts: { shape: custom, context_tokens: 500, max_tokens: 100 }\nslos:\n${slos.map((s) => `  - ${s}`).join('\n')}\n`,
  );
  return file;
}

async function records(runDir: string): Promise<RequestRecord[]> {
  const out: RequestRecord[] = [];
  const { unreadable } = await forEachRequest(runDir, (r) => out.push(r));
  assert.equal(unreadable, 0);
  return out;
}

/** The fixture's samples of a label, as [elapsed, Latency, responseCode, success]. */
function samples(file: string, label: string): { elapsed: number; latency: number; code: string; success: boolean }[] {
  return fs
    .readFileSync(path.join(FIXTURES, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/"[^"]*"/g, 'quoted').split(','))
    .filter((f) => f[2] === label)
    .map((f) => ({ elapsed: Number(f[1]), latency: Number(f[14]), code: f[3], success: f[7] === 'true' }));
}

describe('perflab import jmeter: JMeter results as a perflab run', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-jtl-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('elapsed is E2E, Latency is TTFB and not TTFT, failures are classed, labels pick the targets', async () => {
    const file = scenario(dir, [target('paygo', 'res'), target('ptu', 'res-ptu')], ['e2e.p95 < 2s', 'failures < 50%']);
    const runDir = path.join(dir, 'run');
    const r = await perflab(['import', 'jmeter', path.join(FIXTURES, 'jmeter-results.jtl'), '--scenario', file, '--out', runDir]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /Imported from JMeter \(1 result file\): 13 requests read/);
    assert.match(r.out, /TTFB is JMeter's Latency.*NOT time to first token/);
    assert.match(r.out, /1 samples whose label names no target .*Debug Sampler/);

    const run = await readRunFiles(runDir);
    const summary = run.summary as RunSummary;
    assert.equal(summary.imported?.engine, 'jmeter');
    assert.equal(summary.imported?.workers, 1);
    assert.equal(summary.imported?.coverage.counted, null, 'JMeter keeps no count of its own to check against');
    assert.equal(summary.imported?.coverage.found, 13);

    const recs = await records(runDir);
    for (const name of ['paygo', 'ptu']) {
      const expected = samples('jmeter-results.jtl', `${name} chat stream`);
      const mine = recs.filter((x) => x.target === name);
      assert.equal(mine.length, expected.length);
      // Same samples, each once: E2E is elapsed, TTFB is Latency (when an HTTP status came back), never a TTFT.
      assert.deepEqual(mine.map((x) => x.e2e_ms).sort(), expected.map((s) => s.elapsed).sort());
      for (const x of mine) {
        assert.equal(x.ttft_ms, null);
        assert.equal(x.tbt_ms, null);
        assert.equal(x.completion_tokens, null);
        const s = expected.find((e) => e.elapsed === x.e2e_ms)!;
        assert.equal(x.ttfb_ms, /^\d+$/.test(s.code) ? s.latency : null);
      }
      const t = summary.targets.find((x) => x.target === name)!;
      const ok = expected.filter((s) => s.success);
      assert.equal(t.requests.succeeded, ok.length);
      assert.equal(t.requests.failed, expected.length - ok.length);
      assert.equal(t.latency_ms.ttft.count, 0, 'no TTFT from JMeter');
      assert.equal(t.latency_ms.ttfb.count, ok.length);
      assert.equal(t.latency_ms.e2e.count, ok.length);
      const maxE2e = Math.max(...ok.map((s) => s.elapsed));
      assert.ok(Math.abs(t.latency_ms.e2e.max! - maxE2e) / maxE2e < 0.01, `e2e max ${t.latency_ms.e2e.max} vs ${maxE2e}`);
      const maxTtfb = Math.max(...ok.map((s) => s.latency));
      assert.ok(Math.abs(t.latency_ms.ttfb.max! - maxTtfb) / maxTtfb < 0.01, `ttfb max ${t.latency_ms.ttfb.max} vs ${maxTtfb}`);
      assert.equal(t.cost_usd.total, null, 'no token counts, no cost');
    }
    const paygo = summary.targets.find((x) => x.target === 'paygo')!;
    assert.deepEqual(paygo.requests.errors, { throttled: 1, http_error: 1, timeout: 1 });
    assert.equal(paygo.requests.throttled_responses, 1, 'the 429 counts as a throttled response');
    assert.deepEqual(summary.targets.find((x) => x.target === 'ptu')!.requests.errors, { stream_dropped: 1 }, 'a 200 whose stream did not end');
    const throttled = recs.find((x) => x.status === 429)!;
    assert.equal(throttled.error, 'throttled');
    assert.match(throttled.error_message!, /Too Many Requests, retry later/, 'a quoted field with a comma reads whole');
    assert.equal(recs.find((x) => x.e2e_ms === 60004)!.error, 'timeout');

    const md = markdownReport(summary, { runDir });
    assert.match(md, /paygo/);
    assert.match(md, /imported from JMeter/);
    assert.match(md, /e2e\.p95 < 2s/);
  });

  it('an SLO on TTFT is not judged (JMeter has none) and the gate does not open: exit 1', async () => {
    const file = scenario(dir, [target('paygo', 'res'), target('ptu', 'res-ptu')], ['ttft.p95 < 1s', 'e2e.p95 < 2s']);
    const r = await perflab(['import', 'jmeter', path.join(FIXTURES, 'jmeter-results.jtl'), '--scenario', file, '--out', path.join(dir, 'run-ttft')]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /NOT JUDGED {2}paygo: ttft\.p95 < 1s/);
    assert.match(r.out, /PASS {2}paygo: e2e\.p95 < 2s/);
  });

  it('an SLO that fails exits 1', async () => {
    const file = scenario(dir, [target('paygo', 'res'), target('ptu', 'res-ptu')], ['e2e.p50 < 1s']);
    const r = await perflab(['import', 'jmeter', path.join(FIXTURES, 'jmeter-results.jtl'), '--scenario', file, '--out', path.join(dir, 'run-fail')]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /FAIL {2}paygo: e2e\.p50 < 1s/);
  });

  it('Azure Load Testing: one results file per engine, merged in the order the samples finished; warm-up left out', async () => {
    const file = scenario(dir, [target('paygo', 'res')], ['e2e.p95 < 2s'], ', warm_up: 2');
    const runDir = path.join(dir, 'run-alt');
    const r = await perflab([
      'import',
      'jmeter',
      path.join(FIXTURES, 'alt-engine-1.csv'),
      path.join(FIXTURES, 'alt-engine-2.csv'),
      '--scenario',
      file,
      '--out',
      runDir,
    ]);
    assert.equal(r.code, 0, r.out + r.err);
    const run = await readRunFiles(runDir);
    const summary = run.summary as RunSummary;
    assert.equal(summary.imported?.workers, 2);
    const recs = await records(runDir);
    assert.equal(recs.length, 7);
    const ends = recs.map((x) => x.start_ms + x.e2e_ms!);
    assert.deepEqual(
      ends,
      [...ends].sort((a, b) => a - b),
      'requests.jsonl in completion order across the engines',
    );
    assert.deepEqual(
      recs.map((x) => x.id),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      recs.filter((x) => x.warmup).map((x) => x.id),
      [0, 1],
      'the first two to finish are warm-up',
    );
    const t = summary.targets[0];
    assert.equal(t.requests.warmup_excluded, 2);
    assert.equal(t.requests.succeeded + t.requests.failed, 5);
    assert.equal(t.requests.errors.throttled, 1);
    // One window per second of the run (JMeter's clock), the last one's totals the summary's.
    const seconds = Math.ceil((Math.max(...ends) - Math.min(...recs.map((x) => x.start_ms))) / 1000);
    assert.equal(run.windows.length, seconds);
    assert.equal(run.windows.at(-1)!.totals!.succeeded, t.requests.succeeded);
    assert.equal(run.windows.at(-1)!.requests, 7);
  });

  it('a file without a header and cut mid-line: default columns, the cut line counted, the rest kept', async () => {
    const file = scenario(dir, [target('paygo', 'res')], ['e2e.p95 < 2s']);
    const runDir = path.join(dir, 'run-cut');
    const r = await perflab(['import', 'jmeter', path.join(FIXTURES, 'jmeter-no-header.jtl'), '--scenario', file, '--out', runDir, '--format', 'json']);
    assert.equal(r.code, 0, r.out + r.err);
    const out = JSON.parse(r.out.trim().split('\n').at(-1)!);
    assert.equal(out.imported.coverage.found, 2);
    assert.equal(out.imported.coverage.unreadable_lines, 1);
    assert.equal(out.imported.coverage.complete, false);
    assert.ok(out.imported.notes.some((n: string) => /1 line\(s\) could not be read/.test(n)));
    assert.deepEqual(
      (await records(runDir)).map((x) => x.e2e_ms),
      [1432, 1450],
    );
  });

  it('bad input exits 2: no scenario, an XML results file, labels that name no target', async () => {
    const noScenario = await perflab(['import', 'jmeter', path.join(FIXTURES, 'jmeter-results.jtl'), '--out', path.join(dir, 'x1')]);
    assert.equal(noScenario.code, 2);
    assert.match(noScenario.err, /--scenario FILE/);
    const xml = path.join(dir, 'results.xml.jtl');
    fs.writeFileSync(xml, '<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n</testResults>\n');
    const file = scenario(dir, [target('paygo', 'res')], ['e2e.p95 < 2s']);
    const x = await perflab(['import', 'jmeter', xml, '--scenario', file, '--out', path.join(dir, 'x2')]);
    assert.equal(x.code, 2);
    assert.match(x.err, /XML results file/);
    const other = scenario(dir, [target('a', 'res'), target('b', 'res')], ['e2e.p95 < 2s']);
    const none = await perflab(['import', 'jmeter', path.join(FIXTURES, 'jmeter-results.jtl'), '--scenario', other, '--out', path.join(dir, 'x3')]);
    assert.equal(none.code, 2);
    assert.match(none.err, /no JMeter samples for the scenario's targets/);
  });
});
