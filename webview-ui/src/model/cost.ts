// The panel's prompt-token and cost section for one target: tokens per request and what a request,
// 1,000 requests and an hour at the target rate cost. After the run these are the summary's own
// numbers (they know cached tokens); while live they come from the distributions so far.

import { distributionMean, type TargetDistributions } from '../../../src/engine/distribution';
import type { TargetSummary } from '../../../src/engine/summary';
import { costUsd, type Price } from '../../../src/tokens/pricing';

export interface CostSection {
  target: string;
  /** Mean prompt / completion tokens per request (null before the first request). */
  prompt_tokens_mean: number | null;
  completion_tokens_mean: number | null;
  /** Requests whose token counts came from the tokenizer (the server sent no usage). */
  estimated_records: number | null;
  /** The price the cost is computed with: the one the summary recorded, else the panel's. Null: no
   *  price, so no cost; undefined: a summary written before prices were recorded (its cost, no price). */
  price: Price | null | undefined;
  /** The model the price is for, when known. */
  model: string | null;
  per_request: number | null;
  per_1k_requests: number | null;
  /** At the scenario's target rate (open loop); null in closed loop. */
  per_hour_at_target_rate: number | null;
  target_rpm: number | null;
  source: 'summary' | 'live';
}

export function costSection(
  target: string,
  summary: TargetSummary | null,
  distributions: TargetDistributions | null,
  price: Price | null,
  model: string | null,
  targetRpm: number | null,
): CostSection {
  const promptMean = distributions ? distributionMean(distributions.prompt_tokens) : null;
  const completionMean = distributions ? distributionMean(distributions.completion_tokens) : null;
  if (summary) {
    const done = summary.requests.succeeded;
    // Every measured request sent its prompt, failed ones too (the engine's cost is per measured request).
    const measured = summary.requests.succeeded + summary.requests.failed;
    const { tokens, cost_usd: cost } = summary;
    // A summary written without a price (a CLI run, or the price set since) is priced as the headline's
    // cost is: its token totals × the panel's price.
    const perRequest =
      cost.per_request ??
      (price && measured > 0 ? costUsd(price, { prompt: tokens.prompt, cached: tokens.cached, completion: tokens.completion }) / measured : null);
    const priced = cost.per_request === null && perRequest !== null;
    const targetRpm = summary.schedule.target_rpm;
    return {
      target,
      prompt_tokens_mean: promptMean ?? (measured > 0 ? tokens.prompt / measured : null),
      completion_tokens_mean: completionMean ?? (done > 0 ? tokens.completion / done : null),
      estimated_records: tokens.estimated_records,
      price: cost.per_request !== null ? cost.price : price,
      model: cost.model ?? model,
      per_request: perRequest,
      per_1k_requests: priced ? perRequest * 1000 : cost.per_1k_requests,
      per_hour_at_target_rate: priced ? (targetRpm === null ? null : perRequest * targetRpm * 60) : cost.per_hour_at_target_rate,
      target_rpm: targetRpm,
      source: 'summary',
    };
  }
  const perRequest = price && promptMean !== null && completionMean !== null ? costUsd(price, { prompt: promptMean, completion: completionMean }) : null;
  return {
    target,
    prompt_tokens_mean: promptMean,
    completion_tokens_mean: completionMean,
    estimated_records: null,
    price,
    model,
    per_request: perRequest,
    per_1k_requests: perRequest === null ? null : perRequest * 1000,
    per_hour_at_target_rate: perRequest === null || targetRpm === null ? null : perRequest * targetRpm * 60,
    target_rpm: targetRpm,
    source: 'live',
  };
}
