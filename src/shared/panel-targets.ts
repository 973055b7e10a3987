// The targets as the panels list them: name, model, target rate and the price per 1M tokens resolved
// from the model catalog, the user's `perflab.pricing` setting and the scenario's own `pricing`.

import type { Scenario } from '../engine/scenario/types';
import { lookupModel, type ModelOverrides } from '../tokens';
import type { PanelTarget } from './panel-messages';

/** The scenario's `pricing` over the caller's overrides (the same order the engine's cost uses). */
export function withScenarioPricing(scenario: Scenario, base: ModelOverrides = {}): ModelOverrides {
  const overrides: ModelOverrides = { ...base };
  for (const [model, price] of Object.entries(scenario.pricing ?? {})) {
    overrides[model] = { ...overrides[model], price: { ...price, source: 'scenario pricing', as_of: new Date().toISOString().slice(0, 10) } };
  }
  return overrides;
}

export function panelTargets(scenario: Scenario, settingsOverrides: ModelOverrides = {}): PanelTarget[] {
  const overrides = withScenarioPricing(scenario, settingsOverrides);
  const targetRpm = scenario.workload.mode === 'open' ? (scenario.workload.rate_rpm ?? null) : null;
  return scenario.targets.map((t) => {
    const model = t.model ?? t.deployment ?? null;
    const price = model ? lookupModel(model, overrides)?.price : undefined;
    return {
      name: t.name,
      model,
      target_rpm: targetRpm,
      price: price && Number.isFinite(price.input) && Number.isFinite(price.output) ? { input: price.input, output: price.output, ...(price.cached_input !== undefined ? { cached_input: price.cached_input } : {}) } : null,
    };
  });
}
