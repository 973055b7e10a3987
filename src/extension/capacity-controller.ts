// Find Capacity… in the editor: loads and validates the scenario, refuses in an untrusted workspace,
// resolves keys, runs the capacity search in a worker (dist/capacity-worker.js, the same search as
// `perflab capacity`), and reports each step (the status bar and the output channel). The Capacity
// panel follows it through `onDidUpdate`.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { initialReport } from '../engine/capacity/report';
import type { CapacityReport } from '../engine/capacity/types';
import { CAPACITY_FILE, runFolderName, uniqueRunDir } from '../results/files';
import { loadScenarioFile, scenarioErrorText } from '../engine/scenario/load';
import { capacitySettingsOf } from '../engine/scenario/normalize';
import type { Scenario } from '../engine/scenario/types';
import type { CapacityCurrentStep } from '../protocol/panel';
import { resolveScenarioCredentials, type CredentialResolver } from './run-controller';
import { settings } from './settings';
import type { CapacityWorkerStart, CapacityWorkerToHost, HostToCapacityWorker } from '../protocol/worker';

export interface ActiveCapacity {
  scenarioFile: string;
  scenario: Scenario;
  /** The capacity folder (capacity.json and a run folder per step). */
  outDir: string;
  /** capacity.json as of the last finished step. */
  report: CapacityReport;
  /** The step running now; null between steps and at the end. */
  current: CapacityCurrentStep | null;
  live: boolean;
  worker: Worker;
  done: Promise<CapacityReport>;
}

export class CapacityController implements vscode.Disposable {
  private readonly active = new Map<string, ActiveCapacity>();
  private readonly statusBar = vscode.window.createStatusBarItem('perflab.capacity', vscode.StatusBarAlignment.Left, 49);
  private readonly started = new vscode.EventEmitter<ActiveCapacity>();
  /** A search started (the Capacity panel opens). */
  readonly onDidStart = this.started.event;
  private readonly updated = new vscode.EventEmitter<ActiveCapacity>();
  /** A step started or ended, or the search ended. */
  readonly onDidUpdate = this.updated.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.OutputChannel,
    private readonly resolveCredential: CredentialResolver,
  ) {
    this.statusBar.name = 'LLM Perf Lab capacity search';
    this.statusBar.command = 'perflab.stopCapacity';
    this.statusBar.tooltip = 'LLM Perf Lab: click to stop the capacity search';
  }

  get searches(): ActiveCapacity[] {
    return [...this.active.values()];
  }

  /** Searches the capacity of a scenario's targets; undefined when nothing was started. */
  async find(scenarioFile: string): Promise<CapacityReport | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('LLM Perf Lab: this workspace is not trusted, so no requests are sent. Trust the workspace to find capacity.');
      return undefined;
    }
    let scenario: Scenario;
    try {
      scenario = loadScenarioFile(scenarioFile);
    } catch (error) {
      const message = scenarioErrorText(error);
      this.output.appendLine(`Capacity search not started:\n${message}`);
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${path.basename(scenarioFile)} is not valid — nothing was sent. ${message.split('\n')[0]}`);
      return undefined;
    }
    if (this.active.has(scenarioFile)) {
      void vscode.window.showInformationMessage(`LLM Perf Lab: the capacity of "${scenario.name}" is already being searched.`);
      return undefined;
    }
    const credentials = await resolveScenarioCredentials(scenario, this.resolveCredential);
    if (!credentials) return undefined;
    const outDir = uniqueRunDir(path.join(settings.capacityFolder(scenarioFile), runFolderName(scenario.name)));
    const capacity = capacitySettingsOf(scenario);
    const start: CapacityWorkerStart = {
      scenario,
      outDir,
      settings: capacity,
      credentials,
      modelOverrides: settings.pricingOverrides(),
      proxy: settings.proxy(),
    };
    const worker = new Worker(vscode.Uri.joinPath(this.extensionUri, 'dist', 'capacity-worker.js').fsPath, { workerData: start });
    this.output.appendLine(
      `[${new Date().toISOString()}] Find capacity of "${scenario.name}": steps of ${capacity.step_duration_s} s from ${capacity.min_rpm} to at most ${capacity.max_rpm} RPM, precision ${capacity.precision * 100}%, budget ${capacity.budget_s} s per target → ${outDir}`,
    );

    const search: ActiveCapacity = {
      scenarioFile,
      scenario,
      outDir,
      report: initialReport(
        scenario,
        capacity,
        scenario.targets.map((t) => t.name),
      ),
      current: null,
      live: true,
      worker,
      done: undefined as unknown as Promise<CapacityReport>,
    };
    search.done = new Promise<CapacityReport>((resolve, reject) => {
      worker.on('message', (m: CapacityWorkerToHost) => {
        switch (m.type) {
          case 'stepStart':
            search.current = { target: m.target, index: m.index, offered_rpm: m.offered_rpm, bracket: m.bracket };
            this.output.appendLine(`  ${m.target}: step ${m.index} at ${m.offered_rpm} RPM`);
            this.updateStatusBar();
            this.updated.fire(search);
            break;
          case 'step':
            search.report = m.report;
            search.current = null;
            this.output.appendLine(
              `  ${m.target}: ${m.step.passed ? 'PASS' : `FAIL (${m.step.limited_by})`} at ${m.step.offered_rpm} RPM — TTFT p95 ${m.step.ttft_p95_ms ?? '–'} ms, E2E p95 ${m.step.e2e_p95_ms ?? '–'} ms${m.step.passed ? '' : `: ${m.step.reasons.join('; ')}`}`,
            );
            this.updateStatusBar();
            this.updated.fire(search);
            break;
          case 'message':
            this.output.appendLine(`  ${m.text}`);
            break;
          case 'done':
            resolve(m.report);
            break;
          case 'failed':
            reject(new Error(m.message));
            break;
          case 'window':
            break; // the Capacity panel draws steps, not seconds
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the capacity worker exited (code ${code}) before the search finished`)));
    });
    this.active.set(scenarioFile, search);
    this.started.fire(search);
    this.updateStatusBar();
    this.showProgress(search);

    const finish = () => {
      search.live = false;
      search.current = null;
      this.active.delete(scenarioFile);
      void worker.terminate();
      this.updateStatusBar();
      this.updated.fire(search);
    };
    return search.done.then(
      (report) => {
        search.report = report;
        finish();
        const answers = report.targets
          .map((t) => `${t.target}: ${t.capacity_rpm === null ? 'none found' : `${t.capacity_rpm} RPM`} (${t.limited_by ?? t.search})`)
          .join('; ');
        this.output.appendLine(`  capacity: ${answers}\n  results: ${path.join(outDir, CAPACITY_FILE)}`);
        void vscode.window.showInformationMessage(`LLM Perf Lab: capacity of "${scenario.name}" — ${answers}.`);
        return report;
      },
      (error: Error) => {
        finish();
        this.output.appendLine(`  capacity search failed: ${error.message}`);
        void vscode.window.showErrorMessage(`LLM Perf Lab: the capacity search of "${scenario.name}" failed: ${error.message}`);
        throw error;
      },
    );
  }

  /** Stops every search (or the one of `scenarioFile`): the running step is aborted, finished steps stay. */
  stop(scenarioFile?: string): number {
    let stopped = 0;
    for (const search of this.active.values()) {
      if (scenarioFile && search.scenarioFile !== scenarioFile) continue;
      const message: HostToCapacityWorker = { type: 'stop' };
      search.worker.postMessage(message);
      stopped++;
    }
    if (stopped) this.output.appendLine(`[${new Date().toISOString()}] Capacity search stop requested`);
    return stopped;
  }

  /** A spinner in the status bar beside the search's item (which carries the step and stops the
   *  search); a notification would cover the Capacity panel, which always opens. */
  private showProgress(search: ActiveCapacity): void {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Finding the capacity of ${search.scenario.name}` }, () =>
      search.done.then(
        () => undefined,
        () => undefined,
      ),
    );
  }

  private updateStatusBar(): void {
    const first = this.searches[0];
    if (!first) {
      this.statusBar.hide();
      return;
    }
    this.statusBar.text = `$(pulse) ${capacityStatusText(first)}`;
    this.statusBar.show();
  }

  /** For tests: the status bar's current text. */
  get statusBarText(): string {
    return this.statusBar.text;
  }

  dispose(): void {
    this.stop();
    this.statusBar.dispose();
    this.started.dispose();
    this.updated.dispose();
  }
}

/** `capacity: dep step 3 at 1000 RPM · holds 500 · fails –`. */
export function capacityStatusText(search: ActiveCapacity): string {
  const c = search.current;
  if (!c) return `capacity of ${search.scenario.name}`;
  return `capacity: ${c.target} step ${c.index} at ${c.offered_rpm} RPM · holds ${c.bracket.passed ?? '–'} · fails ${c.bracket.failed ?? '–'}`;
}
