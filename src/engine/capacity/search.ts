// The search on the offered rate: bracket, then bisect.
//
// Bracket: start at `min` and double (capped at `max`) while steps pass; the first failing rate is
// the upper end. Doubling, not a jump to `max`, keeps the search from offering a deployment far more
// than it has just shown it can carry (it never goes above a rate that failed). Bisect: the midpoint
// of [highest passing, lowest failing] until the bracket is within `precision` of its lower end,
// which is the answer. Pure state: the caller runs each proposed rate and reports whether it passed.

export interface SearchBounds {
  min_rpm: number;
  max_rpm: number;
  /** Stop when (failing − passing) ≤ precision × passing. */
  precision: number;
}

export type SearchState =
  | { kind: 'step'; rpm: number }
  /** Every rate up to `max` passed. */
  | { kind: 'held-at-max'; rpm: number }
  /** `min` already failed: the capacity is below the search range. */
  | { kind: 'below-min' }
  /** The bracket is within precision: `rpm` passed, `failedAt` failed. */
  | { kind: 'found'; rpm: number; failedAt: number };

export class RateSearch {
  /** Highest rate that passed, lowest that failed (null: none yet). */
  private passed: number | null = null;
  private failed: number | null = null;

  constructor(private readonly bounds: SearchBounds) {
    if (!(bounds.min_rpm > 0 && bounds.max_rpm >= bounds.min_rpm)) throw new Error(`capacity: need 0 < min (${bounds.min_rpm}) ≤ max (${bounds.max_rpm})`);
    if (!(bounds.precision > 0)) throw new Error(`capacity: precision must be > 0 (got ${bounds.precision})`);
  }

  get bracket(): { passed: number | null; failed: number | null } {
    return { passed: this.passed, failed: this.failed };
  }

  /** What to do next. */
  next(): SearchState {
    const { min_rpm, max_rpm, precision } = this.bounds;
    if (this.passed === null) return this.failed === null ? { kind: 'step', rpm: min_rpm } : { kind: 'below-min' };
    if (this.failed === null) {
      if (this.passed >= max_rpm) return { kind: 'held-at-max', rpm: this.passed };
      return { kind: 'step', rpm: Math.min(max_rpm, this.passed * 2) };
    }
    if (this.failed - this.passed <= precision * this.passed) return { kind: 'found', rpm: this.passed, failedAt: this.failed };
    const mid = (this.passed + this.failed) / 2;
    const rounded = roundRate(mid);
    return { kind: 'step', rpm: rounded > this.passed && rounded < this.failed ? rounded : mid };
  }

  /** The outcome of a step at `rpm`. */
  record(rpm: number, passed: boolean): void {
    if (passed) this.passed = this.passed === null ? rpm : Math.max(this.passed, rpm);
    else this.failed = this.failed === null ? rpm : Math.min(this.failed, rpm);
  }
}

/** Rates as a person writes them: whole RPM from 100 up, 3 significant digits below (12.34 → 12.3), at least 0.001. */
export function roundRate(rpm: number): number {
  if (rpm <= 0) return 0.001;
  const digits = Math.max(0, Math.min(3, 2 - Math.floor(Math.log10(rpm))));
  const f = 10 ** digits;
  return Math.max(0.001, Math.round(rpm * f) / f);
}
