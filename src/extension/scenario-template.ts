// "New Scenario…": the answers of the guided quick-input → the text of a commented `*.perf.yaml`.
// The text is checked with the same validator as every scenario before it is returned, so the
// command never writes a file that would not run. A key is never written: auth is a reference
// (an environment variable name, or "the key saved in VS Code for this endpoint").
// `provider: http` (your own app) gets a request template and a response description to adjust.
// Pure logic (no 'vscode').

import * as path from 'node:path';
import { stringify } from 'yaml';
import { SCENARIO_EXTENSION } from '../engine/scenario/files';
import { formatProblem, validateScenarioText } from '../engine/scenario/load';
import { DEFAULT_API_VERSION, SHAPE_PROFILES } from '../engine/scenario/schema';
import type { HttpStreamKind, Provider, ShapeProfile } from '../engine/scenario/types';
import { MODEL_CATALOG, type ModelInfo } from '../tokens/catalog';
import { listPriceText } from '../tokens/pricing';

export type AuthChoice =
  | { kind: 'secret-storage' } // `auth: { type: api-key }`: the key saved in VS Code for this endpoint
  | { kind: 'env'; env: string } // `auth: { type: api-key, env: NAME }`
  | { kind: 'entra' }
  | { kind: 'none' };

export type PromptChoice =
  | { kind: 'shape'; profile: ShapeProfile; contextTokens?: number; maxTokens?: number }
  /** A .prompty / .md / .txt prompt file or a .jsonl dataset, relative to the scenario file. */
  | { kind: 'file'; path: string; maxTokens?: number };

export interface ScenarioAnswers {
  name: string;
  provider: Provider;
  /** Required for azure and openai-compatible; default https://api.openai.com/v1 (openai) or `simulator`. */
  endpoint?: string;
  /** Azure deployment name (required for azure). */
  deployment?: string;
  /** Model name (required for openai and openai-compatible; prices and tokenizer for all). */
  model?: string;
  /** Azure dated routes only; default DEFAULT_API_VERSION. */
  apiVersion?: string;
  /** Default: the key saved in VS Code for azure/openai, none for the others. */
  auth?: AuthChoice;
  /** provider http: the app's endpoint, an absolute http(s) URL such as http://localhost:8080/api/chat. */
  url?: string;
  /** provider http: how the answer arrives; default sse. */
  responseStream?: HttpStreamKind;
  /** provider http with a key: the header it is sent in (the engine's default is `api-key`). */
  authHeader?: string;
  prompts: PromptChoice;
  /** Requests per minute. */
  rateRpm: number;
  /** Seconds, or a duration string such as "60s", "5m". */
  duration: number | string;
  /** Requests in flight at most; default 20. */
  clients?: number;
  /** SLO expressions such as `ttft.p95 < 800ms`. */
  slos?: string[];
}

export const PROVIDER_CHOICES: { provider: Provider; label: string; detail: string }[] = [
  { provider: 'simulator', label: 'Simulator', detail: 'The built-in simulator: no account, no network.' },
  { provider: 'azure', label: 'Azure OpenAI', detail: 'An Azure OpenAI (or Foundry) deployment.' },
  { provider: 'openai', label: 'OpenAI', detail: 'api.openai.com with a model name.' },
  { provider: 'openai-compatible', label: 'OpenAI-compatible', detail: 'vLLM, llama.cpp server, Ollama, LiteLLM, …' },
  {
    provider: 'http',
    label: 'Your own LLM app (HTTP endpoint)',
    detail: 'Your chat API, RAG service or agent: the request it takes and the answer it streams.',
  },
];

/** The answers to "how does the app send its answer?" (`response.stream`). */
export const HTTP_STREAM_CHOICES: { stream: HttpStreamKind; label: string; detail: string }[] = [
  { stream: 'sse', label: 'sse', detail: 'Server-sent events: `data: {...}` lines as the answer is generated' },
  { stream: 'ndjson', label: 'ndjson', detail: 'One JSON object per line as the answer is generated' },
  { stream: 'text', label: 'text', detail: 'Plain text streamed as it is generated' },
  { stream: 'json', label: 'json', detail: 'One JSON body at the end: only the end-to-end latency is measured, no TTFT' },
];

export const DEFAULT_SLOS = ['ttft.p95 < 800ms', 'e2e.p95 < 10s', 'failures < 1%'];

/** An answer sent in one piece has no first token to time: no TTFT objective then. */
function defaultSlos(a: ScenarioAnswers): string[] {
  return a.provider === 'http' && a.responseStream === 'json' ? DEFAULT_SLOS.filter((s) => !s.startsWith('ttft')) : DEFAULT_SLOS;
}

/** The scenario name proposed for an app at `url`: `app localhost:8080` (file app-localhost-8080.perf.yaml). */
export function httpScenarioName(url: string): string {
  try {
    return `app ${new URL(url).host}`;
  } catch {
    return 'app';
  }
}

export class TemplateError extends Error {}

/** `My chat app!` → `my-chat-app.perf.yaml`. */
export function scenarioFileName(name: string): string {
  const base =
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'scenario';
  return `${base}${SCENARIO_EXTENSION}`;
}

/**
 * The file a scenario is saved to: whatever the save dialog returned, with exactly one `.perf.yaml`.
 * Dialogs append their filter's extension to a name that already has it (`x.perf.yaml.perf.yaml`),
 * or none at all (`x`); both become `x.perf.yaml`.
 */
export function scenarioFilePath(chosen: string): string {
  const dir = path.dirname(chosen);
  let base = path.basename(chosen);
  for (;;) {
    const stripped = base.replace(/\.(perf\.ya?ml|ya?ml|perf)$/i, '');
    if (stripped === base) break;
    base = stripped === '' ? 'scenario' : stripped;
  }
  return path.join(dir, `${base}${SCENARIO_EXTENSION}`);
}

/** One row of the model quick pick; `model` undefined for "Other…" (type a name). */
export interface ModelPick {
  label: string;
  description?: string;
  detail?: string;
  model: string | undefined;
}

export const OTHER_MODEL_LABEL = 'Other…';

/**
 * The model catalog as quick-pick rows (context window and list price), `preferred` first, then
 * "Other…" for a model the catalog does not know (a local server's, say).
 */
export function modelPicks(preferred?: string): ModelPick[] {
  const models = [...MODEL_CATALOG].sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred));
  return [
    ...models.map((m) => ({ label: m.name, description: modelDescription(m), model: m.name })),
    { label: OTHER_MODEL_LABEL, description: 'a model not in the catalog (no price; tokens counted with o200k_base)', model: undefined },
  ];
}

/** `128K context · $2.50 in / $1.25 cached / $10.00 out per 1M tokens (list price as of …)`. */
function modelDescription(m: ModelInfo): string {
  return `${contextSize(m.context_window)} context · ${listPriceText(m.price)}`;
}

function contextSize(tokens: number): string {
  if (tokens >= 1_000_000) return `${Number((tokens / 1_000_000).toFixed(2))}M`;
  return `${Math.round(tokens / 1000)}K`;
}

/** A prompt file's path as written in the scenario: relative to the scenario's folder, with forward slashes. */
export function relativePromptPath(scenarioFile: string, promptFile: string): string {
  return path.relative(path.dirname(scenarioFile), promptFile).split(path.sep).join('/');
}

/** `.jsonl` files are datasets of chats; everything else is a prompt file. */
export function promptKey(file: string): 'dataset' | 'file' {
  return file.toLowerCase().endsWith('.jsonl') ? 'dataset' : 'file';
}

/** Scenario text for the answers. Throws TemplateError when the answers do not make a valid scenario. */
export function newScenarioYaml(answers: ScenarioAnswers, options: { fileName?: string; checkFiles?: boolean } = {}): string {
  const text = render(answers);
  const fileName = options.fileName ?? scenarioFileName(answers.name);
  const { problems } = validateScenarioText(text, fileName, { checkFiles: options.checkFiles ?? false });
  if (problems.length > 0) {
    throw new TemplateError(`the answers do not make a valid scenario:\n${problems.map(formatProblem).join('\n')}`);
  }
  return text;
}

function render(a: ScenarioAnswers): string {
  for (const [field, value] of Object.entries({
    name: a.name,
    endpoint: a.endpoint,
    deployment: a.deployment,
    model: a.model,
    apiVersion: a.apiVersion,
    url: a.url,
    authHeader: a.authHeader,
  })) {
    if (value !== undefined && /[\r\n]/.test(value)) throw new TemplateError(`${field} must be a single line`);
  }
  const http = a.provider === 'http';
  if (http && a.url === undefined) throw new TemplateError("the URL of the app's endpoint is required (e.g. http://localhost:8080/api/chat)");
  const auth = a.auth ?? defaultAuth(a.provider);
  const endpoint = a.endpoint ?? (a.provider === 'simulator' ? 'simulator' : a.provider === 'openai' ? 'https://api.openai.com/v1' : undefined);
  const L: string[] = [];

  L.push(`# ${a.name}: a streaming load test created by LLM Perf Lab (New Scenario…).`);
  L.push('# Run it from the editor title, the Scenarios view, or: npx perflab run <this file>');
  L.push(`name: ${scalar(a.name)}`);
  L.push('');
  L.push('targets:');
  L.push(`  - name: ${scalar(targetName(a))}`);
  L.push(c(`    provider: ${a.provider}`, http ? 'your own app: called as `request` says, read as `response` says' : undefined));
  if (endpoint !== undefined)
    L.push(c(`    endpoint: ${scalar(endpoint)}`, endpoint === 'simulator' ? 'the built-in simulator on 127.0.0.1, no account needed' : undefined));
  if (a.deployment !== undefined) L.push(`    deployment: ${scalar(a.deployment)}`);
  if (a.model !== undefined)
    L.push(
      c(
        `    model: ${scalar(a.model)}`,
        a.provider === 'azure' ? 'for the tokenizer and prices' : http ? 'only picks the tokenizer and prices; the app calls its own model' : undefined,
      ),
    );
  if (a.provider === 'azure' && !isAzureV1(endpoint)) {
    L.push(`    api_version: ${scalar(a.apiVersion ?? DEFAULT_API_VERSION)}`);
  }
  L.push(...authLines(auth, http, a.authHeader));
  if (http) L.push(...httpLines(a.url!, a.responseStream ?? 'sse'));
  if (a.provider === 'simulator') {
    L.push('    # simulator: { ttft_ms: 120, tpot_ms: 15, rpm_limit: 0 }   # the latency and quota model');
  }
  L.push('');
  L.push('workload:');
  L.push(c(`  rate: ${a.rateRpm}`, 'requests per minute (Estimate Load… can size this)'));
  L.push(c(`  clients: ${a.clients ?? 20}`, 'at most this many requests in flight'));
  L.push(`  duration: ${scalar(typeof a.duration === 'number' ? `${a.duration}s` : a.duration)}`);
  L.push(c('  # arrival: poisson', 'random gaps instead of evenly spaced starts'));
  L.push('  # ramp_up: 10s');
  L.push('  # Virtual users: each session is one user asking `interactions` questions in turn, thinking between');
  L.push('  # an answer and the next question; carry_history sends the conversation so far each turn.');
  L.push('  # Sessions start at rate ÷ interactions per minute (Estimate Load… can write this).');
  L.push('  # sessions: { interactions: 3, think_time: 30s, carry_history: true }');
  L.push('');
  L.push('prompts:');
  L.push(...promptLines(a.prompts));
  L.push('');
  L.push(c('retry: exponential', 'honor retry-after on HTTP 429; latency counted from the first attempt'));
  L.push('');
  const slos = a.slos ?? defaultSlos(a);
  if (slos.length > 0) {
    L.push(c('slos:', 'checked at the end; `perflab run` exits non-zero when one fails'));
    for (const s of slos) L.push(`  - ${scalar(s)}`);
  } else {
    L.push('# slos:');
    for (const s of defaultSlos(a)) L.push(`#   - ${s}`);
  }
  return L.join('\n') + '\n';
}

/** `request:` and `response:` of an http target: a JSON POST of the chat, and where the answer's text is. */
function httpLines(url: string, stream: HttpStreamKind): string[] {
  const L = [
    '    request:',
    '      method: POST',
    `      url: ${scalar(url)}`,
    '      headers: { content-type: application/json }',
    '      # The body of each request. Placeholders: {{messages}} (the chat so far, a JSON array),',
    '      # {{prompt}} (the last user message), {{session_id}}, {{turn}} (1, 2, … in a session),',
    '      # {{model}}, and any top-level field of a dataset line. Outside quotes a placeholder is',
    '      # written as a JSON value, inside quotes as escaped text: {"question": "{{prompt}}"}.',
    '      body: |',
    '        {"messages": {{messages}}}',
    '    response:',
    c(`      stream: ${stream}`, 'sse | ndjson | text | json: how the app sends its answer'),
  ];
  if (stream === 'text') {
    L.push('      # (text: the body is the answer itself, so there is no text_path)');
  } else if (stream === 'json') {
    L.push(c('      text_path: text', "check: where the answer's text is in the body, e.g. choices[0].message.content"));
  } else {
    L.push(c('      text_path: delta.text', "check: where each event's text is, e.g. choices[0].delta.content"));
  }
  if (stream === 'text') return L;
  L.push(c('      # usage_path: usage', 'where the app reports token counts, if it does (else they are counted here)'));
  if (stream !== 'json') L.push(c('      # done_when: done == true', 'an event that ends the answer (SSE [DONE] always does)'));
  return L;
}

function defaultAuth(provider: Provider): AuthChoice {
  return provider === 'azure' || provider === 'openai' ? { kind: 'secret-storage' } : { kind: 'none' };
}

function authLines(auth: AuthChoice, http: boolean, header: string | undefined): string[] {
  // An http target may name the header its key goes in (the engine's default is `api-key`).
  if (header !== undefined && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(header)) throw new TemplateError(`"${header}" is not an HTTP header name`);
  const headerPart = http && header !== undefined ? `, header: ${header}` : '';
  switch (auth.kind) {
    case 'secret-storage':
      return [
        `    # Never put a key in this file. This uses the key saved in VS Code for this ${http ? 'origin' : 'endpoint'}`,
        `    # and ${http ? 'model' : 'deployment'} (LLM Perf Lab: Set API Key…); the editor asks for it on the first run.`,
        `    auth: { type: api-key${headerPart} }`,
      ];
    case 'env':
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(auth.env)) {
        throw new TemplateError(
          `"${auth.env.length > 40 ? `${auth.env.slice(0, 8)}…` : auth.env}" is not an environment variable name (the key itself never goes into the file)`,
        );
      }
      return [c(`    auth: { type: api-key${headerPart}, env: ${auth.env} }`, 'the key is read from this environment variable')];
    case 'entra':
      return [c('    auth: { type: entra }', 'Microsoft Entra ID: the account signed in to VS Code')];
    case 'none':
      if (!http) return ['    auth: { type: none }'];
      return [
        '    auth: { type: none }',
        '    # An app that needs a key: the key saved in VS Code for its origin (Set API Key…), sent in `header`',
        `    # auth: { type: api-key, header: ${header ?? 'x-api-key'} }   # or add env: APP_KEY; type: bearer sends Authorization: Bearer`,
      ];
  }
}

function promptLines(p: PromptChoice): string[] {
  if (p.kind === 'shape') {
    const lines = [c(`  shape: ${p.profile}`, p.profile === 'custom' ? undefined : describeShape(p.profile))];
    if (p.contextTokens !== undefined || p.profile === 'custom') lines.push(c(`  context_tokens: ${p.contextTokens ?? 500}`, 'prompt size in tokens'));
    if (p.maxTokens !== undefined || p.profile === 'custom') lines.push(c(`  max_tokens: ${p.maxTokens ?? 500}`, 'tokens to generate per request'));
    return lines;
  }
  const key = promptKey(p.path);
  const lines = [c(`  ${key}: ${scalar(p.path)}`, key === 'dataset' ? 'one {"messages": [...]} per line, relative to this file' : 'relative to this file')];
  if (p.maxTokens !== undefined) lines.push(`  max_tokens: ${p.maxTokens}`);
  return lines;
}

function describeShape(profile: Exclude<ShapeProfile, 'custom'>): string {
  const s = SHAPE_PROFILES[profile];
  return `${s.context_tokens} prompt tokens, ${s.max_tokens} max tokens`;
}

function targetName(a: ScenarioAnswers): string {
  if (a.provider === 'http') return 'app';
  return a.deployment ?? a.model ?? a.provider;
}

function isAzureV1(endpoint: string | undefined): boolean {
  return endpoint !== undefined && /\/openai\/v1\/?$/.test(endpoint.replace(/[?#].*$/, ''));
}

/** A line with its comment aligned in one column, so the file reads as a table. */
function c(code: string, comment?: string): string {
  return comment === undefined ? code : `${code.padEnd(COMMENT_COLUMN - 1)} # ${comment}`;
}
const COMMENT_COLUMN = 34;

/** A YAML scalar: plain when that reads back as the same string, quoted otherwise ("#", ": ", "yes", "1.0", …). */
function scalar(s: string): string {
  return stringify(s, { lineWidth: 0 }).trimEnd();
}
