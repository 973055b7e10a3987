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
