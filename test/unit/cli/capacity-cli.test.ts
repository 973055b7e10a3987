// `perflab capacity` as a user runs it (the built CLI): a bad capacity block is a file:line:col error
// before anything is sent, --json prints capacity.json as the last stdout line, `require` gates CI
// (exit 1), --target picks targets, and a folder holding a search is not overwritten by accident.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateScenarioText, formatProblem } from '../../../src/engine/scenario/load';
import type { CapacityReport } from '../../../src/engine/capacity/types';
import { perflab, tmp } from '../helpers/run-cli';
import { freePort } from '../engine/helpers';

const SCENARIO = `name: gate
targets:
  - name: fast
    endpoint: simulator
    model: gpt-4o-mini
    simulator: { ttft_ms: 40, ttft_per_1k_prompt_ms: 0, tpot_ms: 5, jitter: 0.05 }
  - name: other
    endpoint: simulator
    model: gpt-4o-mini
workload: { rate: 120, duration: 10s, clients: 50, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 40, max_tokens: 8 }
retry: none
slos: [ "ttft.p95 < 1s" ]
capacity: { min: 120, max: 240, step_duration: 2s, warm_up: 0.5s, cooldown: 0s, budget: 1m, require: 1000 }
`;

describe('perflab capacity (CLI)', function () {
  this.timeout(120_000);

  it('refuses a bad capacity block with file:line:col before anything is sent', async () => {
    const bad = (block: string) =>
      validateScenarioText(`targets:\n  - name: s\n    endpoint: simulator\nworkload: { rate: 60, duration: 5s }\n${block}`, 'bad.perf.yaml').problems.map(
        formatProblem,
      );
    assert.deepEqual(bad('capacity:\n  min: 500\n  max: 100\n'), ['bad.perf.yaml:7:8: capacity.max: is below min (100 < 500 requests per minute)']);
    assert.match(bad('capacity:\n  precison: 0.1\n')[0], /^bad\.perf\.yaml:6:3: capacity\.precison: .*precision/);
    assert.match(bad('capacity:\n  step_duration: 10s\n  warm_up: 20s\n')[0], /^bad\.perf\.yaml:7:12: capacity\.warm_up: must be shorter than step_duration/);
    assert.match(bad('capacity:\n  budget: 5s\n  step_duration: 30s\n')[0], /^bad\.perf\.yaml:6:11: capacity\.budget: is shorter than one step/);

    const dir = tmp();
    const file = path.join(dir, 'bad.perf.yaml');
    fs.writeFileSync(file, SCENARIO.replace('min: 120', 'min: 0'));
    const r = await perflab(['capacity', file, '--out', path.join(dir, 'cap')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.perf\.yaml:14:18: capacity\.min: must be at least 0\.001/);
    assert.equal(fs.existsSync(path.join(dir, 'cap')), false, 'nothing was started');
  });

  it('--json: capacity.json as the last stdout line; below `require` exits 1; --target picks one target', async () => {
    const dir = tmp();
    const file = path.join(dir, 'gate.perf.yaml');
    fs.writeFileSync(file, SCENARIO);
    const out = path.join(dir, 'cap');
    const r = await perflab(['capacity', file, '--target', 'fast', '--out', out, '--json', '--seed', '3']);
    assert.equal(r.code, 1, `below require 1000: ${r.stderr}`);
    assert.match(r.stderr, /below the required 1000 RPM: fast \(240 RPM\)/);
    const lines = r.stdout.trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]) as CapacityReport;
    assert.deepEqual(report, JSON.parse(fs.readFileSync(path.join(out, 'capacity.json'), 'utf8')));
    assert.deepEqual(
      report.targets.map((t) => t.target),
      ['fast'],
    );
    const t = report.targets[0];
    assert.equal(t.limited_by, 'max');
    assert.equal(t.capacity_rpm, 240);
    assert.deepEqual(
      t.steps.map((s) => s.offered_rpm),
      [120, 240],
    );
    for (const s of t.steps) {
      const summary = JSON.parse(fs.readFileSync(path.join(out, s.run_dir, 'summary.json'), 'utf8'));
      assert.equal(summary.scenario.workload.rate_rpm, s.offered_rpm);
      assert.equal(summary.targets[0].schedule.achieved_rpm, s.achieved_rpm);
    }
    // Progress went to stderr, the table too: stdout is only the JSON.
    assert.equal(lines.length, 1);
    assert.match(r.stderr, /step 2 at 240 RPM/);

    const again = await perflab(['capacity', file, '--target', 'fast', '--out', out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a capacity search/);
    const unknown = await perflab(['capacity', file, '--target', 'nope', '--out', path.join(dir, 'x')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--target nope: no such target .* \(targets: fast, other\)/);
  });

  it('a deployment that cannot be reached: the search stops at its first step and exits 3, saying why', async () => {
    const dir = tmp();
    const file = path.join(dir, 'down.perf.yaml');
    const port = await freePort();
    fs.writeFileSync(
      file,
      `name: down
targets:
  - { name: down, provider: openai-compatible, endpoint: http://127.0.0.1:${port}/v1, model: gpt-4o-mini, auth: { type: none } }
workload: { rate: 120, duration: 10s, clients: 10, drain_timeout: 2s }
prompts: { shape: custom, context_tokens: 40, max_tokens: 8 }
retry: none
capacity: { min: 60, max: 240, step_duration: 2s, warm_up: 0.5s, budget: 1m }
`,
    );
    const out = path.join(dir, 'cap');
    const r = await perflab(['capacity', file, '--out', out]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /the search failed: down: the search stopped: .*no request succeeded \(\d+ connection\)/);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'capacity.json'), 'utf8')) as CapacityReport;
    assert.equal(report.status, 'error');
    assert.equal(report.targets[0].steps.length, 1, 'no second step against a deployment that is down');
    assert.equal(report.targets[0].steps[0].limited_by, 'error');
  });
});
