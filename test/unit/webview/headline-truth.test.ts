// The headline tells the truth at a glance: throttling (429s, retries, backoff) and unmeasured work
// (cancelled, never sent) get a card and a banner, the errors card says what it counts, and SLO
// verdicts carry their status (not judged / incomplete are neither pass nor fail).
import { strict as assert } from 'node:assert';
import type { RunSummary, SloVerdict } from '../../../src/engine/summary';
import { formatDuration, formatPercent } from '../../../webview-ui/src/model/format';
import { headlineFromSummary, RunViewModel, sloOutcome, type Headline } from '../../../webview-ui/src/model/view-model';
import { runSummary } from '../extension/helpers';
import { scenario, win } from './fixtures';

const card = (h: Headline, id: string) => h.cards.find((c) => c.id === id);

/** Issue 15's two targets: paygo throttled (784 of 883 attempts answered 429, retried until they got
 *  through), ptu cut off at the end (29 cancelled by on_end: abort, 12 never sent). */
function issueRun(): RunSummary {
  const s = runSummary({
    name: 'compare-deployments',
    file: '/w/compare-deployments.perf.yaml',
    startedAt: '2026-03-01T10:00:00.000Z',
    targets: [
      { target: 'paygo', completed: 89, failed: 0 },
      { target: 'ptu', completed: 79, failed: 0 },
    ],
  });
  s.on_end = 'abort';
  const [paygo, ptu] = s.targets;
  paygo.requests = { ...paygo.requests, sent: 89, attempts: 883, throttled_responses: 784, retried: 70, backoff_ms: 252_400 };
  ptu.requests = { ...ptu.requests, sent: 108, completed: 79, succeeded: 79, cancelled: 29 };
  ptu.schedule = { ...ptu.schedule, sent: 108, unsent: 12 };
  return s;
}

describe('headline: throttling', () => {
  it('a throttled target gets a card with 429s of attempts, retries, backoff and requests that ended throttled', () => {
    const h = headlineFromSummary(issueRun(), 'paygo', null);
    const c = card(h, 'throttling');
    assert.ok(c, 'throttling card');
    assert.equal(c.value, (784 / 883) * 100);
    assert.equal(c.unit, '%');
    assert.equal(c.note, '784 of 883 attempts answered 429');
    assert.deepEqual(c.details, ['70 requests retried', '4 min 12 s spent backing off (all requests together)', '0 ended throttled (counted as failed)']);
    assert.deepEqual(c.counts, { 'throttled-responses': 784, attempts: 883, retried: 70, 'backoff-ms': 252_400, 'ended-throttled': 0 });
    assert.equal(c.tone, 'warning');
    assert.deepEqual(
      h.banners.map((b) => b.id),
      ['throttled'],
    );
    assert.equal(
      h.banners[0].text,
      'Throttled: 784 of 883 attempts answered 429 — the deployment or its quota limited this run. 70 requests retried after waiting 4 min 12 s in all: their latencies include the waits.',
    );
    // The errors card is still 0% — the requests did get through — and says what it counts.
    assert.equal(card(h, 'error_pct')!.value, 0);
    assert.equal(card(h, 'error_pct')!.note, '0 of 89 completed requests failed');
  });

  it('requests that ended throttled are failures: the errors card names them and is not 0%', () => {
    const s = issueRun();
    const t = s.targets[0];
    t.requests = { ...t.requests, failed: 5, succeeded: 84, errors: { throttled: 4, timeout: 1 } };
    const h = headlineFromSummary(s, 'paygo', null);
    const errors = card(h, 'error_pct')!;
    assert.ok(errors.value! > 0);
    assert.equal(formatPercent(errors.value), '5.6%');
    assert.deepEqual(errors.details, ['4 throttled, 1 timeout']);
    assert.equal(errors.tone, 'warning');
    assert.equal(card(h, 'throttling')!.counts!['ended-throttled'], 4);
    assert.match(h.banners[0].text, / 4 ended throttled and count as failed\.$/);
    // A tiny but non-zero share never reads as 0%.
    assert.equal(formatPercent((1 / 30_000) * 100), '<0.01%');
  });

  it('no throttling, no card and no banner; retries without 429s get a banner of their own', () => {
    const h = headlineFromSummary(issueRun(), 'ptu', null);
    assert.equal(card(h, 'throttling'), undefined);
    assert.ok(!h.banners.some((b) => b.id === 'throttled' || b.id === 'retried'));
    const s = issueRun();
    s.targets[1].requests = { ...s.targets[1].requests, retried: 3, attempts: 111, backoff_ms: 1500 };
    const retried = headlineFromSummary(s, 'ptu', null);
    assert.equal(card(retried, 'throttling')!.value, 0);
    assert.equal(
      retried.banners.find((b) => b.id === 'retried')!.text,
      'Retried: 3 requests retried after waiting 1.5 s in all: their latencies include the waits.',
    );
  });

  it('live: the windows’ 429 counts feed the card and the banner before the summary exists', () => {
    const vm = new RunViewModel({ scenario: scenario() });
    vm.addWindows([win(1), win(2)]);
    assert.equal(card(vm.headline('a'), 'throttling'), undefined, 'nothing throttled yet');
    // 10 s windows, one per second: 20 429s in a window spanning 10 s is 2 per second.
    vm.addWindows([win(10, { throttled: 20 }), win(11, { throttled: 20 }), win(12, { throttled: 20 })]);
    const h = vm.headline('a');
    const c = card(h, 'throttling')!;
    assert.equal(h.source, 'window');
    assert.equal(c.value, 20);
    assert.equal(c.unit, 'requests');
    assert.equal(c.note, '429 responses, last 10 s');
    // 8 s at 2/s (t 2 → 10) + 2 × 1 s at 2/s.
    assert.deepEqual(c.details, ['≈ 20 so far (from the windows; exact when the run ends)']);
    assert.equal(h.banners[0].id, 'throttled');
    assert.match(h.banners[0].text, /^Throttled: 20 HTTP 429 responses in the last 10 s, ≈ 20 so far — /);
    // Once the summary arrives it has the exact numbers.
    const s = issueRun();
    s.targets[0].target = 'a';
    vm.setSummary(s);
    assert.equal(vm.headline('a').cards.find((x) => x.id === 'throttling')!.counts!['throttled-responses'], 784);
  });
});

describe('headline: work that was never measured', () => {
  it('cancelled and never-sent requests get a card and a banner saying what they mean', () => {
    const h = headlineFromSummary(issueRun(), 'ptu', null);
    const c = card(h, 'not_measured')!;
    assert.equal(c.value, 41);
    assert.equal(c.unit, 'requests');
    assert.equal(c.note, 'of 120 requests: no result, not in any number above');
    assert.deepEqual(c.details, ['29 cancelled — in flight when the run ended (on_end: abort)', '12 never sent — every client was busy until the end']);
    assert.deepEqual(c.counts, { cancelled: 29, unsent: 12, all: 120 });
    assert.equal(
      h.banners.find((b) => b.id === 'not_measured')!.text,
      'Incomplete: 41 of 120 requests were not measured (29 cancelled in flight when the run ended (on_end: abort); 12 never sent because every client was busy). Latencies and SLOs cover only the requests that finished — and the ones cut off are the slow ones.',
    );
    // The errors card says they are not counted.
    assert.deepEqual(card(h, 'error_pct')!.details, ['29 cancelled and 12 never sent are not counted']);
  });

  it('a stopped run says the requests were in flight when it was stopped; a complete run has no such card', () => {
    const s = issueRun();
    s.stopped_by = 'stop';
    assert.match(card(headlineFromSummary(s, 'ptu', null), 'not_measured')!.details![0], /in flight when the run was stopped$/);
    assert.equal(card(headlineFromSummary(issueRun(), 'paygo', null), 'not_measured'), undefined);
  });

  it('only what happened is listed: never sent alone says nothing of cancellations', () => {
    const s = issueRun();
    s.targets[1].requests = { ...s.targets[1].requests, sent: 79, cancelled: 0 };
    const h = headlineFromSummary(s, 'ptu', null);
    assert.deepEqual(card(h, 'not_measured')!.details, ['12 never sent — every client was busy until the end']);
    assert.deepEqual(card(h, 'error_pct')!.details, ['12 never sent are not counted']);
    assert.match(
      h.banners.find((b) => b.id === 'not_measured')!.text,
      /^Incomplete: 12 of 91 requests were not measured \(12 never sent because every client was busy\)\./,
    );
  });
});

describe('headline: SLO verdict statuses', () => {
  const verdicts: SloVerdict[] = [
    {
      slo: 'ttft.p95 < 1500ms',
      target: 'ptu',
      actual: 640,
      threshold: 1500,
      unit: 'ms',
      pass: false,
      status: 'incomplete',
      note: '41 of 120 requests were not measured',
    },
    {
      slo: 'failures < 2%',
      target: 'ptu',
      actual: null,
      threshold: 0.02,
      unit: 'ratio',
      pass: false,
      status: 'not_judged',
      note: 'no request completed: nothing to judge',
    },
    { slo: 'e2e.p95 < 5s', target: 'ptu', actual: 4000, threshold: 5000, unit: 'ms', pass: true, status: 'pass' },
    // Written before statuses existed: pass → pass, else fail.
    { slo: 'e2e.p99 < 6s', target: 'ptu', actual: 7000, threshold: 6000, unit: 'ms', pass: false },
  ];

  it('each verdict keeps its status and note; older ones map pass/fail', () => {
    const s = issueRun();
    s.slos = verdicts;
    const h = headlineFromSummary(s, 'ptu', null);
    assert.deepEqual(h.slos, [
      { slo: 'ttft.p95 < 1500ms', status: 'incomplete', actual: 640, threshold: 1500, unit: 'ms', note: '41 of 120 requests were not measured' },
      { slo: 'failures < 2%', status: 'not_judged', actual: null, threshold: 0.02, unit: 'ratio', note: 'no request completed: nothing to judge' },
      { slo: 'e2e.p95 < 5s', status: 'pass', actual: 4000, threshold: 5000, unit: 'ms' },
      { slo: 'e2e.p99 < 6s', status: 'fail', actual: 7000, threshold: 6000, unit: 'ms' },
    ]);
  });

  it('the run’s outcome: any fail is failed; otherwise anything not judged or incomplete is not all judged', () => {
    assert.equal(sloOutcome([]), null);
    assert.equal(sloOutcome([verdicts[2]]), 'met');
    assert.equal(sloOutcome(verdicts.slice(0, 3)), 'not_all_judged');
    assert.equal(sloOutcome(verdicts), 'failed');
  });
});

describe('format: durations one way', () => {
  it('ms under a second, seconds under a minute, then minutes and hours', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(38_633), '38.6 s');
    assert.equal(formatDuration(252_400), '4 min 12 s');
    assert.equal(formatDuration(3_780_000), '1 h 3 min');
    assert.equal(formatDuration(null), '–');
  });
});
