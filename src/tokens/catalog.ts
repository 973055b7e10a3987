// Model catalog: tokenizer encoding, context window, output limit and list price per model.
// Prices are only those read on the provider's own pages (see docs/tokenizers.md, "Model catalog
// sources"); where none could be confirmed `price` is left undefined and users supply it as an override.

import { levenshtein } from './distance';
import type { Encoding } from './tokenizer';

/** USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  cached_input?: number;
  output: number;
  /** URL of the provider's page the price was read from. */
  source: string;
  /** YYYY-MM-DD the price was checked. */
  as_of: string;
}

export interface ModelInfo {
  name: string;
  encoding: Encoding;
  /** Input + output tokens the model accepts; 0 when unknown (a user-defined model without it). */
  context_window: number;
  /** Most output tokens per request; 0 when unknown. */
  max_output: number;
  price?: ModelPrice;
  aliases?: string[];
}

export type ModelOverrides = Record<string, Partial<Omit<ModelInfo, 'price'>> & { price?: Partial<ModelPrice> }>;

const CHECKED = '2026-11-27';
const openaiModelPage = (id: string): string => `https://developers.openai.com/api/docs/models/${id}`;
// Only OpenAI's Korean-locale copy of this model page could be read; the figures are the same numbers.
const GPT_41_NANO_PAGE = 'https://developers.openai.com/ko-KR/api/docs/models/gpt-4.1-nano';

export const MODEL_CATALOG: readonly ModelInfo[] = [
  { name: 'gpt-4o', encoding: 'o200k_base', context_window: 128_000, max_output: 16_384 },
  { name: 'gpt-4o-mini', encoding: 'o200k_base', context_window: 128_000, max_output: 16_384 },
  { name: 'gpt-4.1', encoding: 'o200k_base', context_window: 1_047_576, max_output: 32_768 },
  { name: 'gpt-4.1-mini', encoding: 'o200k_base', context_window: 1_047_576, max_output: 32_768 },
  {
    name: 'gpt-4.1-nano',
    encoding: 'o200k_base',
    context_window: 1_047_576,
    max_output: 32_768,
    price: { input: 0.1, cached_input: 0.025, output: 0.4, source: GPT_41_NANO_PAGE, as_of: CHECKED },
  },
  { name: 'o1', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000 },
  { name: 'o3', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000 },
  { name: 'o3-mini', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000 },
  { name: 'o4-mini', encoding: 'o200k_base', context_window: 200_000, max_output: 100_000 },
  { name: 'gpt-5', encoding: 'o200k_base', context_window: 400_000, max_output: 128_000 },
  {
    name: 'gpt-5-mini',
    encoding: 'o200k_base',
    context_window: 400_000,
    max_output: 128_000,
    price: { input: 0.25, cached_input: 0.025, output: 2.0, source: openaiModelPage('gpt-5-mini'), as_of: CHECKED },
  },
  {
    name: 'gpt-5-nano',
    encoding: 'o200k_base',
    context_window: 400_000,
    max_output: 128_000,
    price: { input: 0.05, cached_input: 0.005, output: 0.4, source: openaiModelPage('gpt-5-nano'), as_of: CHECKED },
  },
  {
    name: 'gpt-4-turbo',
    encoding: 'cl100k_base',
    context_window: 128_000,
    max_output: 4_096,
    price: { input: 10, output: 30, source: openaiModelPage('gpt-4-turbo'), as_of: CHECKED },
    aliases: ['gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-0125-preview'],
  },
  {
    name: 'gpt-4',
    encoding: 'cl100k_base',
    context_window: 8_192,
    max_output: 8_192,
    price: { input: 30, output: 60, source: openaiModelPage('gpt-4'), as_of: CHECKED },
  },
  {
    name: 'gpt-3.5-turbo',
    encoding: 'cl100k_base',
    context_window: 16_385,
    max_output: 4_096,
    price: { input: 0.5, output: 1.5, source: openaiModelPage('gpt-3.5-turbo'), as_of: CHECKED },
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
    // A price changed by the user is no longer the one on the cited page: it is marked as an override
    // unless the override names its own source.
    const p = { ...base?.price, source: 'user override', as_of: '', ...priceOv };
    // A price is only usable with both rates; a partial override of an unpriced model is dropped.
    merged.price = typeof p.input === 'number' && typeof p.output === 'number' ? (p as ModelPrice) : base?.price;
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
