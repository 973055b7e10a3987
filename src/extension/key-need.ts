// Whether a target reads an API key, so "Set API Key…" is offered (tree context menu, CodeLens) only
// where it applies: the simulator, `auth: none` and `auth: entra` need none. A scenario that does not
// validate is judged from what it says (src/engine/scenario/lenient.ts). No 'vscode' here.

import { validateScenarioText } from '../engine/scenario/load';
import { readScenarioLeniently, type LenientTarget } from '../engine/scenario/lenient';
import type { Target } from '../engine/scenario/types';

/** Whether a validated target reads a key. */
export function needsApiKey(t: Pick<Target, 'endpoint' | 'auth'>): boolean {
  return t.endpoint !== 'simulator' && (t.auth.type === 'api-key' || t.auth.type === 'bearer');
}

/** needsApiKey for a target of a file that does not validate: a guess from what it says (api-key is the default auth). */
export function lenientNeedsKey(t: LenientTarget): boolean {
  if (t.provider === 'simulator' || t.endpoint === 'simulator') return false;
  // Your own app (provider http) reads a key only when its auth says so.
  if (t.provider === 'http' && t.authType === undefined) return false;
  return t.authType !== 'none' && t.authType !== 'entra';
}

/** Whether any target of a scenario's text needs a key (the scenario CodeLens offers "Set API Key…" then). */
export function scenarioNeedsKey(text: string, fileName: string): boolean {
  const v = validateScenarioText(text, fileName);
  return v.scenario ? v.scenario.targets.some(needsApiKey) : readScenarioLeniently(text).targets.some(lenientNeedsKey);
}
