// What the language server knows about a prompt file: its sections with token counts (exactly what
// the service reports as prompt_tokens, chat framing included), the model they are counted for, cost,
// and the problems worth a squiggle. Pure: no LSP types, no 'vscode'; tested directly and over LSP.
// A template with {{variables}} is counted twice: as written, and as the service receives it with the
// front matter's sample values in place — the request the engine (src/engine/prompt-builder.ts) sends
// for this file when its scenario gives no `inputs`.

import {
  chatOverhead,
  costUsd,
  countChatTokens,
  lookupModel,
  parsePromptFile,
  promptDefaults,
  splitLines,
  suggestModel,
  type ChunkedTokenCounter,
  type Encoding,
  type ModelInfo,
  type ModelOverrides,
  type ParsedPrompt,
} from '../tokens';
import { renderSections, variablesIn, variableValues, type PromptMessage } from '../tokens/prompt-files';

export interface SectionCount {
  /** `system`, `user`, … or `line 12` in a dataset. */
  label: string;
  /** 0-based first and last line of the section (its heading included). */
  line: number;
  endLine: number;
  /** Tokens of the section's messages as written (role + content, {{variables}} as typed), without the chat framing. */
  tokens: number;
  chars: number;
  /** The `{{variables}}` the section uses; none: it is sent as written. */
  variables: string[];
  /** The same with the sample values in place: what the service receives of this section. Null when
   *  one of its variables has no sample value; equal to tokens/chars when it uses none. */
  sent: { tokens: number; chars: number } | null;
  /** Datasets: the line's own request total (framing included). */
  requestTokens?: number;
}

export interface PromptDiagnostic {
  /** 0-based. */
  line: number;
  column: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'information';
  message: string;
}

export interface ModelChoice {
  name: string;
  /** Null when the catalog does not know the name. */
  info: ModelInfo | null;
  source: 'front matter' | 'scenario' | 'setting';
}

export interface PromptAnalysis {
  format: ParsedPrompt['format'];
  model: ModelChoice;
  encoding: Encoding;
  sections: SectionCount[];
  /** One request's prompt tokens of the template as written (prompty/markdown): sections + framing. Datasets: the largest line. */
  total: number;
  overhead: number;
  /** One request's prompt tokens as the service receives them, the sample values in place of the
   *  `{{variables}}` (framing included). Equal to `total` without variables; null when one has no value. */
  sentTotal: number | null;
  /** Each `{{variable}}` with the text that replaces it (the front matter's `sample:` or an input's default); null: none. */
  variables: { name: string; value: string | null }[];
  /** max_tokens from the front matter's parameters, if any. */
  maxTokens: number | null;
  /** USD for the prompt (as sent; the template's when that is unknown) and for up to max_tokens of output; null without a price. */
  inputCostUsd: number | null;
  outputCostUsd: number | null;
  /** Datasets: prompt tokens per line (framing included). */
  dataset: { lines: number; min: number; median: number; max: number } | null;
  diagnostics: PromptDiagnostic[];
}

export interface AnalysisOptions {
  /** The model when the front matter names none (the status-bar picker / `perflab.promptModel`). */
  defaultModel: string;
  /** The model of a scenario that uses this file; it wins over `defaultModel`, not over the front matter. */
  scenarioModel?: string;
  overrides?: ModelOverrides;
  counter: ChunkedTokenCounter;
}

export function analyzePrompt(fileName: string, text: string, options: AnalysisOptions): PromptAnalysis {
  const parsed = parsePromptFile(fileName, text);
  const lines = splitLines(text);
  const model = chooseModel(parsed, options);
  const encoding = model.info?.encoding ?? 'o200k_base';
  const count = (t: string, enc: Encoding) => options.counter.count(t, enc);
  const diagnostics: PromptDiagnostic[] = parsed.problems.map((p) => ({
    line: p.line - 1,
    column: Math.max(0, p.column - 1),
    endColumn: Math.max(p.column, lineLength(lines, p.line - 1)),
    severity: /is not sent|is empty/.test(p.message) ? 'warning' : 'error',
    message: p.message,
  }));

  // The engine fills the variables from the same values (src/tokens/prompt-files.ts, loadPromptMessages).
  const values = promptDefaults(parsed);
  const variables = variableValues(parsed, values);
  const rendered = renderSections(parsed, values);
  const textTokens = (messages: PromptMessage[]) => countChatTokens(messages, encoding, count).perMessage.reduce((a, b) => a + b, 0);
  const chars = (messages: PromptMessage[]) => messages.reduce((n, m) => n + m.content.length, 0);

  // Section i runs until the line before section i + 1 starts (datasets: one line each).
  const starts = parsed.sections.map((s) => s.line - 1);
  const sections: SectionCount[] = parsed.sections.map((s, i) => {
    const counted = countChatTokens(s.messages, encoding, count);
    const endLine = parsed.format === 'jsonl' ? starts[i] : i + 1 < starts.length ? starts[i + 1] - 1 : lines.length - 1;
    const tokens = counted.perMessage.reduce((a, b) => a + b, 0);
    const used = parsed.variables.length > 0 ? variablesIn(s.text) : [];
    const sent = rendered[i];
    return {
      label: s.label,
      line: starts[i],
      endLine: Math.max(starts[i], endLine),
      tokens,
      chars: chars(s.messages),
      variables: used,
      sent: used.length === 0 ? { tokens, chars: chars(s.messages) } : sent === null ? null : { tokens: textTokens(sent), chars: chars(sent) },
      ...(parsed.format === 'jsonl' ? { requestTokens: counted.total } : {}),
    };
  });

  let total: number;
  let overhead: number;
  let sentTotal: number | null;
  let dataset: PromptAnalysis['dataset'] = null;
  if (parsed.format === 'jsonl') {
    const totals = sections.map((s) => s.requestTokens!).sort((a, b) => a - b);
    dataset = totals.length
      ? { lines: totals.length, min: totals[0], median: totals[Math.floor((totals.length - 1) / 2)], max: totals[totals.length - 1] }
      : null;
    total = dataset?.max ?? 0;
    overhead = 0;
    sentTotal = total;
  } else {
    // The request holds every section's messages: their counts (above) plus the framing of all of them.
    overhead = chatOverhead(parsed.sections.flatMap((s) => s.messages));
    total = sections.reduce((n, s) => n + s.tokens, 0) + overhead;
    // Any variable without a value (even outside the sections) and the engine refuses the file: unknown.
    const complete = variables.every((v) => v.value !== null) && rendered.every((m) => m !== null);
    sentTotal = complete ? sections.reduce((n, s) => n + s.sent!.tokens, 0) + chatOverhead(rendered.flatMap((m) => m!)) : null;
  }

  const maxTokens = frontMatterMaxTokens(parsed);
  const price = model.info?.price;
  const inputCostUsd = price ? costUsd(price, { prompt: sentTotal ?? total, completion: 0 }) : null;
  const outputCostUsd = price && maxTokens !== null ? costUsd(price, { prompt: 0, completion: maxTokens }) : null;

  diagnostics.push(...modelDiagnostics(parsed, lines, model, options.overrides));
  diagnostics.push(...variableDiagnostics(variables, lines));
  diagnostics.push(...contextDiagnostics(parsed, sections, sentTotal ?? total, maxTokens, model));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    format: parsed.format,
    model,
    encoding,
    sections,
    total,
    overhead,
    sentTotal,
    variables,
    maxTokens,
    inputCostUsd,
    outputCostUsd,
    dataset,
    diagnostics,
  };
}

function chooseModel(parsed: ParsedPrompt, options: AnalysisOptions): ModelChoice {
  const [name, source] = parsed.model
    ? ([parsed.model, 'front matter'] as const)
    : options.scenarioModel
      ? ([options.scenarioModel, 'scenario'] as const)
      : ([options.defaultModel, 'setting'] as const);
  return { name, info: lookupModel(name, options.overrides) ?? null, source };
}

/** `parameters.max_tokens` (or `max_completion_tokens` / `max_output_tokens`) in Prompty front matter. */
function frontMatterMaxTokens(parsed: ParsedPrompt): number | null {
  const model = parsed.frontMatter?.model as { parameters?: Record<string, unknown> } | undefined;
  const params = { ...(parsed.frontMatter?.parameters as Record<string, unknown> | undefined), ...model?.parameters };
  const value = params.max_tokens ?? params.max_completion_tokens ?? params.max_output_tokens;
  return typeof value === 'number' && value > 0 ? value : null;
}

function modelDiagnostics(parsed: ParsedPrompt, lines: string[], model: ModelChoice, overrides?: ModelOverrides): PromptDiagnostic[] {
  if (model.info || model.source !== 'front matter') return [];
  const suggestions = suggestModel(model.name, 3, overrides);
  // A Markdown prompt file is often another tool's (Copilot's `.github/prompts/*.prompt.md` with
  // `model: Claude Sonnet 4`): its model is only ours to question when it is close to one we know.
  if (parsed.format === 'markdown' && suggestions.length === 0) return [];
  const at = findInLines(lines, model.name, 0, frontMatterEnd(lines));
  return [
    {
      ...(at ?? { line: 0, column: 0, endColumn: lineLength(lines, 0) }),
      severity: 'warning',
      message: `unknown model "${model.name}": tokens are counted with o200k_base and no price is known${suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : ''}`,
    },
  ];
}

function variableDiagnostics(variables: PromptAnalysis['variables'], lines: string[]): PromptDiagnostic[] {
  if (variables.length === 0) return [];
  const body = frontMatterEnd(lines);
  return variables
    .filter((v) => v.value === null)
    .flatMap(({ name }) => {
      const at = findInLines(lines, new RegExp(`\\{\\{\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}\\}`), body, lines.length);
      return at
        ? [
            {
              ...at,
              severity: 'warning' as const,
              message: `{{${name}}} has no sample value: add it under \`sample:\` (or an input default) in the front matter, or give it per request with \`inputs\` in the scenario`,
            },
          ]
        : [];
    });
}

function contextDiagnostics(parsed: ParsedPrompt, sections: SectionCount[], total: number, maxTokens: number | null, model: ModelChoice): PromptDiagnostic[] {
  const window = model.info?.context_window ?? 0;
  if (window <= 0) return [];
  const out = maxTokens ?? 0;
  const over = (tokens: number) => tokens + out > window;
  const message = (tokens: number) =>
    `${tokens.toLocaleString('en-US')} prompt tokens${out ? ` + ${out.toLocaleString('en-US')} max_tokens` : ''} exceed ${model.name}'s context window of ${window.toLocaleString('en-US')} tokens`;
  if (parsed.format === 'jsonl') {
    return sections
      .filter((s) => over(s.requestTokens!))
      .map((s) => ({ line: s.line, column: 0, endColumn: 1, severity: 'error', message: message(s.requestTokens!) }));
  }
  return over(total) ? [{ line: 0, column: 0, endColumn: 1, severity: 'error', message: message(total) }] : [];
}

/** 0-based index of the first body line (after a `---` front matter block), 0 without one. */
function frontMatterEnd(lines: string[]): number {
  if (lines[0]?.trim() !== '---') return 0;
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  return end < 0 ? 0 : end + 1;
}

function findInLines(lines: string[], needle: string | RegExp, from: number, to: number): { line: number; column: number; endColumn: number } | undefined {
  for (let i = from; i < Math.min(to, lines.length); i++) {
    if (typeof needle === 'string') {
      const c = lines[i].indexOf(needle);
      if (c >= 0) return { line: i, column: c, endColumn: c + needle.length };
    } else {
      const m = needle.exec(lines[i]);
      if (m) return { line: i, column: m.index, endColumn: m.index + m[0].length };
    }
  }
  return undefined;
}

function lineLength(lines: string[], line: number): number {
  return lines[line]?.length ?? 0;
}
