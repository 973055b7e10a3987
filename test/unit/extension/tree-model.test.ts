import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_SCENARIO } from '../../../src/extension/demo';
import { formatRunDate, runsFor, scanDemo, scanWorkspace } from '../../../src/extension/tree-model';
import { readRuns, resolveRunsDir } from '../../../src/results/run-list';
import { runSummary, tempDir, verdict, writeFile } from './helpers';

const SIM_SCENARIO = (name: string, targets: string[]) =>
  [
    `name: ${name}`,
    'targets:',
    ...targets.flatMap((t) => [`  - name: ${t}`, '    provider: simulator', '    endpoint: simulator', '    model: gpt-4o-mini', '    auth: { type: none }']),
    'workload:',
    '  rate: 240',
    '  duration: 30s',
    '',
  ].join('\n');

function writeRun(runsDir: string, id: string, summary: object | null, requests?: string): string {
  const dir = path.join(runsDir, id);
  fs.mkdirSync(dir, { recursive: true });
  if (summary) writeFile(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  if (requests !== undefined) writeFile(path.join(dir, 'requests.jsonl'), requests);
  return dir;
}

describe('extension/tree-model', () => {
  let root: string;
  let runs: string;
  let quick: string;
  let pair: string;

  beforeEach(() => {
    root = tempDir();
    runs = path.join(root, '.perflab', 'runs');
    quick = writeFile(path.join(root, 'quick.perf.yaml'), SIM_SCENARIO('quick', ['sim']));
    pair = writeFile(path.join(root, 'perf', 'nested', 'pair.perf.yaml'), SIM_SCENARIO('pair', ['a', 'b']));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds every *.perf.yaml and *.perf.yml, skipping node_modules, .git and .perflab, sorted by path', () => {
    writeFile(path.join(root, 'node_modules', 'pkg', 'x.perf.yaml'), SIM_SCENARIO('nm', ['s']));
    writeFile(path.join(root, '.git', 'y.perf.yaml'), SIM_SCENARIO('git', ['s']));
    writeFile(path.join(root, '.perflab', 'z.perf.yaml'), SIM_SCENARIO('pl', ['s']));
    writeFile(path.join(root, 'notes.yaml'), 'a: 1\n');
    writeFile(path.join(root, 'perf', 'short.perf.yml'), SIM_SCENARIO('short', ['s']));
    const nodes = scanWorkspace(root);
    assert.deepEqual(
      nodes.map((n) => n.relativePath),
      ['perf/nested/pair.perf.yaml', 'perf/short.perf.yml', 'quick.perf.yaml'],
    );
    // A `.perf.yml` is a scenario like any other: validated, its targets listed.
    const short = nodes[1];
    assert.deepEqual([short.label, short.valid, short.targets.map((t) => t.name)], ['short', true, ['s']]);
    const p = nodes[0];
    assert.equal(p.kind, 'scenario');
    assert.equal(p.label, 'pair');
    assert.equal(p.valid, true);
    assert.equal(p.description, 'perf/nested/pair.perf.yaml');
    // "simulator" once: the endpoint is not repeated after the provider.
    assert.deepEqual(
      p.targets.map((t) => [t.label, t.description]),
      [
        ['a', 'simulator · gpt-4o-mini'],
        ['b', 'simulator · gpt-4o-mini'],
      ],
    );
    assert.deepEqual(scanWorkspace(tempDir()), []);
  });

  it('lists invalid files with their problem count and the targets they name', () => {
    writeFile(
      path.join(root, 'bad.perf.yaml'),
      'name: bad\ntargets:\n  - name: prod\n    provider: azure\n    endpoint: https://x.openai.azure.com\nworkload:\n  rate: -5\n  duration: forever\n',
    );
    writeFile(path.join(root, 'empty.perf.yaml'), '');
    const nodes = scanWorkspace(root);
    const bad = nodes.find((n) => n.relativePath === 'bad.perf.yaml')!;
    assert.equal(bad.valid, false);
    assert.ok(bad.problems.length >= 3, JSON.stringify(bad.problems)); // deployment, rate, duration
    assert.equal(bad.description, `${bad.problems.length} problems · bad.perf.yaml`);
    assert.match(bad.tooltip, /bad\.perf\.yaml:\d+:\d+: workload\.rate/);
    assert.deepEqual(
      bad.targets.map((t) => [t.name, t.description]),
      [['prod', 'azure · x.openai.azure.com']],
    );
    const empty = nodes.find((n) => n.relativePath === 'empty.perf.yaml')!;
    assert.equal(empty.label, 'empty');
    assert.equal(empty.description, '1 problem · empty.perf.yaml');
    assert.deepEqual(empty.targets, []);
  });

  it('attaches runs by scenario file and target name, newest first, with headline numbers and status', () => {
    writeRun(
      runs,
      '2026-01-01T10-00-00-quick',
      runSummary({
        name: 'quick',
        file: quick,
        startedAt: '2026-01-01T10:00:00.000Z',
        targets: [{ target: 'sim', ttft: [100, 175.4, 300], rpm: 239.6 }],
        slos: [verdict('sim', 'ttft.p95 < 800ms', true)],
      }),
    );
    writeRun(
      runs,
      '2026-01-03T10-00-00-quick',
      runSummary({
        name: 'quick',
        file: quick,
        startedAt: '2026-01-03T10:00:00.000Z',
        targets: [{ target: 'sim', ttft: [100, 900, 1200], failed: 1 }],
        slos: [verdict('sim', 'ttft.p95 < 800ms', false)],
      }),
    );
    writeRun(
      runs,
      '2026-01-02T10-00-00-quick',
      runSummary({ name: 'quick', file: quick, startedAt: '2026-01-02T10:00:00.000Z', targets: [{ target: 'sim', rpm: 7.25, failed: 3 }], stoppedBy: 'stop' }),
    );
    // Same scenario name, another file: not ours.
    writeRun(
      runs,
      '2026-01-04T10-00-00-quick',
      runSummary({ name: 'quick', file: path.join(root, 'other', 'quick.perf.yaml'), startedAt: '2026-01-04T10:00:00.000Z', targets: [{ target: 'sim' }] }),
    );
    // A renamed target: under the scenario, not under any current target.
    writeRun(
      runs,
      '2026-01-05T10-00-00-quick',
      runSummary({ name: 'quick', file: quick, startedAt: '2026-01-05T10:00:00.000Z', targets: [{ target: 'old-name' }], stoppedBy: 'error' }),
    );

    const q = scanWorkspace(root).find((n) => n.file === quick)!;
    assert.deepEqual(
      q.runs.map((r) => [r.id, r.status]),
      [
        ['2026-01-05T10-00-00-quick', 'error'],
        ['2026-01-03T10-00-00-quick', 'fail'],
        ['2026-01-02T10-00-00-quick', 'stopped'],
        ['2026-01-01T10-00-00-quick', 'pass'],
      ],
    );
    const sim = q.targets[0];
    assert.deepEqual(
      sim.runs.map((r) => [r.status, r.description]),
      [
        ['fail', 'p95 TTFT 900 ms · 240 RPM · 1 error'],
        ['stopped', 'p95 TTFT 175 ms · 7.3 RPM · 3 errors'],
        ['pass', 'p95 TTFT 175 ms · 240 RPM · 0 errors'],
      ],
    );
    const latest = sim.runs[0];
    assert.equal(latest.dir, path.join(runs, '2026-01-03T10-00-00-quick'));
    assert.equal(latest.target, 'sim');
    assert.equal(latest.ttftP95Ms, 900);
    assert.equal(latest.label, formatRunDate(new Date('2026-01-03T10:00:00.000Z')));
    assert.match(latest.tooltip, /failed: ttft\.p95 < 800ms/);
    assert.match(sim.runs[2].tooltip, /passed 1 SLO/);
    assert.equal(sim.tooltip.split('\n').pop(), '3 runs');
  });

  it('judges each target by its own SLOs and sums a multi-target run', () => {
    writeRun(
      runs,
      '2026-02-01T00-00-00-pair',
      runSummary({
        name: 'pair',
        file: pair,
        startedAt: '2026-02-01T00:00:00Z',
        targets: [
          { target: 'a', ttft: [1, 200, 3], rpm: 100, failed: 1 },
          { target: 'b', ttft: [1, 300, 3], rpm: 120, failed: 0 },
        ],
        slos: [verdict('a', 'ttft.p95 < 250ms', true), verdict('b', 'ttft.p95 < 250ms', false)],
      }),
    );
    const p = scanWorkspace(root).find((n) => n.file === pair)!;
    const [a, b] = p.targets;
    assert.equal(a.runs[0].status, 'pass');
    assert.equal(a.runs[0].description, 'p95 TTFT 200 ms · 100 RPM · 1 error');
    assert.equal(b.runs[0].status, 'fail');
    assert.equal(p.runs[0].status, 'fail');
    assert.equal(p.runs[0].description, 'p95 TTFT 300 ms · 220 RPM · 1 error'); // worst p95, total RPM and errors
    assert.match(p.runs[0].tooltip, /failed: b: ttft\.p95 < 250ms/);
  });

  it('marks a run this machine may have distorted (client_limited), and a run that failed as a whole', () => {
    const limited = runSummary({ name: 'quick', file: quick, startedAt: '2026-02-02T00:00:00Z', targets: [{ target: 'sim' }] });
    limited.targets[0].client_limited = true;
    limited.targets[0].client_limited_reasons = ["the client's own delay added ≈ 31 ms (p95) to first tokens, above 8 ms"];
    writeRun(runs, '2026-02-02T00-00-00-quick', limited);
    const failed = runSummary({ name: 'quick', file: quick, startedAt: '2026-02-03T00:00:00Z', targets: [{ target: 'sim', failed: 100 }] });
    failed.error = 'target "sim": no request succeeded (100 throttled)';
    writeRun(runs, '2026-02-03T00-00-00-quick', failed);
    const [newest, older] = scanWorkspace(root).find((n) => n.file === quick)!.runs;
    assert.equal(newest.status, 'error');
    assert.match(newest.tooltip, /failed: target "sim": no request succeeded \(100 throttled\)/);
    assert.equal(older.status, 'pass');
    assert.match(older.description, / · ⚠ client-limited$/);
    assert.match(older.tooltip, /⚠ sim: this machine may have inflated the latencies \(the client's own delay added ≈ 31 ms/);
  });

  it('lists a run without summary.json as unfinished with its recorded request count', () => {
    const lines = [
      JSON.stringify({ type: 'request', target: 'a' }),
      JSON.stringify({ type: 'request', target: 'b' }),
      JSON.stringify({ type: 'request', target: 'a' }),
      '{"type":"request","tar',
    ].join('\n');
    // Folder named the way the engine names it: matched to the scenario by name.
    writeRun(runs, '2026-03-01T08-00-00-pair', null, lines + '\n');
    // With run.json written at the start of a run: matched by file.
    const withMeta = writeRun(runs, 'custom-folder', null, '');
    writeFile(path.join(withMeta, 'run.json'), JSON.stringify({ scenario: { name: 'pair', file: pair }, started_at: '2026-03-02T08:00:00Z' }));
    // A broken summary.json: unfinished too, and says why.
    const broken = writeRun(runs, '2026-03-03T08-00-00-pair', null, JSON.stringify({ target: 'b' }) + '\n');
    writeFile(path.join(broken, 'summary.json'), '{"type": "summ');

    const p = scanWorkspace(root).find((n) => n.file === pair)!;
    assert.deepEqual(
      p.runs.map((r) => [r.id, r.status, r.recordedRequests, r.description]),
      [
        ['2026-03-03T08-00-00-pair', 'unfinished', 1, 'unfinished · 1 request recorded'],
        ['custom-folder', 'unfinished', 0, 'unfinished · 0 requests recorded'],
        ['2026-03-01T08-00-00-pair', 'unfinished', 4, 'unfinished · 4 requests recorded'],
      ],
    );
    assert.match(p.runs[0].tooltip, /summary\.json: not valid JSON/);
    const a = p.targets.find((t) => t.name === 'a')!;
    assert.deepEqual(
      a.runs.map((r) => [r.id, r.recordedRequests]),
      [
        ['2026-03-03T08-00-00-pair', 0],
        ['custom-folder', 0],
        ['2026-03-01T08-00-00-pair', 2],
      ],
    );
    assert.equal(a.runs[2].startedAt!.toISOString(), '2026-03-01T08:00:00.000Z');
    assert.equal(a.runs[2].ttftP95Ms, null);
    // Not attached to another scenario.
    assert.deepEqual(scanWorkspace(root).find((n) => n.file === quick)!.runs, []);
  });

  it('reads runs from a configured folder and via runsFor', () => {
    const elsewhere = tempDir('perflab-runs-');
    try {
      writeRun(elsewhere, 'r1', runSummary({ name: 'quick', file: quick, startedAt: '2026-04-01T00:00:00Z', targets: [{ target: 'sim' }] }));
      writeRun(elsewhere, 'r2', runSummary({ name: 'pair', file: pair, startedAt: '2026-04-02T00:00:00Z', targets: [{ target: 'a' }] }));
      assert.equal(resolveRunsDir(root, elsewhere), elsewhere);
      assert.equal(resolveRunsDir(root, 'results'), path.join(root, 'results'));
      assert.equal(resolveRunsDir(root), runs);
      assert.deepEqual(
        scanWorkspace(root, elsewhere).map((n) => n.runs.map((r) => r.id)),
        [['r2'], ['r1']],
      );
      assert.deepEqual(
        runsFor(elsewhere, quick, 'quick').map((r) => r.id),
        ['r1'],
      );
      assert.deepEqual(
        runsFor(readRuns(elsewhere), pair, 'pair', 'a').map((r) => r.id),
        ['r2'],
      );
      assert.deepEqual(runsFor(elsewhere, pair, 'pair', 'b'), []);
      assert.deepEqual(runsFor(path.join(root, 'missing'), pair, 'pair'), []);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('shows throttling, cancelled and unsent requests, and verdicts that are incomplete or not judged', () => {
    // The paygo target of examples/compare-deployments.perf.yaml: 784 answers were HTTP 429.
    const throttled = runSummary({
      name: 'quick',
      file: quick,
      startedAt: '2026-05-01T00:00:00Z',
      targets: [{ target: 'sim', ttft: [900, 38633.2, 40000], rpm: 89 }],
      slos: [verdict('sim', 'ttft.p95 < 60s', true)],
    });
    Object.assign(throttled.targets[0].requests, { throttled_responses: 784, attempts: 883, retried: 700, backoff_ms: 312_400 });
    writeRun(runs, '2026-05-01T00-00-00-quick', throttled);
    // The ptu target: 29 cancelled at the end, 12 never sent; the SLO held on the rest: incomplete.
    const cut = runSummary({
      name: 'quick',
      file: quick,
      startedAt: '2026-05-02T00:00:00Z',
      targets: [{ target: 'sim' }],
      slos: [{ ...verdict('sim', 'ttft.p95 < 800ms', false), status: 'incomplete' }],
    });
    cut.targets[0].requests.cancelled = 29;
    cut.targets[0].schedule.unsent = 12;
    writeRun(runs, '2026-05-02T00-00-00-quick', cut);
    // An empty run: nothing to judge.
    const empty = runSummary({
      name: 'quick',
      file: quick,
      startedAt: '2026-05-03T00:00:00Z',
      targets: [{ target: 'sim', ttft: [null, null, null], completed: 0 }],
      slos: [{ ...verdict('sim', 'ttft.p95 < 800ms', false), actual: null, status: 'not_judged' }],
    });
    writeRun(runs, '2026-05-03T00-00-00-quick', empty);
    // A failed SLO beside a not-judged one: the run fails.
    const mixed = runSummary({
      name: 'quick',
      file: quick,
      startedAt: '2026-05-04T00:00:00Z',
      targets: [{ target: 'sim' }],
      slos: [
        { ...verdict('sim', 'failures < 1%', false), status: 'not_judged' },
        { ...verdict('sim', 'ttft.p95 < 100ms', false), status: 'fail' },
      ],
    });
    writeRun(runs, '2026-05-04T00-00-00-quick', mixed);

    const sim = scanWorkspace(root).find((n) => n.file === quick)!.targets[0];
    assert.deepEqual(
      sim.runs.map((r) => [r.status, r.description]),
      [
        ['fail', 'p95 TTFT 175 ms · 240 RPM · 0 errors'],
        ['not-judged', 'p95 TTFT – · 240 RPM · 0 errors'],
        ['incomplete', 'p95 TTFT 175 ms · 240 RPM · 0 errors · 29 cancelled · 12 unsent'],
        // 38633 ms reads as the panel shows it (src/shared/format-duration.ts).
        ['pass', 'p95 TTFT 38.6 s · 89 RPM · 0 errors · 784 throttled'],
      ],
    );
    const [failed, notJudged, incomplete, passed] = sim.runs;
    assert.match(failed.tooltip, /^failed: ttft\.p95 < 100ms$/m);
    assert.match(notJudged.tooltip, /not judged — nothing measured to judge: ttft\.p95 < 800ms/);
    assert.match(incomplete.tooltip, /incomplete — too many requests cancelled or never sent to call it a pass: ttft\.p95 < 800ms/);
    assert.match(incomplete.tooltip, /not measured: 29 cancelled at the end, 12 never sent/);
    assert.deepEqual([incomplete.cancelled, incomplete.unsent, passed.throttled], [29, 12, 784]);
    assert.match(passed.tooltip, /throttled: 784 of 883 attempts answered HTTP 429; 700 retried, 312\.4 s spent backing off/);
    assert.match(passed.tooltip, /TTFT p50 900 ms \/ p95 38\.6 s, E2E p95 1,500 ms/);
  });

  it('offers "Set API Key…" only for targets that read a key', () => {
    const mixed = writeFile(
      path.join(root, 'keys.perf.yaml'),
      [
        'name: keys',
        'targets:',
        '  - { name: sim, provider: simulator, endpoint: simulator, model: gpt-4o }',
        '  - { name: azure, provider: azure, endpoint: "https://x.openai.azure.com", deployment: gpt-4o }',
        '  - { name: entra, provider: azure, endpoint: "https://x.openai.azure.com", deployment: gpt-4o, auth: { type: entra } }',
        '  - { name: local, provider: openai-compatible, endpoint: "http://127.0.0.1:8000/v1", model: llama, auth: { type: none } }',
        'workload: { rate: 60, duration: 10s }',
        '',
      ].join('\n'),
    );
    const node = scanWorkspace(root).find((n) => n.file === mixed)!;
    assert.equal(node.valid, true, JSON.stringify(node.problems));
    assert.deepEqual(
      node.targets.map((t) => [t.name, t.needsKey]),
      [
        ['sim', false],
        ['azure', true],
        ['entra', false],
        ['local', false],
      ],
    );
    // The same file made invalid (a bad rate): the targets it names still say which need a key.
    fs.writeFileSync(mixed, fs.readFileSync(mixed, 'utf8').replace('rate: 60', 'rate: -1'));
    const invalid = scanWorkspace(root).find((n) => n.file === mixed)!;
    assert.equal(invalid.valid, false);
    assert.deepEqual(
      invalid.targets.map((t) => [t.name, t.needsKey]),
      [
        ['sim', false],
        ['azure', true],
        ['entra', false],
        ['local', false],
      ],
    );
  });

  it('lists the demo (kept outside the workspace) once it has runs', () => {
    const storage = tempDir('perflab-demo-');
    try {
      const demoFile = writeFile(path.join(storage, 'demo.perf.yaml'), DEMO_SCENARIO);
      const demoRuns = path.join(storage, '.perflab', 'runs');
      assert.equal(scanDemo(demoFile, demoRuns), undefined, 'no runs yet: no demo node');
      assert.equal(scanDemo(path.join(storage, 'missing.perf.yaml'), demoRuns), undefined);
      writeRun(
        demoRuns,
        '2026-06-01T00-00-00-demo',
        runSummary({ name: 'demo', file: demoFile, startedAt: '2026-06-01T00:00:00Z', targets: [{ target: 'simulated-gpt-5-mini' }] }),
      );
      const demo = scanDemo(demoFile, demoRuns)!;
      assert.equal(demo.demo, true);
      assert.equal(demo.label, 'Demo');
      assert.equal(demo.name, 'demo');
      assert.equal(demo.file, demoFile);
      assert.match(demo.description, /kept in extension storage/);
      assert.deepEqual(
        demo.runs.map((r) => r.id),
        ['2026-06-01T00-00-00-demo'],
      );
      assert.deepEqual(
        demo.targets.map((t) => [t.name, t.runs.length, t.needsKey]),
        [['simulated-gpt-5-mini', 1, false]],
      );
    } finally {
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
