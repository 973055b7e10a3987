// The commands of the extension. Each handler is short: it asks what it must, then calls a module
// that does the work (run controller, key store, tree model, estimator, templates).

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { validateScenarioText } from '../engine/scenario/load';
import { summaryText } from '../engine/report-text';
import type { CapacityController } from './capacity-controller';
import type { CapacityPanels } from './capacity-panel';
import type { ComparePanels } from './compare-panel';
import type { CredentialService } from './credentials';
import {
  checkThinkTime,
  closedLoopSessionsText,
  DEFAULT_HEADROOM,
  DEFAULT_THINK_TIME,
  estimateLoad,
  isClosedLoop,
  LoadInputError,
  parseLoadNumber,
  planSessions,
  setScenarioRate,
  setScenarioSessions,
} from './load-estimator';
import type { RunController } from './run-controller';
import type { RunPanels } from './run-panel';
import { FETCH_SERVER_METRICS_COMMAND, type ServerMetricsCommands } from './server-metrics-command';
import {
  HTTP_STREAM_CHOICES,
  httpScenarioName,
  modelPicks,
  newScenarioYaml,
  PROVIDER_CHOICES,
  scenarioFileName,
  scenarioFilePath,
  type ScenarioAnswers,
} from './scenario-template';
import { scenarioFileFrom as pickScenarioFile } from './scenario-picker';
import { settings } from './settings';
import { isRunNode, isScenarioNode, isTargetNode, type PerfNode, type ScenarioTreeProvider } from './scenario-tree';
import type { HttpStreamKind, Target } from '../engine/scenario/types';
import { formatRunDate } from './tree-model';
import { isCapacityFolder } from '../results/capacity-files';
import { REQUESTS_FILE, SUMMARY_FILE } from '../results/files';
import { deleteRun, readRuns, type RunRecord } from '../results/run-list';
import { countRequests, readSummaryFile } from '../results/run-files';
import { DEMO_SCENARIO, demoScenarioFile } from './demo';
import { formatMs } from '../shared/format-duration';

export interface CommandContext {
  context: vscode.ExtensionContext;
  output: vscode.OutputChannel;
  runs: RunController;
  tree: ScenarioTreeProvider;
  credentials: CredentialService;
  panels: RunPanels;
  compare: ComparePanels;
  capacity: CapacityController;
  capacityPanels: CapacityPanels;
  serverMetrics: ServerMetricsCommands;
  demoFolder: string;
}

const RESULTS_SCHEME = 'perflab-results';

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const results = new ResultsDocuments();
  return [
    vscode.workspace.registerTextDocumentContentProvider(RESULTS_SCHEME, results),
    vscode.commands.registerCommand('perflab.runScenario', async (arg?: unknown) => {
      const file = await scenarioFileFrom(arg);
      return file ? c.runs.run(file) : undefined;
    }),
    vscode.commands.registerCommand('perflab.runLast', async () => {
      if (!c.runs.lastScenarioFile) {
        void vscode.window.showInformationMessage('LLM Perf Lab: no scenario has been run yet.');
        return undefined;
      }
      return c.runs.run(c.runs.lastScenarioFile);
    }),
    vscode.commands.registerCommand('perflab.stopRun', (arg?: unknown) => {
      const file = isScenarioNode(arg) ? arg.file : undefined;
      if (c.runs.stop(file) === 0) void vscode.window.showInformationMessage('LLM Perf Lab: no run is in progress.');
    }),
    vscode.commands.registerCommand('perflab.runDemo', async () => {
      fs.mkdirSync(c.demoFolder, { recursive: true });
      const file = demoScenarioFile(c.demoFolder);
      fs.writeFileSync(file, DEMO_SCENARIO);
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      return c.runs.run(file);
    }),
    vscode.commands.registerCommand('perflab.findCapacity', async (arg?: unknown) => {
      const file = await scenarioFileFrom(arg, 'Find Capacity');
      return file ? c.capacity.find(file) : undefined;
    }),
    vscode.commands.registerCommand('perflab.stopCapacity', () => {
      if (c.capacity.stop() === 0) void vscode.window.showInformationMessage('LLM Perf Lab: no capacity search is in progress.');
    }),
    vscode.commands.registerCommand('perflab.openCapacity', async (arg?: unknown) => {
      const dir = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : await pickCapacitySearch();
      if (!dir) return;
      try {
        c.capacityPanels.open(dir);
      } catch (error) {
        void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
    vscode.commands.registerCommand('perflab.newScenario', () => newScenario()),
    vscode.commands.registerCommand('perflab.estimateLoad', () => estimateLoadCommand()),
    vscode.commands.registerCommand('perflab.setApiKey', async (arg?: unknown) => {
      const target = await targetFrom(arg);
      if (!target) return;
      if (target.endpoint === 'simulator' || target.auth.type === 'none' || target.auth.type === 'entra') {
        void vscode.window.showInformationMessage(
          `LLM Perf Lab: target "${target.name}" needs no API key (auth: ${target.endpoint === 'simulator' ? 'simulator' : target.auth.type}).`,
        );
        return;
      }
      if (await c.credentials.promptForKey(target)) void vscode.window.showInformationMessage(`LLM Perf Lab: key saved for target "${target.name}".`);
    }),
    vscode.commands.registerCommand('perflab.clearApiKey', async (arg?: unknown) => {
      const target = await targetFrom(arg);
      if (target) await c.credentials.keys.delete(target);
    }),
    vscode.commands.registerCommand('perflab.openResults', async (arg?: unknown) => {
      const runDir = runDirFrom(arg) ?? (await pickRuns('Open Results', false))?.[0];
      if (runDir) c.panels.open(runDir);
    }),
    vscode.commands.registerCommand('perflab.openSummaryText', async (arg?: unknown) => {
      const runDir = runDirFrom(arg) ?? (await pickRuns('Open Summary as Text', false))?.[0];
      if (!runDir) return;
      const uri = vscode.Uri.from({ scheme: RESULTS_SCHEME, path: path.join(runDir, 'summary.txt') });
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }),
    vscode.commands.registerCommand('perflab.revealRun', async (arg?: unknown) => {
      const runDir = runDirFrom(arg);
      if (runDir) await revealRunFolder(runDir);
    }),
    vscode.commands.registerCommand('perflab.deleteRun', async (arg?: unknown, selected?: unknown[]) => {
      const nodes = (selected?.length ? selected : [arg]).filter(isRunNode);
      if (nodes.length === 0) return;
      const choice = await vscode.window.showWarningMessage(
        `Delete ${nodes.length === 1 ? 'this run' : `${nodes.length} runs`} and ${nodes.length === 1 ? 'its' : 'their'} result files?`,
        { modal: true },
        'Delete',
      );
      if (choice !== 'Delete') return;
      for (const node of nodes) deleteRun(node.dir, runsRootOf(node.dir));
      c.tree.refresh();
    }),
    vscode.commands.registerCommand('perflab.compareRuns', async (arg?: unknown, selected?: unknown[]) => {
      // From the tree: the selected runs, each under the target it was selected at (compare-selection.ts).
      // From the palette or with string arguments (tests, other extensions): pick, or use the folders given.
      const fromTree = (selected?.length ? selected : [arg]).filter(isRunNode).map((n) => ({ dir: n.dir, target: n.target }));
      const given = Array.isArray(arg) && arg.every((d) => typeof d === 'string') ? (arg as string[]) : [];
      const items = fromTree.length ? fromTree : given.length ? given : ((await pickRuns('Compare Runs', true)) ?? []);
      if (items.length === 0) return;
      try {
        await c.compare.open(items);
      } catch (error) {
        void vscode.window.showErrorMessage(`LLM Perf Lab: cannot compare — ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
    vscode.commands.registerCommand('perflab.compareTargets', async (arg?: unknown) => {
      const runDir = runDirFrom(arg);
      if (!runDir) return;
      try {
        await c.compare.open([runDir]);
      } catch (error) {
        void vscode.window.showErrorMessage(`LLM Perf Lab: cannot compare — ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
    vscode.commands.registerCommand(FETCH_SERVER_METRICS_COMMAND, async (arg?: unknown) => {
      const azure = {
        runs: (r: RunRecord) => r.summary?.scenario.targets.some((t) => t.server_metrics?.azure_monitor) ?? false,
        none: 'no finished run in this workspace asks for Azure Monitor metrics (server_metrics.azure_monitor).',
      };
      const runDir = runDirFrom(arg) ?? (await pickRuns('Fetch Server Metrics (Azure Monitor)', false, azure))?.[0];
      return runDir ? c.serverMetrics.fetchNow(runDir) : undefined;
    }),
    vscode.commands.registerCommand('perflab.refresh', () => c.tree.refresh()),
    vscode.commands.registerCommand('perflab.showOutput', () => c.output.show()),
  ];

  function scenarioFileFrom(arg: unknown, title = 'Run Scenario'): Promise<string | undefined> {
    return pickScenarioFile(arg, {
      title,
      placeHolder: 'Which scenario?',
      whenNone: async () => {
        const choice = await vscode.window.showInformationMessage('No *.perf.yaml scenario in this workspace.', 'Create Scenario', 'Run Demo on the Simulator');
        if (choice === 'Create Scenario') await vscode.commands.executeCommand('perflab.newScenario');
        if (choice === 'Run Demo on the Simulator') await vscode.commands.executeCommand('perflab.runDemo');
      },
    });
  }

  /** Runs of every workspace folder and of the demo (extension storage), newest first. */
  function allRuns(): (RunRecord & { demo: boolean })[] {
    const demoRuns = settings.runsFolder(demoScenarioFile(c.demoFolder));
    const roots = [...new Set([...(vscode.workspace.workspaceFolders ?? []).map((ws) => settings.workspaceRunsFolder(ws.uri.fsPath)), demoRuns])];
    return roots
      .flatMap((root) => readRuns(root).map((r) => ({ ...r, demo: root === demoRuns })))
      .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0));
  }

  /** Runs to pick from, newest first (several for Compare). */
  async function pickRuns(title: string, many: boolean, only?: { runs: (r: RunRecord) => boolean; none: string }): Promise<string[] | undefined> {
    const records = only ? allRuns().filter(only.runs) : allRuns();
    if (records.length === 0) {
      void vscode.window.showInformationMessage(`LLM Perf Lab: ${only?.none ?? 'no runs yet in this workspace.'}`);
      return undefined;
    }
    const items = records.map((r) => ({
      label: r.summary?.scenario.name ?? r.meta?.scenario.name ?? r.id,
      description: `${formatRunDate(r.startedAt) ?? r.id}${r.demo ? ' · demo' : ''}`,
      detail: r.summary ? r.summary.targets.map((t) => `${t.target}: p95 TTFT ${formatMs(t.latency_ms.ttft.p95)}`).join(' · ') : 'not finished',
      dir: r.dir,
    }));
    if (many) {
      const picks = await vscode.window.showQuickPick(items, {
        title,
        canPickMany: true,
        placeHolder: 'Pick two or more runs (or one run with several targets)',
      });
      return picks?.map((p) => p.dir);
    }
    const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Which run?' });
    return pick ? [pick.dir] : undefined;
  }

  /** Capacity searches of every workspace folder, newest first. */
  async function pickCapacitySearch(): Promise<string | undefined> {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((ws) => settings.workspaceCapacityFolder(ws.uri.fsPath));
    const dirs = roots
      .flatMap((root) => (fs.existsSync(root) ? fs.readdirSync(root).map((name) => path.join(root, name)) : []))
      .filter(isCapacityFolder)
      .sort()
      .reverse();
    if (dirs.length === 0) {
      void vscode.window.showInformationMessage('LLM Perf Lab: no capacity search yet in this workspace (Find Capacity… runs one).');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      dirs.map((dir) => ({ label: path.basename(dir), description: path.dirname(dir), dir })),
      { title: 'Open Capacity Results', placeHolder: 'Which search?' },
    );
    return pick?.dir;
  }

  async function targetFrom(arg: unknown): Promise<Target | undefined> {
    const file =
      arg instanceof vscode.Uri
        ? arg.fsPath
        : isScenarioNode(arg) || isTargetNode(arg)
          ? isScenarioNode(arg)
            ? arg.file
            : arg.scenarioFile
          : await scenarioFileFrom(undefined);
    if (!file) return undefined;
    const { scenario, problems } = validateScenarioText(fs.readFileSync(file, 'utf8'), file);
    if (!scenario) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${path.basename(file)} has ${problems.length} problem(s); fix them first.`);
      return undefined;
    }
    if (isTargetNode(arg)) return scenario.targets.find((t) => t.name === arg.name);
    if (scenario.targets.length === 1) return scenario.targets[0];
    const pick = await vscode.window.showQuickPick(
      scenario.targets.map((t) => ({ label: t.name, description: t.endpoint, target: t })),
      { title: 'Set API Key for which target?' },
    );
    return pick?.target;
  }

  /** Asks where, which model, what prompts and how fast; writes the scenario and opens it. Returns its path. */
  async function newScenario(): Promise<string | undefined> {
    const provider = await vscode.window.showQuickPick(
      PROVIDER_CHOICES.map((p) => ({ label: p.label, detail: p.detail, provider: p.provider, picked: p.provider === settings.defaultProvider() })),
      { title: 'New Scenario: where is the deployment?' },
    );
    if (!provider) return undefined;
    const p = provider.provider;
    // Steps: provider, [endpoint | the app's URL], [the app's response kind], model, [Azure deployment], prompt shape, rate.
    const total = 4 + (p === 'azure' || p === 'openai-compatible' || p === 'http' ? 1 : 0) + (p === 'azure' || p === 'http' ? 1 : 0);
    let at = 1;
    const step = (what: string) => `New Scenario (${++at}/${total}): ${what}`;
    let endpoint: string | undefined;
    if (p === 'azure' || p === 'openai-compatible') {
      endpoint = await vscode.window.showInputBox({
        title: step('endpoint'),
        placeHolder: p === 'azure' ? 'https://my-resource.openai.azure.com' : 'http://localhost:8000/v1',
        validateInput: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An http(s) URL'),
        ignoreFocusOut: true,
      });
      if (!endpoint) return undefined;
    }
    const app = p === 'http' ? await askHttpApp(step) : undefined;
    if (p === 'http' && !app) return undefined;
    const model = await pickModel(step(p === 'azure' ? 'model of the deployment' : p === 'http' ? 'model behind the app (tokenizer and prices)' : 'model'));
    if (!model) return undefined;
    let deployment: string | undefined;
    if (p === 'azure') {
      deployment = await vscode.window.showInputBox({
        title: step('deployment name'),
        value: model,
        prompt: 'The name of the deployment in your Azure OpenAI resource',
        validateInput: (v) => (v.trim() && !/[\r\n]/.test(v) ? undefined : 'A deployment name'),
        ignoreFocusOut: true,
      });
      if (!deployment) return undefined;
    }
    const shape = await vscode.window.showQuickPick(
      [
        { label: 'balanced', description: '500 prompt / 500 completion tokens' },
        { label: 'context', description: '2,000 prompt / 200 completion tokens' },
        { label: 'generation', description: '500 prompt / 1,000 completion tokens' },
      ],
      { title: step('prompt shape') },
    );
    if (!shape) return undefined;
    const rate = await vscode.window.showInputBox({
      title: step('requests per minute'),
      value: '60',
      validateInput: (v) => (Number(v) > 0 ? undefined : 'A positive number'),
      ignoreFocusOut: true,
    });
    if (!rate) return undefined;
    const name = app ? httpScenarioName(app.url) : (deployment ?? model);
    const answers: ScenarioAnswers = {
      name,
      provider: p,
      endpoint,
      ...(p === 'azure' ? { deployment, model, apiVersion: settings.defaultApiVersion() } : { model }),
      ...(app && { url: app.url, responseStream: app.stream }),
      prompts: { kind: 'shape', profile: shape.label as 'balanced' | 'context' | 'generation' },
      rateRpm: Number(rate),
      duration: '60s',
    };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(c.demoFolder);
    // Filter on `yaml`, not `perf.yaml`: dialogs append a multi-dot filter to a name that has it already.
    const chosen = await vscode.window.showSaveDialog({
      title: 'Save the New Scenario',
      defaultUri: vscode.Uri.joinPath(folder, scenarioFileName(name)),
      filters: { 'Scenario (*.perf.yaml)': ['yaml'] },
    });
    if (!chosen) return undefined;
    const uri = chosen.with({ path: scenarioFilePath(chosen.path) });
    if (uri.toString() !== chosen.toString() && (await exists(uri))) {
      const choice = await vscode.window.showWarningMessage(`${path.basename(uri.path)} already exists. Replace it?`, { modal: true }, 'Replace');
      if (choice !== 'Replace') return undefined;
    }
    let text: string;
    try {
      text = newScenarioYaml(answers, { fileName: uri.fsPath, checkFiles: false });
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    await vscode.window.showTextDocument(uri);
    c.tree.refresh();
    return uri.fsPath;
  }

  /** `provider: http`: the URL of the app's endpoint and how it sends its answer. */
  async function askHttpApp(step: (what: string) => string): Promise<{ url: string; stream: HttpStreamKind } | undefined> {
    const url = await vscode.window.showInputBox({
      title: step("URL of the app's endpoint"),
      placeHolder: 'http://localhost:8080/api/chat',
      prompt: 'Where your app takes a chat request (a JSON POST; the scenario shows the body to adjust)',
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An http(s) URL'),
      ignoreFocusOut: true,
    });
    if (!url) return undefined;
    const kind = await vscode.window.showQuickPick(
      HTTP_STREAM_CHOICES.map((k) => ({ label: k.label, detail: k.detail, stream: k.stream })),
      { title: step('how does the app send its answer?') },
    );
    return kind && { url, stream: kind.stream };
  }

  /** The model catalog with context and price, plus "Other…" to type a name. */
  async function pickModel(title: string): Promise<string | undefined> {
    const preferred = vscode.workspace.getConfiguration('perflab').get<string>('promptModel');
    const pick = await vscode.window.showQuickPick(modelPicks(preferred), {
      title,
      placeHolder: 'Which model? Its tokenizer and price come from the model catalog',
      matchOnDescription: true,
    });
    if (!pick) return undefined;
    if (pick.model) return pick.model;
    const typed = await vscode.window.showInputBox({
      title,
      prompt: 'The model name the server expects (e.g. meta-llama/Llama-3.1-8B-Instruct)',
      validateInput: (v) => (v.trim() && !/[\r\n]/.test(v) ? undefined : 'A model name'),
      ignoreFocusOut: true,
    });
    return typed?.trim() || undefined;
  }

  /**
   * The run folder in the OS file manager on a desktop; in a browser or remote window (no
   * `revealFileInOS` there) in the Explorer; a run folder outside the workspace (the demo's, in
   * extension storage) cannot be shown there, so its summary.json opens instead.
   */
  async function revealRunFolder(runDir: string): Promise<void> {
    const summary = vscode.Uri.file(path.join(runDir, SUMMARY_FILE));
    const folder = vscode.Uri.file(runDir);
    const hasSummary = fs.existsSync(summary.fsPath);
    if (vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined) {
      try {
        await vscode.commands.executeCommand('revealFileInOS', hasSummary ? summary : folder);
        return;
      } catch (error) {
        c.output.appendLine(
          `Reveal Run Folder: revealFileInOS failed (${error instanceof Error ? error.message : String(error)}); showing it in the Explorer.`,
        );
      }
    }
    if (vscode.workspace.getWorkspaceFolder(folder)) {
      await vscode.commands.executeCommand('revealInExplorer', folder);
      return;
    }
    if (hasSummary) {
      await vscode.window.showTextDocument(summary, { preview: true });
      return;
    }
    void vscode.window.showInformationMessage(`LLM Perf Lab: the run folder is ${runDir} (outside the workspace, not finished).`);
  }

  async function estimateLoadCommand(): Promise<void> {
    const ask = async (title: string, value: string, percent = false) => {
      const text = await vscode.window.showInputBox({
        title: `Estimate Load: ${title}`,
        value,
        validateInput: (v) => (parseLoadNumber(v, { percent }) === undefined ? 'A number' : undefined),
      });
      return text === undefined ? undefined : parseLoadNumber(text, { percent });
    };
    const users = await ask('total users (u)', '10000');
    if (users === undefined) return;
    const activeShare = await ask('share active in the peak period (p), e.g. 10%', '10%', true);
    if (activeShare === undefined) return;
    const sessionsPerUser = await ask('sessions per active user (s)', '1');
    if (sessionsPerUser === undefined) return;
    const interactionsPerSession = await ask('interactions per session (i)', '2');
    if (interactionsPerSession === undefined) return;
    const peakHours = await ask('length of the peak period in hours (n)', '1');
    if (peakHours === undefined) return;
    const headroom = await ask('headroom', `${DEFAULT_HEADROOM * 100}%`, true);
    if (headroom === undefined) return;
    const thinkTime = await vscode.window.showInputBox({
      title: "Estimate Load: think time between a user's interactions (e.g. 30s, 1m)",
      value: DEFAULT_THINK_TIME,
      validateInput: checkThinkTime,
    });
    if (thinkTime === undefined) return;
    let estimate;
    let sessions;
    try {
      estimate = estimateLoad({ users, activeShare, sessionsPerUser, interactionsPerSession, peakHours, headroom });
      sessions = planSessions(estimate, thinkTime);
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof LoadInputError ? error.problems.join('; ') : String(error)}`);
      return;
    }
    const explanation = [...estimate.explanation, '', ...sessions.explanation];
    c.output.appendLine(['Estimate Load:', ...explanation.map((l) => `  ${l}`)].join('\n'));
    const choice = await vscode.window.showInformationMessage(
      `Estimated ${estimate.suggestedRate} RPM`,
      { modal: true, detail: explanation.join('\n') },
      'Write into a Scenario…',
    );
    if (choice !== 'Write into a Scenario…') return;
    const file = await scenarioFileFrom(undefined, `Estimate Load: write ${estimate.suggestedRate} RPM into which scenario?`);
    if (!file) return;
    const text = fs.readFileSync(file, 'utf8');
    try {
      if (isClosedLoop(text)) {
        // No rate to set: only the sessions, once the user has read what they mean there.
        const write = await vscode.window.showInformationMessage(
          `${path.basename(file)} runs closed loop: write only the sessions?`,
          { modal: true, detail: closedLoopSessionsText(sessions) },
          'Write the Sessions',
        );
        if (write !== 'Write the Sessions') return;
        fs.writeFileSync(file, setScenarioSessions(text, sessions));
      } else {
        fs.writeFileSync(file, setScenarioSessions(setScenarioRate(text, estimate.suggestedRate), sessions));
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: cannot write into ${path.basename(file)}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const workload = validateScenarioText(fs.readFileSync(file, 'utf8'), file).scenario?.workload;
    if (workload?.mode === 'open' && workload.clients < sessions.openSessions) {
      void vscode.window.showWarningMessage(
        `LLM Perf Lab: workload.clients is ${workload.clients}, but at least ${sessions.openSessions} sessions are open at once: raise clients, or the schedule falls behind.`,
      );
    }
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function runDirFrom(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (isRunNode(arg)) return arg.dir;
  return undefined;
}

/** The runs folder a run folder lives in, as configured for its workspace folder. */
function runsRootOf(runDir: string): string {
  const workspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(runDir));
  return workspace ? settings.workspaceRunsFolder(workspace.uri.fsPath) : path.dirname(runDir);
}

/** Read-only documents showing a run's summary as text (the same text the CLI prints). */
class ResultsDocuments implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const runDir = path.dirname(uri.path);
    let problem = '';
    try {
      const summary = readSummaryFile(runDir);
      if (summary) return summaryText(summary, runDir);
    } catch (error) {
      problem = ` (${(error as Error).message})`;
    }
    // Streamed: an unfinished run's requests.jsonl can be far larger than it is worth holding to count it.
    const records = countRequests(runDir).get('*') ?? 0;
    return `No usable ${SUMMARY_FILE} in ${runDir}${problem}: the run did not finish (${records} requests recorded in ${REQUESTS_FILE}).`;
  }
}

export type { PerfNode };
