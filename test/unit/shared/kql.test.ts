// The Azure Monitor query for a run's target (src/shared/kql.ts): Azure deployments only, the run's
// time window widened by a minute each side, the deployment name escaped, both operations the engine
// calls (Chat Completions and Responses).
import { strict as assert } from 'node:assert';
import type { Target } from '../../../src/engine/scenario/types';
import type { RunSummary } from '../../../src/engine/summary';
import { kqlForRun, kqlForTarget, type KqlRun } from '../../../src/shared/kql';
import { scenario } from '../webview/fixtures';
import { realRun } from './real-run';

const azure = (name: string, overrides: Partial<Target> = {}): Target => ({
  name,
  provider: 'azure',
  endpoint: 'https://contoso-east.openai.azure.com/',
  deployment: 'gpt-4o-prod',
  model: 'gpt-4o',
  api_version: '2024-10-21',
  auth: { type: 'api-key' },
  ...overrides,
});

const TARGETS: Target[] = [
  azure('east'),
  azure('tricky', { deployment: 'dep"with\\quote' }),
  azure('model-only', { deployment: undefined, model: 'gpt-4.1' }),
  { name: 'oai', provider: 'openai', endpoint: 'https://api.openai.com/v1', model: 'gpt-4o', auth: { type: 'bearer' } },
  { name: 'sim', provider: 'simulator', endpoint: 'simulator', model: 'gpt-4o', auth: { type: 'none' } },
  { name: 'vllm', provider: 'openai-compatible', endpoint: 'http://localhost:8000/v1', model: 'llama', auth: { type: 'none' } },
];

const RUN: KqlRun = { scenario: scenario({ name: 'nightly', targets: TARGETS }), started_at: '2026-03-01T10:00:30.250Z', ended_at: '2026-03-01T10:05:00.000Z' };

/** Query lines that are not comments (what Log Analytics executes). */
const queryLines = (kql: string) => kql.split('\n').filter((l) => !l.startsWith('//'));

describe('shared/kql', () => {
  it('null for targets that are not Azure deployments, and for unknown targets', () => {
    for (const name of ['oai', 'sim', 'vllm', 'nope']) assert.equal(kqlForTarget(RUN, name), null, name);
  });

  it('an Azure target: the run window ±1 minute, the deployment, both operations, per-minute percentiles', () => {
    const kql = kqlForTarget(RUN, 'east')!;
    const lines = queryLines(kql);
    assert.equal(lines[0], 'AzureDiagnostics');
    assert.ok(
      lines.slice(1).every((l) => l.startsWith('| ')),
      kql,
    );
    assert.ok(lines.includes('| where TimeGenerated between (datetime(2026-03-01T09:59:30.250Z) .. datetime(2026-03-01T10:06:00.000Z))'), kql);
    assert.ok(lines.includes('| where OperationName in ("ChatCompletions_Create", "Responses_Create")'), kql);
    assert.ok(lines.includes('| where tostring(properties.modelDeploymentName) == "gpt-4o-prod"'), kql);
    assert.ok(lines.includes('| where ResourceProvider == "MICROSOFT.COGNITIVESERVICES" and Category == "RequestResponse"'));
    assert.match(kql, /percentile\(DurationMs, 95\)/);
    assert.match(kql, /by bin\(TimeGenerated, 1m\), ResultSignature/);
    // The header names the run, the target and the resource host.
    assert.match(kql.split('\n')[0], /^\/\/ LLM Perf Lab run "nightly", target "east" \(contoso-east\.openai\.azure\.com, deployment gpt-4o-prod\)$/);
  });

  it('escapes quotes and backslashes in the deployment; falls back to the model name', () => {
    assert.ok(queryLines(kqlForTarget(RUN, 'tricky')!).includes('| where tostring(properties.modelDeploymentName) == "dep\\"with\\\\quote"'));
    assert.ok(queryLines(kqlForTarget(RUN, 'model-only')!).includes('| where tostring(properties.modelDeploymentName) == "gpt-4.1"'));
  });

  it('a line break in a scenario or target name stays inside the comment (the query still parses)', () => {
    const run: KqlRun = { ...RUN, scenario: scenario({ name: 'two\nlines', targets: [azure('a\r\nb')] }) };
    const kql = kqlForTarget(run, 'a\r\nb')!;
    const lines = queryLines(kql);
    assert.equal(lines[0], 'AzureDiagnostics', kql);
    assert.ok(
      lines.slice(1).every((l) => l.startsWith('| ')),
      kql,
    );
  });

  it('kqlForRun: one query per Azure target of the summary, none for a simulator run', async () => {
    const { summary } = await realRun();
    assert.deepEqual(kqlForRun(summary), []);
    const azureRun: RunSummary = {
      ...summary,
      scenario: { ...summary.scenario, targets: [azure('fast'), summary.scenario.targets[1]] },
    };
    const queries = kqlForRun(azureRun);
    assert.deepEqual(
      queries.map((q) => q.target),
      ['fast'],
    );
    assert.equal(queries[0].kql, kqlForTarget(azureRun, 'fast'));
    const from = new Date(Date.parse(summary.started_at) - 60_000).toISOString();
    const to = new Date(Date.parse(summary.ended_at) + 60_000).toISOString();
    assert.ok(queries[0].kql.includes(`between (datetime(${from}) .. datetime(${to}))`));
  }).timeout(60_000);
});
