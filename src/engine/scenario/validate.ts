// One pass over a scenario text: YAML syntax, the JSON Schema, then the semantic rules, all
// collected into one positioned problem list. The language server calls this on every edit.

import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { ScenarioProblem } from './errors';
import { MAX_PROBLEMS } from './limits';
import { formatPath, type PathSegment } from './locate';
import { normalizeScenario, type ReportAt } from './normalize';
import { readScenarioYaml } from './read-yaml';
import { ANNOTATION_KEYWORDS, perfSchema } from './schema';
import { checkAgainstSchema, compileSchema } from './schema-check';
import type { Scenario } from './types';

export interface ValidateOptions {
  /** Check that referenced prompt files exist; default true. */
  checkFiles?: boolean;
}

export interface ScenarioValidation {
  /** Present only when there are no problems. */
  scenario?: Scenario;
  /** Sorted by position. */
  problems: ScenarioProblem[];
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= compileSchema(perfSchema, ANNOTATION_KEYWORDS);
  return compiled;
}

/**
 * Validate and normalize a scenario. `fileName` is used in messages as given and, resolved
 * against the current directory, as the base for relative prompt paths. Never throws: whatever
 * the text holds comes back as problems (at most MAX_PROBLEMS of them, then a count of the rest).
 */
export function validateScenarioText(text: string, fileName: string, options: ValidateOptions = {}): ScenarioValidation {
  try {
    return validate(text, fileName, options);
  } catch (err) {
    // A safety net for the language server and the CLI: a bug here must not take them down.
    // (The fuzz test, test/unit/scenario/fuzz.test.ts, fails on this message.)
    const message = `could not validate this file (an internal error, please report it): ${err instanceof Error ? err.message : String(err)}`;
    return { problems: [{ file: fileName, line: 1, column: 1, path: '', message }] };
  }
}

function validate(text: string, fileName: string, options: ValidateOptions): ScenarioValidation {
  // 1. YAML: encoding, syntax, nesting, duplicate keys, aliases (read-yaml.ts).
  const { locator, problems: yamlProblems, syntaxLines, data } = readScenarioYaml(text);
  const problems: ScenarioProblem[] = yamlProblems.map((p) => ({ file: fileName, ...p, path: '' }));
  if (data === null || data === undefined) {
    if (problems.length === 0) {
      problems.push({ file: fileName, ...locator.documentStart(), path: '', message: 'the file is empty; a scenario needs at least targets and workload' });
    }
    return { problems: finish(problems) };
  }

  // 2. The schema; 3. rules beyond it. A rule's finding is dropped when the schema already
  //    reported the same path or an enclosing one (one problem per spot, the most basic first).
  //    Sets, not searches of the lists: a file may hold thousands of problems.
  const schemaPaths = new Set<string>();
  const reported = new Set<string>();
  const add = (p: PathSegment[], at: ReportAt, message: string, allowed?: string[]) => {
    const span = at === 'key' ? locator.key(p) : at === 'value' ? locator.value(p) : locator.textAt(p, at.textOffset);
    if (syntaxLines.has(span.line)) return;
    const display = formatPath(p);
    const id = `${display}\n${message}`;
    if (reported.has(id)) return;
    reported.add(id);
    problems.push({ file: fileName, ...span, path: display, message, ...(allowed && { allowed }) });
  };
  for (const f of checkAgainstSchema(validator(), data)) {
    schemaPaths.add(formatPath(f.path));
    add(f.path, f.at, f.message, f.allowed);
  }
  const scenario = normalizeScenario(data, {
    filePath: path.resolve(fileName),
    checkFiles: options.checkFiles ?? true,
    report: (p, at, message, allowed) => {
      for (let n = 0; n <= p.length; n++) if (schemaPaths.has(formatPath(p.slice(0, n)))) return;
      add(p, at, message, allowed);
    },
  });

  return problems.length > 0 ? { problems: finish(problems) } : { scenario, problems };
}

/** Sorted by position; beyond MAX_PROBLEMS, one entry counts the rest (an editor must not drown). */
function finish(problems: ScenarioProblem[]): ScenarioProblem[] {
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.length - MAX_PROBLEMS;
  const next = problems[MAX_PROBLEMS];
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    {
      file: next.file,
      line: next.line,
      column: next.column,
      path: '',
      message: `… and ${rest} more problem${rest === 1 ? '' : 's'} (only the first ${MAX_PROBLEMS} are listed)`,
    },
  ];
}
