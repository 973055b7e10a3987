// Entry points: scenario file or text → a validated Scenario, or a ScenarioError listing every problem.

import * as fs from 'node:fs';
import { ScenarioError } from './errors';
import type { Scenario } from './types';
import { validateScenarioText, type ValidateOptions } from './validate';

export { ScenarioError, formatProblem, scenarioErrorText, type ScenarioProblem } from './errors';
export { validateScenarioText, type ScenarioValidation, type ValidateOptions } from './validate';

/** Read and validate a `*.perf.yaml` file. Throws ScenarioError. */
export function loadScenarioFile(file: string, options?: ValidateOptions): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file: ${(err as Error).message}`;
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: reason }]);
  }
  return parseScenario(text, file, options);
}

/** Validate scenario text; `fileName` names it in messages and anchors relative prompt paths. Throws ScenarioError. */
export function parseScenario(text: string, fileName: string, options?: ValidateOptions): Scenario {
  const { scenario, problems } = validateScenarioText(text, fileName, options);
  if (!scenario) throw new ScenarioError(problems);
  return scenario;
}
