// What the output channel and the end-of-run notification say: throttling (HTTP 429 responses and
// requests that ended throttled), cancelled and never-sent requests, and each verdict's status.
import { strict as assert } from 'node:assert';
import type { SloVerdict } from '../../../src/engine/summary';
import { endOfRunMessage, targetLogLine, verdictLogLine, verdictPhrase } from '../../../src/extension/run-report';
import { runSummary, targetSummary } from './helpers';

function throttledTarget() {
  const t = targetSummary({ target: 'paygo', completed: 108, failed: 40 });
  t.requests = { ...t.requests, sent: 120, throttled_responses: 784, attempts: 883, retried: 60, cancelled: 12, errors: { throttled: 40 } };
  t.schedule = { ...t.schedule, unsent: 7 };
  return t;
}

const v = (status: SloVerdict['status'], o: Partial<SloVerdict> = {}): SloVerdict => ({
  slo: 'ttft.p95 < 800ms',
  target: 'a',
  actual: 100,
  threshold: 800,
  unit: 'ms',
  pass: status === 'pass',
  status,
  ...o,
});

describe('end-of-run text', () => {
  it('a target line counts throttled, cancelled and never-sent requests, not just ok / failed', () => {
    const line = targetLogLine(throttledTarget());
    assert.match(line, /^paygo: 120 sent, 68 ok, 40 failed \(40 ended throttled\); /);
    assert.match(line, /784 throttled responses \(HTTP 429\) of 883 attempts, 60 retried/);
    assert.match(line, /12 cancelled, 7 never sent/);
  });

  it('a verdict line says its status and note; old verdicts without a status read from pass', () => {
    assert.equal(
      verdictLogLine(v('incomplete', { note: '41 of 132 requests were not measured' })),
      'INCOMPLETE a: ttft.p95 < 800ms (actual 100 ms; 41 of 132 requests were not measured)',
    );
    assert.equal(
      verdictLogLine(v('not_judged', { actual: null, note: 'no request completed: nothing to judge' })),
      'NOT JUDGED a: ttft.p95 < 800ms (actual no data; no request completed: nothing to judge)',
    );
    assert.equal(
      verdictLogLine({ slo: 'failures < 2%', target: 'b', actual: 0.25, threshold: 0.02, unit: 'ratio', pass: false }),
      'FAIL b: failures < 2% (actual 25.00%)',
    );
  });

  it('the verdict phrase counts each status; an empty run is "not judged", not failed', () => {
    assert.equal(verdictPhrase([]), '');
    assert.equal(verdictPhrase([v('pass'), v('pass')]), ' — all 2 SLOs met');
    assert.equal(verdictPhrase([v('not_judged'), v('not_judged')]), ' — 2 of 2 SLOs not judged');
    assert.equal(verdictPhrase([v('fail'), v('incomplete'), v('not_judged'), v('pass')]), ' — 1 SLO failed, 1 incomplete, 1 not judged, 1 met');
    assert.equal(verdictPhrase([v('incomplete'), v('pass')]), ' — 1 of 2 SLOs incomplete, 1 met');
  });

  it('the notification names throttling and unfinished work over all targets', () => {
    const summary = runSummary({
      name: 'compare-deployments',
      file: '/w/c.perf.yaml',
      startedAt: '2026-12-06T10:00:00Z',
      targets: [{ target: 'ptu' }],
      slos: [v('incomplete'), v('fail')],
    });
    summary.targets.push(throttledTarget());
    assert.equal(
      endOfRunMessage(summary),
      '"compare-deployments" finished — 1 SLO failed, 1 incomplete · 784 throttled responses (HTTP 429), 40 requests ended throttled · 12 cancelled · 7 never sent.',
    );
    const clean = runSummary({
      name: 'q',
      file: '/w/q.perf.yaml',
      startedAt: '2026-12-06T10:00:00Z',
      targets: [{ target: 'a' }],
      stoppedBy: 'stop',
      slos: [v('pass')],
    });
    assert.equal(endOfRunMessage(clean), '"q" stopped — all SLOs met.');
  });
});
