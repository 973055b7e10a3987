// The run folders of a workspace as runs finish, for suites that start runs from the browser and wait
// for their results on disk (keys-ui.ts, modal-commands-ui.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';

export class RunFolders {
  private readonly known = new Set<string>();

  constructor(private readonly workspace: string) {
    for (const dir of this.list()) this.known.add(dir);
  }

  list(): string[] {
    const root = path.join(this.workspace, '.perflab', 'runs');
    return fs.existsSync(root) ? fs.readdirSync(root).map((d) => path.join(root, d)) : [];
  }

  /** The summary of the next run of `name` to finish (a new folder with summary.json); `meanwhile`
   *  runs while waiting. */
  async next(name: string, meanwhile?: () => Promise<void>, timeoutMs = 90_000): Promise<RunSummaryLike> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const dir of this.list()) {
        if (this.known.has(dir) || !new RegExp(`-${name}(-\\d+)?$`).test(dir)) continue;
        const file = path.join(dir, 'summary.json');
        if (!fs.existsSync(file)) continue;
        this.known.add(dir);
        return { ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<RunSummaryLike, 'dir'>), dir };
      }
      if (Date.now() > deadline) throw new Error(`no new run of "${name}" finished within ${timeoutMs / 1000} s`);
      await meanwhile?.();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

/** The parts of summary.json these steps read. */
export interface RunSummaryLike {
  dir: string;
  error?: string;
  targets: { target: string; requests: { sent: number; failed: number } }[];
}
