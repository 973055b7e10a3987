// The server metrics perflab knows by name: what each means, its unit, and which role it plays beside
// the client's numbers (the server's running batch, its queue, its KV cache, its own TTFT…). By
// default only these are recorded from a /metrics page; `server_metrics.series` adds others.
//
// Sources (each server's documentation or the code that writes its /metrics page):
//   vLLM       vllm/v1/metrics/loggers.py and docs/design/metrics.md (vllm-project/vllm); names from
//              before v0.10 (gpu_cache_usage_perc, time_per_output_token_seconds) are kept.
//   TGI        docs/source/reference/metrics.md (huggingface/text-generation-inference)
//   llama.cpp  the /metrics handler of tools/server (ggml-org/llama.cpp; started with --metrics)
//   SGLang     python/sglang/srt/metrics/collector.py (sgl-project/sglang)

export type ServerKind = 'vLLM' | 'TGI' | 'llama.cpp' | 'SGLang';

/** What a series stands for beside the client's numbers. Several servers' names share a role. */
export type SeriesRole =
  | 'running' // requests in the running batch
  | 'waiting' // requests queued in the server
  | 'kv_cache' // KV-cache usage, 0..1
  | 'ttft' // server-side time to first token (histogram)
  | 'itl' // server-side time between tokens (histogram)
  | 'e2e' // server-side request latency (histogram)
  | 'queue_time' // time requests waited in the server's queue (histogram)
  | 'prompt_tokens' // prompt tokens processed (counter)
  | 'generation_tokens' // tokens generated (counter)
  | 'requests'; // requests finished (counter)

export interface KnownSeries {
  /** The name a scrape shows: a histogram's family name, else the sample name. */
  name: string;
  server: ServerKind;
  kind: 'gauge' | 'counter' | 'histogram';
  unit: 'requests' | 'tokens' | 'ratio' | 'seconds' | 'tokens/s' | 'count';
  /** A few words for tables and charts. */
  label: string;
  role?: SeriesRole;
}

const s = (name: string, server: ServerKind, kind: KnownSeries['kind'], unit: KnownSeries['unit'], label: string, role?: SeriesRole): KnownSeries => ({
  name,
  server,
  kind,
  unit,
  label,
  ...(role && { role }),
});

/** In order of preference within a role: the first one a server publishes is used. */
export const KNOWN_SERIES: readonly KnownSeries[] = [
  // vLLM
  s('vllm:num_requests_running', 'vLLM', 'gauge', 'requests', 'requests running', 'running'),
  s('vllm:num_requests_waiting', 'vLLM', 'gauge', 'requests', 'requests waiting', 'waiting'),
  s('vllm:kv_cache_usage_perc', 'vLLM', 'gauge', 'ratio', 'KV-cache usage', 'kv_cache'),
  s('vllm:gpu_cache_usage_perc', 'vLLM', 'gauge', 'ratio', 'GPU KV-cache usage', 'kv_cache'),
  s('vllm:num_preemptions_total', 'vLLM', 'counter', 'requests', 'preemptions'),
  s('vllm:prompt_tokens_total', 'vLLM', 'counter', 'tokens', 'prompt tokens', 'prompt_tokens'),
  s('vllm:generation_tokens_total', 'vLLM', 'counter', 'tokens', 'generated tokens', 'generation_tokens'),
  s('vllm:request_success_total', 'vLLM', 'counter', 'requests', 'requests finished', 'requests'),
  s('vllm:prefix_cache_queries_total', 'vLLM', 'counter', 'tokens', 'prefix-cache queried tokens'),
  s('vllm:prefix_cache_hits_total', 'vLLM', 'counter', 'tokens', 'prefix-cache hit tokens'),
  s('vllm:gpu_prefix_cache_hit_rate', 'vLLM', 'gauge', 'ratio', 'prefix-cache hit rate'),
  s('vllm:time_to_first_token_seconds', 'vLLM', 'histogram', 'seconds', 'time to first token', 'ttft'),
  s('vllm:inter_token_latency_seconds', 'vLLM', 'histogram', 'seconds', 'inter-token latency', 'itl'),
  s('vllm:time_per_output_token_seconds', 'vLLM', 'histogram', 'seconds', 'time per output token', 'itl'),
  s('vllm:e2e_request_latency_seconds', 'vLLM', 'histogram', 'seconds', 'request latency', 'e2e'),
  s('vllm:request_queue_time_seconds', 'vLLM', 'histogram', 'seconds', 'queue time', 'queue_time'),
  // TGI
  s('tgi_batch_current_size', 'TGI', 'gauge', 'requests', 'batch size', 'running'),
  s('tgi_queue_size', 'TGI', 'gauge', 'requests', 'queue size', 'waiting'),
  s('tgi_batch_current_max_tokens', 'TGI', 'gauge', 'tokens', 'batch max tokens'),
  s('tgi_request_count', 'TGI', 'counter', 'requests', 'requests received'),
  s('tgi_request_success', 'TGI', 'counter', 'requests', 'requests succeeded', 'requests'),
  s('tgi_request_duration', 'TGI', 'histogram', 'seconds', 'request latency', 'e2e'),
  s('tgi_request_queue_duration', 'TGI', 'histogram', 'seconds', 'queue time', 'queue_time'),
  s('tgi_request_mean_time_per_token_duration', 'TGI', 'histogram', 'seconds', 'mean time per token', 'itl'),
  s('tgi_request_generated_tokens', 'TGI', 'histogram', 'tokens', 'generated tokens per request'),
  s('tgi_request_input_length', 'TGI', 'histogram', 'tokens', 'prompt tokens per request'),
  // llama.cpp server
  s('llamacpp:requests_processing', 'llama.cpp', 'gauge', 'requests', 'requests processing', 'running'),
  s('llamacpp:requests_deferred', 'llama.cpp', 'gauge', 'requests', 'requests deferred', 'waiting'),
  s('llamacpp:kv_cache_usage_ratio', 'llama.cpp', 'gauge', 'ratio', 'KV-cache usage', 'kv_cache'),
  s('llamacpp:kv_cache_tokens', 'llama.cpp', 'gauge', 'tokens', 'KV-cache tokens'),
  s('llamacpp:prompt_tokens_total', 'llama.cpp', 'counter', 'tokens', 'prompt tokens', 'prompt_tokens'),
  s('llamacpp:tokens_predicted_total', 'llama.cpp', 'counter', 'tokens', 'generated tokens', 'generation_tokens'),
  s('llamacpp:prompt_tokens_seconds', 'llama.cpp', 'gauge', 'tokens/s', 'prompt throughput (average)'),
  s('llamacpp:predicted_tokens_seconds', 'llama.cpp', 'gauge', 'tokens/s', 'generation throughput (average)'),
  // llama.cpp types it a counter, but it is an average since start.
  s('llamacpp:n_busy_slots_per_decode', 'llama.cpp', 'gauge', 'count', 'busy slots per decode'),
  // SGLang
  s('sglang:num_running_reqs', 'SGLang', 'gauge', 'requests', 'requests running', 'running'),
  s('sglang:num_queue_reqs', 'SGLang', 'gauge', 'requests', 'requests queued', 'waiting'),
  s('sglang:token_usage', 'SGLang', 'gauge', 'ratio', 'KV-cache token usage', 'kv_cache'),
  s('sglang:cache_hit_rate', 'SGLang', 'gauge', 'ratio', 'prefix-cache hit rate'),
  s('sglang:gen_throughput', 'SGLang', 'gauge', 'tokens/s', 'generation throughput'),
  s('sglang:prompt_tokens_total', 'SGLang', 'counter', 'tokens', 'prompt tokens', 'prompt_tokens'),
  s('sglang:generation_tokens_total', 'SGLang', 'counter', 'tokens', 'generated tokens', 'generation_tokens'),
  s('sglang:num_requests_total', 'SGLang', 'counter', 'requests', 'requests finished', 'requests'),
  s('sglang:time_to_first_token_seconds', 'SGLang', 'histogram', 'seconds', 'time to first token', 'ttft'),
  s('sglang:inter_token_latency_seconds', 'SGLang', 'histogram', 'seconds', 'inter-token latency', 'itl'),
  s('sglang:time_per_output_token_seconds', 'SGLang', 'histogram', 'seconds', 'time per output token', 'itl'),
  s('sglang:e2e_request_latency_seconds', 'SGLang', 'histogram', 'seconds', 'request latency', 'e2e'),
  s('sglang:queue_time_seconds', 'SGLang', 'histogram', 'seconds', 'queue time', 'queue_time'),
];

const BY_NAME = new Map(KNOWN_SERIES.map((k) => [k.name, k]));

export function knownSeries(name: string): KnownSeries | undefined {
  return BY_NAME.get(name);
}

/** Whether a series is recorded: a known one, or one named in `series` (exact, or a prefix ending in `*`). */
export function seriesWanted(name: string, extra: readonly string[]): boolean {
  if (BY_NAME.has(name)) return true;
  return extra.some((e) => (e.endsWith('*') ? name.startsWith(e.slice(0, -1)) : e === name));
}
