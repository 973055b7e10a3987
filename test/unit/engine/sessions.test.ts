// workload.sessions against the simulator's log: each virtual user runs its turns in order with the
// think time drawn between an answer and the next question, carried history makes each prompt the
// conversation so far (the server's own prompt count grows by the previous question and answer),
// and open-loop sessions start at rate ÷ interactions per minute.

import { strict as assert } from 'node:assert';
import { runCollect, scenario, target } from './helpers';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator, SimulatorLogEntry } from '../../../src/simulator/types';
import type { RequestRecord } from '../../../src/engine/records';
import { countChatTokens, syntheticChat } from '../../../src/tokens';

function bySession(records: RequestRecord[]): Map<string, RequestRecord[]> {
  const sessions = new Map<string, RequestRecord[]>();
  for (const r of records) {
    assert.ok(r.session_id !== undefined && r.turn !== undefined, `record ${r.id} has no session`);
    sessions.set(r.session_id, [...(sessions.get(r.session_id) ?? []), r]);
  }
  for (const turns of sessions.values()) turns.sort((a, b) => a.turn! - b.turn!);
  return sessions;
}

describe('sessions (workload.sessions)', function () {
  this.timeout(60_000);
  let sim: RunningSimulator | null = null;
  afterEach(async () => {
    await sim?.close();
    sim = null;
  });

  it('closed loop with carried history: turns in order, think time between answer and next question, prompts grow by what was said', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 2, jitter: 0 });
    const thinkMs = 300;
    const { records, summary } = await runCollect(
      scenario([target(sim.url)], {
        workload: {
          mode: 'closed',
          clients: 2,
          requests: 12,
          sessions: { interactions: 3, think_time_ms: thinkMs, think_time_jitter: 0.5, carry_history: true },
        },
        prevent_server_caching: false,
      }),
    );
    const sessions = bySession(records);
    assert.equal(sessions.size, 4, '12 requests in sessions of 3');
    // The prompt of every turn, as sent: the conversation so far (with the answers the simulator wrote)
    // and the same synthetic question again, without its system message.
    const question = syntheticChat('o200k_base', 60, { seed: 1 });
    for (const [id, turns] of sessions) {
      assert.deepEqual(
        turns.map((t) => t.turn),
        [1, 2, 3],
        `${id}: every turn once, in order`,
      );
      let conversation = question;
      for (let k = 1; k < turns.length; k++) {
        const prev = turns[k - 1];
        const cur = turns[k];
        assert.equal(cur.error, null);
        // The drawn think time is within think_time × (1 ± jitter) …
        assert.ok(cur.think_ms! >= thinkMs * 0.5 - 1 && cur.think_ms! <= thinkMs * 1.5 + 1, `think ${cur.think_ms}`);
        // … and the next question left no sooner than that after the answer ended.
        const answeredAt = prev.start_ms + prev.e2e_ms!;
        assert.ok(
          cur.start_ms - answeredAt >= cur.think_ms! - 2,
          `turn ${cur.turn} sent ${cur.start_ms - answeredAt} ms after the answer, think ${cur.think_ms}`,
        );
        // The server counted the whole conversation: the previous prompt, its answer and a new question.
        const log: SimulatorLogEntry = sim!.log.find((e) => e.client_request_id === String(cur.id))!;
        const prevLog: SimulatorLogEntry = sim!.log.find((e) => e.client_request_id === String(prev.id))!;
        assert.equal(cur.prompt_tokens, log.prompt_tokens, 'usage is the server count');
        conversation = [...conversation, { role: 'assistant', content: prevLog.content! }, ...question.filter((m) => m.role !== 'system')];
        assert.equal(log.prompt_tokens, countChatTokens(conversation, 'o200k_base').total, `turn ${cur.turn}: the conversation so far, answers included`);
      }
      assert.equal(turns[0].think_ms, 0);
    }
    const s = summary.targets[0].sessions!;
    assert.equal(s.started, 4);
    assert.equal(s.completed, 4);
    assert.equal(s.cut_short, 0);
    const [t1, t2, t3] = s.prompt_tokens_by_turn as number[];
    assert.ok(t1 < t2 && t2 < t3, `mean prompt per turn grows: ${s.prompt_tokens_by_turn.join(', ')}`);
  });

  it('without carry_history every turn sends its own prompt', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 10, tpot_ms: 1, jitter: 0 });
    const { records } = await runCollect(
      scenario([target(sim.url)], {
        workload: { mode: 'closed', clients: 1, requests: 3, sessions: { interactions: 3, think_time_ms: 0, think_time_jitter: 0, carry_history: false } },
        prevent_server_caching: false,
      }),
    );
    const tokens = records.map((r) => r.prompt_tokens);
    assert.equal(new Set(tokens).size, 1, `same prompt each turn: ${tokens.join(', ')}`);
    assert.deepEqual(
      records.map((r) => r.turn),
      [1, 2, 3],
    );
  });

  it('open loop: sessions start at rate ÷ interactions per minute; later turns are scheduled at answer + think', async () => {
    sim = await startSimulator({ keep_log: true, ttft_ms: 20, tpot_ms: 2, jitter: 0 });
    const rate = 240; // requests per minute → 80 sessions per minute: one every 750 ms
    const thinkMs = 200;
    const { records, summary } = await runCollect(
      scenario([target(sim.url)], {
        workload: {
          mode: 'open',
          rate_rpm: rate,
          clients: 20,
          duration_s: 3,
          requests: undefined,
          sessions: { interactions: 3, think_time_ms: thinkMs, think_time_jitter: 0, carry_history: false },
        },
      }),
    );
    const sessions = bySession(records);
    const firstTurns = [...sessions.values()].map((t) => t[0]).sort((a, b) => a.scheduled_ms! - b.scheduled_ms!);
    // Arrivals due in [0, 3 s) at one per 750 ms: 4 sessions.
    assert.equal(firstTurns.length, 4, `${firstTurns.length} sessions started`);
    for (let i = 1; i < firstTurns.length; i++) {
      const gap = firstTurns[i].scheduled_ms! - firstTurns[i - 1].scheduled_ms!;
      assert.ok(Math.abs(gap - 750) < 1, `sessions scheduled ${gap} ms apart`);
    }
    for (const turns of sessions.values()) {
      for (let k = 1; k < turns.length; k++) {
        const due = turns[k - 1].start_ms + turns[k - 1].e2e_ms! + thinkMs;
        // Scheduled when the user comes back (measured in this process: within a few ms of answer + think).
        assert.ok(Math.abs(turns[k].scheduled_ms! - due) < 15, `turn ${turns[k].turn} scheduled ${turns[k].scheduled_ms! - due} ms from answer + think`);
        assert.ok(turns[k].send_lag_ms! >= 0);
      }
    }
    assert.equal(summary.targets[0].schedule.target_rpm, rate);
    assert.equal(summary.targets[0].schedule.expected, null, 'no fixed expectation with sessions');
  });
});
