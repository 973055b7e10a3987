// Prices in one place: the price type, the layers a price comes from (the catalog's list price, then
// the perflab.pricing setting, then the scenario's `pricing:`), the cost of tokens, and the words shown
// beside a cost. The engine (summary cost), the language server (hovers, CodeLens) and the webview
// (headline and cost cards) all use these, so a price means the same thing everywhere. No imports:
// the webview bundle and the language server load it as is.

/** USD per 1M tokens, as a user writes them (`pricing:` in a scenario, the perflab.pricing setting). */
export interface Rates {
  input: number;
  /** Prompt tokens served from the prompt cache; absent: billed at `input`. */
  cached_input?: number;
  output: number;
}

/**
 * Who set a price: `list` is the catalog's published list price (src/tokens/catalog.ts); `setting` the
 * perflab.pricing setting; `scenario` the scenario's `pricing:`. The highest layer that changed a field
 * names the whole price: once a user changed it, it is no longer the published one.
 */
export type PriceOrigin = 'list' | 'setting' | 'scenario';

/** A resolved price: rates and where they come from. */
export interface Price extends Rates {
  origin: PriceOrigin;
  /** List prices: where the figures were read (a URL). */
  source?: string;
  /** List prices: the day they were read, YYYY-MM-DD. */
  as_of?: string;
}

/** One layer's change to a price: any of the rates, and which layer it is. */
export type PriceOverride = Partial<Rates> & { origin: Exclude<PriceOrigin, 'list'> };

/**
 * `over` laid on `below`, field by field: the rates `over` names replace those below, the others stay.
 * A layer that sets `input` without `cached_input` also drops the cached rate below it (cached prompt
 * tokens are then billed at that input rate): a cached rate belongs with its input rate, and a contract
 * at a tenth of the list price must not keep the list price's cached rate.
 */
export function layerPrice<T extends Partial<Rates>>(below: T | undefined, over: PriceOverride): Partial<Price> {
  const merged: Partial<Price> = { ...below };
  delete merged.source;
  delete merged.as_of;
  if (over.input !== undefined && over.cached_input === undefined) delete merged.cached_input;
  for (const key of ['input', 'cached_input', 'output'] as const) if (over[key] !== undefined) merged[key] = over[key];
  merged.origin = over.origin;
  return merged;
}

/** A complete price from a merged one, or undefined when a rate is missing (half a price is no price). */
export function completePrice(p: Partial<Price>): Price | undefined {
  if (!isRate(p.input) || !isRate(p.output)) return undefined;
  const price: Price = { input: p.input, output: p.output, origin: p.origin ?? 'list' };
  if (isRate(p.cached_input)) price.cached_input = p.cached_input;
  if (p.source !== undefined) price.source = p.source;
  if (p.as_of !== undefined) price.as_of = p.as_of;
  return price;
}

function isRate(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/**
 * `pricing` (model name → rates) laid over `base` as layer `origin`: the setting over nothing, the
 * scenario's `pricing:` over the setting. Other override fields in `base` stay as they are.
 */
export function withPricing<T extends Record<string, { price?: PriceOverride }>>(
  base: T,
  pricing: Record<string, Partial<Rates>> | undefined,
  origin: PriceOverride['origin'],
): T {
  const out: Record<string, { price?: PriceOverride }> = { ...base };
  for (const [model, rates] of Object.entries(pricing ?? {})) {
    const below = out[model]?.price;
    out[model] = { ...out[model], price: { ...layerPrice(below, { ...pickRates(rates), origin }), origin } as PriceOverride };
  }
  return out as T;
}

function pickRates(r: Partial<Rates>): Partial<Rates> {
  const out: Partial<Rates> = {};
  for (const key of ['input', 'cached_input', 'output'] as const) if (r[key] !== undefined) out[key] = r[key];
  return out;
}

/** Token counts to bill. `cached` is the part of `prompt` served from the prompt cache. */
export interface BilledTokens {
  prompt: number;
  cached?: number;
  /** Completion tokens as `usage` reports them: reasoning tokens are in here, billed as output. */
  completion: number;
}

/**
 * USD for tokens at per-1M rates. Cached prompt tokens (clamped to the prompt) are billed at
 * `cached_input` when the price has it, otherwise at `input`.
 */
export function costUsd(price: Rates, tokens: BilledTokens): number {
  const cached = Math.min(Math.max(tokens.cached ?? 0, 0), tokens.prompt);
  const cachedRate = price.cached_input ?? price.input;
  return ((tokens.prompt - cached) * price.input + cached * cachedRate + tokens.completion * price.output) / 1_000_000;
}

/** Where a user sets a price of their own: shown with every list price and wherever one is missing. */
export const PRICE_OVERRIDE_HINT = 'set your own (a contract, an Azure region) with pricing: in the scenario or the perflab.pricing setting';
/** The same where only the setting applies (the language server's prompt-file counts). */
export const SETTING_PRICE_HINT = 'set your own (a contract, an Azure region) with the perflab.pricing setting';

/** What a cost was computed from, short: `list price as of 2026-12-06`, `your price (pricing: in the
 *  scenario)`, `your price (perflab.pricing setting)`, or `no price for gpt-x`. */
export function priceBasis(price: Price | null | undefined, model?: string | null): string {
  if (!price) return `no price for ${model ?? 'this model'}`;
  if (price.origin === 'scenario') return 'your price (pricing: in the scenario)';
  if (price.origin === 'setting') return 'your price (perflab.pricing setting)';
  return `list price${price.as_of ? ` as of ${price.as_of}` : ''}`;
}

/** The basis with the hint where one helps: a list price (not what a contract pays) or none at all. */
export function priceNote(price: Price | null | undefined, model?: string | null, hint = PRICE_OVERRIDE_HINT): string {
  const basis = priceBasis(price, model);
  return !price || price.origin === 'list' ? `${basis}; ${hint}` : basis;
}

/** The note for a cost as a run summary records it (`cost_usd`): what priced it, with the hint; null for
 *  a summary written before prices were recorded (a cost, but no price to name). */
export function costNote(cost: { total: number | null; price?: Price | null }, model: string | null): string | null {
  if (cost.total === null) return priceNote(null, model);
  return cost.price ? priceNote(cost.price, model) : null;
}

/** `$2.50 in / $1.25 cached / $10.00 out per 1M tokens`. */
export function ratesText(price: Rates): string {
  const cached = price.cached_input !== undefined ? ` / ${usdRate(price.cached_input)} cached` : '';
  return `${usdRate(price.input)} in${cached} / ${usdRate(price.output)} out per 1M tokens`;
}

/** A model's list price for pickers: `$2.50 in / $1.25 cached / $10.00 out per 1M tokens (list price as of …)`. */
export function listPriceText(price: Price | undefined): string {
  return price ? `${ratesText(price)} (${priceBasis(price)})` : 'no list price';
}

/** A rate as published: at least cents (`$2.50`, `$10.00`), more digits when it has them (`$0.075`). */
function usdRate(x: number): string {
  const cents = x * 100;
  return `$${Math.abs(cents - Math.round(cents)) < 1e-9 ? x.toFixed(2) : String(x)}`;
}
