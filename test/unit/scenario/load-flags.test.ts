// `perflab load` flags (src/cli/load-command.ts) are validated by the scenario schema; each problem
// names the flag the value came from, not a position in the scenario text built from the flags.

import * as assert from 'node:assert/strict';
import { SIMULATOR_DEFAULT_MODEL, scenarioFromLoadFlags, type LoadFlags } from '../../../src/cli/load-command';
import { ScenarioError } from '../../../src/engine/scenario/errors';
import { perflab } from '../helpers/run-cli';

const DEFAULTS: LoadFlags = { shapeProfile: 'balanced', retry: 'none', aggregationWindow: '60', preventServerCaching: true, requests: '5' };

/** The error message of `perflab load <endpoint>` with these flags (fails when there is none). */
function flagError(flags: Partial<LoadFlags>, endpoint = 'simulator'): string {
  try {
    scenarioFromLoadFlags(endpoint, { ...DEFAULTS, ...flags });
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    for (const p of err.problems) assert.match(p.flag ?? '', /^perflab load (--[a-z-]+|<endpoint>)$/, p.message);
    return err.message;
  }
  assert.fail(`no error for ${JSON.stringify(flags)}`);
}

describe('perflab load flag errors', () => {
  it('name the flag and the limit, never a position in generated text', () => {
    const cases: [Partial<LoadFlags>, string][] = [
      [
        { rate: '1e12' },
        'perflab load --rate: must be at most 1,000,000 requests per minute: about 16,700 requests a second, more than one load generator can start (got 1000000000000)',
      ],
      [{ clients: '2.5' }, 'perflab load --clients: must be an integer (got 2.5)'],
      [{ clients: '1e8' }, 'perflab load --clients: must be at most 10,000: each client holds an open connection (got 100000000)'],
      [
        { contextTokens: '1e9', shapeProfile: 'custom', maxTokens: '10' },
        "perflab load --context-tokens: must be at most 2,000,000 tokens: more than any model's context window (got 1000000000)",
      ],
      [{ maxTokens: '0' }, 'perflab load --max-tokens: must be >= 1 (got 0)'],
      [{ duration: '99999h' }, 'perflab load --duration: must be at most 7 days = 604,800 s: split longer soak tests into several runs (got "99999h")'],
      [{ duration: 'soon' }, 'perflab load --duration: must be a duration such as 500ms, 30s, 5m or 1h (a number means seconds) (got "soon")'],
      [
        { aggregationWindow: '1e308' },
        'perflab load --aggregation-window: must be at most 1 h = 3,600 s: the window keeps one slot per second in memory (got 1e+308)',
      ],
      [{ requests: '0' }, 'perflab load --requests: must be >= 1 (got 0)'],
      [{ warmup: '1.5' }, 'perflab load --warmup: must be an integer (got 1.5)'],
      [{ temperature: '9' }, 'perflab load --temperature: must be <= 2 (got 9)'],
      [{ slo: ['failures < 1%', 'ttft.p95 < fast'] }, 'perflab load --slo: invalid SLO "ttft.p95 < fast": expected a number after "<" (got "fast")'],
      [{ deployment: '' }, 'perflab load --deployment: must not be empty'],
    ];
    for (const [flags, message] of cases) assert.equal(flagError(flags), message, JSON.stringify(flags));
  });

  it('refuse values that are not numbers at all', () => {
    assert.equal(
      flagError({ rate: 'abc', clients: 'many' }),
      'perflab load --clients: must be a number (got "many")\nperflab load --rate: must be a number (got "abc")',
    );
    for (const bad of ['', '0x10', 'Infinity', '1e999', '12abc', '1,000']) {
      assert.equal(flagError({ rate: bad }), `perflab load --rate: must be a number (got ${JSON.stringify(bad)})`, bad);
    }
  });

  it('name the endpoint argument for URLs that cannot be requested, without repeating a password', () => {
    assert.equal(flagError({ model: 'm' }, 'http://127.0.0.1:99999/v1'), 'perflab load <endpoint>: is not a valid URL: port 99999 is out of range (1-65535)');
    assert.match(flagError({ model: 'm' }, 'http://[::1'), /^perflab load <endpoint>: is not a valid URL: an IPv6 address needs its closing bracket/);
    const credentials = flagError({ model: 'm' }, 'https://me:hunter2@example.com/v1');
    assert.equal(
      credentials,
      'perflab load <endpoint>: the endpoint URL carries a user name/password; remove it and put the key in an environment variable (auth.env)',
    );
    // A provider that needs a field: the flag that gives it.
    assert.equal(flagError({}, 'https://contoso.openai.azure.com'), 'perflab load --deployment: is required for provider azure (the Azure deployment name)');
  });

  it('keep the flags that are fine, and a query string in the endpoint', () => {
    const scenario = scenarioFromLoadFlags('http://127.0.0.1:8000/v1?code=abc', { ...DEFAULTS, model: 'm', rate: '1e3', clients: '10', duration: '1e2' });
    assert.equal(scenario.targets[0].endpoint, 'http://127.0.0.1:8000/v1?code=abc');
    assert.equal(scenario.workload.rate_rpm, 1000);
    assert.equal(scenario.workload.duration_s, 100);
  });

  it("the simulator without --model gets the quick start's model (the simulator answers 400 to none)", () => {
    assert.equal(scenarioFromLoadFlags('simulator', DEFAULTS).targets[0].model, SIMULATOR_DEFAULT_MODEL);
    assert.equal(scenarioFromLoadFlags('simulator', { ...DEFAULTS, model: 'gpt-4o' }).targets[0].model, 'gpt-4o');
    // Other endpoints get no made-up model: a compatible server's is the user's to name.
    assert.match(flagError({}, 'http://127.0.0.1:8000/v1'), /perflab load --model: is required for provider openai-compatible/);
  });

  it('through the built CLI: exit 2 and the flag named on stderr (build first: npx node esbuild.mjs)', async function () {
    this.timeout(30_000);
    const r = await perflab(['load', 'simulator', '--rate', '1e12', '--clients', '2.5', '--duration', '5']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr.trim(),
      'perflab load --clients: must be an integer (got 2.5)\n' +
        'perflab load --rate: must be at most 1,000,000 requests per minute: about 16,700 requests a second, more than one load generator can start (got 1000000000000)',
    );
    const notNumber = await perflab(['load', 'simulator', '--rate', 'abc', '--duration', '5']);
    assert.equal(notNumber.code, 2);
    assert.equal(notNumber.stderr.trim(), 'perflab load --rate: must be a number (got "abc")');
    const noEnd = await perflab(['load', 'simulator', '--rate', '60']);
    assert.equal(noEnd.code, 2);
    assert.equal(noEnd.stderr.trim(), 'perflab load: give --duration and/or --requests');
  });
});
