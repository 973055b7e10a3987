// RunViewModel: what the Run panel shows for given windows and summaries — series, decimation over a
// one-hour run, and headline cards (live from windows, then exactly the summary's numbers).
import { strict as assert } from 'node:assert';
import type { RunSummary, SloVerdict } from '../../../src/engine/summary';
import type { InitMessage, PanelTarget } from '../../../src/protocol/panel';
import { PRICE_OVERRIDE_HINT, type Price } from '../../../src/tokens/pricing';
import { RunViewModel, seriesFromWindows, type Headline } from '../../../webview-ui/src/model/view-model';
import { runSummary } from '../extension/helpers';
import { lat, scenario, win } from './fixtures';

const PRICE: Price = { input: 0.1, cached_input: 0.025, output: 0.4, origin: 'list', source: 'https://example.test/prices', as_of: '2026-12-06' };
const targets: PanelTarget[] = [
  { name: 'a', model: 'gpt-4.1-nano', target_rpm: 120, price: PRICE },
  { name: 'b', model: 'gpt-4.1-nano', target_rpm: 120, price: null },
];

const card = (h: Headline, id: string) => {
  const c = h.cards.find((c) => c.id === id);
  assert.ok(c, `card ${id}`);
  return c;
};
const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('RunViewModel series', () => {
  it('draws the same series as seriesFromWindows while under the point limit', () => {
    const windows = [win(1, { target_rpm: 60 }), win(2, { ttft: lat(null), target_rpm: 120 }), win(1, { target: 'b' }), win(3, { ttft: lat(130, 170) })];
    const vm = new RunViewModel({ scenario: scenario(), targets });
    vm.addWindows(windows);
    assert.deepEqual(vm.series('a'), seriesFromWindows(windows, 'a'));
    assert.deepEqual(vm.series('b'), seriesFromWindows(windows, 'b'));
    assert.deepEqual(vm.targets, ['a', 'b']);
  });

  it('gives the same result whether windows arrive one batch or many', () => {
    const windows = Array.from({ length: 500 }, (_, i) => win(i + 1, { ttft: lat(100 + ((i * 37) % 50)) }));
    const once = new RunViewModel({ scenario: scenario(), maxPoints: 50 });
    once.addWindows(windows);
    const batched = new RunViewModel({ scenario: scenario(), maxPoints: 50 });
    for (let i = 0; i < windows.length; i += 7) batched.addWindows(windows.slice(i, i + 7));
    assert.deepEqual(batched.series('a'), once.series('a'));
  });

  it('keeps a one-hour run of two targets bounded, with first, last and spikes kept', () => {
    const vm = new RunViewModel({ scenario: scenario(), targets, maxPoints: 200 });
    for (let t = 1; t <= 3600; t++) {
      const spike = t === 1234 ? 9999 : 150 + (t % 20);
      vm.addWindows([win(t, { ttft: lat(100, spike), rpm: t === 2500 ? 0 : 60 }), win(t, { target: 'b' })]);
    }
    for (const target of ['a', 'b']) {
      for (const s of vm.series(target)) {
        assert.ok(s.points.length <= 200, `${target} ${s.id}: ${s.points.length} points`);
        assert.equal(s.points[0].x, 1);
        assert.equal(s.points.at(-1)!.x, 3600);
      }
    }
    const a = new Map(vm.series('a').map((s) => [s.id, s.points]));
    assert.ok(
      a.get('ttft_p95')!.some((p) => p.x === 1234 && p.y === 9999),
      'TTFT spike kept',
    );
    assert.ok(
      a.get('rpm')!.some((p) => p.x === 2500 && p.y === 0),
      'RPM drop kept',
    );
    assert.ok(vm.pointCount <= 2 * vm.series('a').length * 200, `${vm.pointCount} points`);
  });
});

describe('RunViewModel headline', () => {
  it('while live: the latest window’s numbers, token totals integrated from rates (windows of older runs carry no totals), SLOs pending', () => {
    const vm = new RunViewModel({ scenario: scenario(), targets });
    vm.addWindows([win(1), win(2), win(3, { rpm: 40, failures: 1, ttft: lat(110, 160, 220), tbt: lat(11, 16, 21), e2e: lat(1100, 1600, 2100) })]);
    const h = vm.headline('a');
    assert.equal(h.source, 'window');
    const { cost_so_far, cost_per_hour, ...values } = Object.fromEntries(h.cards.map((c) => [c.id, c.value]));
    assert.deepEqual(values, {
      ttft_p50: 110,
      ttft_p95: 160,
      ttft_p99: 220,
      tbt_p50: 11,
      tbt_p95: 16,
      tbt_p99: 21,
      e2e_p50: 1100,
      e2e_p95: 1600,
      e2e_p99: 2100,
      achieved_rpm: 40,
      // 40 RPM over the 3 s the window spans so far = 2 completed, 1 failed.
      error_pct: 50,
      // 6,000 and 600 tokens per minute for 3 s.
      tokens_in: 300,
      tokens_out: 30,
    });
    close(cost_so_far, (300 * 0.1 + 30 * 0.4) / 1e6);
    close(cost_per_hour, ((6000 * 0.1 + 600 * 0.4) / 1e6) * 60);
    // The cost card says what priced it and where to set one's own price.
    assert.equal(card(h, 'cost_so_far').note, 'estimated · list price as of 2026-12-06');
    assert.deepEqual(card(h, 'cost_so_far').details, [PRICE_OVERRIDE_HINT]);
    assert.equal(card(h, 'tbt_p50').label, 'TBT p50 (per token)');
    assert.equal(card(h, 'ttft_p95').note, 'last 3 s');
    assert.deepEqual(h.slos, [
      { slo: 'ttft.p95 < 800ms', status: 'pending', actual: null, threshold: 800, unit: 'ms' },
      { slo: 'failures < 1%', status: 'pending', actual: null, threshold: 0.01, unit: 'ratio' },
    ]);
    // Without a price there is no cost, rather than a made-up one.
    vm.addWindows([win(1, { target: 'b' })]);
    assert.equal(card(vm.headline('b'), 'cost_so_far').value, null);
    assert.equal(card(vm.headline('b'), 'cost_per_hour').value, null);
    assert.equal(card(vm.headline('b'), 'cost_so_far').note, 'estimated · no price for gpt-4.1-nano');
    assert.deepEqual(card(vm.headline('b'), 'cost_so_far').details, [PRICE_OVERRIDE_HINT]);
  });

  it('while live, windows with running totals: the engine’s exact counts so far, cached tokens priced as cached', () => {
    const vm = new RunViewModel({ scenario: scenario(), targets });
    const totals = (prompt: number, cached: number, completion: number, throttled: number) => ({
      succeeded: 3,
      failed: 0,
      cancelled: 0,
      throttled_responses: throttled,
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: cached,
      reasoning_tokens: 0,
    });
    // Rates that would integrate to something else entirely: the totals win.
    vm.addWindows([win(1, { totals: totals(1_000, 0, 100, 0) }), win(2, { throttled: 2, totals: totals(5_000, 2_000, 700, 2) })]);
    const h = vm.headline('a');
    assert.equal(card(h, 'tokens_in').value, 5_000);
    assert.equal(card(h, 'tokens_in').note, 'so far');
    assert.equal(card(h, 'tokens_out').value, 700);
    close(card(h, 'cost_so_far').value, (3_000 * 0.1 + 2_000 * 0.025 + 700 * 0.4) / 1e6);
    assert.deepEqual(card(h, 'throttling').details, ['2 so far']);
    assert.match(h.banners.find((b) => b.id === 'throttled')!.text, / in the last 2 s, 2 so far — /);
  });

  it('before any window: empty cards, no division by zero', () => {
    const h = new RunViewModel({ scenario: scenario(), targets }).headline('a');
    assert.equal(h.source, 'window');
    assert.equal(card(h, 'ttft_p95').value, null);
    assert.equal(card(h, 'error_pct').value, null);
    assert.equal(card(h, 'tokens_in').value, 0);
    assert.equal(card(h, 'cost_per_hour').value, null);
  });

  const verdicts: SloVerdict[] = [
    { slo: 'ttft.p95 < 800ms', target: 'a', actual: 175, threshold: 800, unit: 'ms', pass: true },
    { slo: 'failures < 1%', target: 'a', actual: 0.03, threshold: 0.01, unit: 'ratio', pass: false },
    { slo: 'ttft.p95 < 800ms', target: 'b', actual: 900, threshold: 800, unit: 'ms', pass: false },
  ];
  function summary(): RunSummary {
    const s = runSummary({
      name: 'panel',
      file: '/tmp/panel.perf.yaml',
      startedAt: '2026-01-01T10:00:00.000Z',
      targets: [
        { target: 'a', ttft: [101, 175, 240], tbt: [9, 14, 19], e2e: [950, 1450, 1990], rpm: 118.5, completed: 105, failed: 3, warmup: 5 },
        { target: 'b' },
      ],
      slos: verdicts,
    });
    const a = s.targets[0];
    a.tokens = { ...a.tokens, prompt: 12_000, completion: 3_000, cached: 2_000 };
    a.cost_usd = { ...a.cost_usd, total: 0.0123, price: { input: 0.2, output: 0.8, origin: 'scenario' } };
    return s;
  }

  it('after the run: exactly the summary’s numbers and SLO verdicts', () => {
    const vm = new RunViewModel({ scenario: scenario(), targets });
    vm.addWindows([win(1), win(2)]);
    const s = summary();
    vm.setSummary(s);
    const h = vm.headline('a');
    const t = s.targets[0];
    assert.equal(h.source, 'summary');
    for (const key of ['ttft', 'tbt', 'e2e'] as const) {
      for (const stat of ['p50', 'p95', 'p99'] as const) assert.equal(card(h, `${key}_${stat}`).value, t.latency_ms[key][stat], `${key}_${stat}`);
    }
    assert.equal(card(h, 'achieved_rpm').value, t.schedule.achieved_rpm);
    assert.equal(card(h, 'achieved_rpm').value, 118.5);
    // 3 failed of the 100 that count (105 completed − 5 warm-up).
    assert.equal(card(h, 'error_pct').value, 3);
    assert.equal(card(h, 'tokens_in').value, 12_000);
    assert.equal(card(h, 'tokens_out').value, 3_000);
    assert.equal(card(h, 'cost_so_far').value, 0.0123);
    close(card(h, 'cost_per_hour').value, (0.0123 / 30) * 3600);
    // The price the summary recorded names the cost, not the panel's current one.
    assert.deepEqual([card(h, 'cost_so_far').note, card(h, 'cost_so_far').details], ['your price (pricing: in the scenario)', undefined]);
    assert.deepEqual(h.slos, [
      { slo: 'ttft.p95 < 800ms', status: 'pass', actual: 175, threshold: 800, unit: 'ms' },
      { slo: 'failures < 1%', status: 'fail', actual: 0.03, threshold: 0.01, unit: 'ratio' },
    ]);
    assert.deepEqual(
      vm.headline('b').slos.map((v) => v.status),
      ['fail'],
    );
  });

  it('reasoning models: TTFR cards and TBT over all output tokens appear only when reasoning was measured', () => {
    const plain = new RunViewModel({ scenario: scenario(), targets });
    plain.setSummary(summary());
    assert.ok(!plain.headline('a').cards.some((c) => c.id.startsWith('ttfr') || c.id === 'tbt_all_p95'), 'no reasoning cards for a plain run');

    const s = summary();
    s.targets[0].reasoning_latency_ms = { ttfr: lat(310, 480, 620), tbt_all: lat(6, 9, 12) };
    const vm = new RunViewModel({ scenario: scenario(), targets });
    vm.setSummary(s);
    const h = vm.headline('a');
    assert.equal(card(h, 'ttfr_p50').value, 310);
    assert.equal(card(h, 'ttfr_p95').value, 480);
    assert.equal(card(h, 'ttfr_p99').value, 620);
    assert.equal(card(h, 'tbt_all_p95').value, 9);
    assert.match(card(h, 'ttfr_p95').label, /first reasoning token/);
    assert.match(card(h, 'tbt_all_p95').label, /all output tokens/);

    // Live: from the window, once it has counted a reasoning token.
    const live = new RunViewModel({ scenario: scenario(), targets });
    live.addWindows([win(1, { ttfr: lat(200, 300), tbt_all: lat(5, 7) })]);
    assert.equal(card(live.headline('a'), 'ttfr_p95').value, 300);
  });

  it('after the run without a cost in the summary: tokens × the price, cached tokens at the cached rate', () => {
    const s = summary();
    s.targets[0].cost_usd.total = null;
    const vm = new RunViewModel({ scenario: scenario(), targets });
    vm.setSummary(s);
    close(card(vm.headline('a'), 'cost_so_far').value, (10_000 * 0.1 + 2_000 * 0.025 + 3_000 * 0.4) / 1e6);
    assert.equal(card(vm.headline('a'), 'cost_so_far').note, 'list price as of 2026-12-06');
    // Target b has no price: no cost, and the card says so.
    assert.equal(card(vm.headline('b'), 'cost_so_far').value, null);
    assert.equal(card(vm.headline('b'), 'cost_so_far').note, `no price for ${s.targets[1].model}`);
  });

  it('fromInit rebuilds a past run: its windows as series, its summary as headline', () => {
    const init: InitMessage = {
      type: 'init',
      runId: 'run-1',
      scenario: scenario(),
      targets,
      windows: [win(1), win(2), win(1, { target: 'b' })],
      summary: summary(),
      distributions: {},
      live: false,
      interactive: true,
    };
    const vm = RunViewModel.fromInit(init);
    assert.deepEqual(vm.series('a'), seriesFromWindows(init.windows, 'a'));
    assert.equal(vm.headline('a').source, 'summary');
    assert.equal(card(vm.headline('a'), 'ttft_p95').value, 175);
  });
});
