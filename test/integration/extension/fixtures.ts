// Scenario files the integration suites write into their temporary workspaces: short runs on the
// built-in simulator (no account, no network).

export const simulatorScenario = (name: string, duration: string, slo = 'ttft.p95 < 5s') => `name: ${name}
targets:
  - name: sim
    provider: simulator
    endpoint: simulator
    deployment: gpt-5-mini
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: 40, tpot_ms: 3 }
workload:
  rate: 600
  clients: 20
  duration: ${duration}
prompts:
  shape: custom
  context_tokens: 100
  max_tokens: 20
aggregation_window: 5s
slos:
  - ${slo}
`;

/** Two simulated deployments side by side: one fast, one slower (so the Compare panel has a winner). */
export const twoTargetScenario = (name: string, duration: string) => `name: ${name}
targets:
  - name: fast
    provider: simulator
    endpoint: simulator
    deployment: gpt-5-mini
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: 60, tpot_ms: 4, tokens_per_chunk: 2 }
  - name: slow
    provider: simulator
    endpoint: simulator
    deployment: gpt-5-mini
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: 250, tpot_ms: 8 }
workload:
  rate: 300
  clients: 20
  duration: ${duration}
prompts:
  shape: custom
  context_tokens: 200
  max_tokens: 30
aggregation_window: 5s
record_chunks: true
slos:
  - ttft.p95 < 200ms
  - failures < 1%
`;

/** A deployment with 3 serving slots (a latency knee near 3 × 60 / 0.2 s ≈ 900 RPM) and a short
 *  capacity search over it (a few 3-second steps). */
export const capacityScenario = (name: string) => `name: ${name}
targets:
  - name: slots
    provider: simulator
    endpoint: simulator
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: 60, ttft_per_1k_prompt_ms: 0, tpot_ms: 7, jitter: 0.05, max_concurrency: 3 }
workload: { rate: 400, duration: 30s, clients: 100, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 20 }
retry: none
slos:
  - ttft.p95 < 500ms
capacity: { min: 200, max: 3200, precision: 0.25, step_duration: 3s, warm_up: 1s, cooldown: 1s, budget: 2m }
`;

/** A deployment with a small quota (5 requests per 5 s window) offered 600 RPM by 5 clients, with
 *  `on_end: abort`: most requests answer HTTP 429 (retry: none, so they end throttled), the clients are
 *  busy so some are never sent, and the requests admitted near the end (~3.7 s each) are cancelled. */
export const throttledScenario = (name: string) => `name: ${name}
targets:
  - name: limited
    provider: simulator
    endpoint: simulator
    model: gpt-4o
    auth: { type: none }
    simulator: { ttft_ms: 50, tpot_ms: 60, rpm_limit: 60, quota_window: 5s }
workload: { rate: 600, clients: 5, duration: 8s, on_end: abort }
prompts: { shape: custom, context_tokens: 50, max_tokens: 60 }
retry: none
slos:
  - ttft.p95 < 5s
  - failures < 50%
`;
