import * as assert from 'node:assert/strict';
import { formatDuration, parseDurationMs, parseDurationSeconds } from '../../../src/engine/scenario/durations';

describe('durations', () => {
  it('parses numbers as seconds and unit strings', () => {
    const cases: [unknown, number][] = [
      [30, 30_000],
      [0.25, 250],
      [0, 0],
      ['500ms', 500],
      ['30s', 30_000],
      ['1.5s', 1_500],
      ['5m', 300_000],
      ['1h', 3_600_000],
      ['1m30s', 90_000],
      ['1h 5m', 3_900_000],
      [' 45 ', 45_000],
      ['2 s', 2_000],
    ];
    for (const [input, ms] of cases) assert.equal(parseDurationMs(input), ms, String(input));
    assert.equal(parseDurationSeconds('2m'), 120);
  });

  it('rejects anything else with a hint', () => {
    for (const bad of ['10 minutes', '5d', '-1s', 'ms', '', 'soon', -3, true, null, ['1s']]) {
      assert.throws(() => parseDurationMs(bad), /must be a duration such as 500ms, 30s, 5m or 1h \(a number means seconds\) \(got /, String(bad));
    }
  });

  it('formats short human durations', () => {
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(30_000), '30s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_600_000), '1h');
  });
});
