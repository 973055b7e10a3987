// `perflab tokens <file>`: token counts of a prompt file per role section / message / dataset line,
// and the total as the service would count it (chat overhead included).

import { ScenarioError } from '../engine/scenario/errors';
import { costUsd, countChatTokens, countTokens, encodingForModel, lookupModel, priceBasis } from '../tokens';
import { parsePromptFile, promptDefaults, renderPrompty, type ParsedPrompt, type PromptMessage } from '../tokens/prompt-files';
import { readTextFile, TextFileError } from '../tokens/text-file';

export interface TokenReport {
  file: string;
  model: string;
  encoding: string;
  total: number;
  /** Tokens the chat format adds around the messages (role markers, reply priming). */
  overhead: number;
  sections: { label: string; line: number; tokens: number }[];
  cost_usd_input: number | null;
  problems: { line: number; column: number; message: string }[];
}

/** Prompty sections with their `{{variables}}` filled from the file's sample values, when it has all of them. */
function renderedSections(parsed: ParsedPrompt): PromptMessage[][] {
  if (parsed.format !== 'prompty' || parsed.variables.length === 0) return parsed.sections.map((s) => s.messages);
  try {
    const defaults = promptDefaults(parsed);
    const messages = renderPrompty(parsed, defaults);
    if (messages.length === parsed.sections.length) return messages.map((m) => [m]);
  } catch {
    // Missing sample values: count the template as written.
  }
  return parsed.sections.map((s) => s.messages);
}

/** The file's text; a missing file, a directory or bytes that are not UTF-8 text are bad input (exit 2, src/cli/main.ts). */
function readPromptText(file: string): string {
  try {
    return readTextFile(file);
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    throw new ScenarioError([{ file, line: err.line, column: err.column, path: '', message: err.detail }]);
  }
}

export function countPromptFile(file: string, modelName: string): TokenReport {
  const text = readPromptText(file);
  const parsed = parsePromptFile(file, text);
  const model = lookupModel(parsed.model ?? modelName) ?? lookupModel(modelName);
  const name = model?.name ?? modelName;
  const encoding = model?.encoding ?? encodingForModel(name);
  const perSection = renderedSections(parsed);
  let sections: TokenReport['sections'];
  let total: number;
  let overhead = 0;
  if (parsed.format === 'text') {
    total = countTokens(text, encoding);
    sections = [{ label: 'text', line: 1, tokens: total }];
  } else if (parsed.format === 'jsonl') {
    // Every line is its own prompt: count each as the service would, overhead included.
    sections = parsed.sections.map((s, i) => ({ label: s.label, line: s.line, tokens: countChatTokens(perSection[i], encoding).total }));
    total = sections.reduce((a, s) => a + s.tokens, 0);
  } else {
    sections = parsed.sections.map((s, i) => ({
      label: s.label,
      line: s.line,
      tokens: perSection[i].reduce((a, m) => a + countTokens(m.content, encoding), 0),
    }));
    const chat = countChatTokens(perSection.flat(), encoding);
    total = chat.total;
    overhead = total - sections.reduce((a, s) => a + s.tokens, 0);
  }
  const cost = model?.price ? costUsd(model.price, { prompt: total, completion: 0 }) : null;
  return { file, model: name, encoding, total, overhead, sections, cost_usd_input: cost, problems: parsed.problems };
}

export function tokensCommand(file: string, o: { model: string; json?: boolean }): number {
  const report = countPromptFile(file, o.model);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const width = Math.max(8, ...report.sections.map((s) => s.label.length));
    const lines = [`${report.file} — ${report.model} (${report.encoding})`];
    for (const s of report.sections)
      lines.push(`  ${s.label.padEnd(width)}  line ${String(s.line).padStart(4)}  ${s.tokens.toLocaleString('en-US').padStart(9)} tokens`);
    const extra = report.overhead ? ` (incl. ${report.overhead} chat overhead)` : '';
    // The command knows no user prices: a cost here is always at the catalog's list price, and says so.
    const price = lookupModel(report.model)?.price;
    const cost =
      report.cost_usd_input !== null ? ` · $${report.cost_usd_input.toFixed(6)} input (${priceBasis(price)})` : ` · ${priceBasis(null, report.model)}`;
    lines.push(`  ${'total'.padEnd(width)}             ${report.total.toLocaleString('en-US').padStart(9)} tokens${extra}${cost}`);
    for (const p of report.problems) lines.push(`${report.file}:${p.line}:${p.column}: ${p.message}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.problems.length > 0 ? 2 : 0;
}
