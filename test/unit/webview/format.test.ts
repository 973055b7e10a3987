// Number formatting for cards, tables and axes (webview-ui/src/model/format.ts): one place, so every
// view prints "1,234 ms" alike; unknown values print as a dash (or n/a for money), never "NaN".
import { strict as assert } from 'node:assert';
import {
  formatCount,
  formatDecimal,
  formatDifference,
  formatMs,
  formatPercent,
  formatRatio,
  formatUsd,
  formatValue,
} from '../../../webview-ui/src/model/format';

describe('webview format', () => {
  it('formatMs: two decimals below 1 ms, one below 10 ms, whole ms with separators, seconds from 10 s', () => {
    assert.equal(formatMs(0), '0 ms');
    assert.equal(formatMs(0.42), '0.42 ms');
    assert.equal(formatMs(0.999), '1.00 ms');
    assert.equal(formatMs(1), '1.0 ms');
    assert.equal(formatMs(9.94), '9.9 ms');
    assert.equal(formatMs(10), '10 ms');
    assert.equal(formatMs(45.4), '45 ms');
    assert.equal(formatMs(1234.4), '1,234 ms');
    assert.equal(formatMs(9999), '9,999 ms');
    assert.equal(formatMs(10_000), '10 s');
    assert.equal(formatMs(12_345), '12.3 s');
    assert.equal(formatMs(600_000), '600 s');
    assert.equal(formatMs(1_234_567), '1,234.6 s');
  });

  it('unknown values: a dash for null, NaN and ±Infinity; n/a for money', () => {
    for (const v of [null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.equal(formatMs(v), '–');
      assert.equal(formatCount(v), '–');
      assert.equal(formatDecimal(v), '–');
      assert.equal(formatPercent(v), '–');
      assert.equal(formatUsd(v), 'n/a');
    }
  });

  it('formatCount rounds to whole numbers with separators; formatDecimal keeps one decimal', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(1234567.6), '1,234,568');
    assert.equal(formatCount(-42), '-42');
    assert.equal(formatDecimal(899.54), '899.5');
    assert.equal(formatDecimal(1200), '1,200');
    assert.equal(formatDecimal(0.04), '0');
  });

  it('formatUsd: $0 for zero, 3 significant digits below $1, cents below $100, whole dollars above', () => {
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(0.000412), '$0.000412');
    assert.equal(formatUsd(0.0000781234), '$0.0000781');
    assert.equal(formatUsd(0.5), '$0.500');
    assert.equal(formatUsd(1), '$1.00');
    assert.equal(formatUsd(1.234), '$1.23');
    assert.equal(formatUsd(99.5), '$99.50');
    assert.equal(formatUsd(100), '$100');
    assert.equal(formatUsd(1234.4), '$1,234');
  });

  it('formatPercent: two decimals for small non-zero values, else up to one', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.05), '0.05%');
    assert.equal(formatPercent(-0.05), '-0.05%');
    assert.equal(formatPercent(0.1), '0.1%');
    assert.equal(formatPercent(2.345), '2.3%');
    assert.equal(formatPercent(100), '100%');
  });

  it('formatValue picks the format by unit', () => {
    assert.equal(formatValue(1234, 'ms'), '1,234 ms');
    assert.equal(formatValue(0.0123, 'USD'), '$0.0123');
    assert.equal(formatValue(4.2, 'USD/h'), '$4.20/h');
    assert.equal(formatValue(null, 'USD/h'), 'n/a');
    assert.equal(formatValue(12.5, '%'), '12.5%');
    assert.equal(formatValue(899.54, 'rpm'), '899.5 RPM');
    assert.equal(formatValue(null, 'rpm'), '–');
    assert.equal(formatValue(103144.4, 'tpm'), '103,144 TPM');
    assert.equal(formatValue(null, 'tpm'), '–');
    // A ratio (SLO `failures < 1%` is 0.01) prints as a percentage.
    assert.equal(formatValue(0.01, 'ratio'), '1%');
    assert.equal(formatValue(0.0005, 'ratio'), '0.05%');
    assert.equal(formatValue(null, 'ratio'), '–');
    assert.equal(formatValue(5160, 'tokens'), '5,160');
    assert.equal(formatValue(3, 'requests'), '3');
    assert.equal(formatValue(null, 'tokens'), '–');
  });

  it('formatDifference: a real minus sign or plus, the magnitude in the unit; ± for no change', () => {
    assert.equal(formatDifference(12, 'ms'), '+12 ms');
    assert.equal(formatDifference(-3.14, '%'), '−3.1%');
    assert.equal(formatDifference(-0.0004, 'USD'), '−$0.000400');
    assert.equal(formatDifference(0, 'ms'), '±0 ms');
    assert.equal(formatDifference(null, 'ms'), '–');
  });

  it('formatRatio: two decimals and ×', () => {
    assert.equal(formatRatio(1), '1.00×');
    assert.equal(formatRatio(0.849), '0.85×');
    assert.equal(formatRatio(null), '–');
  });
});
