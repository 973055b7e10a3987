// Hostile or broken YAML (src/engine/scenario/read-yaml.ts): alias bombs, undefined and circular
// aliases, deep nesting, binary data, other encodings, very long lines and duplicate keys are
// positioned problems, never exceptions or hangs.

import * as assert from 'node:assert/strict';
import { formatProblem, validateScenarioText, type ScenarioProblem } from '../../../src/engine/scenario/load';
import { MAX_NESTING } from '../../../src/engine/scenario/limits';

const VALID = 'targets:\n  - name: sim\n    endpoint: simulator\nworkload:\n  rate: 60\n  duration: 30\n';

function problemsOf(text: string): ScenarioProblem[] {
  return validateScenarioText(text, 'x.perf.yaml', { checkFiles: false }).problems;
}

function printed(text: string): string[] {
  return problemsOf(text).map(formatProblem);
}

/** The classic "billion laughs": each level repeats the one before nine times. */
function aliasBomb(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('scenario YAML hazards', () => {
  it('reports an alias bomb at its first alias instead of expanding it', () => {
    const found = printed(VALID + aliasBomb(9));
    assert.deepEqual(found, [
      'x.perf.yaml:8:8: the aliases in this file expand to a huge document (more than 100 copies; an alias bomb?): write the values out',
    ]);
  });

  it('reports an undefined alias where it is', () => {
    assert.deepEqual(printed('targets:\n  - name: *nope\n    endpoint: simulator\nworkload: { rate: 60, duration: 30 }\n'), [
      'x.perf.yaml:2:11: undefined alias *nope: no anchor &nope comes before it',
    ]);
    // An anchor defined after its alias does not count.
    assert.deepEqual(printed('name: *later\nother: &later x\n'), ['x.perf.yaml:1:7: undefined alias *later: no anchor &later comes before it']);
  });

  it('reports a circular alias (a value that contains itself)', () => {
    assert.deepEqual(printed(`${VALID}request:\n  extra_body: &loop { again: *loop }\n`), [
      'x.perf.yaml:8:30: alias *loop is inside the value it refers to (a circular alias)',
    ]);
  });

  it('still resolves ordinary aliases', () => {
    const text = 'x-sim: &sim { ttft_ms: 100 }\n';
    const shared = `targets:\n  - name: a\n    endpoint: simulator\n    simulator: &sim { ttft_ms: 100 }\n  - name: b\n    endpoint: simulator\n    simulator: *sim\nworkload: { rate: 60, duration: 30 }\n`;
    const result = validateScenarioText(shared, 'x.perf.yaml');
    assert.deepEqual(result.problems.map(formatProblem), []);
    assert.equal(result.scenario?.targets[1].simulator?.ttft_ms, 100);
    assert.match(printed(text + VALID)[0], /unknown property "x-sim"/);
  });

  it('reports deep nesting at the level where it passes the limit', () => {
    const deep: [string, string, RegExp][] = [
      ['flow lists', `${VALID}request:\n  extra_body: { x: ${'['.repeat(10_000)}${']'.repeat(10_000)} }\n`, /^x\.perf\.yaml:8:/],
      ['flow maps', `name: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`, /^x\.perf\.yaml:1:/],
      ['block maps', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), new RegExp(`^x\\.perf\\.yaml:${MAX_NESTING + 1}:`)],
      ['just deeper than allowed', `name: ${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}\n`, /^x\.perf\.yaml:1:/],
    ];
    for (const [what, text, at] of deep) {
      const found = printed(text);
      const nesting = found.find((p) => p.includes(`nested more than ${MAX_NESTING} levels deep`));
      assert.ok(nesting, `${what}: ${found.join('; ')}`);
      assert.match(nesting, at, what);
    }
    // The limit itself is fine.
    assert.ok(
      !printed(`${VALID}request:\n  extra_body: { x: ${'['.repeat(MAX_NESTING - 3)}${']'.repeat(MAX_NESTING - 3)} }\n`).some((p) => p.includes('nested')),
    );
  });

  it('says the file is binary or in another encoding', () => {
    assert.deepEqual(printed('targets:\n  - name: s\0im\n'), [
      'x.perf.yaml:2:12: the file contains the control character U+0000: it is binary data or not UTF-8 text (UTF-16?); a scenario is a UTF-8 text file',
    ]);
    const utf16 = Buffer.from(VALID, 'utf16le').toString('utf8');
    assert.match(printed(utf16)[0], /control character U\+0000: .*UTF-16/);
    // Invalid UTF-8 decodes to U+FFFD.
    const latin1 = Buffer.concat([Buffer.from(VALID + 'name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]).toString('utf8');
    assert.deepEqual(printed(latin1), [
      'x.perf.yaml:7:10: the file is not valid UTF-8: a byte sequence here could not be decoded (shown as U+FFFD); save the file as UTF-8',
    ]);
    // Random bytes.
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString('utf8');
    assert.ok(problemsOf(bytes).length >= 1);
  });

  it('cuts very long keys and values in messages', () => {
    // An explicit key (`? key`): implicit keys are limited to 1024 characters by YAML itself.
    const longKey = `${VALID}? ${'k'.repeat(1_000_000)}\n: 1\n`;
    const [problem] = problemsOf(longKey);
    assert.match(problem.message, /^unknown property "k{79}… \(1000002 characters\)$/);
    assert.match(problem.path, /^k{80}… \(1000000 characters\)$/);
    const longValue = `targets:\n  - name: sim\n    endpoint: simulator\nworkload:\n  rate: 60\n  duration: "${'1'.repeat(500_000)}x"\n`;
    const [duration] = problemsOf(longValue);
    assert.equal(duration.path, 'workload.duration');
    assert.ok(duration.message.length < 300, duration.message.slice(0, 300));
    // A long line of garbage is a problem too.
    assert.ok(problemsOf(`${VALID}${'{['.repeat(100_000)}\n`).length >= 1);
  });

  it('reports a duplicate key at the second one', () => {
    assert.deepEqual(printed(`${VALID}retry: none\nretry: exponential\n`), ['x.perf.yaml:8:1: duplicate key "retry": a key may appear only once in a mapping']);
  });

  it('reports tabs used for indentation as syntax errors', () => {
    const found = printed(VALID.replace('  rate: 60', '\trate: 60'));
    assert.ok(found.includes('x.perf.yaml:5:1: YAML syntax error: Tabs are not allowed as indentation'), found.join('\n'));
    // A tab between a key and its value is fine.
    assert.deepEqual(printed(VALID.replace('rate: 60', 'rate:\t60')), []);
  });
});
