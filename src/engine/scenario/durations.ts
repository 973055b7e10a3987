// Durations in scenario files: a number means seconds; a string is one or more
// `<number><unit>` parts with unit ms | s | m | h ("500ms", "30s", "5m", "1h", "1m30s"),
// or a bare number string ("45" = 45 s).

import { shorten } from './errors';

/** The accepted string form, shared with the JSON Schema so editors and the loader agree. Spaces
 *  between parts belong to the part after them, so a long run of spaces is matched in linear time. */
export const DURATION_PATTERN = '^\\s*(?:\\d+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h)(?:\\s*\\d+(?:\\.\\d+)?\\s*(?:ms|s|m|h))*)\\s*$';

/** The message used wherever a duration does not parse. */
export const DURATION_HINT = 'must be a duration such as 500ms, 30s, 5m or 1h (a number means seconds)';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export class DurationError extends Error {}

/** Parse a duration to milliseconds. Throws DurationError for anything else (including negatives). */
export function parseDurationMs(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new DurationError(`${DURATION_HINT} (got ${value})`);
    return value * 1000;
  }
  if (typeof value !== 'string' || !new RegExp(DURATION_PATTERN).test(value)) {
    throw new DurationError(`${DURATION_HINT} (got ${value === undefined ? 'nothing' : shorten(JSON.stringify(value))})`);
  }
  const text = value.trim();
  let total = 0;
  if (/^\d+(?:\.\d+)?$/.test(text)) total = Number(text) * 1000;
  else for (const part of text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g)) total += Number(part[1]) * UNIT_MS[part[2]];
  // Hundreds of digits overflow to Infinity; the caller's limit (limits.ts) handles large finite values.
  if (!Number.isFinite(total)) throw new DurationError(`${DURATION_HINT} (got a number too large to hold)`);
  return total;
}

/** Parse a duration to seconds. */
export function parseDurationSeconds(value: unknown): number {
  return parseDurationMs(value) / 1000;
}

/** A short human form: 250ms, 30s, 5m, 1h30m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${round(ms)}ms`;
  if (ms < 60_000) return `${round(ms / 1000)}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = round((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
