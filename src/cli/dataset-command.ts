// `perflab dataset generate|from-csv`: realistic test data (issue 6). Filled in below.
import type { Command } from 'commander';

export type Guarded = (body: () => Promise<number> | number) => Promise<void>;

export function registerDatasetCommands(_program: Command, _run: Guarded): void {}
