// The Run panel's view-model: takes the host's messages' data (windows in batches, then the summary)
// and answers what the panel draws. Pure TypeScript, no DOM and no chart library, so it is unit-tested
// directly. Memory stays bounded: each series keeps at most `maxPoints` points (min/max decimation).

import type { TargetDistributions } from '../../../src/engine/distribution';
import type { WindowSnapshot } from '../../../src/engine/records';
import type { Scenario } from '../../../src/engine/scenario/types';
import type { RunSummary } from '../../../src/engine/summary';
import type { InitMessage, PanelTarget } from '../../../src/protocol/panel';
import type { ServerSeries } from '../../../src/results/server-series';
import { costSection, type CostSection } from './cost';
import { MinMaxDecimator } from './decimate';
import { headlineFromSummary, headlineFromWindow, TokenTally, type Headline } from './headline';
import { SERIES, type Series } from './series';
import { ServerModel, serverSection, type ServerChart, type ServerSection } from './server';

export { MinMaxDecimator, type Point } from './decimate';
export { alignFromStart, alignOnClock, seriesFromWindows, SERIES, type ChartId, type Series, type SeriesDef, type SeriesUnit } from './series';
export { headlineFromSummary, headlineFromWindow, sloOutcome, TokenTally, type Banner, type Card, type CardId, type Headline, type SloCard } from './headline';
export { costSection, type CostSection } from './cost';
export { ServerModel, serverSection, type ServerCard, type ServerChart, type ServerLine, type ServerSection } from './server';

export interface RunViewModelOptions {
  scenario: Scenario;
  /** Targets with their prices; defaults to the scenario's targets, unpriced. */
  targets?: PanelTarget[];
  /** Most points kept per series (default 2,000). */
  maxPoints?: number;
}

/** Everything kept for one target: constant size however many windows arrive. */
class TargetState {
  readonly series: MinMaxDecimator[];
  /** Per series: has any window reported a value (for series drawn only when reported)? */
  readonly reported: boolean[];
  readonly tally = new TokenTally();
  latest: WindowSnapshot | null = null;

  constructor(maxPoints: number) {
    this.series = SERIES.map(() => new MinMaxDecimator(maxPoints));
    this.reported = SERIES.map(() => false);
  }

  add(w: WindowSnapshot): void {
    SERIES.forEach((def, i) => {
      const y = def.value(w);
      if (y !== null) this.reported[i] = true;
      this.series[i].push(w.t, y);
    });
    this.tally.add(w);
    this.latest = w;
  }
}

export class RunViewModel {
  private readonly scenario: Scenario;
  private readonly maxPoints: number;
  private readonly panelTargets = new Map<string, PanelTarget>();
  private readonly states = new Map<string, TargetState>();
  private summary: RunSummary | null = null;
  private dists: Record<string, TargetDistributions> = {};
  /** The server's series (`server_metrics:`), decimated like the client's. */
  readonly server: ServerModel;

  constructor(options: RunViewModelOptions) {
    this.scenario = options.scenario;
    this.maxPoints = options.maxPoints ?? 2000;
    this.server = new ServerModel(this.maxPoints);
    const rpm = options.scenario.workload.mode === 'open' ? (options.scenario.workload.rate_rpm ?? null) : null;
    const targets = options.targets ?? options.scenario.targets.map((t) => ({ name: t.name, model: t.model ?? null, target_rpm: rpm, price: null }));
    for (const t of targets) this.panelTargets.set(t.name, t);
  }

  /** The panel's state from the host's `init` (a live run, or a past run reopened from its files). */
  static fromInit(init: InitMessage, maxPoints?: number): RunViewModel {
    const vm = new RunViewModel({ scenario: init.scenario, targets: init.targets, maxPoints });
    vm.addWindows(init.windows);
    vm.setDistributions(init.distributions);
    vm.addServer(init.server ?? []);
    if (init.summary) vm.setSummary(init.summary);
    return vm;
  }

  addWindows(batch: readonly WindowSnapshot[]): void {
    for (const w of batch) this.state(w.target).add(w);
  }

  /** The server's series, or a live batch of their new points. */
  addServer(batch: readonly ServerSeries[]): void {
    this.server.add(batch);
  }

  /** The Server section of a target: null when it scraped and fetched nothing (no `server_metrics:`). */
  serverSection(target: string): ServerSection | null {
    const summary = this.summary?.targets.find((t) => t.target === target) ?? null;
    return serverSection(
      this.scenario.targets.find((t) => t.name === target),
      summary,
      this.server,
      this.latest(target),
      this.summary !== null,
    );
  }

  /** The Server section's charts, the client's matching series beside the server's. */
  serverCharts(target: string): ServerChart[] {
    return this.server.charts(target, this.series(target));
  }

  setSummary(summary: RunSummary): void {
    this.summary = summary;
  }

  /** Whole-run histograms so far (each message replaces the previous one). */
  setDistributions(distributions: Record<string, TargetDistributions>): void {
    this.dists = distributions;
  }

  get finished(): boolean {
    return this.summary !== null;
  }

  get runSummary(): RunSummary | null {
    return this.summary;
  }

  get scenarioName(): string {
    return this.scenario.name;
  }

  distributions(target: string): TargetDistributions | null {
    return this.dists[target] ?? null;
  }

  /** Prompt tokens, completion tokens and cost per request / per 1,000 / per hour at the target rate. */
  cost(target: string): CostSection {
    const t = this.panelTargets.get(target);
    const summary = this.summary?.targets.find((s) => s.target === target) ?? null;
    return costSection(target, summary, this.distributions(target), t?.price ?? null, t?.model ?? null, t?.target_rpm ?? null);
  }

  /** The latest window of a target (live status line, in-flight, behind-schedule flag). */
  latest(target: string): WindowSnapshot | null {
    return this.states.get(target)?.latest ?? null;
  }

  /** Targets in the scenario's order, then any that only appeared in windows. */
  get targets(): string[] {
    return [...new Set([...this.panelTargets.keys(), ...this.states.keys()])];
  }

  /** The target's series, decimated; series drawn only when reported are left out until they are. */
  series(target: string): Series[] {
    const s = this.states.get(target);
    return SERIES.flatMap((def, i) =>
      def.onlyWhenReported && !s?.reported[i] ? [] : [{ id: def.id, chart: def.chart, label: def.label, unit: def.unit, points: s?.series[i].points() ?? [] }],
    );
  }

  /** Headline cards: the summary's whole-run numbers once it arrived, else the latest window's. */
  headline(target: string): Headline {
    const listed = this.panelTargets.get(target);
    const price = listed?.price ?? null;
    if (this.summary?.targets.some((t) => t.target === target)) return headlineFromSummary(this.summary, target, price);
    const s = this.states.get(target);
    return headlineFromWindow(s?.latest ?? null, s?.tally ?? new TokenTally(), this.scenario.slos, target, price, listed?.model ?? null);
  }

  /** Points drawn across all series and targets (for the memory benchmark). */
  get pointCount(): number {
    let n = 0;
    for (const target of this.states.keys()) for (const s of this.series(target)) n += s.points.length;
    return n;
  }

  private state(target: string): TargetState {
    let s = this.states.get(target);
    if (!s) {
      s = new TargetState(this.maxPoints);
      this.states.set(target, s);
    }
    return s;
  }
}
