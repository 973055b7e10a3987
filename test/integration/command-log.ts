// Which contributed commands the integration suites ran. The host side (a test calling
// `vscode.commands.executeCommand`) and the browser side (the palette, a context menu, a button) each
// record a command once it has run; run-all.ts then fails when a command of package.json's
// `contributes.commands` was run by no suite. The log is a folder of one file per suite, named by
// PERFLAB_COMMAND_LOG (set by run-all.ts; when unset nothing is recorded).

import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

/** package.json's `contributes.commands`. `root`: the extension folder (defaults to this repository). */
export function contributedCommands(root = ROOT): ContributedCommand[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { commands: ContributedCommand[] } };
  return pkg.contributes.commands;
}

/** Records that `id` ran in this suite. */
export function recordCommand(id: string): void {
  const dir = process.env.PERFLAB_COMMAND_LOG;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${process.env.PERFLAB_INTEGRATION_SUITE ?? 'unknown'}.txt`), `${id}\n`);
}

/** Records the command shown as `label` in the palette ("LLM Perf Lab: Run Scenario…") or in a menu
 *  ("Delete Run"); labels of other extensions' and VS Code's own commands are ignored. */
export function recordCommandLabel(label: string): void {
  const command = contributedCommands().find((c) => label === c.title || label === `${c.category}: ${c.title}`);
  if (command) recordCommand(command.command);
}

/** Every command recorded in the log folder, with the suites that ran it. */
export function readCommandLog(dir: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const suite = path.basename(file, '.txt');
    for (const id of fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean)) {
      const suites = seen.get(id) ?? [];
      if (!suites.includes(suite)) suites.push(suite);
      seen.set(id, suites);
    }
  }
  return seen;
}
