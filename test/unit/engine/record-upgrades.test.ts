// A run folder recorded when the chunk-gap metric was still called `itl` (windows, summary, histograms,
// SLOs) reads back exactly like one recorded today (src/engine/record-upgrades.ts via the run reader).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRule } from '../../../src/shared/regression-rules';
import { parseSlo } from '../../../src/engine/scenario/slo';
import { readRunFiles } from '../../../src/results/run-files';
import { copyRun, realRun } from '../shared/real-run';

/** Writes the folder's JSON back with every `chunk_gap` key (and SLO metric) named `itl`, as old runs had it. */
function toOldNames(dir: string): void {
  for (const name of ['summary.json', 'windows.jsonl']) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8').replaceAll('"chunk_gap"', '"itl"');
    assert.ok(text.includes('"itl"'), `${name} had a chunk_gap field to rename`);
    fs.writeFileSync(file, text);
  }
}

describe('engine: reading run folders written with the old `itl` name', function () {
  this.timeout(60_000);

  it('an old run folder reads back with chunk_gap everywhere and the same values', async () => {
    const run = await realRun();
    const dir = copyRun(run.dir);
    // The fixture's SLOs name no chunk gap; give the old summary one the way old scenarios wrote it.
    const summaryFile = path.join(dir, 'summary.json');
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    summary.scenario.slos.push({ ...parseSlo('chunk_gap.p95 < 1s'), text: 'itl.p95 < 1s' });
    fs.writeFileSync(summaryFile, JSON.stringify(summary));
    toOldNames(dir);

    const files = await readRunFiles(dir);
    const fresh = await readRunFiles(run.dir);
    for (const t of files.summary!.targets) {
      const now = fresh.summary!.targets.find((f) => f.target === t.target)!;
      assert.deepEqual(t.latency_ms.chunk_gap, now.latency_ms.chunk_gap, t.target);
      assert.equal('itl' in t.latency_ms, false);
      assert.deepEqual(files.distributions[t.target].chunk_gap, fresh.distributions[t.target].chunk_gap);
    }
    assert.deepEqual(
      files.windows.map((w) => w.chunk_gap),
      fresh.windows.map((w) => w.chunk_gap),
    );
    assert.ok(files.windows.every((w) => !('itl' in w)));
    assert.equal(files.scenario.slos.at(-1)!.metric, 'chunk_gap');
  });

  it('`itl` in SLOs and --fail-on rules still means the chunk gap', () => {
    assert.equal(parseSlo('itl.p95 < 50ms').metric, 'chunk_gap');
    assert.equal(parseSlo('chunk_gap.p95 < 50ms').metric, 'chunk_gap');
    assert.equal(parseRule('itl.p95 > +10%').metric, 'chunk_gap');
    assert.equal(parseRule('chunk_gap.p95 > +10%').metric, 'chunk_gap');
  });
});
