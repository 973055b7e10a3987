// The capacity view's model (webview-ui/src/model/capacity.ts) on a real search: fixtures/capacity.json
// was written by `perflab capacity` on the built-in simulator (a deployment of 40 slots, 150 ms to
// first token, SLOs ttft.p95 < 800ms and e2e.p95 < 3s; the search ended at 2063 RPM, limited by
// saturation, the first failure at 2125 RPM).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CapacityReport, CapacityTarget } from '../../../src/engine/capacity/types';
import { capacityHeadline, capacityView, currentStepText, latencySlos, limitedText } from '../../../webview-ui/src/model/capacity';

const REPORT: CapacityReport = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'capacity.json'), 'utf8'));

describe('capacity view model', () => {
  const [view] = capacityView(REPORT);
  const target = REPORT.targets[0];
  const steps = target.steps;

  it('the fixture is the search the CLI printed: 10 steps, 2063 RPM, knee at 2125', () => {
    assert.equal(REPORT.targets.length, 1);
    assert.equal(steps.length, 10);
    assert.equal(target.capacity_rpm, 2063);
    assert.deepEqual(target.bracket, { passed: 2063, failed: 2125 });
    assert.equal(view.target, 'slots');
  });

  it('chart A: one point per step at (offered, sent/min), passing and failing apart, and y = x', () => {
    const { passed, failed, reference } = view.achieved;
    assert.equal(passed.length + failed.length, steps.length);
    assert.deepEqual(
      passed.map((p) => [p.step, p.x, p.y]),
      [
        [1, 250, 252],
        [2, 500, 503.9],
        [3, 1000, 1001.8],
        [4, 2000, 2003.9],
        [10, 2063, 2063.8],
      ],
    );
    assert.deepEqual(
      failed.map((p) => [p.step, p.x, p.y]),
      [
        [5, 4000, 3719.8],
        [6, 3000, 2999.7],
        [7, 2500, 2501.9],
        [8, 2250, 2249.9],
        [9, 2125, 2130],
      ],
    );
    assert.ok(passed.every((p) => p.passed) && failed.every((p) => !p.passed));
    // The reference spans from the origin to the largest rate offered or sent, on y = x.
    assert.deepEqual(reference?.points, [
      { x: 0, y: 0 },
      { x: 4000, y: 4000 },
    ]);
  });

  it('the answer and the knee are vertical markers at 2063 and 2125 RPM offered', () => {
    const byKind = Object.fromEntries(view.achieved.markers.map((m) => [m.kind, m]));
    assert.deepEqual(Object.keys(byKind), ['capacity', 'knee']);
    assert.equal(byKind.capacity.rpm, 2063);
    assert.deepEqual(byKind.capacity.points, [
      { x: 2063, y: 0 },
      { x: 2063, y: 4000 },
    ]);
    assert.equal(byKind.knee.rpm, 2125);
    assert.deepEqual(
      byKind.knee.points.map((p) => p.x),
      [2125, 2125],
    );
    assert.equal(byKind.capacity.label, 'Capacity: 2,063 RPM');
    assert.equal(byKind.knee.label, 'Knee: fails at 2,125 RPM');
    // On chart B (x = sent/min) each marker sits where its step was sent.
    const latency = Object.fromEntries(view.latency.markers.map((m) => [m.kind, m]));
    assert.deepEqual(
      latency.capacity.points.map((p) => p.x),
      [2063.8, 2063.8],
    );
    assert.deepEqual(
      latency.knee.points.map((p) => p.x),
      [2130, 2130],
    );
    // …from 0 to the highest latency drawn (E2E p95 of the 4000 RPM step).
    assert.deepEqual(
      latency.capacity.points.map((p) => p.y),
      [0, 7413.759],
    );
  });

  it('chart B: TTFT and E2E p50/p95 of every step against sent/min, sorted by x', () => {
    assert.deepEqual(
      view.latency.series.map((s) => s.id),
      ['ttft_p50', 'ttft_p95', 'e2e_p50', 'e2e_p95'],
    );
    const sortedX = [...steps.map((s) => s.achieved_rpm)].sort((a, b) => a - b);
    for (const s of view.latency.series) {
      assert.equal(s.points.length, steps.length, s.id);
      assert.deepEqual(
        s.points.map((p) => p.x),
        sortedX,
        s.id,
      );
    }
    const p95 = view.latency.series.find((s) => s.id === 'ttft_p95')!;
    // The lowest rate first; the 4000 RPM step (sent 3719.8/min) last, failed, at 6406 ms.
    assert.deepEqual(p95.points[0], { x: 252, y: 161.535, step: 1, passed: true });
    assert.deepEqual(p95.points.at(-1), { x: 3719.8, y: 6406.143, step: 5, passed: false });
    // The answer (2063.8/min) comes before the knee (2130/min) and is the last passing point.
    const answer = p95.points.findIndex((p) => p.step === 10);
    assert.equal(p95.points[answer + 1].step, 9);
    assert.ok(p95.points.slice(answer + 1).every((p) => !p.passed));
    const e2e = view.latency.series.find((s) => s.id === 'e2e_p95')!;
    assert.equal(e2e.points.find((p) => p.step === 7)!.y, 3246.079);
  });

  it('SLO lines at 800 and 3000 ms from the report’s SLO texts; failures < 1% draws none', () => {
    assert.deepEqual(REPORT.slos, ['ttft.p95 < 800ms', 'e2e.p95 < 3s', 'failures < 1%']);
    assert.deepEqual(
      view.latency.slos.map((s) => [s.slo, s.metric, s.value, s.label]),
      [
        ['ttft.p95 < 800ms', 'ttft', 800, 'SLO ttft.p95 < 800ms'],
        ['e2e.p95 < 3s', 'e2e', 3000, 'SLO e2e.p95 < 3s'],
      ],
    );
    // Horizontal, across the chart's x range (0 to the highest sent/min).
    for (const s of view.latency.slos) {
      assert.deepEqual(s.points, [
        { x: 0, y: s.value },
        { x: 3719.8, y: s.value },
      ]);
    }
    // An unreadable SLO text is skipped, not thrown.
    assert.deepEqual(latencySlos(['ttft.p95 < fast', 'e2e.p99 <= 2.5s', 'rpm >= 10']), [{ slo: 'e2e.p99 <= 2.5s', metric: 'e2e', value: 2500 }]);
  });

  it('the headline: 2063 RPM, saturation, the detail, goodput, headroom and the search status', () => {
    const h = view.headline;
    assert.equal(h.answer, '2,063 RPM');
    assert.equal(h.capacity_rpm, 2063);
    assert.equal(h.limited_by, 'saturation');
    assert.match(h.limitedText, /^limited by saturation: the deployment fell behind/);
    assert.equal(h.detail, target.detail);
    assert.equal(h.lower_bound, false);
    assert.equal(h.search, 'complete');
    assert.match(h.searchText, /^search complete/);
    const facts = Object.fromEntries(h.facts.map((f) => [f.id, f]));
    assert.deepEqual(Object.keys(facts), ['goodput', 'headroom', 'steps']);
    assert.equal(facts.goodput.text, '2,062.5 RPM');
    assert.equal(facts.goodput.note, '3,437.5 output tokens/s within the SLOs');
    assert.equal(facts.headroom.text, '×1.38');
    assert.equal(facts.headroom.note, "over the scenario's 1,500 RPM");
    assert.equal(facts.steps.text, '10');
    assert.equal(facts.steps.note, 'holds at 2,063, fails at 2,125');
  });

  it('the headline of a lower bound, a provisioned deployment, nothing found, and a search still running', () => {
    const base: CapacityTarget = structuredClone(target);
    const client = capacityHeadline({ ...base, limited_by: 'client', lower_bound: true, headroom: 0.9 });
    assert.equal(client.answer, 'at least 2,063 RPM');
    assert.match(client.limitedText, /this machine/);
    assert.match(client.facts.find((f) => f.id === 'headroom')!.note!, /less than the 10% to plan for/);

    const ptu = capacityHeadline({ ...base, per_ptu_rpm: 41.26, ptus_needed: 40 });
    assert.deepEqual(
      ptu.facts.filter((f) => f.id === 'per_ptu' || f.id === 'ptus_needed').map((f) => [f.text, f.note]),
      [
        ['41.3 RPM', undefined],
        ['40', 'to carry 1,500 RPM with 10% headroom'],
      ],
    );

    const none = capacityHeadline({
      ...base,
      capacity_rpm: null,
      goodput_rpm: null,
      goodput_tokens_per_s: null,
      headroom: null,
      bracket: { passed: null, failed: 250 },
    });
    assert.equal(none.answer, 'none found');
    assert.ok(!none.facts.some((f) => f.id === 'goodput' || f.id === 'headroom'));
    assert.equal(none.facts.find((f) => f.id === 'steps')!.note, 'holds at –, fails at 250');

    const running = capacityHeadline({ ...base, search: 'running', capacity_rpm: null, limited_by: null, steps: [], bracket: { passed: null, failed: null } });
    assert.equal(running.answer, 'searching…');
    assert.equal(running.limitedText, 'not limited yet: still searching');
    assert.equal(limitedText('slo:ttft.p95 < 800ms'), 'limited by the SLO ttft.p95 < 800ms: the deployment answered too slowly or failed too often');
  });

  it('a target with no step yet draws nothing (no lines, no markers)', () => {
    const empty = structuredClone(REPORT);
    empty.targets[0].steps = [];
    const [v] = capacityView(empty);
    assert.deepEqual(v.achieved, { passed: [], failed: [], reference: null, markers: [] });
    assert.deepEqual(v.latency, { series: [], slos: [], markers: [] });
    assert.deepEqual(v.steps, []);
  });

  it('the steps table: one row per step in search order, with the CLI’s verdicts and the run folder', () => {
    assert.equal(view.steps.length, steps.length);
    assert.deepEqual(
      view.steps.map((r) => [r.step, r.offered_rpm, r.verdict]),
      [
        [1, 250, 'pass'],
        [2, 500, 'pass'],
        [3, 1000, 'pass'],
        [4, 2000, 'pass'],
        [5, 4000, 'FAIL saturation'],
        [6, 3000, 'FAIL saturation'],
        [7, 2500, 'FAIL saturation'],
        [8, 2250, 'FAIL saturation'],
        [9, 2125, 'FAIL saturation'],
        [10, 2063, 'pass'],
      ],
    );
    const five = view.steps[4];
    assert.equal(five.run_dir, 'slots/step-05-4000rpm');
    assert.equal(five.error_rate, 0.2875);
    assert.equal(five.reasons.length, 6);
    assert.match(five.reasons[0], /^TTFT grew from 2443 ms to 6399 ms/);
    assert.equal(view.steps[9].goodput_rpm, 2062.5);
  });

  it('the live banner: step, offered rate and the bracket, – where unknown', () => {
    assert.equal(
      currentStepText({ target: 'slots', index: 5, offered_rpm: 4000, bracket: { passed: 2000, failed: null } }),
      'Step 5 at 4,000 RPM — holds at 2,000, fails at –',
    );
    assert.equal(
      currentStepText({ target: 'slots', index: 1, offered_rpm: 250, bracket: { passed: null, failed: null } }),
      'Step 1 at 250 RPM — holds at –, fails at –',
    );
  });
});
