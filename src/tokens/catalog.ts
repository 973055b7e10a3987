// Model catalog: tokenizer encoding, context window, output limit and list price per model.
// Where each price was read, and when, is in docs/tokenizers.md ("Model catalog sources"); a user's own
// price (a contract, an Azure region) is laid over these by src/tokens/pricing.ts.

import { levenshtein } from './distance';
import { completePrice, layerPrice, type Price, type PriceOverride } from './pricing';
import type { Encoding } from './tokenizer';

export interface ModelInfo {
  name: string;
  encoding: Encoding;
  /** Input + output tokens the model accepts; 0 when unknown (a user-defined model without it). */
  context_window: number;
  /** Most output tokens per request; 0 when unknown. */
  max_output: number;
  price?: Price;
  aliases?: string[];
}

export type ModelOverrides = Record<string, Partial<Omit<ModelInfo, 'price'>> & { price?: PriceOverride }>;

/** OpenAI's own model pages, read on 2026-11-27 (through a stored copy of the pages). */
const PAGES_READ = '2026-11-27';
const openaiModelPage = (id: string): string => `https://developers.openai.com/api/docs/models/${id}`;
// Only OpenAI's Korean-locale copy of this model page could be read; the figures are the same numbers.
const GPT_41_NANO_PAGE = 'https://developers.openai.com/ko-KR/api/docs/models/gpt-4.1-nano';
/** Models whose OpenAI page could not be read: OpenAI's standard-tier list prices as LiteLLM's
 *  machine-readable price list carries them at this commit, read on 2026-12-06. Where both exist
 *  (gpt-4.1-nano, gpt-5-mini, gpt-5-nano) that list and OpenAI's pages agree to the cent. */
const PRICE_LIST_READ = '2026-12-06';
const PRICE_LIST = 'https://github.com/BerriAI/litellm/blob/00035b69f416be24e2e323c13198d9b7d2d1bdf9/model_prices_and_context_window.json';

/** USD per 1M tokens: input, cached input (null: none published), output. */
function listPrice(input: number, cachedInput: number | null, output: number, source: string, asOf: string): Price {
  return { input, ...(cachedInput !== null ? { cached_input: cachedInput } : {}), output, origin: 'list', source, as_of: asOf };
}
const fromPage = (id: string, input: number, cachedInput: number | null, output: number): Price =>
  listPrice(input, cachedInput, output, openaiModelPage(id), PAGES_READ);
const fromList = (input: number, cachedInput: number, output: number): Price => listPrice(input, cachedInput, output, PRICE_LIST, PRICE_LIST_READ);

export const MODEL_CATALOG: readonly ModelInfo[] = [
  { name: 'gpt-4o', encoding: 'o200k_base', context_window: 128_000, max_output: 16_384, price: fromList(2.5, 1.25, 10) },
  { name: 'gpt-4o-mini', encoding: 'o200k_base', context_window: 128_000, max_output: 16_384, price: fromList(0.15, 0.075, 0.6) },
  { name: 'gpt-4.1', encoding: 'o200k_base', context_window: 1_047_576, max_output: 32_768, price: fromList(2, 0.5, 8) },
  { name: 'gpt-4.1-mini', encoding: 'o200k_base', context_window: 1_047_576, max_output: 32_768, price: fromList(0.4, 0.1, 1.6) },
  {
    name: 'gpt-4.1-nano',
    encoding: 'o200k_base',
    context_window: 1_047_576,
    max_output: 32_768,
    price: listPrice(0.1, 0.025, 0.4, GPT_41_NANO_PAGE, PAGES_READ),
  },
  { name: 'o1', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000, price: fromList(15, 7.5, 60) },
  { name: 'o3', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000, price: fromList(2, 0.5, 8) },
  { name: 'o3-mini', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000, price: fromList(1.1, 0.55, 4.4) },
  { name: 'o4-mini', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000, price: fromList(1.1, 0.275, 4.4) },
  { name: 'gpt-5', encoding: 'o200k_base', context_window: 400_000, max_output: 128_000, price: fromList(1.25, 0.125, 10) },
  { name: 'gpt-5-mini', encoding: 'o200k_base', context_window: 400_000, max_output: 128_000, price: fromPage('gpt-5-mini', 0.25, 0.025, 2) },
  { name: 'gpt-5-nano', encoding: 'o200k_base', context_window: 400_000, max_output: 128_000, price: fromPage('gpt-5-nano', 0.05, 0.005, 0.4) },
  {
    name: 'gpt-4-turbo',
    encoding: 'cl100k_base',
    context_window: 128_000,
    max_output: 4_096,
    price: fromPage('gpt-4-turbo', 10, null, 30),
    aliases: ['gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-0125-preview'],
  },
  { name: 'gpt-4', encoding: 'cl100k_base', context_window: 8_192, max_output: 8_192, price: fromPage('gpt-4', 30, null, 60) },
  {
    name: 'gpt-3.5-turbo',
    encoding: 'cl100k_base',
    context_window: 16_385,
    max_output: 4_096,
    price: fromPage('gpt-3.5-turbo', 0.5, null, 1.5),
    // Azure spells the family without the dot (Azure's own price may differ: set it as an override).
    aliases: ['gpt-35-turbo', 'gpt-3.5-turbo-16k', 'gpt-35-turbo-16k'],
  },
];

// A dated snapshot resolves to its family: gpt-4o-2024-08-06, o3-mini-2025-01-31, gpt-4-0613.
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{4})$/;

function normalize(name: string): string {
  return name.trim().toLowerCase();
}

/** Name → model, for the catalog merged with overrides (an override may also add a new model). */
function buildIndex(overrides?: ModelOverrides): Map<string, ModelInfo> {
  const models = new Map<string, ModelInfo>(MODEL_CATALOG.map((m) => [m.name, m]));
  const aliasOf = (key: string): string | undefined => resolve(key, models, aliasIndex(models));
  for (const [rawKey, ov] of Object.entries(overrides ?? {})) {
    const key = normalize(rawKey);
    const target = aliasOf(key) ?? key;
    models.set(target, merge(models.get(target), target, ov));
  }
  return models;
}

function merge(base: ModelInfo | undefined, name: string, ov: ModelOverrides[string]): ModelInfo {
  const { price: priceOv, ...rest } = ov;
  const merged: ModelInfo = {
    encoding: 'o200k_base',
    context_window: 0,
    max_output: 0,
    ...base,
    ...rest,
    name,
  };
  if (priceOv) {
    // A partial override of an unpriced model gives no price (half a price is no price).
    merged.price = completePrice(layerPrice(base?.price, priceOv));
  }
  return merged;
}

function aliasIndex(models: Map<string, ModelInfo>): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const m of models.values()) for (const a of m.aliases ?? []) aliases.set(normalize(a), m.name);
  return aliases;
}

function resolve(key: string, models: Map<string, ModelInfo>, aliases: Map<string, string>): string | undefined {
  for (const candidate of [key, key.replace(DATE_SUFFIX, '')]) {
    if (models.has(candidate)) return candidate;
    const a = aliases.get(candidate);
    if (a) return a;
  }
  return undefined;
}

/**
 * The model for `name`: exact name, then alias (incl. Azure's `gpt-35-turbo`), then a dated snapshot
 * (`gpt-4o-2024-08-06` → gpt-4o). Case-insensitive. `overrides` are merged over the catalog.
 */
export function lookupModel(name: string, overrides?: ModelOverrides): ModelInfo | undefined {
  const models = buildIndex(overrides);
  const key = resolve(normalize(name), models, aliasIndex(models));
  return key === undefined ? undefined : models.get(key);
}

/** Up to `max` known names closest to `name` by edit distance, for "did you mean …?". */
export function suggestModel(name: string, max = 3, overrides?: ModelOverrides): string[] {
  const key = normalize(name).replace(DATE_SUFFIX, '');
  const limit = Math.max(2, Math.floor(key.length / 3));
  const scored = new Map<string, number>();
  for (const m of buildIndex(overrides).values()) {
    for (const candidate of [m.name, ...(m.aliases ?? [])]) {
      const d = levenshtein(key, normalize(candidate));
      if (d <= limit && d < (scored.get(m.name) ?? Infinity)) scored.set(m.name, d);
    }
  }
  return [...scored.entries()]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([n]) => n);
}

/** The tokenizer encoding of a model; unknown models get o200k_base (every current OpenAI model uses it). */
export function encodingForModel(name: string, overrides?: ModelOverrides): Encoding {
  return lookupModel(name, overrides)?.encoding ?? 'o200k_base';
}
