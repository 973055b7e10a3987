// SLO verdicts judge the whole run: `not judged` when there is nothing to judge (never a FAIL or a
// PASS on no data), `incomplete` when an SLO held on the measured requests but too many were cut off
// (cancelled or never sent), and the failure rate says what it counts. Printed the same way by the
// CLI summary, JUnit and the markdown report.

import { strict as assert } from 'node:assert';
import { toJunitXml } from '../../../src/cli/junit';
import { summaryText } from '../../../src/engine/report-text';
import { parseSlo } from '../../../src/engine/scenario/slo';
import { INCOMPLETE_SHARE, verdictStatus } from '../../../src/engine/summary';
import { markdownReport } from '../../../src/shared/markdown-report';
import { startSimulator } from '../../../src/simulator';
import type { RunningSimulator } from '../../../src/simulator/types';
import { runCollect, scenario, target } from './helpers';

describe('SLO verdicts: pass, fail, not judged, incomplete', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  it('a run cut off at the end (on_end: abort) with more than 5% cancelled: a holding SLO is incomplete, not a pass', async () => {
    // Each answer takes ≈ 40 + 40 × 10 ms ≈ 0.45 s; at 20 requests/s about 9 are in flight when the 2 s run ends.
    sim = await startSimulator({ ttft_ms: 40, tpot_ms: 10, jitter: 0 });
    const s = scenario([target(sim.url)], {
      workload: { mode: 'open', rate_rpm: 1200, clients: 50, requests: undefined, duration_s: 2, on_end: 'abort' },
      prompts: { kind: 'shape', profile: 'custom', context_tokens: 40, max_tokens: 40 },
      slos: [parseSlo('ttft.p95 < 5s'), parseSlo('failures < 1%'), parseSlo('e2e.p95 < 1ms')],
    });
    const { summary } = await runCollect(s);
    const t = summary.targets[0];
    assert.ok(t.requests.cancelled / t.requests.sent > INCOMPLETE_SHARE, `${t.requests.cancelled} of ${t.requests.sent} cancelled`);
    const [ttft, failures, e2e] = summary.slos;
    assert.equal(verdictStatus(ttft), 'incomplete');
    assert.equal(ttft.pass, false, 'incomplete never passes a gate');
    assert.match(
      ttft.note!,
      new RegExp(`^${t.requests.cancelled} of ${t.requests.sent} requests were not measured \\(${t.requests.cancelled} cancelled, 0 never sent\\)`),
    );
    assert.equal(verdictStatus(failures), 'incomplete');
    assert.equal(verdictStatus(e2e), 'fail', 'a failing SLO stays a failure: the missing requests would only be slower');
    assert.equal(summary.passed, false);

    const text = summaryText(summary, '/tmp/run');
    assert.match(text, /INCOMPLETE {2}sim: ttft\.p95 < 5s {2}\(actual [\d.]+ms; \d+ of \d+ requests were not measured/);
    assert.match(text, /FAIL {2}sim: e2e\.p95 < 1ms/);
    const junit = toJunitXml(summary);
    assert.match(junit, /<failure type="incomplete" message="INCOMPLETE: ttft\.p95 &lt; 5s/);
    assert.match(junit, /<failure type="fail" message="e2e\.p95 &lt; 1ms not met/);
    assert.match(markdownReport(summary), /\| ⚠️ incomplete \| sim \| `ttft\.p95 < 5s` \|/);
  });

  it('nothing completed: every SLO is not judged, with the reason — never PASS or FAIL on no data', async () => {
    // Answers take ≈ 3 s; the run ends after 1 s and aborts them all.
    sim = await startSimulator({ ttft_ms: 3000, tpot_ms: 1, jitter: 0 });
    const s = scenario([target(sim.url)], {
      workload: { mode: 'open', rate_rpm: 600, clients: 50, requests: undefined, duration_s: 1, on_end: 'abort' },
      slos: [parseSlo('ttft.p95 < 800ms'), parseSlo('failures < 1%')],
    });
    const { summary } = await runCollect(s);
    const r = summary.targets[0].requests;
    assert.ok(r.succeeded === 0 && r.failed === 0 && r.cancelled > 0, JSON.stringify(r));
    for (const v of summary.slos) {
      assert.equal(verdictStatus(v), 'not_judged', `${v.slo}: ${v.status}`);
      assert.equal(v.pass, false);
      assert.equal(v.note, 'no request completed: nothing to judge');
    }
    assert.match(summaryText(summary, '/tmp/run'), /NOT JUDGED {2}sim: ttft\.p95 < 800ms {2}\(actual no data; no request completed/);
  });

  it('a healthy run: PASS, and the failure rate says what it counts', async () => {
    sim = await startSimulator({ ttft_ms: 10, tpot_ms: 1, jitter: 0 });
    const s = scenario([target(sim.url)], { slos: [parseSlo('failures < 1%'), parseSlo('ttfr.p95 < 1s')] });
    const { summary } = await runCollect(s);
    const [failures, ttfr] = summary.slos;
    assert.equal(verdictStatus(failures), 'pass');
    assert.equal(failures.note, '0 of 12 completed requests failed');
    assert.equal(verdictStatus(ttfr), 'not_judged', 'no reasoning streamed: TTFR has no data');
    assert.equal(ttfr.note, 'no measured request had this metric');
    // A summary written before verdicts had a status still reads as it did.
    assert.equal(verdictStatus({ ...failures, status: undefined }), 'pass');
    assert.equal(verdictStatus({ ...failures, status: undefined, pass: false }), 'fail');
  });
});
