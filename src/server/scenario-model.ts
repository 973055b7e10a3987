// "The model comes from the front matter, the scenario, or the picker": the scenario part. A prompt or
// dataset file that a nearby scenario file uses (`prompts.file` / `prompts.dataset`) is counted for that
// scenario's first target model. Scenario files are read from disk (they need not be open), leniently
// (a half-edited one still says what it can), and cached by modification time.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { scenarioFilesIn } from '../engine/scenario/files';
import { readScenarioLeniently } from '../engine/scenario/lenient';

/** How many directories up from the prompt file to look for scenarios (the prompt often sits in prompts/). */
const LEVELS_UP = 2;

type ScenarioPricing = ReturnType<typeof readScenarioLeniently>['pricing'];

const cache = new Map<string, { mtimeMs: number; uses: string[]; model: string | undefined; pricing: ScenarioPricing }>();

/** The model (and the `pricing:`) of the first scenario near `promptFile` that uses it, if any. */
export function modelFromScenarios(promptFile: string): { model: string; scenario: string; pricing: ScenarioPricing } | undefined {
  const target = path.resolve(promptFile);
  let dir = path.dirname(target);
  for (let level = 0; level <= LEVELS_UP; level++) {
    for (const file of scenarioFilesIn(dir)) {
      const info = read(file);
      if (info?.model && info.uses.includes(target)) return { model: info.model, scenario: file, pricing: info.pricing };
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function read(file: string): { uses: string[]; model: string | undefined; pricing: ScenarioPricing } | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const cached = cache.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const scenario = readScenarioLeniently(text);
  const uses = [scenario.promptsFile, scenario.promptsDataset].filter((p): p is string => p !== undefined).map((p) => path.resolve(path.dirname(file), p));
  const first = scenario.targets[0];
  const model = first?.model ?? first?.deployment;
  const entry = { mtimeMs, uses, model, pricing: scenario.pricing };
  cache.set(file, entry);
  return entry;
}
