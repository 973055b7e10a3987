// `perflab report <run-dir>`: the HTML report, CSV exports and a markdown summary of a finished run.

import type { Command } from 'commander';

/** Runs a command body through main.ts's guarded() and records its exit code. */
export type RunCommand = (body: () => Promise<number> | number) => Promise<void>;

export function registerReportCommand(program: Command, run: RunCommand): void {
  program
    .command('report')
    .description('write the HTML report (default), CSV exports or a markdown summary of a run folder')
    .argument('<run-dir>', 'run folder')
    .action(async () => {
      await run(() => 0);
    });
}
