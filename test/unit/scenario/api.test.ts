// `api: chat | responses` per target, `reasoning_effort`, and the simulator's stream-shape options in
// scenario files: normalized values and file:line:col messages for what the Responses API rejects.
import * as assert from 'node:assert/strict';
import { formatProblem, loadScenarioFile, parseScenario, validateScenarioText } from '../../../src/engine/scenario/load';

const WORKLOAD = 'workload:\n  rate: 60\n  duration: 10s\n';

function problems(text: string): string[] {
  return validateScenarioText(text, 'x.perf.yaml').problems.map(formatProblem);
}

describe('scenario: api and reasoning options', () => {
  it('api defaults to chat and takes responses; reasoning_effort and the simulator shape options pass through', () => {
    const s = parseScenario(
      `targets:
  - name: chat
    endpoint: simulator
  - name: resp
    endpoint: simulator
    api: responses
    simulator: { reasoning_tokens: 64, reasoning_field: reasoning, reasoning_event: text, usage: continuous, coalesce_events: 3, azure_async_filter: true }
request:
  reasoning_effort: low
${WORKLOAD}`,
      'x.perf.yaml',
    );
    assert.equal(s.targets[0].api, 'chat');
    assert.equal(s.targets[1].api, 'responses');
    assert.deepEqual(s.targets[1].simulator, {
      reasoning_tokens: 64,
      reasoning_field: 'reasoning',
      reasoning_event: 'text',
      usage: 'continuous',
      coalesce_events: 3,
      azure_async_filter: true,
    });
    assert.deepEqual(s.request, { reasoning_effort: 'low' });
  });

  it('Azure dated routes get a Responses api-version by default; an older one is refused at its value', () => {
    const azure = (extra: string) =>
      `targets:\n  - name: a\n    provider: azure\n    endpoint: https://x.openai.azure.com\n    deployment: o4-mini\n${extra}${WORKLOAD}`;
    assert.equal(parseScenario(azure('    api: responses\n'), 'x.perf.yaml').targets[0].api_version, '2025-04-01-preview');
    assert.equal(parseScenario(azure(''), 'x.perf.yaml').targets[0].api_version, '2024-10-21');
    assert.deepEqual(problems(azure('    api: responses\n    api_version: 2024-10-21\n')), [
      'x.perf.yaml:7:18: targets[0].api_version: the Responses API needs api-version 2025-03-01-preview or later on dated Azure routes (got 2024-10-21); or use an endpoint ending in /openai/v1, which takes none',
    ]);
  });

  it('a bad api value: file:line:col, the allowed values and a suggestion', () => {
    assert.deepEqual(problems(`targets:\n  - name: a\n    endpoint: simulator\n    api: response\n${WORKLOAD}`), [
      'x.perf.yaml:4:10: targets[0].api: must be one of chat, responses (got "response"; did you mean "responses"?)',
    ]);
  });

  it('request options the Responses API does not take are refused when a target uses it', () => {
    const text = `targets:\n  - name: a\n    endpoint: simulator\n    api: responses\nrequest:\n  seed: 1\n  stop: END\n  temperature: 0\n${WORKLOAD}`;
    assert.deepEqual(problems(text), [
      'x.perf.yaml:6:3: request.seed: is not a Responses API parameter (a target has api: responses); remove it or use api: chat',
      'x.perf.yaml:7:3: request.stop: is not a Responses API parameter (a target has api: responses); remove it or use api: chat',
    ]);
    assert.deepEqual(problems(text.replace('    api: responses\n', '')), [], 'chat takes them');
  });

  it('bad simulator shape options are reported at their values', () => {
    const text = `targets:\n  - name: a\n    endpoint: simulator\n    simulator: { usage: sometimes, coalesce_events: 0 }\n${WORKLOAD}`;
    const found = problems(text);
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found.join('\n'), /simulator\.usage: must be one of requested, continuous, none/);
    assert.match(found.join('\n'), /simulator\.coalesce_events: must be >= 1/);
  });

  it('SLOs on ttfr and tbt_all', () => {
    const s = parseScenario(`targets:\n  - name: a\n    endpoint: simulator\n${WORKLOAD}slos:\n  - ttfr.p95 < 2s\n  - tbt_all.avg < 40ms\n`, 'x.perf.yaml');
    assert.deepEqual(
      s.slos.map((x) => [x.metric, x.stat, x.value]),
      [
        ['ttfr', 'p95', 2000],
        ['tbt_all', 'avg', 40],
      ],
    );
  });
});

describe('examples/responses-reasoning.perf.yaml', () => {
  it('is a valid scenario with one Responses and one Chat target on the simulator', () => {
    const s = loadScenarioFile('examples/responses-reasoning.perf.yaml');
    assert.deepEqual(
      s.targets.map((t) => [t.name, t.api, t.endpoint]),
      [
        ['responses', 'responses', 'simulator'],
        ['chat', 'chat', 'simulator'],
      ],
    );
  });
});
