// Problems found in a scenario file, with positions, and the error that carries them.

import { MAX_SHOWN_CHARS } from './limits';

export interface ScenarioProblem {
  /** The file name as given by the caller (kept relative for readable messages). */
  file: string;
  /** 1-based position of the start of the offending key or value. */
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Where in the scenario, e.g. `workload.rate` or `targets[0].auth.type`; empty for the whole file. */
  path: string;
  message: string;
  /** Allowed values or known keys, for quick fixes. */
  allowed?: string[];
  /** For a scenario built from command-line flags: the flag the value came from, as typed
   *  (`perflab load --rate`); printed instead of the position in the generated text. */
  flag?: string;
}

/** `file:line:col: path: message`, the way compilers print it (editors and terminals link it);
 *  `perflab load --rate: message` for a flag. */
export function formatProblem(p: ScenarioProblem): string {
  if (p.flag) return `${p.flag}: ${p.message}`;
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** What went wrong loading a scenario, one problem a line, file names shortened to their base name
 *  (for the editor's messages and output channel, where the full path is noise). */
export function scenarioErrorText(error: unknown): string {
  if (!(error instanceof ScenarioError)) return error instanceof Error ? error.message : String(error);
  return error.problems.map((p) => formatProblem({ ...p, file: p.file.split(/[\\/]/).pop() ?? p.file })).join('\n');
}

export class ScenarioError extends Error {
  readonly problems: ScenarioProblem[];

  constructor(problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** The first MAX_SHOWN_CHARS characters of a long text (a key, a value) for a message, marked as cut. */
export function shorten(text: string): string {
  return text.length <= MAX_SHOWN_CHARS ? text : `${text.slice(0, MAX_SHOWN_CHARS)}… (${text.length} characters)`;
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  // No candidate is this long; the edit distance of a very long word would only cost time and memory.
  if (word.length > MAX_SHOWN_CHARS) return undefined;
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const w = squash(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = squash(c) === w ? 0 : editDistance(w, squash(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(w.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean "x"?` or an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `did you mean "${match}"?`;
}

/** Levenshtein distance where swapping two neighbours costs 1 (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
