import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  formatProblem,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  scenarioErrorText,
  validateScenarioText,
  type ScenarioProblem,
} from '../../../src/engine/scenario/load';
import type { Scenario } from '../../../src/engine/scenario/types';

const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'scenarios');
/** Fixture paths as a user would type them (relative to the working directory). */
const fixture = (name: string) => path.relative(process.cwd(), path.join(fixtures, name));

/** Problems of an inline scenario, printed compiler-style. */
function problems(text: string, file = fixture('inline.perf.yaml')): string[] {
  return validateScenarioText(text, file).problems.map(formatProblem);
}

function only(text: string): ScenarioProblem {
  const found = validateScenarioText(text, 'x.perf.yaml').problems;
  assert.equal(found.length, 1, found.map(formatProblem).join('\n'));
  return found[0];
}

const SIM_TARGET = 'targets:\n  - name: sim\n    endpoint: simulator\n';

describe('scenario loading', () => {
  it('normalizes a full scenario to the exact Scenario value', () => {
    const file = fixture('full.perf.yaml');
    const expected: Scenario = {
      name: 'full-example',
      file: path.resolve(file),
      targets: [
        {
          name: 'sim',
          provider: 'simulator',
          endpoint: 'simulator',
          model: 'gpt-4o-mini',
          api: 'chat',
          auth: { type: 'none' },
          simulator: {
            ttft_ms: 200,
            tpot_ms: 20,
            tokens_per_chunk: 3,
            jitter: 0.1,
            rpm_limit: 600,
            seed: 7,
            faults: { error_rate: 0.01, drop_rate: 0, stall_rate: 0, stall_ms: 2000, malformed_rate: 0 },
          },
        },
        {
          name: 'azure-east',
          provider: 'azure',
          endpoint: 'https://contoso-east.openai.azure.com',
          deployment: 'gpt-4o-mini',
          model: 'gpt-4o-mini',
          api_version: '2025-01-01-preview',
          api: 'chat',
          auth: { type: 'api-key', env: 'EAST_KEY' },
        },
        {
          name: 'local',
          provider: 'openai-compatible',
          endpoint: 'http://localhost:8000/v1',
          model: 'llama-3.1-8b',
          api: 'chat',
          auth: { type: 'none' },
        },
      ],
      target_mode: 'sequential',
      workload: {
        mode: 'open',
        rate_rpm: 600,
        arrival: 'poisson',
        clients: 50,
        duration_s: 300,
        requests: 1000,
        ramp_up_s: 10,
        think_time_ms: 0,
        warm_up_requests: 5,
        on_end: 'abort',
        drain_timeout_s: 90,
      },
      prompts: { kind: 'prompty', file: '../prompts/support.prompty', inputs: '../prompts/inputs.jsonl', max_tokens: 300 },
      request: {
        temperature: 0,
        top_p: 1,
        max_tokens: 300,
        seed: 1,
        stop: ['\n\n'],
        presence_penalty: 0,
        frequency_penalty: 0.5,
        extra_body: { user: 'perf-test' },
      },
      retry: { policy: 'none', max_retry_s: 30 },
      timeouts: { request_s: 180, idle_s: 0.5 },
      aggregation_window_s: 30,
      prevent_server_caching: false,
      record_chunks: true,
      slos: [
        { text: 'ttft.p95 < 800ms', metric: 'ttft', stat: 'p95', op: '<', value: 800, unit: 'ms' },
        { text: 'e2e.p99 <= 10s', metric: 'e2e', stat: 'p99', op: '<=', value: 10000, unit: 'ms' },
        { text: 'failures < 1%', metric: 'failures', stat: 'rate', op: '<', value: 0.01, unit: 'ratio' },
        { text: 'rpm >= 590', metric: 'rpm', stat: 'rate', op: '>=', value: 590, unit: 'rpm' },
      ],
    };
    assert.deepEqual(loadScenarioFile(file), expected);
  });

  it('applies every default to a minimal scenario', () => {
    const file = fixture('minimal.perf.yaml');
    assert.deepEqual(loadScenarioFile(file), {
      name: 'minimal',
      file: path.resolve(file),
      targets: [{ name: 'sim', provider: 'simulator', endpoint: 'simulator', api: 'chat', auth: { type: 'none' } }],
      target_mode: 'parallel',
      workload: {
        mode: 'open',
        rate_rpm: 60,
        arrival: 'constant',
        clients: 20,
        duration_s: 30,
        ramp_up_s: 0,
        think_time_ms: 0,
        warm_up_requests: 0,
        on_end: 'drain',
        drain_timeout_s: 30,
      },
      prompts: { kind: 'shape', profile: 'balanced', context_tokens: 500, max_tokens: 500 },
      request: {},
      retry: { policy: 'exponential', max_retry_s: 60 },
      timeouts: { request_s: 120, idle_s: 30 },
      aggregation_window_s: 60,
      prevent_server_caching: true,
      record_chunks: false,
      slos: [],
    } satisfies Scenario);
  });

  it('fills provider defaults: azure auth and api-version, the OpenAI endpoint', () => {
    const s = loadScenarioFile(fixture('closed.perf.yaml'));
    assert.deepEqual(s.targets, [
      {
        name: 'east',
        provider: 'azure',
        endpoint: 'https://contoso.openai.azure.com',
        deployment: 'gpt-4o',
        api_version: '2024-10-21',
        api: 'chat',
        auth: { type: 'api-key', env: 'AZURE_OPENAI_API_KEY' },
      },
      {
        name: 'openai',
        provider: 'openai',
        endpoint: 'https://api.openai.com/v1',
        model: 'gpt-4o-mini',
        api: 'chat',
        auth: { type: 'api-key', env: 'OPENAI_API_KEY' },
      },
    ]);
    assert.deepEqual(s.workload, {
      mode: 'closed',
      arrival: 'constant',
      clients: 4,
      requests: 100,
      ramp_up_s: 0,
      think_time_ms: 250,
      warm_up_requests: 0,
      on_end: 'drain',
      drain_timeout_s: 30,
    });
    assert.deepEqual(s.prompts, { kind: 'dataset', file: '../prompts/chats.jsonl' });
    assert.deepEqual(s.retry, { policy: 'none', max_retry_s: 60 });
  });

  it('uses shape profiles, lets explicit sizes override them, and requires both for custom', () => {
    const base = `${SIM_TARGET}workload: { rate: 60, duration: 10s }\n`;
    const shape = (prompts: string) => parseScenario(`${base}prompts: ${prompts}\n`, 'x.perf.yaml').prompts;
    assert.deepEqual(shape('{ shape: context }'), { kind: 'shape', profile: 'context', context_tokens: 2000, max_tokens: 200 });
    assert.deepEqual(shape('{ shape: generation }'), { kind: 'shape', profile: 'generation', context_tokens: 500, max_tokens: 1000 });
    assert.deepEqual(shape('{ shape: balanced, max_tokens: 100 }'), { kind: 'shape', profile: 'balanced', context_tokens: 500, max_tokens: 100 });
    assert.deepEqual(shape('{ shape: custom, context_tokens: 8000, max_tokens: 50 }'), {
      kind: 'shape',
      profile: 'custom',
      context_tokens: 8000,
      max_tokens: 50,
    });
    assert.deepEqual(problems(`${base}prompts: { shape: custom, max_tokens: 50 }\n`, 'x.perf.yaml'), [
      'x.perf.yaml:5:1: prompts.context_tokens: is required with shape: custom',
    ]);
  });

  it('accepts durations as seconds or strings and retry as a policy name', () => {
    const s = parseScenario(
      `${SIM_TARGET}workload: { rate: 60, duration: 1m30s, ramp_up: 500ms }\nretry: exponential\naggregation_window: 10\n`,
      'x.perf.yaml',
    );
    assert.equal(s.workload.duration_s, 90);
    assert.equal(s.workload.ramp_up_s, 0.5);
    assert.equal(s.aggregation_window_s, 10);
    assert.deepEqual(s.retry, { policy: 'exponential', max_retry_s: 60 });
  });
});

describe("scenarioErrorText (the editor's message)", () => {
  it("lists every problem with the file's base name, line and column; other errors by their message", () => {
    const error = new ScenarioError([
      { file: '/work/app/load.perf.yaml', line: 3, column: 5, path: 'workload.rate', message: 'must be > 0' },
      { file: 'C:\\w\\load.perf.yaml', line: 7, column: 1, path: '', message: 'file not found' },
    ]);
    assert.equal(scenarioErrorText(error), 'load.perf.yaml:3:5: workload.rate: must be > 0\nload.perf.yaml:7:1: file not found');
    assert.equal(scenarioErrorText(new Error('disk gone')), 'disk gone');
  });
});

describe('scenario problems', () => {
  it('reports an unknown key at the key, with the closest known key', () => {
    assert.deepEqual(only(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\naggregation_windw: 30s\n`), {
      file: 'x.perf.yaml',
      line: 5,
      column: 1,
      endLine: 5,
      endColumn: 18,
      path: 'aggregation_windw',
      message: 'unknown property "aggregation_windw" (did you mean "aggregation_window"?)',
      allowed: [
        'name',
        'targets',
        'target_mode',
        'workload',
        'prompts',
        'request',
        'retry',
        'timeouts',
        'engine',
        'capacity',
        'aggregation_window',
        'prevent_server_caching',
        'record_chunks',
        'pricing',
        'slos',
      ],
    });
  });

  it('reports a bad enum value at the value, with the allowed values and a suggestion', () => {
    const p = only(`${SIM_TARGET}workload:\n  rate: 60\n  duration: 10s\n  arrival: possion\n`);
    assert.equal(formatProblem(p), 'x.perf.yaml:7:12: workload.arrival: must be one of constant, poisson (got "possion"; did you mean "poisson"?)');
    assert.deepEqual(p.allowed, ['constant', 'poisson']);
    assert.deepEqual([p.endLine, p.endColumn], [7, 19]);
  });

  it('reports a wrong type at the value', () => {
    assert.equal(
      formatProblem(only(`${SIM_TARGET}workload:\n  rate: sixty\n  duration: 10s\n`)),
      'x.perf.yaml:5:9: workload.rate: must be a number (got "sixty")',
    );
    assert.equal(
      formatProblem(only(`${SIM_TARGET}workload:\n  rate: 60\n  duration: 10s\n  clients: 2.5\n`)),
      'x.perf.yaml:7:12: workload.clients: must be an integer (got 2.5)',
    );
    assert.equal(
      formatProblem(only(`${SIM_TARGET}workload: { rate: 0, duration: 10s }\n`)),
      'x.perf.yaml:4:19: workload.rate: must be at least 0.001 requests per minute (one every 16.7 hours): slower schedules are not a load test (got 0)',
    );
  });

  it('reports a bad duration', () => {
    assert.equal(
      formatProblem(only(`${SIM_TARGET}workload:\n  rate: 60\n  duration: 10 minutes\n`)),
      'x.perf.yaml:6:13: workload.duration: must be a duration such as 500ms, 30s, 5m or 1h (a number means seconds) (got "10 minutes")',
    );
  });

  it('reports a bad SLO with the reason', () => {
    const p = only(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\nslos:\n  - ttft.p95 < 800ms\n  - ttft.pp95 < 800ms\n`);
    assert.equal(
      formatProblem(p),
      'x.perf.yaml:7:5: slos[1]: invalid SLO "ttft.pp95 < 800ms": unknown statistic "pp95" (expected one of avg, p50, p90, p95, p99, max; did you mean "p95"?)',
    );
    assert.deepEqual(p.allowed, ['avg', 'p50', 'p90', 'p95', 'p99', 'max']);
  });

  it('reports missing required fields', () => {
    assert.deepEqual(problems('targets:\n  - endpoint: simulator\n', 'x.perf.yaml'), [
      'x.perf.yaml:1:1: workload: is required',
      'x.perf.yaml:2:5: targets[0].name: is required',
    ]);
    assert.deepEqual(problems(`${SIM_TARGET}workload:\n  duration: 10s\n`, 'x.perf.yaml'), [
      'x.perf.yaml:4:1: workload.rate: is required in open mode (requests per minute)',
    ]);
    assert.deepEqual(problems(`${SIM_TARGET}workload:\n  rate: 10\n`, 'x.perf.yaml'), [
      'x.perf.yaml:4:1: workload: needs duration, requests or both (when to stop)',
    ]);
  });

  it('requires a deployment for azure and a model for openai', () => {
    const text = [
      'targets:',
      '  - name: east',
      '    provider: azure',
      '    endpoint: https://contoso.openai.azure.com',
      '  - name: oai',
      '    provider: openai',
      'workload: { rate: 60, duration: 10s }',
      '',
    ].join('\n');
    assert.deepEqual(problems(text, 'x.perf.yaml'), [
      'x.perf.yaml:2:5: targets[0].deployment: is required for provider azure (the Azure deployment name)',
      'x.perf.yaml:5:5: targets[1].model: is required for provider openai (the model name sent in the request)',
    ]);
  });

  it('reports a prompt file that does not exist at that field', () => {
    const file = fixture('inline.perf.yaml');
    const p = validateScenarioText(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\nprompts:\n  file: nope.prompty\n`, file).problems;
    assert.equal(p.length, 1);
    assert.deepEqual([p[0].line, p[0].column, p[0].path], [6, 9, 'prompts.file']);
    assert.equal(p[0].message, `file not found: nope.prompty (looked for ${path.join(fixtures, 'nope.prompty')})`);
    // An existing file, relative to the scenario's folder, is fine.
    assert.deepEqual(problems(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\nprompts:\n  dataset: ../prompts/chats.jsonl\n`), []);
  });

  it('reports YAML syntax errors with their position', () => {
    assert.deepEqual(problems(`${SIM_TARGET}workload: { rate: 60, duration: 10s\nretry: none\n`, 'x.perf.yaml'), [
      'x.perf.yaml:5:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
    assert.deepEqual(problems(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\nretry: none\nretry: exponential\n`, 'x.perf.yaml'), [
      'x.perf.yaml:6:1: duplicate key "retry": a key may appear only once in a mapping',
    ]);
  });

  it('reports every problem of a file at once, in order, compiler-style', () => {
    const file = fixture('broken.perf.yaml');
    let error: unknown;
    try {
      loadScenarioFile(file);
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ScenarioError);
    assert.equal(
      error.message,
      [
        `${file}:3:5: targets[0].deployment: is required for provider azure (the Azure deployment name)`,
        `${file}:9:9: workload.rate: must be a number (got "fast")`,
        `${file}:10:3: workload.clinets: unknown property "clinets" (did you mean "clients"?)`,
        `${file}:11:12: workload.arrival: must be one of constant, poisson (got "possion"; did you mean "poisson"?)`,
        `${file}:12:13: workload.duration: must be a duration such as 500ms, 30s, 5m or 1h (a number means seconds) (got "30 sec")`,
        `${file}:14:9: prompts.file: file not found: missing.prompty (looked for ${path.join(fixtures, 'missing.prompty')})`,
        `${file}:15:8: slos[0]: invalid SLO "ttft.p95 < 800": "800" needs a unit: ms or s (e.g. 800ms)`,
      ].join('\n'),
    );
    assert.equal(error.problems.length, 7);
  });

  it('reports rules between fields: duplicates, mode-specific keys, one prompt source, secrets', () => {
    const text = [
      'targets:',
      '  - name: a',
      '    endpoint: simulator',
      '  - name: a',
      '    provider: openai-compatible',
      '    endpoint: http://localhost:8000/v1',
      '    model: m',
      '    api_key: sk-abc',
      '    simulator: { ttft_ms: 5 }',
      'workload:',
      '  mode: closed',
      '  rate: 60',
      '  requests: 10',
      'prompts:',
      '  shape: balanced',
      '  dataset: ../prompts/chats.jsonl',
      '',
    ].join('\n');
    assert.deepEqual(problems(text, 'x.perf.yaml'), [
      'x.perf.yaml:4:11: targets[1].name: duplicate target name "a" (already used by targets[0])',
      'x.perf.yaml:8:5: targets[1].api_key: unknown property "api_key"; keys never go in a scenario file: use auth: { type: api-key, env: VARIABLE_NAME }',
      'x.perf.yaml:9:5: targets[1].simulator: only applies with endpoint: simulator',
      'x.perf.yaml:12:3: workload.rate: only applies to mode: open (in closed mode the rate follows from clients and latency)',
      'x.perf.yaml:16:3: prompts.dataset: use only one of shape, file or dataset (this one conflicts with "shape")',
    ]);
  });

  it("explains a value that fits none of a union's forms", () => {
    assert.equal(
      formatProblem(only(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\nretry: 3\n`)),
      'x.perf.yaml:5:8: retry: must be one of none, exponential or a mapping (key: value) (got 3)',
    );
    assert.equal(
      formatProblem(only(`${SIM_TARGET}workload: { rate: 60, duration: 10s }\nretry: { policy: exponentail }\n`)),
      'x.perf.yaml:5:18: retry.policy: must be one of none, exponential (got "exponentail"; did you mean "exponential"?)',
    );
  });

  it('handles an empty file, a non-mapping file and an unreadable path', () => {
    assert.deepEqual(problems('# just a comment\n', 'x.perf.yaml'), ['x.perf.yaml:1:1: the file is empty; a scenario needs at least targets and workload']);
    assert.deepEqual(problems('- a\n- b\n', 'x.perf.yaml'), ['x.perf.yaml:1:1: must be a mapping (key: value) (got a list)']);
    assert.throws(() => loadScenarioFile('no/such/file.perf.yaml'), {
      name: 'ScenarioError',
      message: 'no/such/file.perf.yaml:1:1: file not found',
    });
  });

  it('skips the file checks when asked (pure syntax validation)', () => {
    const text = `${SIM_TARGET}workload: { rate: 60, duration: 10s }\nprompts: { file: nope.prompty }\n`;
    assert.ok(validateScenarioText(text, 'x.perf.yaml', { checkFiles: false }).scenario);
  });
});
