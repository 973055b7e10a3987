// What the sessions of a target did (`workload.sessions`), from its records: how many started and
// ran every turn, the think times drawn, and the mean prompt per turn — with carry_history the
// prompt grows turn by turn, and this is where a user sees by how much.

import type { RequestRecord } from './records';

export interface SessionSummary {
  interactions: number;
  /** Sessions with at least one request recorded. */
  started: number;
  /** Sessions whose every turn was answered successfully. */
  completed: number;
  /** Sessions cut short by the end of the run (fewer turns recorded than `interactions`). */
  cut_short: number;
  /** Mean think time drawn before turns 2…n (ms); null with one interaction. */
  think_ms_avg: number | null;
  /** Mean prompt tokens of the requests of turn 1, 2, … (successful and failed alike). */
  prompt_tokens_by_turn: (number | null)[];
}

export class SessionTally {
  private readonly sessions = new Map<string, { turns: number; ok: number }>();
  private thinkSum = 0;
  private thinkCount = 0;
  private readonly promptSum: number[] = [];
  private readonly promptCount: number[] = [];

  constructor(readonly interactions: number) {}

  add(record: RequestRecord): void {
    if (record.session_id === undefined || record.turn === undefined || record.error === 'cancelled') return;
    const s = this.sessions.get(record.session_id) ?? { turns: 0, ok: 0 };
    s.turns++;
    if (record.error === null) s.ok++;
    this.sessions.set(record.session_id, s);
    if (record.turn > 1 && record.think_ms !== undefined) {
      this.thinkSum += record.think_ms;
      this.thinkCount++;
    }
    const i = record.turn - 1;
    if (record.prompt_tokens !== null && i < this.interactions) {
      this.promptSum[i] = (this.promptSum[i] ?? 0) + record.prompt_tokens;
      this.promptCount[i] = (this.promptCount[i] ?? 0) + 1;
    }
  }

  summary(): SessionSummary {
    let completed = 0;
    let cutShort = 0;
    for (const s of this.sessions.values()) {
      if (s.ok === this.interactions) completed++;
      if (s.turns < this.interactions) cutShort++;
    }
    return {
      interactions: this.interactions,
      started: this.sessions.size,
      completed,
      cut_short: cutShort,
      think_ms_avg: this.thinkCount > 0 ? Math.round(this.thinkSum / this.thinkCount) : null,
      prompt_tokens_by_turn: Array.from({ length: this.interactions }, (_, i) =>
        this.promptCount[i] ? Math.round((this.promptSum[i] / this.promptCount[i]) * 10) / 10 : null,
      ),
    };
  }
}
