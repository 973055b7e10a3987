// The words of the prompt-token status-bar item (src/extension/language-client.ts), from the server's
// perflab/promptSummary answer. No 'vscode' import, so the texts are tested without an editor.

import type { PromptSummaryResult } from '../protocol/lsp';

const n = (x: number) => x.toLocaleString('en-US');

/**
 * The status bar's count: `45 tokens · $0.000011`; a template with sample values
 * `61 tokens sent · 45 in the template · $0.000015`; without them `45 tokens in the template · sent unknown`
 * (no cost: the template's would pass for the request's). A dataset: its chats and median.
 */
export function statusTotalText(summary: PromptSummaryResult): string {
  if (summary.dataset) return `${n(summary.dataset.lines)} chats · median ${n(summary.dataset.median)} tokens`;
  if (summary.sent === null) return `${n(summary.total)} tokens in the template · sent unknown`;
  const cost = summary.inputCostUsd === null ? '' : ` · $${summary.inputCostUsd.toPrecision(2)}`;
  if (!summary.hasVariables) return `${n(summary.total)} tokens${cost}`;
  return `${n(summary.sent)} tokens sent · ${n(summary.total)} in the template${cost}`;
}

export function statusTotalTooltip(summary: PromptSummaryResult): string {
  const source =
    summary.modelSource === 'front matter'
      ? 'named in the front matter'
      : summary.modelSource === 'scenario'
        ? 'from the scenario that uses this file'
        : 'the picked model';
  const what =
    !summary.hasVariables || summary.dataset
      ? ''
      : summary.sent === null
        ? `: ${n(summary.total)} in the template as written; what is sent is unknown until ${summary.unsampled.map((v) => `{{${v}}}`).join(', ')} ${summary.unsampled.length === 1 ? 'has a value' : 'have values'} under sample: in the front matter`
        : `: ${n(summary.sent)} sent with the front matter's sample values in place of the {{variables}}, ${n(summary.total)} in the template as written`;
  return `Prompt tokens of one request on ${summary.model} (${source})${what}; click to count the selection`;
}
