// server-metrics.jsonl as the run reader gives it (src/results/run-files.ts): streamed sample by sample,
// Azure Monitor's latest value per minute (a later fetch appends what Azure filled in late), unreadable
// lines counted, the series the panels draw; a run without the file has none. And the file is one of
// the run folder's files (src/results/files.ts): `--out` refuses a folder holding only it, and
// `--overwrite` clears it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readServerSamples } from '../../../src/engine/server-metrics/samples-file';
import type { ServerSample } from '../../../src/engine/server-metrics/types';
import { RUN_FILES, runFilesIn, SERVER_METRICS_FILE } from '../../../src/results/files';
import { forEachServerSample, readRunFiles } from '../../../src/results/run-files';
import { serverSeriesFromSamples } from '../../../src/results/server-series';
import { perflab, tmp } from '../helpers/run-cli';
import { copyRun, realRun, type RealRun } from '../shared/real-run';

const azure = (minute: number, value: number): ServerSample => ({
  t: minute * 60,
  time: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
  target: 'fast',
  source: 'azure-monitor',
  resource: '/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/contoso',
  name: 'AzureOpenAIRequests',
  labels: { modeldeploymentname: 'gpt-5-mini' },
  value,
  aggregation: 'total',
  unit: 'Count',
});

describe('results: server-metrics.jsonl', function () {
  this.timeout(120_000);
  let run: RealRun;
  before(async () => {
    run = await realRun();
  });

  it('streams the scrapes in order, then Azure’s latest value per minute; counts a half-written line', async () => {
    const dir = copyRun(run.dir);
    const file = path.join(dir, SERVER_METRICS_FILE);
    const scraped = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ServerSample);
    assert.ok(scraped.length > 20 && scraped.every((s) => s.source === 'prometheus' && s.target === 'fast'), 'the real run scraped its `fast` target');
    // Two fetches: the second has a new value for minute 1 (late data) and adds minute 2.
    fs.appendFileSync(
      file,
      [azure(0, 10), azure(1, 12), azure(1, 15), azure(2, 7)].map((s) => JSON.stringify(s)).join('\n') + '\n{"t": 3, "time": "2026-01-01T10:0',
    );
    const seen: ServerSample[] = [];
    const { unreadable } = await forEachServerSample(dir, (s) => seen.push(s));
    assert.equal(unreadable, 1);
    assert.deepEqual(seen.slice(0, scraped.length), scraped);
    assert.deepEqual(
      seen.slice(scraped.length).map((s) => [s.time.slice(11, 16), s.value]),
      [
        ['10:00', 10],
        ['10:01', 15],
        ['10:02', 7],
      ],
    );
    // The engine's whole-file reader agrees on the set of samples.
    const sorted = (list: ServerSample[]) => list.map((s) => JSON.stringify(s)).sort();
    assert.deepEqual(sorted(seen), sorted(readServerSamples(dir)));

    const files = await readRunFiles(dir);
    assert.equal(files.unreadableLines, 1);
    assert.deepEqual(files.server, serverSeriesFromSamples(seen, files.scenario.aggregation_window_s));
    assert.ok(files.server.some((s) => s.source === 'azure-monitor' && s.stepped));
    assert.ok(files.server.some((s) => s.id === 'ttft_p50' && s.points.some((p) => p.y !== null)));
  });

  it('a run without server metrics (or recorded before them) has no server series', async () => {
    const dir = copyRun(run.dir);
    fs.rmSync(path.join(dir, SERVER_METRICS_FILE));
    assert.deepEqual((await readRunFiles(dir)).server, []);
    let called = false;
    assert.deepEqual(await forEachServerSample(dir, () => (called = true)), { unreadable: 0 });
    assert.equal(called, false);
  });

  it('is a run file: --out refuses a folder holding it, --overwrite clears it', async () => {
    assert.ok((RUN_FILES as readonly string[]).includes(SERVER_METRICS_FILE));
    const out = path.join(tmp(), 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, SERVER_METRICS_FILE), JSON.stringify(azure(0, 1)) + '\n');
    assert.deepEqual(runFilesIn(out), [SERVER_METRICS_FILE]);
    const scenario = path.join(path.dirname(out), 'plain.perf.yaml');
    fs.writeFileSync(
      scenario,
      'targets:\n  - name: t\n    endpoint: simulator\n    model: gpt-5-mini\nworkload: { mode: closed, clients: 1, requests: 2 }\nprompts: { shape: custom, context_tokens: 40, max_tokens: 2 }\n',
    );
    const refused = await perflab(['run', scenario, '--out', out]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already holds a run \(server-metrics\.jsonl\)/);
    const replaced = await perflab(['run', scenario, '--out', out, '--overwrite']);
    assert.equal(replaced.code, 0, replaced.stderr);
    // This scenario scrapes nothing: the earlier run's samples are gone, not mixed into this run.
    assert.equal(fs.existsSync(path.join(out, SERVER_METRICS_FILE)), false);
  });
});
