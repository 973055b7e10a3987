// GET /metrics: the simulator's own state in the Prometheus text exposition format, under vLLM's
// metric names, labels and histogram buckets — so a scenario's `server_metrics:` works with no GPU
// and no account. Every number comes from what the simulator really did: the counters and histograms
// are fed the same log entries the request log holds (server.ts), so tests can compare the two.
//
// Which requests count: those the simulated engine accepted (status 200). Requests answered at once
// with an error or a 429 never reached an engine; a vLLM behind a gateway would not see them either.
// Times are the server's: TTFT from the request's arrival (body received) to its first output token,
// reasoning included, as vLLM measures from arrival; E2E to the end of the response; inter-token
// latency between consecutive output events. A non-streamed response writes no token before its end,
// so it gives no TTFT or inter-token observation. App requests (route app) count like the others;
// their times run from the app's arrival, so their TTFT and E2E include its retrieval step.

import type { SimulatorLogEntry } from './types';

/** vLLM's bucket bounds, in seconds (vllm/v1/metrics/loggers.py in vllm-project/vllm). */
export const TTFT_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
];
export const INTER_TOKEN_BUCKETS_S = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
/** E2E and queue time share these. */
export const REQUEST_LATENCY_BUCKETS_S = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
];

/** The simulator has no KV cache. Its gauge is a model of one: the tokens held by the requests being
 *  generated (prompt + output so far) over a notional capacity of this many tokens — roughly what a
 *  7–8B model leaves for its cache on one 80 GB GPU. It rises and falls with the real load, it is not
 *  a measurement of memory. */
export const KV_CACHE_CAPACITY_TOKENS = 262_144;

/** What the server knows at the moment of a scrape. */
export interface EngineState {
  /** Requests holding a serving slot (being generated). */
  running: number;
  /** Requests waiting for a serving slot (max_concurrency). */
  waiting: number;
  /** Prompt + output tokens so far of the running requests. */
  heldTokens: number;
}

type FinishReason = 'stop' | 'length' | 'abort';

class Histogram {
  /** Per bucket (not cumulative); the last one is +Inf. */
  private readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }

  /** Cumulative counts per bound, +Inf last. */
  cumulative(): number[] {
    let total = 0;
    return this.counts.map((n) => (total += n));
  }
}

export class SimulatorMetrics {
  /** vLLM serves one model; the simulator answers any, so it labels its series with the first model
   *  it served. */
  private model: string | null = null;
  private promptTokens = 0;
  private generationTokens = 0;
  private readonly success: Record<FinishReason, number> = { stop: 0, length: 0, abort: 0 };
  private readonly ttft = new Histogram(TTFT_BUCKETS_S);
  private readonly interToken = new Histogram(INTER_TOKEN_BUCKETS_S);
  private readonly e2e = new Histogram(REQUEST_LATENCY_BUCKETS_S);
  private readonly queue = new Histogram(REQUEST_LATENCY_BUCKETS_S);

  constructor(private readonly fallbackModel: string) {}

  /** A request the engine accepted: the first one names the model the series are labelled with. */
  serving(model: string | undefined): void {
    this.model ??= model ?? null;
  }

  /** A finished request, as logged. */
  observe(entry: SimulatorLogEntry): void {
    if (entry.status !== 200) return;
    this.serving(entry.model);
    this.promptTokens += entry.prompt_tokens;
    this.generationTokens += entry.completion_tokens;
    this.success[finishReason(entry)]++;
    const firstOutput = Math.min(entry.first_reasoning_ms ?? Infinity, entry.first_content_ms ?? Infinity);
    // A non-streamed body (the app route's json logs it as its content write) is no first token.
    if (entry.stream && firstOutput !== Infinity) this.ttft.observe((firstOutput - entry.received_ms) / 1000);
    this.e2e.observe((entry.end_ms - entry.received_ms) / 1000);
    this.queue.observe((entry.queued_ms ?? 0) / 1000);
    const events =
      entry.reasoning_chunk_ms.length === 0 ? entry.content_chunk_ms : [...entry.reasoning_chunk_ms, ...entry.content_chunk_ms].sort((a, b) => a - b);
    for (let i = 1; i < events.length; i++) this.interToken.observe((events[i] - events[i - 1]) / 1000);
  }

  /** The exposition text, as vLLM's prometheus_client writes it (labels sorted, floats as Python prints them). */
  render(state: EngineState): string {
    const labels = { engine: '0', model_name: this.model ?? this.fallbackModel };
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const sample = (name: string, extra: Record<string, string>, value: number) => out.push(`${name}${labelText({ ...labels, ...extra })} ${float(value)}`);

    family('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.');
    sample('vllm:num_requests_running', {}, state.running);
    family('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.');
    sample('vllm:num_requests_waiting', {}, state.waiting);
    family('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.');
    sample('vllm:kv_cache_usage_perc', {}, Math.min(1, state.heldTokens / KV_CACHE_CAPACITY_TOKENS));
    family('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.');
    sample('vllm:prompt_tokens_total', {}, this.promptTokens);
    family('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.');
    sample('vllm:generation_tokens_total', {}, this.generationTokens);
    family('vllm:request_success_total', 'counter', 'Count of successfully processed requests.');
    for (const reason of ['stop', 'length', 'abort'] as const) sample('vllm:request_success_total', { finished_reason: reason }, this.success[reason]);
    const histogram = (name: string, help: string, h: Histogram) => {
      family(name, 'histogram', help);
      const cumulative = h.cumulative();
      h.bounds.forEach((bound, i) => sample(`${name}_bucket`, { le: float(bound) }, cumulative[i]));
      sample(`${name}_bucket`, { le: '+Inf' }, cumulative[h.bounds.length]);
      sample(`${name}_count`, {}, h.count);
      sample(`${name}_sum`, {}, h.sum);
    };
    histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', this.ttft);
    histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', this.interToken);
    histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', this.e2e);
    histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', this.queue);
    return out.join('\n') + '\n';
  }
}

/** vLLM's finished_reason: abort for a response cut short (client gone, dropped stream, shutdown). */
function finishReason(entry: SimulatorLogEntry): FinishReason {
  if (entry.interrupted !== undefined || entry.fault === 'drop') return 'abort';
  return entry.finish_reason ?? 'stop';
}

/** `{engine="0",model_name="m"}`, names sorted, values escaped as the text format wants. */
function labelText(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}

/** Python's float repr, as prometheus_client prints values: 3 → "3.0", 0.25 → "0.25". */
function float(v: number): string {
  if (v === Infinity) return '+Inf';
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}
