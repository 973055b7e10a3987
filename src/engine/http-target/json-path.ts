// The small path language of an HTTP target's `response:` (`text_path`, `usage_path`, `done_when`):
// dot-separated keys and `[n]` indexes, e.g. `choices[0].delta.content` or `delta.text`. Enough to
// point at a field of an app's event; not JSONPath (no wildcards or filters), so it is checked when
// the scenario is loaded and costs one property read per segment on the hot path.

export type PathSegment = string | number;

export class PathSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based index in the path text where the problem is. */
    readonly index: number,
  ) {
    super(message);
  }
}

/** `choices[0].delta.content` → ['choices', 0, 'delta', 'content']. Throws PathSyntaxError. */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  if (text.trim() === '') throw new PathSyntaxError('is empty', 0);
  while (i < text.length) {
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      const inner = close === -1 ? '' : text.slice(i + 1, close);
      if (close === -1 || !/^\d+$/.test(inner)) throw new PathSyntaxError(`expected an index like [0] at position ${i + 1}`, i);
      segments.push(Number(inner));
      i = close + 1;
    } else {
      const match = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i));
      if (!match) throw new PathSyntaxError(`expected a field name at position ${i + 1} ("${text.slice(i, i + 10)}")`, i);
      segments.push(match[0]);
      i += match[0].length;
    }
    if (i < text.length) {
      if (text[i] === '.') {
        i++;
        if (i === text.length) throw new PathSyntaxError('ends with a dot', i);
      } else if (text[i] !== '[') {
        throw new PathSyntaxError(`unexpected "${text[i]}" at position ${i + 1}`, i);
      }
    }
  }
  return segments;
}

/** The value at the path, or undefined when any step is missing. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** `done_when`: `<path>` (the value is truthy) or `<path> == <JSON literal>`. */
export interface DoneCondition {
  path: PathSegment[];
  /** Absent: truthy. */
  equals?: unknown;
}

export function parseDoneCondition(text: string): DoneCondition {
  const eq = text.indexOf('==');
  if (eq === -1) return { path: parsePath(text.trim()) };
  const left = text.slice(0, eq).trim();
  const right = text.slice(eq + 2).trim();
  let equals: unknown;
  try {
    equals = JSON.parse(right);
  } catch {
    throw new PathSyntaxError(`the value after == must be JSON (a number, true/false, null or a "quoted string"), got ${right || 'nothing'}`, eq + 2);
  }
  return { path: parsePath(left), equals };
}

export function isDone(condition: DoneCondition, data: unknown): boolean {
  const value = valueAt(data, condition.path);
  if (!('equals' in condition)) return Boolean(value);
  return value === condition.equals;
}
