// The simulator's latency model.
//
//   TTFT  = (ttft_ms + ttft_per_1k_prompt_ms × prompt_tokens / 1000) × load × jitter
//   gap   = tpot_ms × tokens_in_chunk × load × jitter          (between consecutive content chunks)
//   retrieval = app_retrieval_ms × jitter                     (app route, before the model is asked; no load)
//   jitter = 1 + jitter × u,  u uniform in [-1, 1) from the request's seeded RNG, drawn per TTFT / gap
//
// The load factor is fixed when a request is accepted and applies to its TTFT and every gap
// (prefill and decode both slow down on a busy deployment):
//   PTU mode (ptu_capacity_tpm > 0): load = 1 / (1 − 0.8 × min(u, 1)), u = utilization including the
//     request itself (see quota.ts); ×1 when idle, ×2 at 62.5 %, ×5 at 100 %.
//   otherwise: load = 1 + inflight_slowdown × requests already in flight (default 0.0005 → ×1.25 at
//     500 in flight); a mild, monotone stand-in for batching contention. 0 turns it off.
//
// Times are targets: chunks are written by scheduler.ts at these offsets; the log records the real
// write times, which are what a client can observe.
import type { Rng } from './rng';
import type { SimulatorOptions } from './types';
import { DEFAULT_APP_RETRIEVAL_MS, DEFAULT_INFLIGHT_SLOWDOWN } from './defaults';

/** How strongly PTU utilization slows requests: load = 1 / (1 − PTU_SLOWDOWN × u). */
export const PTU_SLOWDOWN = 0.8;

export class LatencyModel {
  private readonly perInflight: number;

  constructor(private readonly opts: SimulatorOptions) {
    this.perInflight = opts.inflight_slowdown ?? DEFAULT_INFLIGHT_SLOWDOWN;
  }

  /** Load factor for a request accepted now; `utilization` (fraction) only in PTU mode. */
  loadFactor(inFlight: number, utilization: number | undefined): number {
    if (utilization !== undefined) return 1 / (1 - PTU_SLOWDOWN * Math.min(Math.max(utilization, 0), 1));
    return 1 + this.perInflight * inFlight;
  }

  ttftMs(promptTokens: number, load: number, rng: Rng): number {
    const base = this.opts.ttft_ms + (this.opts.ttft_per_1k_prompt_ms * promptTokens) / 1000;
    return base * load * this.jitter(rng);
  }

  gapMs(tokensInChunk: number, load: number, rng: Rng): number {
    return this.opts.tpot_ms * tokensInChunk * load * this.jitter(rng);
  }

  /** The app route's retrieval step: a separate service, so the model's load does not slow it. */
  retrievalMs(rng: Rng): number {
    return (this.opts.app_retrieval_ms ?? DEFAULT_APP_RETRIEVAL_MS) * this.jitter(rng);
  }

  private jitter(rng: Rng): number {
    const j = this.opts.jitter;
    return j === 0 ? 1 : 1 + j * (2 * rng.next() - 1);
  }
}
