// Limits of scenario values (src/engine/scenario/limits.ts): a huge, non-finite or fractional value is
// a positioned problem that says why, instead of a run that exhausts memory or hangs; endpoint URLs
// are checked before the first request; a file with thousands of problems lists the first 100.

import * as assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { formatProblem, validateScenarioText, type ScenarioProblem } from '../../../src/engine/scenario/load';
import { LIMITS, MAX_PROBLEMS } from '../../../src/engine/scenario/limits';
import { perfSchema } from '../../../src/engine/scenario/schema';

type Obj = Record<string, unknown>;

const BASE = { targets: [{ name: 'sim', endpoint: 'simulator' }], workload: { rate: 60, duration: 30 } };

/** The base scenario with `value` set at a dotted path (`targets.0.simulator.ttft_ms`). */
function scenarioWith(dotted: string, value: unknown, base: Obj = BASE): string {
  const doc = structuredClone(base) as Obj;
  const keys = dotted.split('.');
  let node: Obj = doc;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Obj;
  node[keys[keys.length - 1]] = value;
  return stringify(doc);
}

function problemsOf(text: string): ScenarioProblem[] {
  return validateScenarioText(text, 'x.perf.yaml', { checkFiles: false }).problems;
}

/** The single problem of a text, asserted to be at `path`. */
function onlyAt(text: string, path: string): ScenarioProblem {
  const found = problemsOf(text);
  assert.equal(found.length, 1, `${text}\n→ ${found.map(formatProblem).join('\n')}`);
  assert.equal(found[0].path, path, formatProblem(found[0]));
  return found[0];
}

/** Every sub-schema with its path. */
function walk(node: Obj, at: string, visit: (node: Obj, at: string) => void): void {
  visit(node, at);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Obj>)) walk(child, `${at}.${key}`, visit);
  if (node.items) walk(node.items as Obj, `${at}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as Obj, `${at}.*`, visit);
  ((node.anyOf ?? []) as Obj[]).forEach((b, i) => walk(b, `${at}|${i}`, visit));
}

const CLOSED = { targets: [{ name: 'sim', endpoint: 'simulator' }], workload: { mode: 'closed', clients: 2, duration: 30 } };

describe('scenario limits', () => {
  it('gives every number in the schema a largest value, and a reason in its description where it is a limit', () => {
    const numbers: string[] = [];
    walk(perfSchema as unknown as Obj, '$', (node, at) => {
      const types = ([] as unknown[]).concat(node.type);
      if (!types.includes('number') && !types.includes('integer')) return;
      numbers.push(at);
      const max = node.maximum ?? node.exclusiveMaximum;
      assert.ok(typeof max === 'number' && Number.isFinite(max), `${at} has no maximum`);
      if (node.maximumErrorMessage !== undefined) {
        assert.match(String(node.description), /At most /, `${at}: the description states the limit`);
      }
    });
    assert.ok(numbers.length >= 30, `found only ${numbers.length} numeric fields`);
  });

  it('refuses values beyond a limit at their position, saying why', () => {
    const cases: [string, unknown, string, RegExp, Obj?][] = [
      ['workload.rate', 1e308, 'workload.rate', /^must be at most 1,000,000 requests per minute: .*load generator.* \(got 1e\+308\)$/],
      ['workload.rate', 1e12, 'workload.rate', /^must be at most 1,000,000 requests per minute/],
      ['workload.clients', 1e8, 'workload.clients', /^must be at most 10,000: each client holds an open connection \(got 100000000\)$/],
      ['workload.requests', 1e9, 'workload.requests', /^must be at most 100,000,000: /],
      ['workload.warm_up', 1e9, 'workload.warm_up', /^must be at most 100,000,000: /],
      ['workload.duration', 1e308, 'workload.duration', /^must be at most 7 days = 604,800 s: .* \(got 1e\+308\)$/],
      ['workload.ramp_up', 1e7, 'workload.ramp_up', /^must be at most 7 days/],
      ['workload.drain_timeout', '2h', 'workload.drain_timeout', /^must be at most 1 h = 3,600 s: .* \(got "2h"\)$/],
      ['workload.think_time', 7200, 'workload.think_time', /^must be at most 1 h/, CLOSED],
      [
        'prompts',
        { shape: 'custom', context_tokens: 1e9, max_tokens: 10 },
        'prompts.context_tokens',
        /^must be at most 2,000,000 tokens: more than any model's context window \(got 1000000000\)$/,
      ],
      ['prompts', { shape: 'custom', context_tokens: 10, max_tokens: 1e12 }, 'prompts.max_tokens', /^must be at most 2,000,000 tokens/],
      ['request.max_tokens', 1e12, 'request.max_tokens', /^must be at most 2,000,000 tokens/],
      ['request.seed', 1e20, 'request.seed', /^must be at most 9,007,199,254,740,991: larger integers lose precision/],
      ['aggregation_window', 1e308, 'aggregation_window', /^must be at most 1 h = 3,600 s: the window keeps one slot per second in memory \(got 1e\+308\)$/],
      ['aggregation_window', '99999h', 'aggregation_window', /^must be at most 1 h .* \(got "99999h"\)$/],
      ['retry', { policy: 'exponential', max_retry: '2h' }, 'retry.max_retry', /^must be at most 1 h/],
      ['timeouts.request', 86400, 'timeouts.request', /^must be at most 1 h/],
      ['timeouts.idle', '90m', 'timeouts.idle', /^must be at most 1 h .*\(got "90m"\)$/],
      ['targets.0.simulator.ttft_ms', 1e12, 'targets[0].simulator.ttft_ms', /^must be at most 600,000 ms: /],
      ['targets.0.simulator.tpot_ms', 1e12, 'targets[0].simulator.tpot_ms', /^must be at most 60,000 ms: /],
      ['targets.0.simulator.ttft_per_1k_prompt_ms', 1e12, 'targets[0].simulator.ttft_per_1k_prompt_ms', /^must be at most 60,000 ms: /],
      ['targets.0.simulator.tokens_per_chunk', 1e12, 'targets[0].simulator.tokens_per_chunk', /^must be at most 2,000,000: /],
      ['targets.0.simulator.reasoning_tokens', 1e12, 'targets[0].simulator.reasoning_tokens', /^must be at most 2,000,000 tokens: /],
      ['targets.0.simulator.rpm_limit', 1e12, 'targets[0].simulator.rpm_limit', /^must be at most 1,000,000 requests per minute: /],
      ['targets.0.simulator.tpm_limit', 1e12, 'targets[0].simulator.tpm_limit', /^must be at most 1,000,000,000 tokens per minute: /],
      ['targets.0.simulator.ptu_capacity_tpm', 1e12, 'targets[0].simulator.ptu_capacity_tpm', /^must be at most 1,000,000,000 tokens per minute: /],
      ['targets.0.simulator.coalesce_events', 1e6, 'targets[0].simulator.coalesce_events', /^must be at most 10,000: /],
      ['targets.0.simulator.seed', -1e20, 'targets[0].simulator.seed', /^must be at least -9,007,199,254,740,991: /],
      ['targets.0.simulator.jitter', 1, 'targets[0].simulator.jitter', /^must be < 1 \(got 1\)$/],
      ['targets.0.simulator.faults.stall_ms', 1e12, 'targets[0].simulator.faults.stall_ms', /^must be at most 3,600,000 ms: /],
      ['pricing', { 'gpt-4o': { input: 1e9, output: 1 } }, 'pricing.gpt-4o.input', /^must be at most 1,000,000 USD: /],
    ];
    for (const [at, value, path, message, base] of cases) {
      assert.match(onlyAt(scenarioWith(at, value, base), path).message, message, at);
    }
  });

  it('accepts values at the limits', () => {
    const atLimit = {
      targets: [{ name: 'sim', endpoint: 'simulator', simulator: { ttft_ms: 600_000, rpm_limit: 1_000_000, tokens_per_chunk: 2_000_000 } }],
      workload: { rate: 1_000_000, clients: 10_000, duration: '168h', requests: 100_000_000, ramp_up: 604_800, drain_timeout: '1h' },
      prompts: { shape: 'custom', context_tokens: 2_000_000, max_tokens: 2_000_000 },
      aggregation_window: '60m',
      timeouts: { request: 3600, idle: '3600s' },
    };
    assert.deepEqual(problemsOf(stringify(atLimit)).map(formatProblem), []);
    assert.equal(validateScenarioText(stringify(atLimit), 'x.perf.yaml').scenario?.workload.duration_s, LIMITS.duration.max);
  });

  it('compares duration strings with the same limits as numbers, also ones too large to hold', () => {
    const text = scenarioWith('workload.duration', '99999h');
    assert.equal(formatProblem(onlyAt(text, 'workload.duration')), `x.perf.yaml:6:13: workload.duration: ${LIMITS.duration.message} (got "99999h")`);
    // 400 digits are Infinity as a number: refused, never a run of endless length.
    assert.match(onlyAt(scenarioWith('workload.duration', `${'9'.repeat(400)}s`), 'workload.duration').message, /too large to hold/);
    // Exponents are no duration syntax.
    assert.match(onlyAt(scenarioWith('workload.duration', '1e308s'), 'workload.duration').message, /^must be a duration such as/);
  });

  it('never lets NaN or Infinity through', () => {
    for (const [yaml, value] of [
      ['.nan', NaN],
      ['.inf', Infinity],
      ['-.inf', -Infinity],
    ] as const) {
      for (const [at, path] of [
        ['rate', 'workload.rate'],
        ['clients', 'workload.clients'],
        ['duration', 'workload.duration'],
      ]) {
        const text = `targets: [{ name: sim, endpoint: simulator }]\nworkload: { rate: 60, duration: 30, ${at}: ${yaml} }\n`;
        const found = problemsOf(text);
        assert.ok(
          found.some((p) => p.path === path),
          `${at}: ${yaml} → ${found.map(formatProblem).join('; ')}`,
        );
      }
      assert.equal(onlyAt(scenarioWith('targets.0.simulator.ttft_ms', value), 'targets[0].simulator.ttft_ms').message, `must be a number (got ${value})`);
    }
  });

  it('wants whole numbers where counts are meant', () => {
    const counts: [string, string, Obj?][] = [
      ['workload.clients', 'workload.clients'],
      ['workload.requests', 'workload.requests'],
      ['workload.warm_up', 'workload.warm_up'],
      ['request.max_tokens', 'request.max_tokens'],
      ['targets.0.simulator.tokens_per_chunk', 'targets[0].simulator.tokens_per_chunk'],
      ['targets.0.simulator.rpm_limit', 'targets[0].simulator.rpm_limit'],
      ['targets.0.simulator.reasoning_tokens', 'targets[0].simulator.reasoning_tokens'],
    ];
    for (const [at, path] of counts) {
      assert.equal(onlyAt(scenarioWith(at, 2.5), path).message, 'must be an integer (got 2.5)', at);
    }
  });

  it('refuses an open-loop rate too slow for the timers that pace requests', () => {
    assert.match(onlyAt(scenarioWith('workload.rate', 1e-9), 'workload.rate').message, /^must be at least 0\.001 requests per minute/);
  });
});

describe('scenario endpoint URLs', () => {
  const endpoint = (url: string) => problemsOf(scenarioWith('targets', [{ name: 't', provider: 'openai-compatible', model: 'm', endpoint: url }]));

  it('refuses URLs that cannot be requested, at the endpoint', () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:99999/v1', /^is not a valid URL: port 99999 is out of range \(1-65535\)$/],
      ['http://[::1', /^is not a valid URL: an IPv6 address needs its closing bracket/],
      ['http://[::1/v1', /^is not a valid URL: an IPv6 address needs its closing bracket/],
      ['http://exa mple.com/v1', /must be an http\(s\) URL|is not a valid URL/],
      ['http://127.0.0.1:0/v1', /port 0/],
      ['http://bad host.com', /must be an http\(s\) URL|is not a valid URL/],
    ];
    for (const [url, message] of cases) {
      const found = endpoint(url);
      assert.equal(found.length, 1, `${url}: ${found.map(formatProblem).join('; ')}`);
      assert.equal(found[0].path, 'targets[0].endpoint', url);
      assert.match(found[0].message, message, url);
    }
    // The schema's pattern takes http(s) only; `ftp:` never reaches a request either.
    assert.match(endpoint('ftp://example.com/v1')[0].message, /http/);
  });

  it('refuses credentials in the URL without repeating them', () => {
    for (const url of ['https://user:s3cr3t-value@example.com/v1', 'https://s3cr3t-value@example.com/v1', 'http://user:s3cr3t-value@[::1]:8000/v1']) {
      const found = endpoint(url);
      assert.equal(found.length, 1, url);
      assert.equal(found[0].message, 'the endpoint URL carries a user name/password; remove it and put the key in an environment variable (auth.env)');
      assert.doesNotMatch(JSON.stringify(found), /s3cr3t/);
    }
    // Also where the schema's pattern quotes the value (a space makes it no URL at all).
    const quoted = endpoint('https://user:s3cr3t-value@example.com/v1 x');
    assert.ok(quoted.length >= 1);
    assert.doesNotMatch(JSON.stringify(quoted), /s3cr3t/);
  });

  it('keeps a query string (Azure Functions, APIM) and accepts IPv6 hosts', () => {
    for (const url of ['https://fn.azurewebsites.net/api/v1?code=abc123', 'http://[::1]:8000/v1', 'http://localhost:8000/v1']) {
      const text = scenarioWith('targets', [{ name: 't', provider: 'openai-compatible', model: 'm', endpoint: url }]);
      const result = validateScenarioText(text, 'x.perf.yaml');
      assert.deepEqual(result.problems.map(formatProblem), [], url);
      assert.equal(result.scenario?.targets[0].endpoint, url);
    }
  });
});

describe('scenario problem count', () => {
  /** A valid scenario plus `n` unknown keys in its workload. */
  function unknownKeys(n: number): string {
    const lines = ['targets:', '  - name: sim', '    endpoint: simulator', 'workload:', '  rate: 60', '  duration: 30'];
    for (let i = 0; i < n; i++) lines.push(`  unknown_${i}: 1`);
    return lines.join('\n');
  }

  it(`lists the first ${MAX_PROBLEMS} problems, in order, then how many more`, () => {
    const found = problemsOf(unknownKeys(10_000));
    assert.equal(found.length, MAX_PROBLEMS + 1);
    assert.equal(found[0].message, 'unknown property "unknown_0"');
    assert.equal(found[0].line, 7);
    assert.equal(found[MAX_PROBLEMS - 1].message, `unknown property "unknown_${MAX_PROBLEMS - 1}"`);
    const last = found[MAX_PROBLEMS];
    assert.equal(last.message, `… and 9900 more problems (only the first ${MAX_PROBLEMS} are listed)`);
    // It points at the first problem not listed.
    assert.deepEqual([last.line, last.column], [7 + MAX_PROBLEMS, 3]);
    // Exactly the limit: no count entry.
    assert.equal(problemsOf(unknownKeys(MAX_PROBLEMS)).length, MAX_PROBLEMS);
  });

  it('takes time in proportion to the number of problems, not its square', () => {
    // Not a speed assertion: the same machine, two sizes, a generous bound. Four times the keys take
    // about four times as long (it was sixteen: 10,000 keys took 11 s, every key compared with all).
    const time = (n: number) => {
      const text = unknownKeys(n);
      let best = Infinity;
      for (let i = 0; i < 2; i++) {
        const start = performance.now();
        problemsOf(text);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(1000); // warm up the compiled schema and the JIT
    const small = time(4000);
    const large = time(16_000);
    assert.ok(large / small < 10, `4,000 keys ${small.toFixed(0)} ms, 16,000 keys ${large.toFixed(0)} ms: ratio ${(large / small).toFixed(1)}`);
  });
});
