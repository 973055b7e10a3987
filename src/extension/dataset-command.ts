// "LLM Perf Lab: Generate Test Dataset…" and "LLM Perf Lab: Dataset from CSV…": the editor's side of
// `perflab dataset generate|from-csv` (src/dataset does the work, as for the CLI). Generation sends
// requests, so it is refused in an untrusted workspace; its key comes through the extension's
// credential service (SecretStorage bound to the target's endpoint, approved env variable, Entra ID)
// and is sent only to that target. Reading a CSV sends nothing and works anywhere.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CsvError, parseCsv } from '../dataset/csv';
import { encodingFor, oneLine, slug, tokenStats, writeDataset, type DatasetLine } from '../dataset/dataset-file';
import { datasetFromCsv, DEFAULT_COLUMNS } from '../dataset/from-csv';
import { generateDataset } from '../dataset/generate';
import { loadScenarioFile, scenarioErrorText } from '../engine/scenario/load';
import type { Scenario, Target } from '../engine/scenario/types';
import { MODEL_CATALOG } from '../tokens';
import type { CredentialService } from './credentials';
import { isTargetNode } from './scenario-tree';
import { settings } from './settings';
import { scenarioFileFrom } from './scenario-picker';

export interface DatasetCommandDeps {
  output: vscode.OutputChannel;
  credentials: CredentialService;
}

const MAX_COUNT = 10_000;

export function registerDatasetCommands(deps: DatasetCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('perflab.generateDataset', (arg?: unknown) => generate(deps, arg)),
    vscode.commands.registerCommand('perflab.datasetFromCsv', (arg?: unknown) => fromCsv(deps, arg)),
  ];
}

async function generate(deps: DatasetCommandDeps, arg: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'LLM Perf Lab: this workspace is not trusted, so no requests are sent. Trust the workspace to generate a test dataset (Dataset from CSV works without sending anything).',
    );
    return;
  }
  const file = await scenarioFile(arg);
  if (!file) return;
  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(file);
  } catch (error) {
    const message = scenarioErrorText(error);
    deps.output.appendLine(`Dataset not generated:\n${message}`);
    void vscode.window.showErrorMessage(`LLM Perf Lab: ${path.basename(file)} is not valid — nothing was sent. ${message.split('\n')[0]}`);
    return;
  }
  const target = await pickTarget(scenario, arg);
  if (!target) return;
  const countText = await vscode.window.showInputBox({
    title: 'Generate Test Dataset (1/3): how many different messages?',
    value: '100',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= MAX_COUNT ? undefined : `A whole number from 1 to ${MAX_COUNT}`),
  });
  if (countText === undefined) return;
  const about = await vscode.window.showInputBox({
    title: 'Generate Test Dataset (2/3): what is the application about?',
    prompt: 'The messages are written as its users would write them.',
    placeHolder: "e.g. the support chat of a bank's mobile app",
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Describe the application in a few words' : undefined),
  });
  if (about === undefined) return;
  const system = await vscode.window.showInputBox({
    title: 'Generate Test Dataset (3/3): system message for every line (optional)',
    prompt: 'Leave empty for user messages only. This is what your application sends as its system prompt.',
    ignoreFocusOut: true,
  });
  if (system === undefined) return;

  let credential = null;
  if (target.endpoint !== 'simulator') {
    try {
      credential = await deps.credentials.resolve(target);
    } catch (error) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
  }
  const count = Number(countText);
  const out = uniqueFile(path.join(path.dirname(file), `${slug(about)}.jsonl`));
  const where = target.endpoint === 'simulator' ? 'the simulator' : new URL(target.endpoint).origin;
  deps.output.appendLine(`[${new Date().toISOString()}] Generate ${count} messages with "${target.name}" (${where}) → ${out}`);

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Generating ${count} test messages with ${target.name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      let done = 0;
      try {
        return await generateDataset({
          target,
          credential,
          count,
          about,
          system: system.trim() === '' ? undefined : system,
          timeouts: scenario.timeouts,
          maxRetryS: scenario.retry.max_retry_s,
          modelOverrides: settings.pricingOverrides(),
          signal: abort.signal,
          onProgress: (p) => {
            deps.output.appendLine(`  ${p.message}`);
            progress.report({ increment: ((p.unique - done) / p.count) * 100, message: `${p.unique}/${p.count} (request ${p.call})` });
            done = p.unique;
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  );
  for (const e of result.errors) deps.output.appendLine(`  error: ${e}`);
  if (result.lines.length === 0) {
    deps.output.appendLine(`  nothing written: ${result.shortfall ?? 'no messages'}`);
    void vscode.window
      .showErrorMessage(`LLM Perf Lab: no dataset written — ${result.shortfall ?? 'no messages came back'}.`, 'Show Output')
      .then((c) => c && deps.output.show());
    return;
  }
  await writeAndOpen(deps, out, result.lines, target.model ?? target.deployment ?? 'gpt-4o');
  if (result.shortfall !== null) {
    deps.output.appendLine(`  ${result.shortfall}`);
    void vscode.window.showWarningMessage(`LLM Perf Lab: ${result.shortfall}.`, 'Show Output').then((c) => c && deps.output.show());
  }
}

async function fromCsv(deps: DatasetCommandDeps, arg: unknown): Promise<void> {
  const file =
    arg instanceof vscode.Uri
      ? arg.fsPath
      : (
          await vscode.window.showOpenDialog({
            title: 'Dataset from CSV: pick a CSV file with a header row',
            canSelectMany: false,
            filters: { 'CSV files': ['csv'], 'All files': ['*'] },
            defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
          })
        )?.[0]?.fsPath;
  if (!file) return;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    void vscode.window.showErrorMessage(`LLM Perf Lab: cannot read ${file}: ${(error as Error).message}`);
    return;
  }
  try {
    const records = parseCsv(text, file);
    const header = records[0]?.fields ?? [];
    const preferred = header.findIndex((h) => DEFAULT_COLUMNS.includes(h.trim().toLowerCase()));
    const items = header.map((h, i) => ({
      label: h.trim() === '' ? `(column ${i + 1})` : h.trim(),
      description: records[1]?.fields[i] !== undefined ? oneLine(records[1].fields[i], 60) : undefined,
      column: h,
    }));
    let column: string | undefined = header[0];
    if (items.length > 1) {
      const ordered = preferred > 0 ? [items[preferred], ...items.filter((_, i) => i !== preferred)] : items;
      const pick = await vscode.window.showQuickPick(ordered, { title: 'Dataset from CSV (1/2): which column holds the messages?' });
      if (!pick) return;
      column = pick.column;
    }
    const models = ['gpt-4o', ...MODEL_CATALOG.map((m) => m.name).filter((n) => n !== 'gpt-4o')];
    const model = await vscode.window.showQuickPick(models, { title: 'Dataset from CSV (2/2): count prompt tokens for which model?' });
    if (!model) return;
    const result = datasetFromCsv(text, file, { column: column?.trim(), encoding: encodingFor(model, settings.pricingOverrides()) });
    if (result.lines.length === 0) {
      void vscode.window.showErrorMessage(`LLM Perf Lab: column "${result.column}" of ${path.basename(file)} holds no messages.`);
      return;
    }
    deps.output.appendLine(
      `[${new Date().toISOString()}] Dataset from ${file}, column "${result.column}": ${result.rows} rows, ${result.blank} blank and ${result.duplicates} repeated skipped`,
    );
    await writeAndOpen(deps, uniqueFile(file.replace(/(\.csv)?$/i, '.jsonl')), result.lines, model);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    deps.output.appendLine(error.message);
    const open = await vscode.window.showErrorMessage(`LLM Perf Lab: ${path.basename(file)}:${error.line}:${error.column}: ${error.reason}`, 'Open File');
    if (open) {
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
      const at = new vscode.Position(error.line - 1, error.column - 1);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at));
    }
  }
}

async function writeAndOpen(deps: DatasetCommandDeps, out: string, lines: DatasetLine[], model: string): Promise<void> {
  writeDataset(out, lines);
  const s = tokenStats(lines)!;
  const summary = `${lines.length} messages → ${path.basename(out)} (prompt tokens for ${model}: min ${s.min}, median ${s.median}, max ${s.max})`;
  deps.output.appendLine(`  ${summary}`);
  await vscode.window.showTextDocument(vscode.Uri.file(out), { preview: false });
  void vscode.window.showInformationMessage(`LLM Perf Lab: ${summary}. Use it in a scenario with prompts: { dataset: ${path.basename(out)} }.`);
}

/** `name.jsonl`, or `name-2.jsonl`, `name-3.jsonl`, … when taken: never overwrites a dataset. */
function uniqueFile(file: string): string {
  if (!fs.existsSync(file)) return file;
  const ext = path.extname(file);
  const base = file.slice(0, file.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}${ext}`;
    if (!fs.existsSync(candidate)) return candidate;
  }
}

function scenarioFile(arg: unknown): Promise<string | undefined> {
  return scenarioFileFrom(arg, {
    title: "Generate Test Dataset: which scenario's target writes the messages?",
    skipPickWhenOne: true,
    whenNone: () =>
      vscode.window.showInformationMessage(
        'LLM Perf Lab: no *.perf.yaml scenario in this workspace; its targets say where the messages are generated. Create one with "LLM Perf Lab: New Scenario…".',
      ),
  });
}

async function pickTarget(scenario: Scenario, arg: unknown): Promise<Target | undefined> {
  if (isTargetNode(arg)) return scenario.targets.find((t) => t.name === arg.name);
  if (scenario.targets.length === 1) return scenario.targets[0];
  const pick = await vscode.window.showQuickPick(
    scenario.targets.map((t) => ({
      label: t.name,
      description: t.endpoint === 'simulator' ? 'simulator' : t.endpoint,
      detail: t.model ?? t.deployment,
      target: t,
    })),
    { title: 'Generate Test Dataset: ask which target?' },
  );
  return pick?.target;
}
