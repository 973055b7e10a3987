// Cost of one request from its token usage and the model's list price.

import type { ModelInfo } from './catalog';

export interface TokenUsage {
  /** All prompt tokens, cached ones included (as `usage.prompt_tokens` reports them). */
  prompt_tokens: number;
  /** The part of prompt_tokens served from the prompt cache (`prompt_tokens_details.cached_tokens`). */
  cached_tokens?: number;
  completion_tokens: number;
}

/**
 * USD for one request, or undefined when the model has no price. Cached prompt tokens are billed at
 * `cached_input` when the model has that rate, otherwise at the normal input rate.
 */
export function requestCostUsd(model: ModelInfo, usage: TokenUsage): number | undefined {
  const p = model.price;
  if (!p) return undefined;
  const cached = Math.min(Math.max(usage.cached_tokens ?? 0, 0), usage.prompt_tokens);
  const cachedRate = p.cached_input ?? p.input;
  return ((usage.prompt_tokens - cached) * p.input + cached * cachedRate + usage.completion_tokens * p.output) / 1_000_000;
}
