// "The model comes from the front matter, the scenario, or the picker": the scenario part. A prompt or
// dataset file that a nearby *.perf.yaml uses (`prompts.file` / `prompts.dataset`) is counted for that
// scenario's first target model. Scenario files are read from disk (they need not be open), cached by
// modification time.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** How many directories up from the prompt file to look for scenarios (the prompt often sits in prompts/). */
const LEVELS_UP = 2;

const cache = new Map<string, { mtimeMs: number; uses: string[]; model: string | undefined }>();

/** The model of the first scenario near `promptFile` that uses it, if any. */
export function modelFromScenarios(promptFile: string): { model: string; scenario: string } | undefined {
  const target = path.resolve(promptFile);
  let dir = path.dirname(target);
  for (let level = 0; level <= LEVELS_UP; level++) {
    for (const file of scenarioFiles(dir)) {
      const info = read(file);
      if (info?.model && info.uses.includes(target)) return { model: info.model, scenario: file };
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function scenarioFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => /\.perf\.ya?ml$/i.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

function read(file: string): { uses: string[]; model: string | undefined } | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const cached = cache.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached;
  let data: { prompts?: { file?: unknown; dataset?: unknown }; targets?: { model?: unknown; deployment?: unknown }[] } | undefined;
  try {
    data = parse(fs.readFileSync(file, 'utf8')) ?? undefined;
  } catch {
    data = undefined; // a half-edited scenario: no model from it until it parses again
  }
  const uses = [data?.prompts?.file, data?.prompts?.dataset].filter((p): p is string => typeof p === 'string').map((p) => path.resolve(path.dirname(file), p));
  const first = Array.isArray(data?.targets) ? data.targets[0] : undefined;
  const model = typeof first?.model === 'string' ? first.model : typeof first?.deployment === 'string' ? first.deployment : undefined;
  const entry = { mtimeMs, uses, model };
  cache.set(file, entry);
  return entry;
}
