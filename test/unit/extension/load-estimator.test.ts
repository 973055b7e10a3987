import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { validateScenarioText } from '../../../src/engine/scenario/load';
import { checkLoadInput, estimateLoad, LoadInputError, parseLoadNumber, setScenarioRate } from '../../../src/extension/load-estimator';

const root = path.resolve(__dirname, '../../..');

describe('extension/load-estimator', () => {
  describe('estimateLoad', () => {
    it('computes the issue example: 10,000 users, 10% active, 1 session, 2 interactions, 1-hour peak', () => {
      const e = estimateLoad({ users: 10_000, activeShare: 0.1, sessionsPerUser: 1, interactionsPerSession: 2, peakHours: 1 });
      assert.equal(e.activeUsers, 1000);
      assert.equal(e.peakRequests, 2000);
      assert.equal(e.rpm.toFixed(1), '33.3');
      assert.equal(e.rpmWithHeadroom.toFixed(1), '36.7');
      assert.equal(e.suggestedRate, 36.7);
      assert.equal(e.inputs.headroom, 0.1);
      assert.deepEqual(e.explanation, [
        '10,000 users × 10% active in the peak = 1,000 active users',
        '1,000 active users × 1 session = 1,000 sessions',
        '1,000 sessions × 2 interactions = 2,000 requests in the peak period',
        '2,000 requests / 1 hour / 60 = 33.3 RPM',
        '33.3 RPM + 10% headroom = 36.7 RPM',
      ]);
    });

    it('applies the formula u·p·s·i / n / 60 with any headroom', () => {
      const e = estimateLoad({ users: 50_000, activeShare: 0.25, sessionsPerUser: 3, interactionsPerSession: 4, peakHours: 2.5, headroom: 0.5 });
      assert.equal(e.rpm, (50_000 * 0.25 * 3 * 4) / 2.5 / 60); // 1000
      assert.equal(e.rpmWithHeadroom, 1500);
      assert.equal(e.suggestedRate, 1500);
      assert.match(e.explanation[3], /150,000 requests \/ 2\.5 hours \/ 60 = 1,000 RPM/);
      assert.equal(e.explanation[4], '1,000 RPM + 50% headroom = 1,500 RPM');
    });

    it('says so when there is no headroom, and never suggests a rate below the estimate', () => {
      const e = estimateLoad({ users: 100, activeShare: 0.01, sessionsPerUser: 1, interactionsPerSession: 1, peakHours: 8, headroom: 0 });
      assert.equal(e.explanation[4], 'no headroom: 0.0021 RPM');
      assert.equal(e.suggestedRate, 0.1); // a scenario rate must be > 0
      const r = estimateLoad({ users: 1000, activeShare: 1, sessionsPerUser: 1, interactionsPerSession: 1, peakHours: 1, headroom: 0 });
      assert.ok(r.suggestedRate >= r.rpm, `${r.suggestedRate} >= ${r.rpm}`); // 16.67 → 16.7
      assert.equal(r.suggestedRate, 16.7);
    });

    it('rejects bad inputs with every problem named', () => {
      assert.throws(
        () => estimateLoad({ users: 0, activeShare: 10, sessionsPerUser: NaN, interactionsPerSession: -1, peakHours: 0, headroom: -0.1 }),
        (err: unknown) => {
          assert.ok(err instanceof LoadInputError);
          assert.deepEqual(err.problems, [
            'total users must be more than 0 (got 0)',
            'share of users active in the peak period must be between 0 and 1 (did you mean 10%? enter 0.1)',
            'sessions per active user must be a number',
            'interactions per session must be more than 0 (got -1)',
            'length of the peak period (hours) must be more than 0 (got 0)',
            'headroom cannot be negative (0.1 means 10% extra)',
          ]);
          return true;
        },
      );
      assert.match(checkLoadInput('activeShare', 0)!, /more than 0 and at most 1/);
      assert.match(checkLoadInput('activeShare', 250)!, /more than 0 and at most 1/);
      assert.equal(checkLoadInput('activeShare', 1), undefined);
      assert.match(checkLoadInput('headroom', 20)!, /fraction/);
    });

    it('parses what users type into input boxes', () => {
      assert.equal(parseLoadNumber('10,000'), 10000);
      assert.equal(parseLoadNumber(' 2.5 '), 2.5);
      assert.equal(parseLoadNumber('10%', { percent: true }), 0.1);
      assert.equal(parseLoadNumber('0.1', { percent: true }), 0.1);
      assert.equal(parseLoadNumber('10%'), undefined);
      assert.equal(parseLoadNumber('ten'), undefined);
      assert.equal(parseLoadNumber(''), undefined);
    });
  });

  describe('setScenarioRate', () => {
    it('changes only the rate value in the quickstart, keeping comments and their column', () => {
      const text = fs.readFileSync(path.join(root, 'examples/quickstart.perf.yaml'), 'utf8');
      const out = setScenarioRate(text, 36.7);
      const before = text.split('\n');
      const after = out.split('\n');
      assert.equal(after.length, before.length);
      const changed = before.map((l, i) => [l, after[i]]).filter(([a, b]) => a !== b);
      assert.deepEqual(changed, [
        ['  rate: 240                        # requests per minute, open loop', '  rate: 36.7                       # requests per minute, open loop'],
      ]);
      const v = validateScenarioText(out, path.join(root, 'examples/quickstart.perf.yaml'));
      assert.deepEqual(v.problems, []);
      assert.equal(v.scenario!.workload.rate_rpm, 36.7);
    });

    it('adds a missing rate to a block workload at its indentation, after the last entry', () => {
      const text = [
        '# header',
        'targets:',
        '  - name: sim',
        '    endpoint: simulator',
        'workload:',
        '    # how long',
        '    duration: 30s   # half a minute',
        '',
        '# prompts next',
        'prompts: { shape: balanced }',
        '',
      ].join('\n');
      const out = setScenarioRate(text, 60);
      assert.equal(out, text.replace('    duration: 30s   # half a minute\n', '    duration: 30s   # half a minute\n    rate: 60\n'));
      assert.deepEqual(validateScenarioText(out, 'x.perf.yaml').problems, []);
    });

    it('adds a rate to a flow-style workload and to a file without workload', () => {
      const flow = 'targets: [{ name: sim, endpoint: simulator }]\nworkload: { duration: 10s } # short\n';
      assert.equal(setScenarioRate(flow, 12), 'targets: [{ name: sim, endpoint: simulator }]\nworkload: { rate: 12, duration: 10s } # short\n');
      const none = '# only targets\ntargets:\n  - name: sim\n    endpoint: simulator\n';
      const out = setScenarioRate(none, 5);
      assert.equal(out, none + '\nworkload:\n  rate: 5\n');
      assert.equal(parseDocument(out).getIn(['workload', 'rate']), 5);
      const empty = 'targets: [{ name: sim, endpoint: simulator }]\nworkload:\n';
      assert.equal(parseDocument(setScenarioRate(empty, 7)).getIn(['workload', 'rate']), 7);
    });

    it('replaces a flow-style rate in place', () => {
      const text = 'workload: { rate: 10, duration: 5s }  # keep me\n';
      assert.equal(setScenarioRate(text, 99.5), 'workload: { rate: 99.5, duration: 5s }  # keep me\n');
      assert.equal(setScenarioRate('workload:\n  rate: 1 # c\n', 1000), 'workload:\n  rate: 1000 # c\n'); // at least one space stays
    });

    it('refuses closed-loop workloads, broken YAML and bad rates with clear messages', () => {
      assert.throws(() => setScenarioRate('workload:\n  mode: closed\n  clients: 4\n', 10), /mode is closed: a rate only applies to mode: open/);
      assert.throws(() => setScenarioRate('workload: [1, 2\n', 10), /YAML syntax errors/);
      assert.throws(() => setScenarioRate('- a\n- b\n', 10), /not a YAML mapping/);
      assert.throws(() => setScenarioRate('workload: 5\n', 10), /workload must be a mapping/);
      assert.throws(() => setScenarioRate('workload: {}\n', 0), /above 0/);
      assert.throws(() => setScenarioRate('workload: {}\n', Number.NaN), /above 0/);
    });
  });
});
