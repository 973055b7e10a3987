// Builds one target's summary from its metrics and its runner's schedule bookkeeping, with warnings
// that say plainly when a number should not be read the obvious way.

import type { TargetMetrics } from './metrics';
import { apiOf, type Scenario, type Target } from './scenario/types';
import type { TargetSummary } from './summary';
import { LATE_THRESHOLD_MS, type ScheduleView } from './target-runner';
import { costUsd, lookupModel, PRICE_OVERRIDE_HINT, type ModelOverrides } from '../tokens';

/** Above this many tokens per content chunk, chunk gaps are clearly not per-token latencies. */
const MULTI_TOKEN_CHUNKS = 1.5;

export function buildTargetSummary(
  target: Target,
  metrics: TargetMetrics,
  runner: ScheduleView,
  scenario: Scenario,
  overrides?: ModelOverrides,
): TargetSummary {
  const t = metrics.totals;
  const durationS = Math.max(1e-3, runner.elapsedS(runner.endedAt || performance.now()));
  const minutes = durationS / 60;
  const w = scenario.workload;
  const expected = runner.expectedSent();
  const measured = t.completed - t.warmup;
  const modelName = target.model ?? target.deployment ?? null;
  const model = modelName ? lookupModel(modelName, overrides) : undefined;
  const tokensPerChunk = t.contentChunks > 0 ? round(t.chunkedTokens / t.contentChunks, 2) : null;

  const price = model?.price ?? null;
  const totalCost = price ? costUsd(price, { prompt: t.promptTokens, cached: t.cachedTokens, completion: t.completionTokens }) : undefined;
  const perRequest = totalCost !== undefined && measured > 0 ? totalCost / measured : null;
  const targetRpm = w.mode === 'open' ? (w.rate_rpm ?? null) : null;

  const warnings: string[] = [];
  if (tokensPerChunk !== null && tokensPerChunk > MULTI_TOKEN_CHUNKS) {
    warnings.push(`chunks carry ${tokensPerChunk} tokens on average: the chunk-gap distribution (chunk_gap) is not time between tokens; read tbt (per token)`);
  }
  if (metrics.hiddenReasoningRecords > 0) {
    warnings.push(
      `${metrics.hiddenReasoningRecords} requests reported reasoning tokens the server did not stream: their TTFT includes the reasoning time and their TBT over all tokens is unknown`,
    );
  }
  if (t.estimatedTokenRecords > 0) {
    warnings.push(`${t.estimatedTokenRecords} requests reported no usage: their token counts are estimated with the tokenizer`);
  }
  const scheduled = w.mode === 'open' ? runner.scheduled : null;
  if (scheduled !== null) {
    const ratio = scheduled > 0 ? runner.sent / scheduled : 1;
    if (runner.unsent > 0 || ratio < 0.99) {
      warnings.push(
        `the engine could not keep its schedule: sent ${runner.sent} of ${scheduled} scheduled requests (${(ratio * 100).toFixed(1)}%), ${runner.unsent} never sent because all ${w.clients} clients were busy`,
      );
    }
    if (runner.sent > 0 && runner.lateCount / runner.sent > 0.01) {
      warnings.push(
        `${runner.lateCount} of ${runner.sent} requests started more than ${LATE_THRESHOLD_MS} ms after their scheduled time (lag p95 ${metrics.run.lag.stats().p95} ms)`,
      );
    }
  }
  if (t.cancelled > 0) {
    warnings.push(`${t.cancelled} requests were cancelled (stopped by the user or by on_end: abort): not counted as failures, not in latencies`);
  }
  const throttledEnds = t.errors.throttled ?? 0;
  if (throttledEnds > 0) {
    warnings.push(
      `${throttledEnds} requests ended throttled (HTTP 429, retry policy ${scenario.retry.policy}): counted as failures; the deployment or its quota limited this run`,
    );
  }
  if (modelName && !model) warnings.push(`model "${modelName}" is not in the catalog: no cost estimate; ${PRICE_OVERRIDE_HINT}`);
  else if (model && !model.price) warnings.push(`no price for "${model.name}": no cost estimate; ${PRICE_OVERRIDE_HINT}`);

  const stream = target.http?.response.stream;
  if (stream === 'json') {
    warnings.push('response.stream is json: the answer comes in one body at the end, so only TTFB and E2E are measured (no TTFT, TBT or chunk gaps)');
  }
  const sessions = metrics.sessions?.summary();
  if (sessions && sessions.cut_short > 0) {
    warnings.push(
      `${sessions.cut_short} of ${sessions.started} sessions were cut short by the end of the run (fewer than ${sessions.interactions} turns sent); sessions started near the end cannot finish: a run several times longer than one session gives mostly complete ones`,
    );
  }

  const lag = metrics.run.lag.stats();
  return {
    target: target.name,
    provider: target.provider,
    api: target.http ? 'http' : apiOf(target),
    ...(stream !== undefined && { response_stream: stream }),
    ...(sessions !== undefined && { sessions }),
    model: modelName,
    duration_s: round(durationS, 3),
    requests: {
      sent: t.sent,
      completed: t.completed,
      succeeded: t.succeeded,
      failed: t.failed,
      cancelled: t.cancelled,
      warmup_excluded: t.warmup,
      throttled_responses: t.throttledResponses,
      retried: t.retriedRequests,
      attempts: t.attempts,
      backoff_ms: round(t.backoffMs, 1),
      errors: t.errors,
    },
    schedule: {
      mode: w.mode,
      target_rpm: targetRpm,
      expected: expected === null ? null : round(expected, 1),
      scheduled,
      sent: runner.sent,
      unsent: runner.unsent,
      late: runner.lateCount,
      achieved_rpm: round(runner.sent / minutes, 1),
      achieved_ratio: scheduled ? round(runner.sent / scheduled, 4) : null,
      lag_ms: lag,
    },
    error_messages: metrics.topErrorMessages(),
    throughput_rpm: round(t.completed / minutes, 1),
    latency_ms: {
      ttfb: metrics.run.ttfb.stats(),
      ttft: metrics.run.ttft.stats(),
      tbt: metrics.run.tbt.stats(),
      e2e: metrics.run.e2e.stats(),
      chunk_gap: metrics.run.chunk_gap.stats(),
    },
    reasoning_latency_ms: { ttfr: metrics.run.ttfr.stats(), tbt_all: metrics.run.tbt_all.stats() },
    tokens: {
      prompt: t.promptTokens,
      completion: t.completionTokens,
      cached: t.cachedTokens,
      reasoning: t.reasoningTokens,
      reasoning_records: t.reasoningRecords,
      estimated_records: t.estimatedTokenRecords,
      tokens_per_chunk: tokensPerChunk,
      prompt_tpm: Math.round(t.promptTokens / minutes),
      completion_tpm: Math.round(t.completionTokens / minutes),
    },
    utilization_pct: metrics.run.util.stats(),
    client_delay_ms: metrics.clientDelay.stats(),
    cost_usd: {
      model: model?.name ?? null,
      price,
      total: totalCost ?? null,
      per_request: perRequest,
      per_1k_requests: perRequest === null ? null : perRequest * 1000,
      per_hour_at_target_rate: perRequest === null || targetRpm === null ? null : perRequest * targetRpm * 60,
    },
    warnings,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
