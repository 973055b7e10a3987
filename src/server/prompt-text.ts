// The words the language server shows for a prompt: the top CodeLens line and the hovers.

import type { PromptAnalysis, SectionCount } from './prompt-analysis';

const n = (x: number) => x.toLocaleString('en-US');

export function usd(x: number): string {
  if (x === 0) return '$0';
  return x >= 1 ? `$${x.toFixed(2)}` : `$${x.toPrecision(2)}`;
}

/** `total 1,452 (+9 chat overhead) · $0.0036 input · up to $0.0080 output on gpt-5-mini` */
export function promptLensTitle(a: PromptAnalysis): string {
  const model = `${a.model.name}${a.model.source === 'setting' ? ' (picked)' : a.model.source === 'scenario' ? ' (from the scenario)' : ''}`;
  if (a.format === 'jsonl') {
    if (!a.dataset) return `no chats yet · ${model}`;
    const d = a.dataset;
    const price = a.model.info?.price;
    const cost = price ? ` · ${usd((d.median * price.input) / 1e6 * 1000)} input per 1,000 median requests` : '';
    return `${n(d.lines)} chats · prompt tokens min ${n(d.min)} / median ${n(d.median)} / max ${n(d.max)}${cost} on ${model}`;
  }
  if (a.inputCostUsd === null) return `total ${n(a.total)} (+${n(a.overhead)} chat overhead) on ${model} · no price (set perflab.pricing)`;
  const output = a.outputCostUsd !== null ? ` · up to ${usd(a.outputCostUsd)} output` : '';
  return `total ${n(a.total)} (+${n(a.overhead)} chat overhead) · ${usd(a.inputCostUsd)} input${output} on ${model}`;
}

/** Hover on a prompty/markdown section: its tokens, characters, cost and share of the context window. */
export function describeSection(a: PromptAnalysis, s: SectionCount): string {
  const price = a.model.info?.price;
  const window = a.model.info?.context_window ?? 0;
  const lines = [`**${s.label}** · ${n(s.tokens)} tokens · ${n(s.chars)} characters`, ''];
  if (price) {
    const perRequest = (s.tokens * price.input) / 1e6;
    lines.push(`Input cost of this section: ${usd(perRequest)} per request, ${usd(perRequest * 1000)} per 1,000 requests (${a.model.name}, $${price.input} per 1M input tokens).`, '');
  } else lines.push(`No price for ${a.model.name} in the model catalog (set \`perflab.pricing\`).`, '');
  if (window) lines.push(`${((s.tokens / window) * 100).toFixed(s.tokens / window < 0.01 ? 2 : 1)}% of ${a.model.name}'s ${n(window)}-token context window; the whole prompt ${n(a.total)} tokens (${((a.total / window) * 100).toFixed(1)}%).`);
  lines.push('', `Counted with ${a.encoding}, the tokenizer of ${a.model.name} (${a.model.source === 'front matter' ? 'from the front matter' : a.model.source === 'scenario' ? 'from the scenario that uses this file' : 'the picked model'}).`);
  return lines.join('\n');
}

/** Hover on a dataset line: this chat and the dataset's spread. */
export function describeDataset(a: PromptAnalysis, s: SectionCount): string {
  const d = a.dataset!;
  const price = a.model.info?.price;
  const lines = [`**${s.label}** · ${n(s.requestTokens!)} prompt tokens (chat framing included) · ${n(s.chars)} characters`, ''];
  lines.push(`Dataset: ${n(d.lines)} chats · min ${n(d.min)} / median ${n(d.median)} / max ${n(d.max)} prompt tokens.`);
  if (price) lines.push('', `Input cost: ${usd((s.requestTokens! * price.input) / 1e6)} for this chat; ${usd((d.median * price.input * 1000) / 1e6)} per 1,000 requests at the median (${a.model.name}).`);
  const window = a.model.info?.context_window ?? 0;
  if (window) lines.push('', `${((s.requestTokens! / window) * 100).toFixed(2)}% of ${a.model.name}'s ${n(window)}-token context window.`);
  return lines.join('\n');
}
