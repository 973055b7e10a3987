// Which files are scenarios: `*.perf.yaml` and `*.perf.yml`, in one place for everything that asks —
// the Scenarios tree, the file watchers, CodeLens, the scenario pick, the language client's document
// selector and the language server. (`perflab run` takes any YAML file it is given; this is about
// which files the editor finds and treats as scenarios.) No 'vscode' here.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The glob of scenario files (VS Code watchers, document selectors, findFiles, activation events). */
export const SCENARIO_GLOB = '**/*.perf.{yaml,yml}';

/** The extension a new scenario file is given. */
export const SCENARIO_EXTENSION = '.perf.yaml';

/** Both endings SCENARIO_GLOB matches, exactly as the glob matches them (case included). */
const SCENARIO_ENDINGS = ['.perf.yaml', '.perf.yml'];

/** Whether a path or URI names a scenario file (`x.perf.yaml`, `x.perf.yml`). */
export function isScenarioFile(file: string): boolean {
  return SCENARIO_ENDINGS.some((ending) => file.endsWith(ending));
}

/** Folders never searched for scenarios: dependencies, the repository, and perflab's own results. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.perflab']);

/** Scenario files under root, sorted by path; node_modules, .git and .perflab are skipped, symlinked folders not followed. */
export function findScenarioFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: skip it rather than fail the whole search
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && isScenarioFile(e.name)) {
        found.push(full);
      }
    }
  };
  walk(path.resolve(root));
  return found.sort((a, b) => a.localeCompare(b));
}

/** Scenario files directly in `dir` (not below), sorted by name; none when it cannot be read. */
export function scenarioFilesIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter(isScenarioFile)
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
