// The Azure Monitor (Log Analytics) query for a run's time window and deployment: server-side latency
// and status for the same requests, one paste away. Field names follow the Azure OpenAI resource logs
// (`AzureDiagnostics`, category RequestResponse; `properties_s` carries the deployment name).

import type { RunSummary } from '../engine/summary';

/** Operations the engine calls: Chat Completions and the Responses API. */
const OPERATIONS = ['ChatCompletions_Create', 'Responses_Create'];

/** What the query needs: a finished run's summary, or a live run's scenario and times so far. */
export type KqlRun = Pick<RunSummary, 'scenario' | 'started_at' | 'ended_at'>;

/** The KQL for one target of a run; null when the target is not an Azure deployment. */
export function kqlForTarget(summary: KqlRun, targetName: string): string | null {
  const target = summary.scenario.targets.find((t) => t.name === targetName);
  if (!target || target.provider !== 'azure') return null;
  const deployment = target.deployment ?? target.model ?? '';
  // A minute either side: clocks differ, and requests in flight at the edges belong to the run.
  const from = new Date(Date.parse(summary.started_at) - 60_000).toISOString();
  const to = new Date(Date.parse(summary.ended_at) + 60_000).toISOString();
  const resource = hostOf(target.endpoint);
  return [
    `// LLM Perf Lab run "${oneLine(summary.scenario.name)}", target "${oneLine(targetName)}" (${oneLine(resource)}, deployment ${oneLine(deployment)})`,
    `// ${summary.started_at} – ${summary.ended_at}: server-side duration and status per minute.`,
    'AzureDiagnostics',
    `| where TimeGenerated between (datetime(${from}) .. datetime(${to}))`,
    '| where ResourceProvider == "MICROSOFT.COGNITIVESERVICES" and Category == "RequestResponse"',
    `| where OperationName in (${OPERATIONS.map((o) => `"${o}"`).join(', ')})`,
    '| extend properties = parse_json(properties_s)',
    `| where tostring(properties.modelDeploymentName) == "${escapeKql(deployment)}"`,
    '| summarize requests = count(), p50_ms = percentile(DurationMs, 50), p95_ms = percentile(DurationMs, 95), p99_ms = percentile(DurationMs, 99) by bin(TimeGenerated, 1m), ResultSignature',
    '| order by TimeGenerated asc',
  ].join('\n');
}

/** Every Azure target's query, for reports. */
export function kqlForRun(summary: RunSummary): { target: string; kql: string }[] {
  return summary.targets.flatMap((t) => {
    const kql = kqlForTarget(summary, t.target);
    return kql ? [{ target: t.target, kql }] : [];
  });
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function escapeKql(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Comment text on one line: a line break in a name would turn the rest of it into query text. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}
