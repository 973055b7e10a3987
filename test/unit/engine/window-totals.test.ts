// Windows carry running totals (src/engine/metrics.ts snapshot → WindowSnapshot.totals), so views show
// counts without integrating per-minute rates back into tokens. On a real run the last window of each
// target must say exactly what summary.json says, and the totals never go down.
import { strict as assert } from 'node:assert';
import { realRun } from '../shared/real-run';

describe('engine: running totals in windows', function () {
  this.timeout(60_000);

  it('the last window of each target carries the summary’s counts; totals only grow', async () => {
    const run = await realRun();
    for (const t of run.summary.targets) {
      const windows = run.windows.filter((w) => w.target === t.target);
      assert.ok(windows.length >= 2, `${t.target}: ${windows.length} windows`);
      const last = windows[windows.length - 1].totals!;
      assert.deepEqual(last, {
        succeeded: t.requests.succeeded,
        failed: t.requests.failed,
        cancelled: t.requests.cancelled,
        throttled_responses: t.requests.throttled_responses,
        prompt_tokens: t.tokens.prompt,
        completion_tokens: t.tokens.completion,
        cached_tokens: t.tokens.cached,
        reasoning_tokens: t.tokens.reasoning ?? 0,
      });
      assert.ok(last.succeeded > 0 && last.prompt_tokens > 0, `${t.target}: the run measured something`);
      for (let i = 1; i < windows.length; i++) {
        for (const [key, value] of Object.entries(windows[i].totals!)) {
          assert.ok(value >= windows[i - 1].totals![key as keyof typeof last], `${t.target} window ${i}: ${key} went down`);
        }
      }
    }
  });
});
