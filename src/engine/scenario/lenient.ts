// What a scenario file says, read leniently: the parts the editor needs while a file does not validate
// (or is half typed) — its name, its targets' name / provider / endpoint / model / deployment / auth,
// and the prompt or dataset file it uses. Nothing is checked or defaulted here: a field that is not the
// expected type is left out. Running a scenario always goes through the real loader (load.ts).

import { parseDocument } from 'yaml';

export interface LenientTarget {
  name: string;
  provider?: string;
  endpoint?: string;
  model?: string;
  deployment?: string;
  /** `auth.type` as written (api-key, bearer, entra, none, …). */
  authType?: string;
}

export interface LenientScenario {
  name?: string;
  /** Targets that have a name, in file order. */
  targets: LenientTarget[];
  /** `prompts.file` and `prompts.dataset` as written (relative to the scenario file). */
  promptsFile?: string;
  promptsDataset?: string;
  /** `pricing:` (model → USD per 1M tokens), the rates that are numbers; absent when it names none. */
  pricing?: Record<string, { input?: number; cached_input?: number; output?: number }>;
}

/** Reads what it can of a scenario's text; never throws. YAML errors end what is read, not the read. */
export function readScenarioLeniently(text: string): LenientScenario {
  let data: unknown;
  try {
    data = parseDocument(text).toJS();
  } catch {
    return { targets: [] };
  }
  const root = record(data);
  const prompts = record(root?.prompts);
  const targets = (Array.isArray(root?.targets) ? (root.targets as unknown[]) : [])
    .map(record)
    .filter((t): t is Record<string, unknown> => t !== undefined && typeof t.name === 'string')
    .map((t): LenientTarget => ({
      name: t.name as string,
      provider: string(t.provider),
      endpoint: string(t.endpoint),
      model: string(t.model),
      deployment: string(t.deployment),
      authType: string(record(t.auth)?.type),
    }));
  return { name: string(root?.name), targets, promptsFile: string(prompts?.file), promptsDataset: string(prompts?.dataset), pricing: pricing(root?.pricing) };
}

function pricing(value: unknown): LenientScenario['pricing'] {
  const out: NonNullable<LenientScenario['pricing']> = {};
  for (const [model, raw] of Object.entries(record(value) ?? {})) {
    const rates = record(raw);
    if (!rates) continue;
    const picked: NonNullable<LenientScenario['pricing']>[string] = {};
    for (const key of ['input', 'cached_input', 'output'] as const) if (typeof rates[key] === 'number') picked[key] = rates[key] as number;
    if (Object.keys(picked).length > 0) out[model] = picked;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
