import * as assert from 'node:assert/strict';
import { parseSlo, SloError } from '../../../src/engine/scenario/slo';

describe('SLO parsing', () => {
  it('parses latency, ratio and rate SLOs into normalized values', () => {
    assert.deepEqual(parseSlo('ttft.p95 < 800ms'), { text: 'ttft.p95 < 800ms', metric: 'ttft', stat: 'p95', op: '<', value: 800, unit: 'ms' });
    assert.deepEqual(parseSlo('e2e.p99<=10s'), { text: 'e2e.p99<=10s', metric: 'e2e', stat: 'p99', op: '<=', value: 10_000, unit: 'ms' });
    assert.deepEqual(parseSlo(' tbt.avg < 2.5ms '), { text: 'tbt.avg < 2.5ms', metric: 'tbt', stat: 'avg', op: '<', value: 2.5, unit: 'ms' });
    assert.deepEqual(parseSlo('ITL.MAX > 0.5s'), { text: 'ITL.MAX > 0.5s', metric: 'chunk_gap', stat: 'max', op: '>', value: 500, unit: 'ms' });
    assert.deepEqual(parseSlo('ttfb.p50 >= 1ms').metric, 'ttfb');
    assert.deepEqual(parseSlo('failures < 1%'), { text: 'failures < 1%', metric: 'failures', stat: 'rate', op: '<', value: 0.01, unit: 'ratio' });
    assert.deepEqual(parseSlo('throttled <= 5%'), { text: 'throttled <= 5%', metric: 'throttled', stat: 'rate', op: '<=', value: 0.05, unit: 'ratio' });
    assert.deepEqual(parseSlo('rpm >= 590'), { text: 'rpm >= 590', metric: 'rpm', stat: 'rate', op: '>=', value: 590, unit: 'rpm' });
  });

  it('explains what is wrong', () => {
    const cases: [string, string][] = [
      ['', 'expected "<metric>.<stat> <op> <value>", e.g. "ttft.p95 < 800ms", "failures < 1%" or "rpm >= 590"'],
      ['ttft.p95 800ms', 'expected "<metric>.<stat> <op> <value>", e.g. "ttft.p95 < 800ms", "failures < 1%" or "rpm >= 590"'],
      ['ttft.p95 = 800ms', 'operator must be one of <, <=, >, >= (got "=")'],
      [
        'ttf.p95 < 800ms',
        'unknown metric "ttf" (expected one of ttft, ttfr, ttfb, tbt, tbt_all, e2e, chunk_gap, failures, throttled, rpm; did you mean "ttft"?)',
      ],
      ['ttft < 800ms', '"ttft" needs a statistic, e.g. ttft.p95 (one of avg, p50, p90, p95, p99, max)'],
      ['ttft.median < 800ms', 'unknown statistic "median" (expected one of avg, p50, p90, p95, p99, max)'],
      ['ttft.p95 < 800', '"800" needs a unit: ms or s (e.g. 800ms)'],
      ['ttft.p95 < 1min', 'unknown unit "min" (expected ms or s)'],
      ['ttft.p95 < fast', 'expected a number after "<" (got "fast")'],
      ['failures < 0.01', '"failures" is a percentage of requests, e.g. "failures < 1%"'],
      ['failures < 150%', 'a percentage must be between 0 and 100 (got 150%)'],
      ['failures.p95 < 1%', '"failures" has no statistic "p95"; write e.g. "failures < 1%"'],
      ['rpm >= 590ms', 'rpm is a plain number of requests per minute (got unit "ms")'],
    ];
    for (const [text, reason] of cases) {
      assert.throws(
        () => parseSlo(text),
        (err: unknown) => {
          assert.ok(err instanceof SloError);
          assert.equal(err.message, `invalid SLO ${JSON.stringify(text)}: ${reason}`);
          return true;
        },
      );
    }
  });
});
