// The LLM Perf Lab language server (bundled as dist/server.js, started by the extension over IPC, or by
// tests over stdio). Prompt files (.prompty, .jsonl chat datasets, *.prompt.md and instruction files):
// token counts per section as CodeLens, per dataset line as inlay hints, hovers with cost and context
// share, diagnostics. Scenario files (*.perf.yaml): diagnostics, completion, hover and quick fixes from
// the scenario schema. No 'vscode' import: everything here runs in a plain Node process.

import * as os from 'node:os';
import * as path from 'node:path';
import {
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  InlayHintKind,
  MarkupKind,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type InlayHint,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CountTokensRequest, PromptSummaryRequest, SettingsNotificationMethod, TokenBoundariesRequest, type PromptServerSettings } from '../protocol/lsp';
import { isScenarioFile } from '../engine/scenario/files';
import { ChunkedTokenCounter, costUsd, lookupModel, startCountHelper, warmUpCounting, withPricing, type ModelOverrides } from '../tokens';
import { analyzePrompt, type PromptAnalysis } from './prompt-analysis';
import { modelFromScenarios } from './scenario-model';
import { scenarioCompletions, scenarioDiagnostics, scenarioHover } from './scenario-support';
import { tokenSpans } from './token-spans';
import { readScenarioLeniently } from '../engine/scenario/lenient';
import { describeDataset, describeSection, promptLensTitle, sectionLensTitle } from './prompt-text';

const DEFAULT_SETTINGS: PromptServerSettings = { model: 'gpt-5-mini', pricing: {} };
/** Diagnostics wait until typing pauses; counts (CodeLens, hovers) are computed on request. */
const DIAGNOSTICS_DELAY_MS = 150;

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  const counter = new ChunkedTokenCounter();
  const analyses = new Map<string, { version: number; analysis: PromptAnalysis }>();
  const timers = new Map<string, NodeJS.Timeout>();
  let settings = DEFAULT_SETTINGS;

  const overrides = (): ModelOverrides => withPricing({}, settings.pricing, 'setting');
  /** A scenario's own `pricing:` over the setting, as a run of that scenario prices it. */
  const scenarioOverrides = (text: string): ModelOverrides => withPricing(overrides(), readScenarioLeniently(text).pricing, 'scenario');

  const kindOf = (uri: string): 'scenario' | 'prompt' => (isScenarioFile(uri) ? 'scenario' : 'prompt');

  /** The analysis of a prompt document, recomputed only when its version changed. */
  function analysis(doc: TextDocument): PromptAnalysis {
    const cached = analyses.get(doc.uri);
    if (cached?.version === doc.version) return cached.analysis;
    const file = fileName(doc.uri);
    const fromScenario = doc.uri.startsWith('file:') ? modelFromScenarios(file) : undefined;
    const result = analyzePrompt(file, doc.getText(), {
      defaultModel: settings.model,
      scenarioModel: fromScenario?.model,
      overrides: withPricing(overrides(), fromScenario?.pricing, 'scenario'),
      counter,
    });
    analyses.set(doc.uri, { version: doc.version, analysis: result });
    return result;
  }

  function publishDiagnostics(doc: TextDocument): void {
    const diagnostics: Diagnostic[] =
      kindOf(doc.uri) === 'scenario'
        ? scenarioDiagnostics(doc.getText(), fileName(doc.uri), scenarioOverrides(doc.getText())).map((d) => ({
            range: { start: { line: d.line, character: d.column }, end: { line: d.endLine, character: Math.max(d.endColumn, d.column + 1) } },
            severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            source: 'perflab',
            message: d.message,
            ...(d.replacement ? { data: { replacement: d.replacement } } : {}),
          }))
        : analysis(doc).diagnostics.map((d) => ({
            range: { start: { line: d.line, character: d.column }, end: { line: d.line, character: Math.max(d.endColumn, d.column + 1) } },
            severity:
              d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
            source: 'perflab',
            message: d.message,
          }));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  function scheduleDiagnostics(doc: TextDocument, delay = DIAGNOSTICS_DELAY_MS): void {
    clearTimeout(timers.get(doc.uri));
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        const current = documents.get(doc.uri);
        if (current) publishDiagnostics(current);
      }, delay),
    );
  }

  connection.onInitialize((params) => {
    settings = { ...DEFAULT_SETTINGS, ...(params.initializationOptions as Partial<PromptServerSettings> | undefined) };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        inlayHintProvider: true,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', ' ', '-', '{'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'LLM Perf Lab prompt server' },
    };
  });

  connection.onNotification(SettingsNotificationMethod, (next: Partial<PromptServerSettings>) => {
    settings = { ...settings, ...next };
    analyses.clear();
    for (const doc of documents.all()) scheduleDiagnostics(doc, 0);
    void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    void connection.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
  });

  documents.onDidOpen((e) => scheduleDiagnostics(e.document, 0));
  documents.onDidChangeContent((e) => scheduleDiagnostics(e.document));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    analyses.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCodeLens(({ textDocument }): CodeLens[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc || kindOf(doc.uri) !== 'prompt') return [];
    const a = analysis(doc);
    const lens = (line: number, title: string): CodeLens => ({
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      command: { title, command: '' },
    });
    const lenses = [lens(0, promptLensTitle(a))];
    // Datasets get one inlay hint per line instead (a lens per line would double every line's height).
    if (a.format !== 'jsonl') for (const s of a.sections) lenses.push(lens(s.line, sectionLensTitle(a, s)));
    return lenses;
  });

  connection.languages.inlayHint.on(({ textDocument, range }): InlayHint[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc || kindOf(doc.uri) !== 'prompt') return [];
    const a = analysis(doc);
    if (a.format !== 'jsonl') return [];
    return a.sections
      .filter((s) => s.line >= range.start.line && s.line <= range.end.line)
      .map((s) => ({
        position: {
          line: s.line,
          character: doc.getText({ start: { line: s.line, character: 0 }, end: { line: s.line + 1, character: 0 } }).replace(/\r?\n$/, '').length,
        },
        label: ` ${s.requestTokens!.toLocaleString('en-US')} tokens`,
        kind: InlayHintKind.Parameter,
        paddingLeft: true,
      }));
  });

  connection.onHover(({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    let value: string | undefined;
    if (kindOf(doc.uri) === 'scenario') {
      value = scenarioHover(doc.getText(), position.line, position.character, scenarioOverrides(doc.getText()));
    } else {
      const a = analysis(doc);
      const section = a.sections.find((s) => position.line >= s.line && position.line <= s.endLine);
      if (section) value = a.format === 'jsonl' ? describeDataset(a, section) : describeSection(a, section);
    }
    return value ? { contents: { kind: MarkupKind.Markdown, value } } : null;
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc || kindOf(doc.uri) !== 'scenario') return [];
    return scenarioCompletions(doc.getText(), position.line, position.character, scenarioOverrides(doc.getText())).map((c) => ({
      label: c.label,
      kind: c.kind === 'property' ? CompletionItemKind.Property : c.kind === 'model' ? CompletionItemKind.Constant : CompletionItemKind.EnumMember,
      detail: c.detail,
      documentation: c.documentation ? { kind: MarkupKind.Markdown, value: c.documentation } : undefined,
      insertText: c.insertText,
    }));
  });

  connection.onCodeAction(({ textDocument, context }): CodeAction[] =>
    context.diagnostics.flatMap((d) => {
      const replacement = (d.data as { replacement?: unknown } | undefined)?.replacement;
      if (typeof replacement !== 'string') return [];
      return [
        {
          title: `Change to "${replacement}"`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [textDocument.uri]: [{ range: d.range, newText: replacement }] } },
        },
      ];
    }),
  );

  connection.onRequest(CountTokensRequest, ({ text, uri }) => {
    const doc = uri ? documents.get(uri) : undefined;
    const a = doc && kindOf(doc.uri) === 'prompt' ? analysis(doc) : null;
    const modelName = a?.model.name ?? settings.model;
    const info = lookupModel(modelName, overrides());
    const encoding = info?.encoding ?? 'o200k_base';
    const tokens = counter.count(text, encoding);
    return {
      tokens,
      characters: text.length,
      model: modelName,
      encoding,
      inputCostUsd: info?.price ? costUsd(info.price, { prompt: tokens, completion: 0 }) : null,
    };
  });

  connection.onRequest(TokenBoundariesRequest, ({ uri, startLine, endLine }) => {
    const doc = documents.get(uri);
    if (!doc) return { tokens: [], encoding: 'o200k_base' };
    const encoding = kindOf(uri) === 'prompt' ? analysis(doc).encoding : 'o200k_base';
    const tokens: [number, number, number][] = [];
    for (let line = Math.max(0, startLine); line <= Math.min(endLine, doc.lineCount - 1); line++) {
      const text = doc.getText({ start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } }).replace(/\r?\n$/, '');
      for (const [start, end] of tokenSpans(text, encoding)) tokens.push([line, start, end]);
    }
    return { tokens, encoding };
  });

  connection.onRequest(PromptSummaryRequest, ({ uri }) => {
    const doc = documents.get(uri);
    if (!doc || kindOf(uri) !== 'prompt') return null;
    const a = analysis(doc);
    return {
      total: a.total,
      sent: a.sentTotal,
      unsampled: a.variables.filter((v) => v.value === null).map((v) => v.name),
      hasVariables: a.variables.length > 0,
      model: a.model.name,
      modelSource: a.model.source,
      inputCostUsd: a.inputCostUsd,
      dataset: a.dataset,
    };
  });

  // Once initialized, load the default encoding and warm the analysis code, not on the first keystroke:
  // building the rank tables takes ~0.3 s, and cold code parses and counts 1 MB ~2× slower. Then start
  // the helper thread that counts new pieces of large files alongside this one (with ≥ 2 cores;
  // PERFLAB_COUNT_HELPER=0 turns it off, for the benchmark), and once it is up, two more rounds: V8
  // optimizes in tiers, and the rounds also warm the path that uses the helper. Each round is its own
  // task, so that a request arriving meanwhile waits for one round at most. The first number formatted
  // in a process loads the locale data (~20 ms), so that too. Nothing the warm-up counts is kept.
  connection.onInitialized(() => {
    const warmUpRound = () =>
      warmUpCounting('o200k_base', (text) => {
        const sections = ['system', 'user', 'assistant', 'user'].map((role, i) => `${role}:\n${text.slice(i * 40_000, (i + 1) * 40_000)}`);
        const prompt = `---\nmodel:\n  configuration:\n    name: gpt-4o\nsample:\n  topic: warm-up\n---\n${sections.join('\n\n')}\n{{topic}}\n`;
        promptLensTitle(analyzePrompt('warm-up.prompty', prompt, { defaultModel: settings.model, counter: new ChunkedTokenCounter() }));
      });
    setImmediate(() => {
      warmUpRound();
      const useHelper = os.availableParallelism() >= 2 && process.env.PERFLAB_COUNT_HELPER !== '0';
      const helper = useHelper ? startCountHelper(path.join(__dirname, 'piece-worker.js')) : null;
      const since = Date.now();
      const more = (left: number): void => {
        if (left === 0) return;
        if (helper && !helper.available && Date.now() - since < 3000) {
          setTimeout(() => more(left), 50);
          return;
        }
        warmUpRound();
        setImmediate(() => more(left - 1));
      };
      more(2);
    });
  });

  documents.listen(connection);
  connection.listen();
}

function fileName(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

startServer();
