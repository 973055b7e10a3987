// Panel tabs: what a run folder is (run.json, else summary.json, else its name) and titles with the
// start time, so two tabs never share one title.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { compareTitle, formatStartTime, runIdentity, runPanelTitle } from '../../../src/extension/panel-titles';
import { tempDir, writeFile } from './helpers';

describe('panel titles', () => {
  it('reads a run folder from run.json, then summary.json, then its name', () => {
    const root = tempDir();
    const running = path.join(root, 'a');
    writeFile(
      path.join(running, 'run.json'),
      JSON.stringify({ scenario: { name: 'quickstart', file: '/w/q.perf.yaml' }, started_at: '2026-12-06T14:02:31.000Z' }),
    );
    assert.deepEqual(runIdentity(running), { scenarioFile: '/w/q.perf.yaml', scenarioName: 'quickstart', startedAt: new Date('2026-12-06T14:02:31.000Z') });
    const old = path.join(root, 'b');
    writeFile(path.join(old, 'run.json'), '{"scenario": {"na');
    writeFile(path.join(old, 'summary.json'), JSON.stringify({ type: 'summary', scenario: { name: 'old' }, started_at: 'not a date', targets: [] }));
    assert.deepEqual(runIdentity(old), { scenarioFile: null, scenarioName: 'old', startedAt: null });
    assert.deepEqual(runIdentity(path.join(root, '2026-12-06T14-02-31-gone')), {
      scenarioFile: null,
      scenarioName: '2026-12-06T14-02-31-gone',
      startedAt: null,
    });
  });

  it('titles say the time (and the day when it is not today)', () => {
    const now = new Date(2026, 11, 6, 18, 0, 0);
    assert.equal(formatStartTime(new Date(2026, 11, 6, 14, 2, 31), now), '14:02:31');
    assert.equal(formatStartTime(new Date(2026, 11, 5, 9, 5, 1), now), '2026-12-05 09:05:01');
    assert.equal(runPanelTitle('quickstart', new Date(2026, 11, 6, 14, 2, 31), now), 'Run: quickstart · 14:02:31');
    assert.equal(runPanelTitle('quickstart', null, now), 'Run: quickstart');
    assert.notEqual(runPanelTitle('q', new Date(2026, 11, 6, 14, 2, 31), now), runPanelTitle('q', new Date(2026, 11, 6, 14, 2, 32), now));
  });

  it('compare titles: the targets of one run, runs of one target, runs of different scenarios', () => {
    const now = new Date(2026, 11, 6, 18, 0, 0);
    const at = (s: number) => new Date(2026, 11, 6, 14, 2, s);
    assert.equal(compareTitle([{ scenarioName: 'two', startedAt: at(1), targets: ['fast', 'slow'] }], now), 'Compare: two · 14:02:01');
    assert.equal(
      compareTitle(
        [
          { scenarioName: 'two', startedAt: at(1), targets: ['fast'] },
          { scenarioName: 'two', startedAt: at(40), targets: ['fast'] },
        ],
        now,
      ),
      'Compare: two · fast · 14:02:01 vs 14:02:40',
    );
    assert.equal(
      compareTitle(
        [
          { scenarioName: 'a', startedAt: at(1), targets: ['x'] },
          { scenarioName: 'b', startedAt: null, targets: ['y'] },
        ],
        now,
      ),
      'Compare: a 14:02:01 vs b ?',
    );
  });
});
