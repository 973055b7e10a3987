// Public API of the tokens module: tokenizer, chat overhead, model catalog, pricing, synthetic prompts.
export { type Encoding, ENCODINGS, isEncoding, encode, decode, countTokens, warmUpCounting, startCountHelper } from './tokenizer';
export { type ChatMessage, type ChatTokenCount, countChatTokens, chatOverhead, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING_TOKENS } from './chat';
export { type ModelInfo, type ModelOverrides, MODEL_CATALOG, lookupModel, suggestModel, encodingForModel } from './catalog';
export {
  type BilledTokens,
  type Price,
  type PriceOrigin,
  type PriceOverride,
  type Rates,
  costNote,
  costUsd,
  priceBasis,
  priceNote,
  ratesText,
  withPricing,
  PRICE_OVERRIDE_HINT,
  SETTING_PRICE_HINT,
} from './pricing';
export { type SyntheticOptions, syntheticChat, randomCachePrefix } from './synthetic';
export { mulberry32 } from './rng';
export { ChunkedTokenCounter, safeChunks } from './chunked-count';
export {
  type ParsedPrompt,
  type PromptSection,
  type PromptProblem,
  type PromptFormat,
  parsePromptFile,
  promptDefaults,
  promptFormat,
  splitLines,
} from './prompt-files';
