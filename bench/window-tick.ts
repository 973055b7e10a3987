// Cost of the engine's once-a-second window tick (snapshot + rotate of the sliding window) at the
// benchmark load: 200 requests/s of 100-token streams, 60 s window. This work runs on the event loop
// that timestamps chunks, so it must stay far below a millisecond.
//   npx tsx bench/window-tick.ts [requestsPerSecond=200] [chunksPerRequest=100] [windowSeconds=60]

import { TargetMetrics } from '../src/engine/metrics';
import type { RequestRecord } from '../src/engine/records';

const rps = Number(process.argv[2] ?? 200);
const chunks = Number(process.argv[3] ?? 100);
const windowS = Number(process.argv[4] ?? 60);
const metrics = new TargetMetrics('bench', windowS);
const base: RequestRecord = {
  type: 'request',
  id: 0,
  target: 'bench',
  response_id: 'x',
  request_id: null,
  scheduled_ms: 0,
  start_ms: 0,
  send_lag_ms: 1,
  ttfb_ms: 2,
  ttft_ms: 200,
  e2e_ms: 2200,
  tbt_ms: 20,
  content_chunks: chunks,
  prompt_tokens: 100,
  completion_tokens: chunks,
  cached_tokens: null,
  tokens_estimated: false,
  finish_reason: 'stop',
  status: 200,
  attempts: 1,
  throttled_attempts: 0,
  backoff_ms: 0,
  error: null,
  error_message: null,
  utilization: null,
  ratelimit_remaining_requests: null,
  ratelimit_remaining_tokens: null,
  warmup: false,
};
const times = Array.from({ length: chunks }, (_, k) => k * 20 + Math.random() * 3);
let tickMs = 0;
let recordMs = 0;
const seconds = windowS * 2;
for (let s = 0; s < seconds; s++) {
  const t0 = performance.now();
  for (let i = 0; i < rps; i++) {
    metrics.onSent(Math.random() * 3);
    metrics.onRecord({ ...base, ttft_ms: 150 + Math.random() * 100, e2e_ms: 2000 + Math.random() * 400 }, times);
  }
  const t1 = performance.now();
  metrics.snapshot(s + 1, 400, 0, rps * 60, false);
  metrics.rotate();
  const t2 = performance.now();
  if (s >= windowS) {
    recordMs += t1 - t0;
    tickMs += t2 - t1;
  }
}
const n = seconds - windowS;
process.stdout.write(
  `${JSON.stringify({
    requests_per_s: rps,
    chunks_per_request: chunks,
    window_s: windowS,
    tick_ms: +(tickMs / n).toFixed(3),
    record_ms_per_second_of_load: +(recordMs / n).toFixed(2),
    heap_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  })}\n`,
);
