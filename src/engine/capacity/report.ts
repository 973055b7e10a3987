// capacity.json's starting point and the SLOs every step is held to: what the report states before
// any step has run (the editor shows it while the first step runs). No engine import, so the
// extension host can use it without bundling the engine.

import { parseSlo } from '../scenario/slo';
import type { CapacitySettings, Scenario, Slo } from '../scenario/types';
import type { CapacityReport, CapacityTarget } from './types';

/** Added to a scenario that has no `failures` SLO: a step whose requests fail is not carrying the load. */
export const IMPLICIT_FAILURE_SLO = 'failures < 1%';

/** The SLOs a step must hold: the scenario's, without rate SLOs (the search sets the rate), plus
 *  `failures < 1%` when the scenario has no failures SLO. */
export function stepSlos(scenario: Scenario): Slo[] {
  const slos = scenario.slos.filter((s) => s.metric !== 'rpm');
  if (!slos.some((s) => s.metric === 'failures')) slos.push(parseSlo(IMPLICIT_FAILURE_SLO));
  return slos;
}

/** capacity.json before the first step: every chosen target still searching. */
export function initialReport(scenario: Scenario, settings: CapacitySettings, targets: string[]): CapacityReport {
  return {
    type: 'capacity',
    scenario: { name: scenario.name, ...(scenario.file !== undefined && { file: scenario.file }) },
    started_at: new Date().toISOString(),
    ended_at: null,
    status: 'running',
    settings,
    slos: stepSlos(scenario).map((s) => s.text),
    targets: targets.map((name) => emptyTarget(name, expectedRpm(scenario))),
  };
}

function emptyTarget(name: string, expected: number | null): CapacityTarget {
  return {
    target: name,
    capacity_rpm: null,
    limited_by: null,
    detail: 'searching',
    lower_bound: false,
    goodput_rpm: null,
    goodput_tokens_per_s: null,
    search: 'running',
    bracket: { passed: null, failed: null },
    expected_rpm: expected,
    headroom: null,
    per_ptu_rpm: null,
    ptus_needed: null,
    steps: [],
  };
}

/** The scenario's own open-loop rate: the load it expects (what Estimate Load writes). */
function expectedRpm(scenario: Scenario): number | null {
  return scenario.workload.mode === 'open' ? (scenario.workload.rate_rpm ?? null) : null;
}
