// Starts the prompt/scenario language server (dist/server.js, its own process) and adds what LSP has no
// words for: the status-bar model picker and token total, "Count Tokens in Selection" and "Show Token
// Boundaries". Counting happens in the server; this file only asks and shows.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  CountTokensRequest,
  PromptSummaryRequest,
  SettingsNotificationMethod,
  TokenBoundariesRequest,
  type CountTokensResult,
  type PromptServerSettings,
} from '../protocol/lsp';
import { isScenarioFile } from '../engine/scenario/files';
import { MODEL_CATALOG } from '../tokens/catalog';
import { listPriceText } from '../tokens/pricing';
import { statusTotalText, statusTotalTooltip } from './prompt-status-text';
// Prompt files the server analyses; instruction files join with `perflab.promptFiles.instructionFiles`.
import { INSTRUCTION_PATTERNS, PROMPT_PATTERNS, SCENARIO_PATTERN } from './served-files';

export class PromptLanguageClient implements vscode.Disposable {
  readonly client: LanguageClient;
  private readonly modelItem = vscode.window.createStatusBarItem('perflab.promptModel', vscode.StatusBarAlignment.Right, 100);
  private readonly totalItem = vscode.window.createStatusBarItem('perflab.promptTotal', vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly boundaryDecorations = [
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground'), borderRadius: '2px' }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.wordHighlightStrongBackground'), borderRadius: '2px' }),
  ];
  /** Editors (by document URI) showing token boundaries. */
  private readonly showingBoundaries = new Set<string>();
  private summaryTimer: NodeJS.Timeout | undefined;
  private totalShown = false;

  constructor(context: vscode.ExtensionContext) {
    const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
    const serverOptions: ServerOptions = { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      initializationOptions: serverSettings(),
      outputChannelName: 'LLM Perf Lab Language Server',
    };
    this.client = new LanguageClient('perflab', 'LLM Perf Lab Language Server', serverOptions, clientOptions);

    this.modelItem.name = 'LLM Perf Lab prompt model';
    this.modelItem.command = 'perflab.pickPromptModel';
    this.modelItem.tooltip = 'Model used to count prompt tokens and price them (files whose front matter names a model use that one)';
    this.totalItem.name = 'LLM Perf Lab prompt tokens';
    this.totalItem.command = 'perflab.countTokensInSelection';

    this.disposables.push(
      this.modelItem,
      this.totalItem,
      ...this.boundaryDecorations,
      vscode.commands.registerCommand('perflab.pickPromptModel', () => this.pickModel()),
      vscode.commands.registerCommand('perflab.countTokensInSelection', () => this.countSelection()),
      vscode.commands.registerCommand('perflab.toggleTokenBoundaries', () => this.toggleBoundaries()),
      vscode.window.onDidChangeActiveTextEditor(() => this.refreshStatus()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.scheduleStatus();
        for (const editor of vscode.window.visibleTextEditors)
          if (editor.document === e.document && this.showingBoundaries.has(e.document.uri.toString())) void this.drawBoundaries(editor);
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (this.showingBoundaries.has(e.textEditor.document.uri.toString())) void this.drawBoundaries(e.textEditor);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('perflab.promptModel') || e.affectsConfiguration('perflab.pricing')) {
          void this.client.sendNotification(SettingsNotificationMethod, serverSettings());
          this.refreshStatus();
        }
      }),
    );
  }

  async start(): Promise<void> {
    await this.client.start();
    this.refreshStatus();
  }

  /** For tests: the status-bar texts. */
  get statusText(): { model: string; total: string } {
    return { model: this.modelItem.text, total: this.totalShown ? this.totalItem.text : '' };
  }

  private isAnalysed(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
    return doc !== undefined && vscode.languages.match(documentSelector(), doc) > 0 && !isScenarioFile(doc.fileName);
  }

  private scheduleStatus(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => this.refreshStatus(), 300);
  }

  private refreshStatus(): void {
    const doc = vscode.window.activeTextEditor?.document;
    this.modelItem.text = `$(symbol-numeric) ${promptModel()}`;
    if (!this.isAnalysed(doc)) {
      this.modelItem.hide();
      this.totalItem.hide();
      this.totalShown = false;
      return;
    }
    this.modelItem.show();
    void this.client.sendRequest(PromptSummaryRequest, { uri: doc.uri.toString() }).then(
      (summary) => {
        if (!summary || vscode.window.activeTextEditor?.document !== doc) return;
        this.totalItem.text = `$(symbol-number) ${statusTotalText(summary)}`;
        this.totalItem.tooltip = statusTotalTooltip(summary);
        this.modelItem.text = `$(symbol-numeric) ${summary.model}`;
        this.totalItem.show();
        this.totalShown = true;
      },
      () => {
        this.totalItem.hide();
        this.totalShown = false;
      },
    );
  }

  private async pickModel(): Promise<void> {
    const current = promptModel();
    const pick = await vscode.window.showQuickPick(
      MODEL_CATALOG.map((m) => ({
        label: m.name,
        description: m.name === current ? 'current' : undefined,
        detail: `${m.encoding} · ${m.context_window.toLocaleString('en-US')} tokens context · ${listPriceText(m.price)}`,
      })),
      { title: 'Model for prompt token counts and cost', placeHolder: current },
    );
    if (pick) await vscode.workspace.getConfiguration('perflab').update('promptModel', pick.label, vscode.ConfigurationTarget.Workspace);
  }

  /** Counts the selection (or the whole file) for the document's model; returns the result for tests. */
  async countSelection(): Promise<CountTokensResult | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const text = editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection);
    const uri = this.isAnalysed(editor.document) ? editor.document.uri.toString() : undefined;
    const result = await this.client.sendRequest(CountTokensRequest, { text, uri });
    const what = editor.selection.isEmpty ? 'the file' : 'the selection';
    const cost = result.inputCostUsd === null ? '' : ` · $${result.inputCostUsd.toPrecision(2)} as input`;
    void vscode.window.showInformationMessage(
      `${result.tokens.toLocaleString('en-US')} tokens in ${what} (${result.characters.toLocaleString('en-US')} characters; ${result.model}, ${result.encoding})${cost}`,
    );
    return result;
  }

  /** Toggles token-boundary decorations in the active editor; returns how many tokens are shown. */
  async toggleBoundaries(): Promise<number> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return 0;
    const key = editor.document.uri.toString();
    if (this.showingBoundaries.delete(key)) {
      for (const d of this.boundaryDecorations) editor.setDecorations(d, []);
      return 0;
    }
    this.showingBoundaries.add(key);
    return this.drawBoundaries(editor);
  }

  private async drawBoundaries(editor: vscode.TextEditor): Promise<number> {
    const ranges = editor.visibleRanges.length ? editor.visibleRanges : [new vscode.Range(0, 0, Math.min(editor.document.lineCount, 200), 0)];
    const startLine = Math.min(...ranges.map((r) => r.start.line));
    const endLine = Math.max(...ranges.map((r) => r.end.line));
    const { tokens } = await this.client.sendRequest(TokenBoundariesRequest, { uri: editor.document.uri.toString(), startLine, endLine });
    // Alternate two backgrounds so neighbouring tokens are told apart.
    const even: vscode.Range[] = [];
    const odd: vscode.Range[] = [];
    tokens.forEach(([line, start, end], i) => (i % 2 === 0 ? even : odd).push(new vscode.Range(line, start, line, end)));
    editor.setDecorations(this.boundaryDecorations[0], even);
    editor.setDecorations(this.boundaryDecorations[1], odd);
    return tokens.length;
  }

  async dispose(): Promise<void> {
    clearTimeout(this.summaryTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    await this.client.stop().catch(() => undefined);
  }
}

function promptModel(): string {
  return vscode.workspace.getConfiguration('perflab').get<string>('promptModel') || 'gpt-5-mini';
}

function serverSettings(): PromptServerSettings {
  const config = vscode.workspace.getConfiguration('perflab');
  return { model: promptModel(), pricing: config.get<PromptServerSettings['pricing']>('pricing') ?? {} };
}

function documentSelector(): { scheme: string; pattern: string }[] {
  const instructions = vscode.workspace.getConfiguration('perflab').get<boolean>('promptFiles.instructionFiles') ?? false;
  return [...PROMPT_PATTERNS, ...(instructions ? INSTRUCTION_PATTERNS : []), SCENARIO_PATTERN].map((pattern) => ({ scheme: 'file', pattern }));
}
