// `perflab simulate`: the built-in simulator on its own, for pointing any client at it.

import { parseFaults } from '../simulator/defaults';
import { startSimulator } from '../simulator/server';
import type { SimulatorOptions } from '../simulator/types';

export interface SimulateFlags {
  port: string;
  ttftMs?: string;
  ttftPer1kPromptMs?: string;
  tpotMs?: string;
  tokensPerChunk?: string;
  jitter?: string;
  rpmLimit?: string;
  tpmLimit?: string;
  ptuCapacityTpm?: string;
  quotaWindow?: string;
  maxConcurrency?: string;
  faults?: string;
  azurePromptFilter: boolean;
  azureAsyncFilter?: boolean;
  reasoningTokens?: string;
  reasoningField?: SimulatorOptions['reasoning_field'];
  reasoningEvent?: SimulatorOptions['reasoning_event'];
  usage?: SimulatorOptions['usage'];
  coalesceEvents?: string;
  appRetrievalMs?: string;
  apiKeyEnv?: string;
  seed?: string;
  log?: string;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number (got "${value}")`);
  return n;
}

export async function simulateCommand(f: SimulateFlags): Promise<number> {
  const options: Partial<SimulatorOptions> = { host: '127.0.0.1', port: number('port', f.port) ?? 8089, azure_prompt_filter: f.azurePromptFilter };
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('ttft_ms', number('ttft-ms', f.ttftMs));
  set('ttft_per_1k_prompt_ms', number('ttft-per-1k-prompt-ms', f.ttftPer1kPromptMs));
  set('tpot_ms', number('tpot-ms', f.tpotMs));
  set('tokens_per_chunk', number('tokens-per-chunk', f.tokensPerChunk));
  set('jitter', number('jitter', f.jitter));
  set('rpm_limit', number('rpm-limit', f.rpmLimit));
  set('tpm_limit', number('tpm-limit', f.tpmLimit));
  set('ptu_capacity_tpm', number('ptu-capacity-tpm', f.ptuCapacityTpm));
  set('quota_window_s', number('quota-window', f.quotaWindow));
  set('max_concurrency', number('max-concurrency', f.maxConcurrency));
  set('seed', number('seed', f.seed));
  set('azure_async_filter', f.azureAsyncFilter);
  set('reasoning_tokens', number('reasoning-tokens', f.reasoningTokens));
  set('reasoning_field', f.reasoningField);
  set('reasoning_event', f.reasoningEvent);
  set('usage', f.usage);
  set('coalesce_events', number('coalesce-events', f.coalesceEvents));
  set('app_retrieval_ms', number('app-retrieval-ms', f.appRetrievalMs));
  if (f.faults) options.faults = parseFaults(f.faults);
  if (f.log) options.log_file = f.log;
  if (f.apiKeyEnv) {
    const key = process.env[f.apiKeyEnv];
    if (!key) throw new Error(`--api-key-env: environment variable ${f.apiKeyEnv} is not set`);
    options.api_key = key;
  }
  const sim = await startSimulator(options);
  process.stdout.write(
    [
      `perflab simulator listening on ${sim.url}`,
      `  Azure:    ${sim.url}/openai/deployments/<deployment>/chat/completions?api-version=2024-10-21`,
      `  OpenAI:   ${sim.url}/v1/chat/completions`,
      `  Responses API: ${sim.url}/v1/responses, ${sim.url}/openai/v1/responses, ${sim.url}/openai/responses?api-version=2025-04-01-preview`,
      `  LLM app:  ${sim.url}/app/chat?stream=sse (or ndjson, text, json; also /api/chat), body {"question": "…"} or {"messages": […]}`,
      `  e.g.      npx perflab load ${sim.url} --deployment gpt-4o --provider azure --rate 60 --duration 30`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}
