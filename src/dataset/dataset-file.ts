// The dataset format written by `perflab dataset`: JSON Lines, one chat a line, the same
// `{"messages": [...]}` a scenario's `prompts: { dataset: … }` reads, plus `prompt_tokens`: what the
// service will report as usage.prompt_tokens for that line (chat framing included) with the target
// model's tokenizer.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { countChatTokens, encodingForModel, type ChatMessage, type Encoding, type ModelOverrides } from '../tokens';

export interface DatasetLine {
  messages: ChatMessage[];
  prompt_tokens: number;
}

/** The tokenizer for a model name (catalog first, then the name's family; o200k_base when unknown). */
export function encodingFor(model: string | undefined, overrides?: ModelOverrides): Encoding {
  return encodingForModel(model ?? '', overrides);
}

export function datasetLine(userText: string, system: string | undefined, encoding: Encoding): DatasetLine {
  const messages: ChatMessage[] = system !== undefined && system !== '' ? [{ role: 'system', content: system }] : [];
  messages.push({ role: 'user', content: userText });
  return { messages, prompt_tokens: countChatTokens(messages, encoding).total };
}

export function formatDataset(lines: readonly DatasetLine[]): string {
  return lines.map((l) => JSON.stringify({ messages: l.messages, prompt_tokens: l.prompt_tokens })).join('\n') + (lines.length > 0 ? '\n' : '');
}

/** Writes the file whole (a temporary file renamed into place, so a reader never sees half of it). */
export function writeDataset(file: string, lines: readonly DatasetLine[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, formatDataset(lines));
  fs.renameSync(tmp, file);
}

/** min / median / max prompt tokens, for the summary line. */
export function tokenStats(lines: readonly DatasetLine[]): { min: number; median: number; max: number; total: number } | null {
  if (lines.length === 0) return null;
  const t = lines.map((l) => l.prompt_tokens).sort((a, b) => a - b);
  return { min: t[0], median: t[Math.floor((t.length - 1) / 2)], max: t[t.length - 1], total: t.reduce((a, b) => a + b, 0) };
}

/** A file name from free text: "Customer support for a bank" → "customer-support-for-a-bank". */
export function slug(text: string, max = 40): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/, '') || 'dataset';
}

/** `s` on one line, cut at `max` characters (for messages and logs). */
export function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
