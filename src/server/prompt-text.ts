// The words the language server shows for a prompt: the top CodeLens line, the section lenses and the
// hovers. A template with {{variables}} shows two counts, labelled: "sent" (with the front matter's
// sample values in place: what the service receives) and "in the template" (as written).

import { costUsd, priceNote, ratesText, SETTING_PRICE_HINT } from '../tokens/pricing';
import type { PromptAnalysis, SectionCount } from './prompt-analysis';

const n = (x: number) => x.toLocaleString('en-US');

export function usd(x: number): string {
  if (x === 0) return '$0';
  return x >= 1 ? `$${x.toFixed(2)}` : `$${x.toPrecision(2)}`;
}

/** "{{a}} has no sample value", "{{a}}, {{b}} have no sample value", "{{a}}, {{b}}, {{c}} and 2 more have …". */
export function missingSamples(names: string[]): string {
  const shown = names
    .slice(0, 3)
    .map((name) => `{{${name}}}`)
    .join(', ');
  const more = names.length > 3 ? ` and ${names.length - 3} more` : '';
  return `${shown}${more} ${names.length === 1 ? 'has' : 'have'} no sample value`;
}

const unsampled = (a: PromptAnalysis, among?: string[]) => a.variables.filter((v) => v.value === null && (!among || among.includes(v.name))).map((v) => v.name);

/**
 * The request's count: `total 45 (+9 chat overhead)` for a prompt sent as written;
 * `total 61 sent with sample values · 45 in the template (both +9 chat overhead)` for a template;
 * `total 45 in the template (+9 chat overhead) · sent: unknown ({{question}} has no sample value)`.
 */
export function totalLabel(a: PromptAnalysis): string {
  const overhead = n(a.overhead);
  if (a.variables.length === 0) return `total ${n(a.total)} (+${overhead} chat overhead)`;
  if (a.sentTotal === null) return `total ${n(a.total)} in the template (+${overhead} chat overhead) · sent: unknown (${missingSamples(unsampled(a))})`;
  return `total ${n(a.sentTotal)} sent with sample values · ${n(a.total)} in the template (both +${overhead} chat overhead)`;
}

/** `system · 32 tokens`; a section with variables: `user · 14 tokens sent with sample values · 5 in the template`. */
export function sectionLensTitle(a: PromptAnalysis, s: SectionCount): string {
  if (s.variables.length === 0) return `${s.label} · ${n(s.tokens)} tokens`;
  if (s.sent === null) return `${s.label} · ${n(s.tokens)} tokens in the template · sent: unknown (${missingSamples(unsampled(a, s.variables))})`;
  return `${s.label} · ${n(s.sent.tokens)} tokens sent with sample values · ${n(s.tokens)} in the template`;
}

/** `total 1,452 (+9 chat overhead) · $0.0036 input · up to $0.0080 output on gpt-5-mini` (see totalLabel) */
export function promptLensTitle(a: PromptAnalysis): string {
  const model = `${a.model.name}${a.model.source === 'setting' ? ' (picked)' : a.model.source === 'scenario' ? ' (from the scenario)' : ''}`;
  if (a.format === 'jsonl') {
    if (!a.dataset) return `no chats yet · ${model}`;
    const d = a.dataset;
    const price = a.model.info?.price;
    const cost = price ? ` · ${usd(costUsd(price, { prompt: d.median, completion: 0 }) * 1000)} input per 1,000 median requests` : '';
    return `${n(d.lines)} chats · prompt tokens min ${n(d.min)} / median ${n(d.median)} / max ${n(d.max)}${cost} on ${model}`;
  }
  if (a.inputCostUsd === null) return `${totalLabel(a)} on ${model} · no price (set perflab.pricing)`;
  const output = a.outputCostUsd !== null ? ` · up to ${usd(a.outputCostUsd)} output` : '';
  // Not knowing what is sent, the template's input cost would pass for the request's: none is shown.
  const input = a.sentTotal === null ? '' : ` · ${usd(a.inputCostUsd)} input`;
  return `${totalLabel(a)}${input}${output} on ${model}`;
}

/** `{{question}}` = "How do I reset my password?" (long values cut, with their length). */
function sampleList(a: PromptAnalysis, names: string[]): string {
  return a.variables
    .filter((v) => names.includes(v.name) && v.value !== null)
    .map((v) => {
      const value = v.value!;
      const shown = value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}… (${n(value.length)} characters)` : JSON.stringify(value);
      return `\`{{${v.name}}}\` = ${shown}`;
    })
    .join(', ');
}

/** Hover on a prompty/markdown section: its tokens, characters, cost and share of the context window. */
export function describeSection(a: PromptAnalysis, s: SectionCount): string {
  const price = a.model.info?.price;
  const window = a.model.info?.context_window ?? 0;
  const lines: string[] = [];
  if (s.variables.length === 0) lines.push(`**${s.label}** · ${n(s.tokens)} tokens · ${n(s.chars)} characters`, '');
  else if (s.sent) {
    lines.push(
      `**${s.label}** · ${n(s.sent.tokens)} tokens sent with sample values · ${n(s.tokens)} in the template`,
      '',
      `Sent: ${n(s.sent.chars)} characters with ${sampleList(a, s.variables)} (the front matter's \`sample:\` or input defaults) — what a run sends when its scenario gives no \`inputs\`. The template as written: ${n(s.chars)} characters.`,
      '',
    );
  } else {
    lines.push(
      `**${s.label}** · ${n(s.tokens)} tokens in the template · ${n(s.chars)} characters`,
      '',
      `Sent: unknown — ${missingSamples(unsampled(a, s.variables))}. Give it one under \`sample:\` in the front matter to count what the service receives (a scenario's \`inputs\` gives values per request).`,
      '',
    );
  }
  // Cost and context share are of what is sent; of the template only when that is unknown (and said so).
  const tokens = s.sent?.tokens ?? s.tokens;
  if (price && s.sent) {
    const perRequest = costUsd(price, { prompt: tokens, completion: 0 });
    lines.push(
      `Input cost of this section: ${usd(perRequest)} per request, ${usd(perRequest * 1000)} per 1,000 requests (${a.model.name}, ${ratesText(price)}; ${priceNote(price, a.model.name, SETTING_PRICE_HINT)}).`,
      '',
    );
  } else if (!price) lines.push(`Cost: ${priceNote(null, a.model.name, SETTING_PRICE_HINT)}.`, '');
  // The engine's anti-cache prefix (src/engine/prompt-builder.ts) goes before the first message's text.
  if (s === a.sections.find((x) => x.chars > 0))
    lines.push(
      'A run with `prevent_server_caching` on (the default) puts a random 12-digit line before this text: about 5 tokens more per request than counted here.',
      '',
    );
  const whole = a.sentTotal ?? a.total;
  const wholeLabel = a.variables.length === 0 ? 'tokens' : a.sentTotal === null ? 'tokens in the template' : 'tokens sent';
  if (window)
    lines.push(
      `${((tokens / window) * 100).toFixed(tokens / window < 0.01 ? 2 : 1)}% of ${a.model.name}'s ${n(window)}-token context window; the whole prompt ${n(whole)} ${wholeLabel} (${((whole / window) * 100).toFixed(1)}%).`,
    );
  lines.push(
    '',
    `Counted with ${a.encoding}, the tokenizer of ${a.model.name} (${a.model.source === 'front matter' ? 'from the front matter' : a.model.source === 'scenario' ? 'from the scenario that uses this file' : 'the picked model'}).`,
  );
  return lines.join('\n');
}

/** Hover on a dataset line: this chat and the dataset's spread. */
export function describeDataset(a: PromptAnalysis, s: SectionCount): string {
  const d = a.dataset!;
  const price = a.model.info?.price;
  const lines = [`**${s.label}** · ${n(s.requestTokens!)} prompt tokens (chat framing included) · ${n(s.chars)} characters`, ''];
  lines.push(`Dataset: ${n(d.lines)} chats · min ${n(d.min)} / median ${n(d.median)} / max ${n(d.max)} prompt tokens.`);
  if (price) {
    const input = (tokens: number) => costUsd(price, { prompt: tokens, completion: 0 });
    lines.push(
      '',
      `Input cost: ${usd(input(s.requestTokens!))} for this chat; ${usd(input(d.median) * 1000)} per 1,000 requests at the median (${a.model.name}, ${priceNote(price, a.model.name, SETTING_PRICE_HINT)}).`,
    );
  } else lines.push('', `Cost: ${priceNote(null, a.model.name, SETTING_PRICE_HINT)}.`);
  const window = a.model.info?.context_window ?? 0;
  if (window) lines.push('', `${((s.requestTokens! / window) * 100).toFixed(2)}% of ${a.model.name}'s ${n(window)}-token context window.`);
  return lines.join('\n');
}
