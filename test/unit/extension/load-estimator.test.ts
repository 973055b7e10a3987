import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { validateScenarioText } from '../../../src/engine/scenario/load';
import {
  checkLoadInput,
  checkThinkTime,
  closedLoopSessionsText,
  estimateLoad,
  isClosedLoop,
  LoadInputError,
  parseLoadNumber,
  planSessions,
  setScenarioRate,
  setScenarioSessions,
} from '../../../src/extension/load-estimator';
import { newScenarioYaml } from '../../../src/extension/scenario-template';

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
  describe('planSessions', () => {
    const issue = () => estimateLoad({ users: 20_000, activeShare: 0.1, sessionsPerUser: 1, interactionsPerSession: 3, peakHours: 2, headroom: 0.1 });

    it('turns the estimate into sessions: the same interactions, the think time asked, the conversation carried', () => {
      const e = issue();
      assert.equal(e.suggestedRate, 55);
      const p = planSessions(e, '1m');
      assert.equal(p.interactions, 3);
      assert.equal(p.thinkTime, '1m');
      assert.equal(p.thinkTimeMs, 60_000);
      assert.equal(p.carryHistory, true);
      assert.equal(p.sessionsPerMinute, 55 / 3);
      // 18.3 sessions a minute, each open for at least 2 think times of 1 minute: 36.7 → 37 at once.
      assert.equal(p.openSessions, 37);
      assert.deepEqual(p.explanation, [
        'workload.sessions: each session is one user asking 3 questions in turn, thinking 1m between an answer and the next question, each question sent with the conversation so far',
        'sessions start at 55 RPM ÷ 3 = 18.3 per minute',
        'a session lasts 2 × 1m = 2m plus its answers, so at least 37 sessions are open at once: workload.clients caps them, keep it above that',
      ]);
    });

    it('writes the think time in the scenario form, rounds interactions to whole requests and says so', () => {
      const e = estimateLoad({ users: 10_000, activeShare: 0.1, sessionsPerUser: 1, interactionsPerSession: 2.5, peakHours: 1 });
      const p = planSessions(e, ' 90 ');
      assert.equal(p.thinkTime, '1m30s');
      assert.equal(p.interactions, 3);
      assert.equal(p.explanation[1], '2.5 interactions per session rounded to 3: a session is whole requests');
      assert.equal(planSessions(e, '30s').thinkTime, '30s');
      const one = planSessions(estimateLoad({ users: 100, activeShare: 1, sessionsPerUser: 1, interactionsPerSession: 0.2, peakHours: 1 }), '0');
      assert.equal(one.interactions, 1, 'never below one request per session');
      assert.equal(one.openSessions, 0);
      assert.equal(one.explanation.length, 3, 'no think time: no line about sessions held open');
      assert.doesNotMatch(one.explanation[0], /thinking/);
    });

    it('accepts the durations a scenario accepts, up to its think-time limit', () => {
      for (const ok of ['30s', '1m', '1m30s', '500ms', '45', '0', '1h']) assert.equal(checkThinkTime(ok), undefined, ok);
      assert.match(checkThinkTime('2h')!, /at most 1 h/);
      assert.match(checkThinkTime('soon')!, /duration such as/);
      assert.match(checkThinkTime('-5s')!, /duration such as/);
      assert.throws(() => planSessions(issue(), 'soon'), LoadInputError);
    });

    it('explains what sessions mean in a closed-loop scenario', () => {
      const text = closedLoopSessionsText(planSessions(issue(), '30s'));
      assert.match(text, /closed loop \(workload\.mode: closed\): it has no rate to set/);
      assert.match(text, /each client plays one user after another: 3 questions in turn, 30s of think time/);
      assert.match(text, /Only workload\.sessions is written/);
    });
  });

  describe('setScenarioSessions', () => {
    const plan = { interactions: 3, thinkTime: '30s', carryHistory: true };
    const sessionsOf = (text: string) => {
      const v = validateScenarioText(text, 'x.perf.yaml');
      assert.deepEqual(v.problems, []);
      return v.scenario!.workload.sessions;
    };

    it('adds sessions after the rate in the quickstart, changing nothing else', () => {
      const text = fs.readFileSync(path.join(root, 'examples/quickstart.perf.yaml'), 'utf8');
      const out = setScenarioSessions(setScenarioRate(text, 36.7), plan);
      const added = out.split('\n').filter((l) => !text.split('\n').includes(l));
      assert.deepEqual(added, [
        '  rate: 36.7                       # requests per minute, open loop',
        '  sessions: { interactions: 3, think_time: 30s, carry_history: true }',
      ]);
      assert.equal(out.split('\n').length, text.split('\n').length + 1);
      assert.deepEqual(sessionsOf(out), { interactions: 3, think_time_ms: 30_000, think_time_jitter: 0, carry_history: true });
    });

    it("makes New Scenario's commented example the live entry, under the comments that explain it", () => {
      const text = newScenarioYaml({
        name: 's',
        provider: 'simulator',
        model: 'gpt-4o-mini',
        prompts: { kind: 'shape', profile: 'balanced' },
        rateRpm: 60,
        duration: 60,
      });
      const out = setScenarioSessions(text, { ...plan, thinkTime: '1m' });
      assert.equal(
        out,
        text.replace(
          '  # sessions: { interactions: 3, think_time: 30s, carry_history: true }',
          '  sessions: { interactions: 3, think_time: 1m, carry_history: true }',
        ),
      );
      assert.deepEqual(sessionsOf(out), { interactions: 3, think_time_ms: 60_000, think_time_jitter: 0, carry_history: true });
    });

    it('sets the three settings in an existing sessions block, keeping its other settings and comments', () => {
      const block = [
        'targets: [{ name: sim, endpoint: simulator }]',
        'workload:',
        '  rate: 60',
        '  sessions:',
        '    interactions: 2      # two turns',
        '    # a little randomness',
        '    think_time_jitter: 0.5',
        '  duration: 10s',
        '',
      ].join('\n');
      const out = setScenarioSessions(block, plan);
      assert.equal(
        out,
        block
          .replace('    interactions: 2      # two turns', '    interactions: 3      # two turns')
          .replace('    think_time_jitter: 0.5', '    think_time_jitter: 0.5\n    think_time: 30s\n    carry_history: true'),
      );
      assert.deepEqual(sessionsOf(out), { interactions: 3, think_time_ms: 30_000, think_time_jitter: 0.5, carry_history: true });

      const flow = 'targets: [{ name: sim, endpoint: simulator }]\nworkload: { rate: 6, sessions: { think_time: 5s, carry_history: false } } # short\n';
      assert.equal(
        setScenarioSessions(flow, plan),
        'targets: [{ name: sim, endpoint: simulator }]\nworkload: { rate: 6, sessions: { interactions: 3, think_time: 30s, carry_history: true } } # short\n',
      );
      assert.equal(
        setScenarioSessions('workload: { rate: 6, sessions: {} }\n', plan),
        'workload: { rate: 6, sessions: { interactions: 3, think_time: 30s, carry_history: true } }\n',
        'in their order',
      );
      const empty = 'targets: [{ name: sim, endpoint: simulator }]\nworkload:\n  rate: 6\n  sessions:\n  duration: 10s\n';
      assert.deepEqual(sessionsOf(setScenarioSessions(empty, plan)), { interactions: 3, think_time_ms: 30_000, think_time_jitter: 0, carry_history: true });
      const none = 'targets: [{ name: sim, endpoint: simulator }]\n';
      assert.equal(parseDocument(setScenarioSessions(none, plan)).getIn(['workload', 'sessions', 'think_time']), '30s');
    });

    it('writes only the sessions into a closed-loop scenario, and refuses what it cannot edit', () => {
      const closed = 'targets: [{ name: sim, endpoint: simulator }]\nworkload:\n  mode: closed   # back to back\n  clients: 4\n  duration: 10s\n';
      assert.equal(isClosedLoop(closed), true);
      assert.equal(isClosedLoop('workload: { rate: 5 }\n'), false);
      const out = setScenarioSessions(closed, plan);
      assert.equal(out, closed + '  sessions: { interactions: 3, think_time: 30s, carry_history: true }\n');
      assert.deepEqual(sessionsOf(out), { interactions: 3, think_time_ms: 30_000, think_time_jitter: 0, carry_history: true });
      assert.throws(() => setScenarioSessions('workload:\n  sessions: 3\n', plan), /workload\.sessions must be a mapping/);
      assert.throws(() => setScenarioSessions('workload:\n  sessions: { interactions: [1] }\n', plan), /workload\.sessions\.interactions is not a plain value/);
      assert.throws(() => setScenarioSessions('workload: [1, 2\n', plan), /YAML syntax errors/);
    });
  });
});
