// Which target of a run is still running, from its live windows: the status bar shows that one. The
// engine emits no window for a target after its last real one (src/engine/run.ts, `windowsDone`), so a
// finished target's achieved RPM no longer decays while another target runs; a window that still comes
// after the one this class saw as a target's last (the tick and the target's end a few ms apart) is
// dropped as adding nothing. No VS Code here (unit-tested directly).

import type { WindowSnapshot } from '../engine/records';
import type { Scenario } from '../engine/scenario/types';

export class LiveWindows {
  private readonly finishedTargets = new Set<string>();
  private readonly order: string[];
  private latestStarted = -1;

  constructor(private readonly scenario: Scenario) {
    this.order = scenario.targets.map((t) => t.name);
  }

  /** False for a window of a target that had finished before it: drop it. */
  accept(w: WindowSnapshot): boolean {
    if (this.finishedTargets.has(w.target)) return false;
    const index = this.order.indexOf(w.target);
    // Sequential targets run one after the other: once a later one has started, the earlier ones are done.
    if (this.scenario.target_mode === 'sequential' && index >= 0) {
      if (index < this.latestStarted) {
        this.finishedTargets.add(w.target);
        return false;
      }
      for (const earlier of this.order.slice(0, index)) this.finishedTargets.add(earlier);
      this.latestStarted = index;
    }
    // Its schedule is over and nothing is in flight or queued: this is its last real window (the
    // runner is idle then: src/engine/target-runner.ts checkIdle).
    if (this.scheduleOver(w) && w.in_flight === 0 && w.queued === 0) this.finishedTargets.add(w.target);
    return true;
  }

  /** Has this target sent its last real window? */
  finished(target: string): boolean {
    return this.finishedTargets.has(target);
  }

  private scheduleOver(w: WindowSnapshot): boolean {
    const { duration_s, requests } = this.scenario.workload;
    return (duration_s !== undefined && w.t >= duration_s) || (requests !== undefined && w.requests >= requests);
  }
}
