// Runs scenarios from the editor: loads and validates the file, refuses in an untrusted workspace,
// asks before a second run of the same scenario, resolves keys, runs the engine in a worker thread,
// and shows progress (the status bar, whose item asks before it stops the run, and the output
// channel). Nothing here measures anything: the worker runs the same engine as the CLI.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { Credential } from '../engine/chat-request';
import type { TargetDistributions } from '../engine/distribution';
import type { WindowSnapshot } from '../engine/records';
import { runFolderName, uniqueRunDir } from '../results/files';
import { credentialProblem } from '../engine/secrets';
import { loadScenarioFile, scenarioErrorText } from '../engine/scenario/load';
import type { Scenario, Target } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import { ServerSeriesBuilder, type ServerSeries } from '../results/server-series';
import { LiveWindows } from './live-windows';
import { endOfRunMessage, targetLogLine, verdictLogLine } from './run-report';
import { settings } from './settings';
import type { HostToWorker, WorkerStart, WorkerToHost } from '../protocol/worker';

export interface ActiveRun {
  scenarioFile: string;
  scenario: Scenario;
  runDir: string;
  startedAt: number;
  latest: Map<string, WindowSnapshot>;
  /** Every window so far (all targets), so a Run panel opened or re-shown mid-run draws from the start. */
  windows: WindowSnapshot[];
  /** Which targets have sent their last real window (later ones are dropped: live-windows.ts). */
  liveWindows: LiveWindows;
  distributions: Record<string, TargetDistributions>;
  /** The server's series so far (`server_metrics:`), built from the samples the worker sends. */
  server: ServerSeriesBuilder;
  summary: RunSummary | null;
  worker: Worker;
  done: Promise<RunSummary>;
}

/** What a Run panel following a live run is told. */
export type RunUpdate =
  | { run: ActiveRun; kind: 'window'; snapshot: WindowSnapshot }
  | { run: ActiveRun; kind: 'distributions' }
  /** The server's points added by one scrape (each series with its new points only). */
  | { run: ActiveRun; kind: 'server'; series: ServerSeries[] }
  | { run: ActiveRun; kind: 'done'; summary: RunSummary }
  | { run: ActiveRun; kind: 'failed'; message: string };

export type CredentialResolver = (target: Target) => Promise<Credential | null>;

/** The token for a target's metrics URL (`server_metrics.auth`); throws when the user did not allow it. */
export type MetricsTokenResolver = (target: Target) => Promise<string | null>;

/** The status bar item's command: asks before it stops (the palette's Stop Run does not ask). */
export const CONFIRM_STOP_COMMAND = 'perflab.confirmStopRun';

export class RunController implements vscode.Disposable {
  private readonly active = new Map<string, ActiveRun>();
  private readonly statusBar = vscode.window.createStatusBarItem('perflab.run', vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts or ends (the tree refreshes). */
  readonly onDidChangeRuns = this.changed.event;
  private readonly updated = new vscode.EventEmitter<RunUpdate>();
  /** Every window, histogram update and the end of each run (the Run panel follows these). */
  readonly onDidUpdateRun = this.updated.event;
  private readonly started = new vscode.EventEmitter<ActiveRun>();
  /** A run has started (the Run panel opens beside the editor). */
  readonly onDidStartRun = this.started.event;
  private readonly confirmStopCommand: vscode.Disposable;
  lastScenarioFile: string | undefined;
  /** The question before a stop from the status bar; replaceable by tests (VS Code refuses modal
   *  dialogs while extension tests run). True: stop. */
  askToStop: (question: string, detail: string) => Thenable<boolean> = async (question, detail) =>
    (await vscode.window.showWarningMessage(question, { modal: true, detail }, 'Stop')) === 'Stop';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.OutputChannel,
    private readonly resolveCredential: CredentialResolver,
    private readonly resolveMetricsToken: MetricsTokenResolver = async () => null,
  ) {
    this.statusBar.name = 'LLM Perf Lab run';
    // One click on a number in the status bar must not end a long run: this command asks first.
    this.statusBar.command = CONFIRM_STOP_COMMAND;
    this.confirmStopCommand = vscode.commands.registerCommand(CONFIRM_STOP_COMMAND, () => this.confirmStop());
  }

  get runs(): ActiveRun[] {
    return [...this.active.values()];
  }

  /** Starts a run and resolves with its summary; undefined when the user declined or input was bad. */
  async run(scenarioFile: string): Promise<RunSummary | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'LLM Perf Lab: this workspace is not trusted, so no requests are sent. Scenario files are still validated. Trust the workspace to run benchmarks.',
      );
      return undefined;
    }
    let scenario: Scenario;
    try {
      scenario = loadScenarioFile(scenarioFile);
    } catch (error) {
      const message = scenarioErrorText(error);
      this.output.appendLine(`Scenario not run:\n${message}`);
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${path.basename(scenarioFile)} is not valid — nothing was sent. ${message.split('\n')[0]}`);
      return undefined;
    }
    if (this.active.has(scenarioFile)) {
      const choice = await vscode.window.showWarningMessage(
        `"${scenario.name}" is already running. Start another run of it at the same time?`,
        { modal: true },
        'Run Again',
      );
      if (choice !== 'Run Again') return undefined;
    }

    const credentials = await resolveScenarioCredentials(scenario, this.resolveCredential);
    if (!credentials) return undefined;
    const serverMetricsTokens = await resolveMetricsTokens(scenario, this.resolveMetricsToken);
    if (!serverMetricsTokens) return undefined;

    const runDir = uniqueRunDir(path.join(settings.runsFolder(scenarioFile), runFolderName(scenario.name)));
    this.lastScenarioFile = scenarioFile;
    return this.startWorker(scenarioFile, scenario, runDir, credentials, serverMetricsTokens);
  }

  private startWorker(
    scenarioFile: string,
    scenario: Scenario,
    runDir: string,
    credentials: Record<string, Credential | null>,
    serverMetricsTokens: Record<string, string | null>,
  ): Promise<RunSummary> {
    const start: WorkerStart = {
      scenario,
      outDir: runDir,
      credentials,
      modelOverrides: settings.pricingOverrides(),
      proxy: settings.proxy(),
      serverMetricsTokens,
    };
    const worker = new Worker(vscode.Uri.joinPath(this.extensionUri, 'dist', 'engine-worker.js').fsPath, { workerData: start });
    const key = this.active.has(scenarioFile) ? `${scenarioFile}#${Date.now()}` : scenarioFile;
    this.output.appendLine(
      `[${new Date().toISOString()}] Run "${scenario.name}" (${scenario.targets.map((t) => `${t.name} → ${t.endpoint === 'simulator' ? 'simulator' : new URL(t.endpoint).origin}`).join(', ')}) → ${runDir}`,
    );

    const done = new Promise<RunSummary>((resolve, reject) => {
      worker.on('message', (message: WorkerToHost) => {
        switch (message.type) {
          case 'window':
            if (!run.liveWindows.accept(message.snapshot)) break;
            run.latest.set(message.snapshot.target, message.snapshot);
            run.windows.push(message.snapshot);
            this.updateStatusBar();
            this.updated.fire({ run, kind: 'window', snapshot: message.snapshot });
            break;
          case 'distributions':
            run.distributions = message.distributions;
            this.updated.fire({ run, kind: 'distributions' });
            break;
          case 'serverSamples': {
            for (const sample of message.samples) run.server.add(sample);
            const series = run.server.flush();
            if (series.length > 0) this.updated.fire({ run, kind: 'server', series });
            break;
          }
          case 'message':
            this.output.appendLine(`  ${message.text}`);
            break;
          case 'done':
            resolve(message.summary);
            break;
          case 'failed':
            reject(new Error(message.message));
            break;
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the engine worker exited (code ${code}) before the run finished`)));
    });
    const run: ActiveRun = {
      scenarioFile,
      scenario,
      runDir,
      startedAt: Date.now(),
      latest: new Map(),
      windows: [],
      liveWindows: new LiveWindows(scenario),
      distributions: {},
      server: new ServerSeriesBuilder(scenario.aggregation_window_s),
      summary: null,
      worker,
      done,
    };
    this.active.set(key, run);
    this.changed.fire();
    this.started.fire(run);
    this.updateStatusBar();
    this.showProgress(run);

    return done.then(
      (summary) => {
        run.summary = summary;
        this.updated.fire({ run, kind: 'done', summary });
        this.finish(key, run);
        this.logSummary(summary, runDir);
        if (summary.error) {
          // A run that measured nothing usable (no request succeeded, results not written) is an error.
          this.output.appendLine(`  run failed: ${summary.error}`);
          void vscode.window.showErrorMessage(`LLM Perf Lab: the run of "${scenario.name}" failed: ${summary.error}`, 'Open Results').then((choice) => {
            if (choice) void vscode.commands.executeCommand('perflab.openResults', runDir);
          });
          return summary;
        }
        void vscode.window.showInformationMessage(`LLM Perf Lab: ${endOfRunMessage(summary)}`, 'Open Results').then((choice) => {
          if (choice) void vscode.commands.executeCommand('perflab.openResults', runDir);
        });
        return summary;
      },
      (error: Error) => {
        this.updated.fire({ run, kind: 'failed', message: error.message });
        this.finish(key, run);
        this.output.appendLine(`  run failed: ${error.message}`);
        void vscode.window.showErrorMessage(`LLM Perf Lab: the run of "${scenario.name}" failed: ${error.message}`);
        throw error;
      },
    );
  }

  /** Stop every active run (or the one for `scenarioFile`): drain or abort per the setting. */
  stop(scenarioFile?: string, mode: 'drain' | 'abort' = settings.onStop()): number {
    let stopped = 0;
    for (const run of this.active.values()) {
      if (scenarioFile && run.scenarioFile !== scenarioFile) continue;
      const message: HostToWorker = { type: 'stop', mode };
      run.worker.postMessage(message);
      stopped++;
    }
    if (stopped)
      this.output.appendLine(
        `[${new Date().toISOString()}] Stop requested (${mode === 'drain' ? 'in-flight requests drained' : 'in-flight requests aborted'})`,
      );
    return stopped;
  }

  /** The status bar item's click: stop the run(s) after the user said so in a modal dialog. */
  async confirmStop(): Promise<void> {
    const runs = this.runs;
    if (runs.length === 0) return;
    const names = [...new Set(runs.map((r) => `"${r.scenario.name}"`))].join(', ');
    const question = runs.length === 1 ? `Stop the run of ${names}?` : `Stop ${runs.length} runs (${names})?`;
    const onStop = settings.onStop() === 'drain' ? "drained: they may finish, up to the scenario's drain timeout" : 'aborted at once';
    const detail = `In-flight requests are ${onStop} (setting perflab.onStop). The requests finished so far are kept and summarized.`;
    if (await this.askToStop(question, detail)) this.stop();
  }

  private finish(key: string, run: ActiveRun): void {
    this.active.delete(key);
    void run.worker.terminate();
    this.changed.fire();
    this.updateStatusBar();
  }

  /** A spinner in the status bar beside the run's item, which carries the numbers and stops the run.
   *  A notification would cover the Run panel's charts; it is shown only when no panel opens. */
  private showProgress(run: ActiveRun): void {
    const untilDone = () =>
      run.done.then(
        () => undefined,
        () => undefined,
      );
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Running ${run.scenario.name}` }, untilDone);
    if (settings.openPanelOnRun()) return;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LLM Perf Lab: ${run.scenario.name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => this.stop(run.scenarioFile));
        const timer = setInterval(() => progress.report({ message: statusText(run) }), 1000);
        try {
          await untilDone();
        } finally {
          clearInterval(timer);
        }
      },
    );
  }

  private updateStatusBar(): void {
    const runs = this.runs;
    if (runs.length === 0) {
      this.statusBar.hide();
      return;
    }
    this.statusBar.text = `$(pulse) ${statusText(runs[0])}${runs.length > 1 ? ` (+${runs.length - 1})` : ''}`;
    this.statusBar.tooltip = `LLM Perf Lab: ${runs.map((r) => r.scenario.name).join(', ')} running — click to stop (asks first)`;
    this.statusBar.show();
  }

  /** For tests: the status bar's current text. */
  get statusBarText(): string {
    return this.statusBar.text;
  }

  private logSummary(summary: RunSummary, runDir: string): void {
    for (const t of summary.targets) {
      this.output.appendLine(`  ${targetLogLine(t)}`);
      for (const w of t.warnings) this.output.appendLine(`    ! ${w}`);
    }
    for (const v of summary.slos) this.output.appendLine(`  ${verdictLogLine(v)}`);
    this.output.appendLine(`  results: ${runDir}`);
  }

  dispose(): void {
    this.stop(undefined, 'abort');
    this.confirmStopCommand.dispose();
    this.statusBar.dispose();
    this.changed.dispose();
    this.updated.dispose();
    this.started.dispose();
  }
}

/** Every non-simulator target's credential, checked, before anything is sent; undefined (after
 *  telling the user why) when one is missing or unusable. Shared with the capacity controller. */
export async function resolveScenarioCredentials(scenario: Scenario, resolve: CredentialResolver): Promise<Record<string, Credential | null> | undefined> {
  const credentials: Record<string, Credential | null> = {};
  for (const target of scenario.targets) {
    if (target.endpoint === 'simulator') continue;
    try {
      const credential = await resolve(target);
      const problem = credential ? credentialProblem(credential.value) : null;
      if (problem) throw new Error(`target "${target.name}": the key ${problem}. Set it again with "LLM Perf Lab: Set API Key…".`);
      credentials[target.name] = credential;
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
  return credentials;
}

/** The token of every target whose metrics URL asks for one (`server_metrics.auth`), before anything is
 *  sent; undefined (after telling the user why) when one was not allowed. */
export async function resolveMetricsTokens(scenario: Scenario, resolve: MetricsTokenResolver): Promise<Record<string, string | null> | undefined> {
  const tokens: Record<string, string | null> = {};
  for (const target of scenario.targets) {
    if (!target.server_metrics?.auth) continue;
    try {
      tokens[target.name] = await resolve(target);
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
  return tokens;
}

/** `00:12 / 00:30 · 238 RPM · p95 TTFT 175 ms` for the first target of a run still going (named when
 *  the run has several), with the throttled responses of its window when there are any. */
export function statusText(run: ActiveRun): string {
  const elapsed = Math.floor((Date.now() - run.startedAt) / 1000);
  const w = run.scenario.workload;
  // Sequential targets run one after another: the run lasts the sum of their durations.
  const total = w.duration_s && (run.scenario.target_mode === 'sequential' ? w.duration_s * run.scenario.targets.length : w.duration_s);
  const clock = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  const snapshots = [...run.latest.values()];
  const snapshot = snapshots.find((s) => !run.liveWindows.finished(s.target)) ?? snapshots.at(-1);
  const parts = [total ? `${clock(elapsed)} / ${clock(total)}` : clock(elapsed)];
  if (snapshot) {
    if (run.scenario.targets.length > 1) parts.push(snapshot.target);
    parts.push(`${snapshot.rpm.toFixed(0)} RPM`);
    parts.push(`p95 TTFT ${snapshot.ttft.p95 === null ? '–' : Math.round(snapshot.ttft.p95)} ms`);
    if (snapshot.throttled > 0) parts.push(`${snapshot.throttled} throttled (429)`);
    if (snapshot.behind) parts.push('behind schedule');
  }
  return parts.join(' · ');
}
