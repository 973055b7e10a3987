// Raw hdr-histogram-js costs for the sliding-window operations (record, add + subtract + reset, percentiles)
// per histogram type and precision. npx tsx bench/hdr-options.ts
import * as hdr from 'hdr-histogram-js';
hdr.initWebAssemblySync();
function bench(name: string, req: hdr.BuildRequest) {
  const slots = Array.from({ length: 10 }, () => hdr.build(req));
  const total = hdr.build({ ...req, bitBucketSize: req.bitBucketSize === 'packed' ? 32 : req.bitBucketSize });
  let t0 = performance.now();
  for (const s of slots) for (let i = 0; i < 600; i++) s.recordValue(Math.round(5000 + Math.random() * 100000));
  const rec = performance.now() - t0;
  t0 = performance.now();
  for (let k = 0; k < 10; k++) {
    total.add(slots[k]);
    total.subtract(slots[(k + 5) % 10]);
    slots[(k + 5) % 10].reset();
  }
  const ops = (performance.now() - t0) / 10;
  t0 = performance.now();
  for (let k = 0; k < 10; k++) {
    for (const p of [50, 90, 95, 99, 100]) total.getValueAtPercentile(p);
  }
  const pct = (performance.now() - t0) / 10;
  console.log(
    name.padEnd(28),
    'record µs/value',
    ((rec / 6000) * 1000).toFixed(2),
    'add+sub+reset ms',
    ops.toFixed(3),
    '5 percentiles ms',
    pct.toFixed(3),
    'heap MB',
    (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0),
  );
}
const base = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, autoResize: true } as const;
bench('packed 3 digits', { ...base, bitBucketSize: 'packed', numberOfSignificantValueDigits: 3 });
bench('int32 3 digits', { ...base, bitBucketSize: 32, numberOfSignificantValueDigits: 3 });
bench('int32 2 digits', { ...base, bitBucketSize: 32, numberOfSignificantValueDigits: 2 });
bench('wasm int32 3 digits', { ...base, bitBucketSize: 32, numberOfSignificantValueDigits: 3, useWebAssembly: true });
bench('wasm packed 3 digits', { ...base, bitBucketSize: 'packed', numberOfSignificantValueDigits: 3, useWebAssembly: true });
