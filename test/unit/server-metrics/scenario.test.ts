// `server_metrics:` in scenario files: its normalized form, and every mistake reported at its line and
// column, as for the other blocks.

import { strict as assert } from 'node:assert';
import { formatProblem, loadScenarioFile, parseScenario, validateScenarioText } from '../../../src/engine/scenario/load';
import { redactScenario } from '../../../src/engine/secrets';

const WORKLOAD = 'workload: { rate: 60, duration: 10s }\n';

function problems(text: string): string[] {
  return validateScenarioText(text, 'x.perf.yaml').problems.map(formatProblem);
}

describe('scenario: server_metrics', () => {
  it('normalizes the block: true is the endpoint origin + /metrics, durations in seconds, defaults', () => {
    const s = parseScenario(
      `targets:
  - name: vllm
    provider: openai-compatible
    endpoint: http://gpu-box:8000/v1
    model: llama
    server_metrics: { prometheus: true }
  - name: tgi
    provider: openai-compatible
    endpoint: http://tgi:8080/v1
    model: llama
    server_metrics:
      prometheus: http://tgi:9000/metrics
      interval: 2s
      series: [tgi_batch_next_size, "custom_*"]
      auth: { env: TGI_METRICS_TOKEN }
  - name: aoai
    provider: azure
    endpoint: https://contoso.openai.azure.com
    deployment: gpt-4o
    server_metrics:
      azure_monitor:
        metrics: [AzureOpenAIRequests, "AzureOpenAITimeToResponse:maximum"]
        extra_resources:
          - resource_id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/gw
        arm_endpoint: https://management.usgovcloudapi.net/
${WORKLOAD}`,
      'x.perf.yaml',
    );
    assert.deepEqual(s.targets[0].server_metrics, { prometheus: 'endpoint', interval_s: 1, series: [] });
    assert.deepEqual(s.targets[1].server_metrics, {
      prometheus: 'http://tgi:9000/metrics',
      interval_s: 2,
      series: ['tgi_batch_next_size', 'custom_*'],
      auth: { env: 'TGI_METRICS_TOKEN' },
    });
    assert.deepEqual(s.targets[2].server_metrics, {
      interval_s: 1,
      series: [],
      azure_monitor: {
        metrics: ['AzureOpenAIRequests', 'AzureOpenAITimeToResponse:maximum'],
        extra_resources: [{ resource_id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/gw' }],
        arm_endpoint: 'https://management.usgovcloudapi.net',
      },
    });
  });

  it('reports every mistake at its position', () => {
    const found = problems(`targets:
  - name: a
    endpoint: simulator
    server_metrics:
      prometheus: ftp://host/metrics
      intervall: 1s
  - name: b
    endpoint: simulator
    server_metrics:
      prometheus: http://user:secret@host/metrics
      interval: 50ms
      series: ["bad name"]
  - name: c
    endpoint: simulator
    server_metrics:
      auth: { env: TOKEN }
      azure_monitor: { metrics: ["Requests:sum"], resource_id: /subscriptions/x }
  - name: d
    provider: openai-compatible
    model: m
    endpoint: https://gateway.example.com/v1
    server_metrics:
      azure_monitor: { arm_endpoint: "http://management.azure.com" }
${WORKLOAD}`);
    assert.deepEqual(found, [
      'x.perf.yaml:5:19: targets[0].server_metrics.prometheus: must be an http(s) URL of the metrics page, or true for the endpoint\'s origin + /metrics (got "ftp://host/metrics")',
      'x.perf.yaml:6:7: targets[0].server_metrics.intervall: unknown property "intervall" (did you mean "interval"?)',
      'x.perf.yaml:10:19: targets[1].server_metrics.prometheus: carries a user name/password; remove it and name the variable holding a token in server_metrics.auth',
      'x.perf.yaml:11:17: targets[1].server_metrics.interval: must be at least 100ms: scraping faster loads the server being measured',
      'x.perf.yaml:12:16: targets[1].server_metrics.series[0]: must be a Prometheus series name (letters, digits, _ and :), optionally ending in * for a prefix (got "bad name")',
      'x.perf.yaml:16:7: targets[2].server_metrics.auth: only applies with prometheus (the token is sent to the metrics URL, nowhere else)',
      'x.perf.yaml:17:34: targets[2].server_metrics.azure_monitor.metrics[0]: must be an Azure Monitor metric name (as the REST API spells it, e.g. AzureOpenAIRequests), optionally followed by :aggregations, e.g. GeneratedTokens:total or AzureOpenAITimeToResponse:average,maximum (got "Requests:sum")',
      'x.perf.yaml:17:64: targets[2].server_metrics.azure_monitor.resource_id: must be an Azure resource id: /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name> (got "/subscriptions/x")',
      "x.perf.yaml:23:7: targets[3].server_metrics.azure_monitor: needs resource_id: the endpoint's host is not an Azure OpenAI resource's (a gateway or a custom domain?), so the resource cannot be looked up by its name",
      'x.perf.yaml:23:38: targets[3].server_metrics.azure_monitor.arm_endpoint: must be an https:// URL (an Azure Resource Manager endpoint) (got "http://management.azure.com")',
    ]);
  });

  it('examples/server-metrics.perf.yaml scrapes the simulator it starts', () => {
    const s = loadScenarioFile('examples/server-metrics.perf.yaml');
    assert.deepEqual(s.targets[0].server_metrics, { prometheus: 'endpoint', interval_s: 1, series: [] });
    assert.equal(s.targets[0].endpoint, 'simulator');
  });

  it('stores a metrics URL in summary.json without the values of its query (they may be keys)', () => {
    const s = parseScenario(
      `targets:\n  - name: a\n    endpoint: simulator\n    server_metrics: { prometheus: "http://gw:9000/metrics?code=s3cr3t-value&x=1" }\n${WORKLOAD}`,
      'x.perf.yaml',
    );
    const stored = redactScenario(s);
    assert.equal(stored.targets[0].server_metrics!.prometheus, 'http://gw:9000/metrics?code=[redacted]&x=[redacted]');
    assert.equal(s.targets[0].server_metrics!.prometheus, 'http://gw:9000/metrics?code=s3cr3t-value&x=1', 'the run itself scrapes the URL as given');
  });

  it('never repeats a metrics token put where its variable name belongs', () => {
    const found = problems(
      `targets:\n  - name: a\n    endpoint: simulator\n    server_metrics: { prometheus: true, auth: { env: "sk-live-abc123 secret" } }\n${WORKLOAD}`,
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /server_metrics\.auth\.env: must be the name of an environment variable .* \(got a value not shown here, as it may be a key\)/);
    assert.ok(!found[0].includes('sk-live'));
  });
});
