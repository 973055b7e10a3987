// The runs of a runs folder (src/results/run-list.ts): each run read cheaply for a list (summary, run.json,
// start time, recorded requests of an unfinished one), which scenario and target it belongs to, and
// deleting a run folder without ever deleting anything else.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deleteRun, readRun, readRuns, runBelongsTo, runHasTarget } from '../../../src/results/run-list';
import { runSummary, tempDir, writeFile } from '../extension/helpers';

function writeRun(runsDir: string, id: string, summary: object | null, requests?: string): string {
  const dir = path.join(runsDir, id);
  fs.mkdirSync(dir, { recursive: true });
  if (summary) writeFile(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  if (requests !== undefined) writeFile(path.join(dir, 'requests.jsonl'), requests);
  return dir;
}

describe('results/run-list', () => {
  let root: string;
  let runs: string;
  let quick: string;

  beforeEach(() => {
    root = tempDir();
    runs = path.join(root, '.perflab', 'runs');
    quick = writeFile(path.join(root, 'quick.perf.yaml'), 'name: quick\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads each run: a finished one by its summary, an unfinished one by run.json or its folder name, newest first', () => {
    writeRun(
      runs,
      '2026-01-01T10-00-00-quick',
      runSummary({ name: 'quick', file: quick, startedAt: '2026-01-01T10:00:00.000Z', targets: [{ target: 'sim' }] }),
    );
    const going = writeRun(runs, 'my-folder', null, `${JSON.stringify({ type: 'request', target: 'sim' })}\n{"type":"req`);
    writeFile(path.join(going, 'run.json'), JSON.stringify({ scenario: { name: 'quick', file: quick }, started_at: '2026-01-03T10:00:00.000Z' }));
    writeRun(runs, '2026-01-02T10-00-00-quick', null);
    writeFile(path.join(runs, 'stray-file.txt'), 'not a run');
    const all = readRuns(runs);
    assert.deepEqual(
      all.map((r) => [r.id, r.startedAt?.toISOString(), r.summary !== null, r.recorded && Object.fromEntries(r.recorded)]),
      [
        ['my-folder', '2026-01-03T10:00:00.000Z', false, { '*': 2, sim: 1 }],
        ['2026-01-02T10-00-00-quick', '2026-01-02T10:00:00.000Z', false, { '*': 0 }],
        ['2026-01-01T10-00-00-quick', '2026-01-01T10:00:00.000Z', true, null],
      ],
    );
    // Each belongs to quick.perf.yaml: by the file in its summary or run.json, or by its folder's name.
    for (const r of all) assert.equal(runBelongsTo(r, quick, 'quick'), true, r.id);
    for (const r of all) assert.equal(runBelongsTo(r, path.join(root, 'other.perf.yaml'), 'other'), false, r.id);
    // Only the finished run knows its targets; an unfinished one may belong to any.
    assert.deepEqual(
      all.map((r) => [runHasTarget(r, 'sim'), runHasTarget(r, 'gone')]),
      [
        [true, true],
        [true, true],
        [true, false],
      ],
    );
    assert.deepEqual(readRuns(path.join(root, 'missing')), []);
  });

  it('a damaged summary.json: the run is read as unfinished and says why', () => {
    const dir = writeRun(runs, '2026-01-01T10-00-00-quick', null, '');
    writeFile(path.join(dir, 'summary.json'), '{"type": "summ');
    const r = readRun(dir);
    assert.equal(r.summary, null);
    assert.match(r.summaryProblem!, /summary\.json: not valid JSON/);
    writeFile(path.join(dir, 'summary.json'), '{"type": "window"}');
    assert.match(readRun(dir).summaryProblem!, /summary\.json: not a run summary$/);
  });

  describe('deleteRun', () => {
    it('deletes a run folder inside the runs folder', () => {
      const dir = writeRun(runs, 'r1', runSummary({ name: 'quick', file: quick, startedAt: '2026-01-01T00:00:00Z', targets: [{ target: 'sim' }] }));
      deleteRun(dir, runs);
      assert.equal(fs.existsSync(dir), false);
      assert.equal(fs.existsSync(runs), true);
      const incomplete = writeRun(runs, 'r2', null, '');
      deleteRun(path.join(runs, '..', 'runs', 'r2'), runs);
      assert.equal(fs.existsSync(incomplete), false);
    });

    it('refuses anything outside the runs folder, the runs folder itself, deeper folders, symlinks and non-runs', () => {
      const outside = writeRun(root, 'outside', null, '');
      const deep = writeRun(path.join(runs, 'r1'), 'inner', null, '');
      writeFile(path.join(runs, 'r1', 'requests.jsonl'), '');
      const notRun = path.join(runs, 'not-a-run');
      writeFile(path.join(notRun, 'notes.txt'), 'keep');
      const link = path.join(runs, 'link');
      fs.symlinkSync(outside, link);
      assert.throws(() => deleteRun(outside, runs), /not a run folder inside the runs folder/);
      assert.throws(() => deleteRun(path.join(runs, '..', '..', 'outside'), runs), /not a run folder inside/);
      assert.throws(() => deleteRun(runs, runs), /not a run folder inside/);
      assert.throws(() => deleteRun(root, runs), /not a run folder inside/);
      assert.throws(() => deleteRun(deep, runs), /not a run folder inside/);
      assert.throws(() => deleteRun(link, runs), /symbolic link/);
      assert.throws(() => deleteRun(notRun, runs), /does not look like a run/);
      assert.throws(() => deleteRun(path.join(runs, 'nope'), runs), /does not exist/);
      assert.throws(() => deleteRun(quick, runs), /not a folder/);
      for (const kept of [outside, deep, notRun, quick, path.join(runs, 'r1')]) assert.ok(fs.existsSync(kept), kept);
    });
  });
});
