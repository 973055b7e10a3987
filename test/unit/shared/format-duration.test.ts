// One duration format for the tree, the quick picks and the panels (src/shared/format-duration.ts).

import * as assert from 'node:assert/strict';
import { formatMs } from '../../../src/shared/format-duration';
import { formatMs as panelFormatMs } from '../../../webview-ui/src/model/format';

describe('shared/format-duration', () => {
  it('milliseconds below 10 s, seconds from 10 s on, a dash when unknown', () => {
    const cases: [number | null | undefined, string][] = [
      [0, '0 ms'],
      [0.4219, '0.42 ms'],
      [4.46, '4.5 ms'],
      [175.4, '175 ms'],
      [1234.4, '1,234 ms'],
      [9999, '9,999 ms'],
      [10_000, '10 s'],
      [38_633, '38.6 s'],
      [312_400, '312.4 s'],
      [null, '–'],
      [undefined, '–'],
      [Number.NaN, '–'],
    ];
    for (const [ms, text] of cases) assert.equal(formatMs(ms), text, String(ms));
  });

  it('is the formatter the Run and Compare panels use', () => {
    for (const ms of [0, 0.42, 4.46, 175.4, 1234.4, 9999, 10_000, 38_633, 312_400, null]) assert.equal(panelFormatMs(ms), formatMs(ms), String(ms));
  });
});
