// A suite driven only from the browser (run-code-server-tests.ts --ui without --tests) is a list of
// named steps run in order — each a test a person could repeat by hand — stopping at the first that
// fails (later steps build on earlier ones). Like the mocha suites it reports how many passed
// (suite-result.ts), so run-all.ts can tell a full run from a short one.

import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { SuiteResult } from './suite-result';
import { screenshot } from './ui';

export interface UiStep {
  name: string;
  run: () => Promise<void>;
}

export async function runSteps(page: Page, log: (message: string) => void, steps: UiStep[]): Promise<void> {
  const result: SuiteResult = { passes: 0, failures: 0, pending: 0 };
  try {
    for (const [i, step] of steps.entries()) {
      const started = Date.now();
      try {
        await step.run();
      } catch (error) {
        result.failures++;
        result.pending = steps.length - i - 1;
        const shot = await screenshot(page, `ui-step-failed-${i + 1}.png`).catch(() => 'none');
        throw new Error(
          `step ${i + 1} "${step.name}" failed (screenshot ${shot}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          { cause: error },
        );
      }
      result.passes++;
      log(`✔ ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    const file = process.env.PERFLAB_INTEGRATION_RESULT;
    if (file) fs.writeFileSync(file, JSON.stringify(result));
    log(`${result.passes} passing, ${result.failures} failing, ${result.pending} not run`);
  }
}
