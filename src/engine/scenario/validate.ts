// One pass over a scenario text: YAML syntax, the JSON Schema, then the semantic rules, all
// collected into one positioned problem list. The language server calls this on every edit.

import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import type { ScenarioProblem } from './errors';
import { formatPath, YamlLocator, type PathSegment } from './locate';
import { normalizeScenario } from './normalize';
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
 * against the current directory, as the base for relative prompt paths.
 */
export function validateScenarioText(text: string, fileName: string, options: ValidateOptions = {}): ScenarioValidation {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const locator = new YamlLocator(doc, lineCounter);
  const problems: ScenarioProblem[] = [];

  // 1. YAML syntax. The parser recovers, so validation below still runs on what it understood,
  //    but findings on a line with a syntax error are likely consequences and are dropped.
  const syntaxLines = new Set<number>();
  for (const err of doc.errors) {
    const span = locator.span(err.pos[0], err.pos[1]);
    if (syntaxLines.has(span.line)) continue;
    syntaxLines.add(span.line);
    problems.push({ file: fileName, ...span, path: '', message: `YAML syntax error: ${err.message}` });
  }

  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    if (problems.length === 0) {
      problems.push({ file: fileName, ...locator.documentStart(), path: '', message: 'the file is empty; a scenario needs at least targets and workload' });
    }
    return { problems };
  }

  // 2. The schema; 3. rules beyond it. A rule's finding is dropped when the schema already
  //    reported the same path or an enclosing one (one problem per spot, the most basic first).
  const schemaPaths: PathSegment[][] = [];
  const add = (p: PathSegment[], at: 'key' | 'value', message: string, allowed?: string[]) => {
    const span = at === 'key' ? locator.key(p) : locator.value(p);
    if (syntaxLines.has(span.line)) return;
    const display = formatPath(p);
    if (problems.some((q) => q.path === display && q.message === message)) return;
    problems.push({ file: fileName, ...span, path: display, message, ...(allowed && { allowed }) });
  };
  for (const f of checkAgainstSchema(validator(), data)) {
    schemaPaths.push(f.path);
    add(f.path, f.at, f.message, f.allowed);
  }
  const scenario = normalizeScenario(data, {
    filePath: path.resolve(fileName),
    checkFiles: options.checkFiles ?? true,
    report: (p, at, message, allowed) => {
      if (schemaPaths.some((s) => isPrefix(s, p))) return;
      add(p, at, message, allowed);
    },
  });

  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return problems.length > 0 ? { problems } : { scenario, problems };
}

function isPrefix(prefix: readonly PathSegment[], full: readonly PathSegment[]): boolean {
  return prefix.length <= full.length && prefix.every((seg, i) => seg === full[i]);
}
