// Admission control: RPM / TPM quotas and PTU-like capacity over one sliding window.
//
// The window is 60 s unless `quota_window_s` says otherwise. A shorter window holds the same quota
// per minute scaled to its length (600 RPM over a 10 s window = 100 requests per 10 s), the way a
// deployment that enforces its per-minute quota over short intervals throttles a burst early.
// Every accepted request is recorded as (time, cost) with cost = prompt_tokens + max_tokens (the
// request's, else default_max_tokens) — the way Azure costs a request against TPM and against
// provisioned capacity, before any output exists. Rejected requests are not recorded.
//   rpm:  reject when the window already holds rpm_limit requests.
//   tpm:  reject when used + cost > tpm_limit.
//   ptu:  utilization u = used / ptu_capacity_tpm (the window is one minute, so `used` is tokens per
//         minute); reject while u ≥ 100 % (Azure lets one request push it past 100 %, then refuses).
// retry-after-ms is the exact time until enough of the oldest entries leave the window for the
// failing checks to pass (assuming nothing else gets in first).
import type { SimulatorOptions } from './types';

export const WINDOW_MS = 60_000;

/** Ring buffer of (time, cost) with a running sum; grows, never shrinks. */
export class SlidingWindow {
  constructor(private readonly windowMs = WINDOW_MS) {}

  private times = new Float64Array(1024);
  private costs = new Float64Array(1024);
  private head = 0;
  private size = 0;
  private total = 0;

  get count(): number {
    return this.size;
  }

  get sum(): number {
    return this.total;
  }

  add(time: number, cost: number): void {
    if (this.size === this.times.length) this.grow();
    const i = (this.head + this.size) % this.times.length;
    this.times[i] = time;
    this.costs[i] = cost;
    this.size++;
    this.total += cost;
  }

  /** Drops entries older than the window. */
  expire(now: number): void {
    const cutoff = now - this.windowMs;
    const cap = this.times.length;
    while (this.size > 0 && this.times[this.head] <= cutoff) {
      this.total -= this.costs[this.head];
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    if (this.size === 0) this.total = 0; // no float drift once empty
  }

  /** ms from `now` until the window holds fewer than `limit` entries. */
  waitForCountBelow(limit: number, now: number): number {
    const drop = this.size - limit + 1; // oldest entries that must leave
    if (drop <= 0) return 0;
    return this.leaveTime(drop - 1, now);
  }

  /** ms from `now` until sum ≤ `limit` (`strict`: sum < limit). A negative limit is never met:
   *  then the whole window must pass. */
  waitForSumAtMost(limit: number, now: number, strict = false): number {
    const ok = (s: number) => (strict ? s < limit : s <= limit);
    if (ok(this.total)) return 0;
    let remaining = this.total;
    const cap = this.times.length;
    for (let k = 0; k < this.size; k++) {
      remaining -= this.costs[(this.head + k) % cap];
      if (ok(remaining)) return this.leaveTime(k, now);
    }
    return this.windowMs;
  }

  private leaveTime(k: number, now: number): number {
    const t = this.times[(this.head + k) % this.times.length];
    return Math.max(0, t + this.windowMs - now);
  }

  private grow(): void {
    const cap = this.times.length;
    const times = new Float64Array(cap * 2);
    const costs = new Float64Array(cap * 2);
    for (let k = 0; k < this.size; k++) {
      times[k] = this.times[(this.head + k) % cap];
      costs[k] = this.costs[(this.head + k) % cap];
    }
    this.times = times;
    this.costs = costs;
    this.head = 0;
  }
}

export interface Admission {
  ok: boolean;
  /** Which check failed (the one with the longest wait when several did). */
  reason?: 'rpm' | 'tpm' | 'ptu';
  /** Rounded up to whole ms, at least 1. */
  retryAfterMs?: number;
  /** For the error message of a rejection: the failing check's limit and what the window holds. */
  limit?: number;
  used?: number;
  /** PTU mode: utilization as a fraction, including this request when accepted. */
  utilization?: number;
  /** x-ratelimit-* and azure-openai-deployment-utilization headers for the response. */
  headers: Record<string, string>;
}

export class QuotaGate {
  private readonly window: SlidingWindow;
  /** The window's share of a minute: limits per window = limits per minute × share. */
  private readonly share: number;

  constructor(private readonly opts: SimulatorOptions) {
    const windowS = opts.quota_window_s ?? WINDOW_MS / 1000;
    this.window = new SlidingWindow(windowS * 1000);
    this.share = windowS / 60;
  }

  /** Decides on a request of `cost` tokens at `now` (performance.now() ms); records it if accepted. */
  admit(cost: number, now: number): Admission {
    const { rpm_limit, tpm_limit, ptu_capacity_tpm } = this.opts;
    const w = this.window;
    w.expire(now);

    let wait = 0;
    let reason: Admission['reason'];
    const fail = (r: NonNullable<Admission['reason']>, ms: number) => {
      if (reason === undefined || ms > wait) {
        wait = ms;
        reason = r;
      }
    };
    const requests = Math.max(1, Math.floor(rpm_limit * this.share));
    const tokens = tpm_limit * this.share;
    const capacity = ptu_capacity_tpm * this.share;
    if (rpm_limit > 0 && w.count >= requests) fail('rpm', w.waitForCountBelow(requests, now));
    if (tpm_limit > 0 && w.sum + cost > tokens) fail('tpm', w.waitForSumAtMost(tokens - cost, now));
    if (ptu_capacity_tpm > 0 && w.sum >= capacity) {
      fail('ptu', w.waitForSumAtMost(capacity, now, true));
    }

    const ok = reason === undefined;
    if (ok) w.add(now, cost);
    const headers = this.headersNow();
    let utilization: number | undefined;
    if (ptu_capacity_tpm > 0) utilization = w.sum / capacity;
    if (ok) return { ok, utilization, headers };
    const limit = reason === 'rpm' ? rpm_limit : reason === 'tpm' ? tpm_limit : ptu_capacity_tpm;
    // Per minute, as the limit is.
    const used = (reason === 'rpm' ? w.count : w.sum) / this.share;
    return { ok, reason, retryAfterMs: Math.max(1, Math.ceil(wait)), limit, used, utilization, headers };
  }

  /** Quota headers describing the window as it is (also for responses that skip admission). */
  headers(now: number): Record<string, string> {
    this.window.expire(now);
    return this.headersNow();
  }

  private headersNow(): Record<string, string> {
    const { rpm_limit, tpm_limit, ptu_capacity_tpm } = this.opts;
    const w = this.window;
    const headers: Record<string, string> = {};
    // Remaining counts in per-minute units, as the limits are.
    if (rpm_limit > 0) {
      headers['x-ratelimit-limit-requests'] = String(rpm_limit);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(rpm_limit - w.count / this.share)));
    }
    if (tpm_limit > 0) {
      headers['x-ratelimit-limit-tokens'] = String(tpm_limit);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(tpm_limit - w.sum / this.share)));
    }
    if (ptu_capacity_tpm > 0) {
      headers['azure-openai-deployment-utilization'] = formatUtilization(w.sum / (ptu_capacity_tpm * this.share));
    }
    return headers;
  }
}

/** Azure's header format: a percentage with at most one decimal, e.g. "87.5%". */
export function formatUtilization(u: number): string {
  return `${Math.round(u * 1000) / 10}%`;
}
