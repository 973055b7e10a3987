// The targets as the panels list them: name, model, target rate and the price per 1M tokens resolved
// the way the engine resolves it (src/tokens/pricing.ts): the model catalog, the user's
// perflab.pricing setting, then the scenario's own `pricing:`.

import type { Scenario } from '../engine/scenario/types';
import { lookupModel, withPricing, type ModelOverrides } from '../tokens';
import type { InitMessage, PanelTarget } from '../protocol/panel';
import type { RunFiles } from '../results/run-files';

export function panelTargets(scenario: Scenario, settingsOverrides: ModelOverrides = {}): PanelTarget[] {
  const overrides = withPricing(settingsOverrides, scenario.pricing, 'scenario');
  const targetRpm = scenario.workload.mode === 'open' ? (scenario.workload.rate_rpm ?? null) : null;
  return scenario.targets.map((t) => {
    const model = t.model ?? t.deployment ?? null;
    return { name: t.name, model, target_rpm: targetRpm, price: (model && lookupModel(model, overrides)?.price) || null };
  });
}

/** What opens a run folder, finished or not, in the Run panel (interactive) or the HTML report (not). */
export function runInitMessage(files: RunFiles, options: { interactive: boolean; targets?: PanelTarget[]; summary?: InitMessage['summary'] }): InitMessage {
  return {
    type: 'init',
    runId: files.dir,
    scenario: files.scenario,
    targets: options.targets ?? panelTargets(files.scenario),
    windows: files.windows,
    summary: options.summary ?? files.summary,
    distributions: files.distributions,
    server: files.server,
    live: false,
    interactive: options.interactive,
  };
}
