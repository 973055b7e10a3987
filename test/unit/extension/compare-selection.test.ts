// What Compare Runs compares: exactly the runs and targets selected (two runs of one target of a
// two-target scenario → two columns), the shared target of runs picked whole, or a question.
import { strict as assert } from 'node:assert';
import { decideTargets, selectionOf, summaryOfTargets, windowsOfTargets } from '../../../src/extension/compare-selection';
import { runSummary } from './helpers';

const TARGETS: Record<string, string[]> = {
  '/r/1': ['fast', 'slow'],
  '/r/2': ['fast', 'slow'],
  '/r/3': ['fast'],
  '/r/4': ['other'],
  '/r/5': ['fast', 'slow', 'third'],
};
const targetsOf = (dir: string) => TARGETS[dir];

describe('Compare selection', () => {
  it('tree selections keep the target each run was selected under; one run under two targets is one run', () => {
    assert.deepEqual(
      selectionOf([
        { dir: '/r/1', target: 'fast' },
        { dir: '/r/2', target: 'fast' },
      ]),
      [
        { dir: '/r/1', targets: ['fast'] },
        { dir: '/r/2', targets: ['fast'] },
      ],
    );
    assert.deepEqual(
      selectionOf([
        { dir: '/r/1', target: 'fast' },
        { dir: '/r/1/', target: 'slow' },
      ]),
      [{ dir: '/r/1', targets: ['fast', 'slow'] }],
    );
    assert.deepEqual(selectionOf(['/r/1', { dir: '/r/1', target: 'fast' }]), [{ dir: '/r/1', targets: null }], 'a whole run wins');
  });

  it('two runs of one target of a two-target scenario: exactly that target of each', () => {
    const d = decideTargets(
      selectionOf([
        { dir: '/r/1', target: 'fast' },
        { dir: '/r/2', target: 'fast' },
      ]),
      targetsOf,
    );
    assert.deepEqual(d, {
      kind: 'decided',
      selection: [
        { dir: '/r/1', targets: ['fast'] },
        { dir: '/r/2', targets: ['fast'] },
      ],
    });
  });

  it('one run alone compares all its targets', () => {
    assert.deepEqual(decideTargets(selectionOf(['/r/1']), targetsOf), { kind: 'decided', selection: [{ dir: '/r/1', targets: ['fast', 'slow'] }] });
  });

  it('runs picked whole: the one target they share; several shared → ask, then the answer; none shared → everything', () => {
    assert.deepEqual(decideTargets(selectionOf(['/r/1', '/r/3']), targetsOf), {
      kind: 'decided',
      selection: [
        { dir: '/r/1', targets: ['fast'] },
        { dir: '/r/3', targets: ['fast'] },
      ],
    });
    const both = selectionOf(['/r/1', '/r/5']);
    assert.deepEqual(decideTargets(both, targetsOf), { kind: 'ask', choices: ['fast', 'slow'] });
    assert.deepEqual(decideTargets(both, targetsOf, ['slow']), {
      kind: 'decided',
      selection: [
        { dir: '/r/1', targets: ['slow'] },
        { dir: '/r/5', targets: ['slow'] },
      ],
    });
    assert.deepEqual(decideTargets(selectionOf(['/r/3', '/r/4']), targetsOf), {
      kind: 'decided',
      selection: [
        { dir: '/r/3', targets: ['fast'] },
        { dir: '/r/4', targets: ['other'] },
      ],
    });
  });

  it('a whole run beside a run selected under a target takes that target', () => {
    const d = decideTargets(selectionOf([{ dir: '/r/1', target: 'slow' }, '/r/5']), targetsOf);
    assert.deepEqual(d, {
      kind: 'decided',
      selection: [
        { dir: '/r/1', targets: ['slow'] },
        { dir: '/r/5', targets: ['slow'] },
      ],
    });
  });

  it('keeps only the selected targets of a summary (verdicts and histograms too) and of the windows', () => {
    const summary = runSummary({
      name: 'two',
      file: '/w/two.perf.yaml',
      startedAt: '2026-12-06T10:00:00Z',
      targets: [{ target: 'fast' }, { target: 'slow' }],
      slos: [
        { slo: 'ttft.p95 < 200ms', target: 'fast', actual: 100, threshold: 200, unit: 'ms', pass: true },
        { slo: 'ttft.p95 < 200ms', target: 'slow', actual: 300, threshold: 200, unit: 'ms', pass: false },
      ],
    });
    summary.distributions = { fast: {} as never, slow: {} as never };
    const kept = summaryOfTargets(summary, ['fast']);
    assert.deepEqual(
      kept.targets.map((t) => t.target),
      ['fast'],
    );
    assert.deepEqual(
      kept.slos.map((v) => v.target),
      ['fast'],
    );
    assert.deepEqual(Object.keys(kept.distributions!), ['fast']);
    assert.equal(kept.passed, true, 'judged on what is kept');
    assert.equal(summary.targets.length, 2, 'the summary read is not changed');
    const windows = [{ target: 'fast' }, { target: 'slow' }] as never[];
    assert.deepEqual(windowsOfTargets(windows, ['slow']), [{ target: 'slow' }]);
  });
});
