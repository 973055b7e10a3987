// The scenario "Run Demo on the Simulator" writes and runs: no account, no network. It lives in the
// extension's storage (not the workspace), so the Scenarios tree lists it on its own (tree-model.ts
// scanDemo) and Open Results finds its runs.

import * as path from 'node:path';

/** Where the demo scenario is written inside the demo folder (extension storage). */
export function demoScenarioFile(demoFolder: string): string {
  return path.join(demoFolder, 'demo.perf.yaml');
}

export const DEMO_SCENARIO = `# LLM Perf Lab demo: 20 seconds against the built-in simulator (127.0.0.1, no account, no network).
name: demo
targets:
  - name: simulated-gpt-5-mini
    provider: simulator
    endpoint: simulator
    deployment: gpt-5-mini
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: 150, tpot_ms: 12 }
workload:
  rate: 120            # requests per minute
  arrival: poisson
  clients: 20
  duration: 20s
prompts:
  shape: custom
  context_tokens: 500
  max_tokens: 100
aggregation_window: 10s
slos:
  - ttft.p95 < 800ms
  - failures < 1%
`;
