// The language server's own requests (beyond LSP), typed once for client and server — the way
// rust-analyzer keeps its extensions in lsp_ext.ts. No 'vscode' import: the server uses it too.

import { RequestType } from 'vscode-languageserver-protocol';
import type { Rates } from '../tokens/pricing';

/** Settings the client sends at start and on change (`initializationOptions` and this notification). */
export interface PromptServerSettings {
  /** Model for files whose front matter names none (status-bar picker / `perflab.promptModel`). */
  model: string;
  /** `perflab.pricing`: USD per 1M tokens by model. */
  pricing: Record<string, Rates>;
}

export interface CountTokensParams {
  text: string;
  /** The document it came from (its front matter may name the model); optional. */
  uri?: string;
}

export interface CountTokensResult {
  tokens: number;
  characters: number;
  model: string;
  encoding: string;
  /** USD for these tokens as input, null without a price. */
  inputCostUsd: number | null;
}

/** Count the tokens of a text (the editor's selection) for the document's model. */
export const CountTokensRequest = new RequestType<CountTokensParams, CountTokensResult, void>('perflab/countTokens');

export interface TokenBoundariesParams {
  uri: string;
  /** 0-based line range to cover (the visible lines). */
  startLine: number;
  endLine: number;
}

export interface TokenBoundariesResult {
  /** Token spans within the range, as [line, startCharacter, endCharacter] (a token across lines is cut per line). */
  tokens: [number, number, number][];
  encoding: string;
}

/** Where the tokens are in the given lines (for "Show Token Boundaries"). */
export const TokenBoundariesRequest = new RequestType<TokenBoundariesParams, TokenBoundariesResult, void>('perflab/tokenBoundaries');

export interface PromptSummaryParams {
  uri: string;
}

export interface PromptSummaryResult {
  /** Prompt tokens of one request as the file is written, {{variables}} as typed (the largest line of a dataset). */
  total: number;
  /** What the service receives: the sample values in place of the {{variables}}. Equal to `total`
   *  without variables; null when a variable has no sample value (`unsampled`). */
  sent: number | null;
  /** Whether the file has {{variables}} (only then can the two counts differ). */
  hasVariables: boolean;
  unsampled: string[];
  model: string;
  modelSource: 'front matter' | 'scenario' | 'setting';
  /** Of what is sent (of the template when that is unknown); null without a price. */
  inputCostUsd: number | null;
  /** Datasets only. */
  dataset: { lines: number; min: number; median: number; max: number } | null;
}

/** The totals for the status bar; null for a document the server does not analyse. */
export const PromptSummaryRequest = new RequestType<PromptSummaryParams, PromptSummaryResult | null, void>('perflab/promptSummary');

/** Settings changed (model picker, pricing). */
export const SettingsNotificationMethod = 'perflab/settings';
