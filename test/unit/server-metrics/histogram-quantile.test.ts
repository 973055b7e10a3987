// Server-side percentiles as Prometheus's histogram_quantile() computes them, from the difference of
// two scrapes' cumulative buckets.

import { strict as assert } from 'node:assert';
import { bucketDelta, bucketWidthAt, histogramQuantile, sumBuckets, type Bucket } from '../../../src/engine/server-metrics/histogram-quantile';
import { mulberry32 } from '../../../src/tokens/rng';

const b = (pairs: [number, number][]): Bucket[] => pairs.map(([bound, count]) => ({ bound, count }));

describe('histogram quantiles', () => {
  it('interpolates within the bucket holding the rank, as histogram_quantile does', () => {
    const buckets = b([
      [0.1, 2],
      [0.2, 6],
      [0.4, 10],
      [Infinity, 10],
    ]);
    // rank 5 of 10 falls in (0.1, 0.2] holding observations 3..6: 0.1 + 0.1 × (5 − 2) / 4.
    assert.equal(histogramQuantile(0.5, buckets)!.toFixed(6), '0.175000');
    // rank 9 in (0.2, 0.4]: 0.2 + 0.2 × (9 − 6) / 4.
    assert.equal(histogramQuantile(0.9, buckets)!.toFixed(6), '0.350000');
    // The first bucket starts at 0.
    assert.equal(histogramQuantile(0.1, buckets)!.toFixed(6), '0.050000');
    // A rank in the +Inf bucket gives the highest finite bound.
    assert.equal(
      histogramQuantile(
        0.99,
        b([
          [0.1, 5],
          [Infinity, 10],
        ]),
      ),
      0.1,
    );
    assert.equal(
      histogramQuantile(
        0.5,
        b([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
      null,
      'nothing observed',
    );
    assert.equal(
      histogramQuantile(
        0.5,
        b([
          [0.1, 3],
          [0.2, 5],
        ]),
      ),
      null,
      'no +Inf bucket',
    );
    // A scrape caught mid-update (a count below the previous bucket's) is made monotonic.
    assert.equal(
      histogramQuantile(
        0.5,
        b([
          [0.1, 4],
          [0.2, 3],
          [Infinity, 8],
        ]),
      ),
      0.1,
    );
  });

  it('measures a run as last − first scrape, and treats a drop as a restart', () => {
    const first = b([
      [0.1, 10],
      [0.2, 20],
      [Infinity, 20],
    ]);
    const last = b([
      [0.1, 12],
      [0.2, 30],
      [Infinity, 31],
    ]);
    assert.deepEqual(
      bucketDelta(first, last),
      b([
        [0.1, 2],
        [0.2, 10],
        [Infinity, 11],
      ]),
    );
    assert.deepEqual(bucketDelta(last, first), first, 'counts went down: the server restarted, the later scrape is what it saw since');
    assert.deepEqual(bucketDelta(null, last), last);
    assert.equal(
      bucketDelta(
        b([
          [0.5, 1],
          [Infinity, 1],
        ]),
        last,
      ),
      null,
      'different layouts',
    );
    assert.deepEqual(
      sumBuckets([first, last]),
      b([
        [0.1, 22],
        [0.2, 50],
        [Infinity, 51],
      ]),
    );
    assert.equal(
      sumBuckets([
        first,
        b([
          [0.3, 1],
          [Infinity, 1],
        ]),
      ]),
      null,
    );
    assert.equal(bucketWidthAt(0.15, last), 0.1);
    assert.equal(bucketWidthAt(0.05, last), 0.1);
    assert.equal(bucketWidthAt(5, last), Infinity);
  });

  it('lands within one bucket of the exact percentile of the observations (vLLM TTFT buckets)', () => {
    const bounds = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, Infinity];
    const random = mulberry32(42);
    for (let run = 0; run < 20; run++) {
      const values = Array.from({ length: 50 + Math.floor(random() * 500) }, () => 0.03 + random() * random() * 1.5).sort((x, y) => x - y);
      const buckets = bounds.map((bound) => ({ bound, count: values.filter((v) => v <= bound).length }));
      for (const q of [0.5, 0.9, 0.95, 0.99]) {
        const exact = values[Math.ceil(q * values.length) - 1];
        const estimate = histogramQuantile(q, buckets)!;
        const width = bucketWidthAt(exact, buckets);
        assert.ok(Math.abs(estimate - exact) <= width, `q=${q}: ${estimate} vs exact ${exact} (bucket ${width} wide)`);
      }
    }
  });
});
