// Reading a run folder back (src/results/run-files.ts) on a real run and on damaged / unfinished copies
// of it: half-written lines are counted not thrown, distributions come from the summary or are rebuilt
// from requests.jsonl, an unfinished run still has a scenario, a broken summary names its file.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addToDistribution, DistributionTally, emptyTargetDistributions } from '../../../src/engine/distribution';
import type { RequestRecord } from '../../../src/engine/records';
import { countRequests, forEachRequest, readRunFiles, readRunMeta, readSummaryFile, readWindows, RunFilesError } from '../../../src/results/run-files';
import { copyRun, realRun, tempDir, type RealRun } from '../shared/real-run';

describe('results/run-files', function () {
  this.timeout(60_000);
  let run: RealRun;
  before(async () => {
    run = await realRun();
  });

  it('a finished run: its summary, the scenario as run, every window, nothing unreadable', async () => {
    const files = await readRunFiles(run.dir);
    assert.equal(files.dir, run.dir);
    assert.deepEqual(files.summary, run.summary);
    assert.deepEqual(files.scenario, run.summary.scenario);
    assert.deepEqual(files.windows, run.windows);
    assert.equal(files.unreadableLines, 0);
    for (const t of run.summary.targets) {
      assert.equal(files.distributions[t.target].ttft.count, t.latency_ms.ttft.count, t.target);
      assert.equal(files.distributions[t.target].chunk_gap.count, t.latency_ms.chunk_gap.count, t.target);
      assert.equal(files.distributions[t.target].prompt_tokens.sum, t.tokens.prompt, t.target);
    }
  });

  it('a summary without distributions (an older run): rebuilt from requests.jsonl with the tally’s rules', async () => {
    const dir = copyRun(run.dir);
    const { distributions, ...older } = run.summary;
    void distributions;
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(older));
    const files = await readRunFiles(dir);
    const tally = new DistributionTally();
    for (const r of run.records) tally.add(r);
    assert.deepEqual(files.distributions, JSON.parse(JSON.stringify(tally.toJSON())));
    assert.deepEqual(Object.keys(files.distributions).sort(), ['fast', 'slow']);
    for (const t of run.summary.targets) {
      assert.equal(files.distributions[t.target].ttft.count, t.latency_ms.ttft.count, t.target);
      assert.equal(files.distributions[t.target].prompt_tokens.sum, t.tokens.prompt, t.target);
    }
  });

  it('a summary that carries distributions: those are used, requests.jsonl is not read', async () => {
    const dir = copyRun(run.dir);
    const own = emptyTargetDistributions();
    addToDistribution(own.ttft, 12.5);
    const summary = { ...run.summary, distributions: { fast: own } };
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
    // A broken requests file would be counted if it were read.
    fs.appendFileSync(path.join(dir, 'requests.jsonl'), 'not json\n');
    const files = await readRunFiles(dir);
    assert.deepEqual(files.distributions, { fast: own });
    assert.equal(files.unreadableLines, 0);
  });

  it('a half-written last line (a run still going) is counted in unreadableLines, not thrown', async () => {
    const dir = copyRun(run.dir);
    fs.rmSync(path.join(dir, 'summary.json'));
    fs.appendFileSync(path.join(dir, 'windows.jsonl'), '{"type":"window","target":"fast","t":9,"rp');
    fs.appendFileSync(path.join(dir, 'requests.jsonl'), '{"type":"request","id":1234,"tar');
    const files = await readRunFiles(dir);
    assert.equal(files.summary, null);
    assert.deepEqual(files.windows, run.windows);
    // One line from each file.
    assert.equal(files.unreadableLines, 2);
    // The complete records are all in the rebuilt distributions.
    const tally = new DistributionTally();
    for (const r of run.records) tally.add(r);
    assert.deepEqual(files.distributions, JSON.parse(JSON.stringify(tally.toJSON())));
  });

  it('lines of another type and blank lines: the former counted, the latter ignored', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'windows.jsonl'),
      `${JSON.stringify(run.windows[0])}\n\n   \n{"type":"request"}\n[1,2]\nnull\n${JSON.stringify(run.windows[1])}\n`,
    );
    const { values, unreadable } = readWindows(dir);
    assert.deepEqual(values, [run.windows[0], run.windows[1]]);
    assert.equal(unreadable, 3);
    assert.deepEqual(readWindows(path.join(dir, 'missing')), { values: [], unreadable: 0 });
  });

  it('forEachRequest streams every request record in file order (CRLF files too)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'requests.jsonl'), run.records.map((r) => JSON.stringify(r)).join('\r\n') + '\r\n{"type":"window"}\r\n');
    const seen: RequestRecord[] = [];
    const { unreadable } = await forEachRequest(dir, (r) => seen.push(r));
    assert.deepEqual(seen, run.records);
    assert.equal(unreadable, 1);
    assert.deepEqual(await forEachRequest(path.join(dir, 'none'), () => assert.fail()), { unreadable: 0 });
  });

  it('countRequests: every line under *, and per target; a cut-off line counts under * only', () => {
    const dir = copyRun(run.dir);
    fs.appendFileSync(path.join(dir, 'requests.jsonl'), '{"type":"request","id":1234,"tar');
    const perTarget = (t: string) => run.records.filter((r) => r.target === t).length;
    assert.ok(perTarget('fast') > 0 && perTarget('slow') > 0);
    assert.deepEqual(Object.fromEntries(countRequests(dir)), { '*': run.records.length + 1, fast: perTarget('fast'), slow: perTarget('slow') });
    assert.deepEqual(Object.fromEntries(countRequests(tempDir())), { '*': 0 });
  });

  it('readRunMeta: run.json as the engine writes it; null when missing, damaged or nameless', () => {
    const meta = readRunMeta(run.dir);
    assert.deepEqual(meta, { scenario: { name: run.summary.scenario.name, file: run.scenarioFile }, started_at: run.summary.started_at });
    const dir = tempDir();
    assert.equal(readRunMeta(dir), null);
    fs.writeFileSync(path.join(dir, 'run.json'), '{"scenario": {"na');
    assert.equal(readRunMeta(dir), null);
    fs.writeFileSync(path.join(dir, 'run.json'), '{"scenario": {"file": "/x.perf.yaml"}}');
    assert.equal(readRunMeta(dir), null);
    fs.writeFileSync(path.join(dir, 'run.json'), '{"scenario": {"name": "n", "file": 7}}');
    assert.deepEqual(readRunMeta(dir), { scenario: { name: 'n' } });
  });

  it('an unfinished run: the scenario read from the file named in run.json', async () => {
    const dir = copyRun(run.dir);
    fs.rmSync(path.join(dir, 'summary.json'));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    assert.equal(meta.scenario.file, run.scenarioFile);
    const files = await readRunFiles(dir);
    assert.equal(files.summary, null);
    assert.deepEqual(files.scenario, run.scenario);
    assert.equal(files.scenario.targets[0].model, 'gpt-5-mini');
  });

  it('an unfinished run whose scenario file is gone (or no longer valid): a minimal scenario named from run.json, targets from the windows', async () => {
    const dir = copyRun(run.dir);
    fs.rmSync(path.join(dir, 'summary.json'));
    const missing = path.join(tempDir(), 'gone.perf.yaml');
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ scenario: { name: 'nightly load', file: missing }, started_at: run.summary.started_at }));
    const files = await readRunFiles(dir);
    assert.equal(files.scenario.name, 'nightly load');
    assert.deepEqual(
      files.scenario.targets.map((t) => t.name),
      ['fast', 'slow'],
    );
    assert.deepEqual(files.scenario.slos, []);
    assert.equal(files.scenario.aggregation_window_s, run.windows[0].window_s);
    assert.equal(files.scenario.workload.mode, 'closed');

    // A scenario file that no longer validates: the same fallback, not an exception.
    const broken = path.join(tempDir(), 'broken.perf.yaml');
    fs.writeFileSync(broken, 'name: x\ntargets: 7\n');
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ scenario: { name: 'edited since', file: broken } }));
    const again = await readRunFiles(dir);
    assert.equal(again.scenario.name, 'edited since');
    assert.deepEqual(
      again.scenario.targets.map((t) => t.name),
      ['fast', 'slow'],
    );

    // No run.json at all: named after the folder.
    fs.rmSync(path.join(dir, 'run.json'));
    const bare = await readRunFiles(dir);
    assert.equal(bare.scenario.name, path.basename(dir));
    assert.deepEqual(
      bare.scenario.targets.map((t) => t.name),
      ['fast', 'slow'],
    );
  });

  it('a run that wrote nothing yet: empty windows and distributions, no throw', async () => {
    const dir = path.join(tempDir(), 'just-started');
    fs.mkdirSync(dir);
    const files = await readRunFiles(dir);
    assert.deepEqual([files.summary, files.windows, files.distributions, files.unreadableLines], [null, [], {}, 0]);
    assert.deepEqual(files.scenario.targets, []);
  });

  it('a broken summary.json: RunFilesError naming the file; a missing folder: RunFilesError too', async () => {
    const dir = copyRun(run.dir);
    const file = path.join(dir, 'summary.json');
    fs.writeFileSync(file, '{"type":"summary","targets":[');
    await assert.rejects(readRunFiles(dir), (e: Error) => e instanceof RunFilesError && e.message.startsWith(file) && /not valid JSON/.test(e.message));
    fs.writeFileSync(file, '{"type":"window","targets":[]}');
    await assert.rejects(readRunFiles(dir), (e: Error) => e instanceof RunFilesError && e.message === `${file}: not a run summary`);
    fs.writeFileSync(file, 'null');
    assert.throws(
      () => readSummaryFile(dir),
      (e: Error) => e instanceof RunFilesError && e.message === `${file}: not a run summary`,
    );
    const gone = path.join(tempDir(), 'nope');
    await assert.rejects(readRunFiles(gone), (e: Error) => e instanceof RunFilesError && e.message.includes(gone));
  });
});
