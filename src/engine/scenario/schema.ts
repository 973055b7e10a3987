// THE JSON Schema of `*.perf.yaml` scenario files: the single source for validation (load.ts),
// editor completion and hover (language server), and `schemas/perf.schema.json` (write-schema.ts).
// Rules that JSON Schema cannot express well (provider-dependent requirements, SLO syntax,
// files that must exist, ...) live in normalize.ts and report through the same problem list.
//
// Conventions: every property has a one-sentence `description` with units and default; enums carry
// `enumDescriptions` (plain) and `markdownEnumDescriptions` (VS Code); no `$ref` (every sub-schema is
// inline, so tools can walk the schema by path); `additionalProperties: false` on every object
// except `request.extra_body`. `patternErrorMessage` is VS Code's keyword for a readable pattern error;
// `maximumErrorMessage` / `minimumErrorMessage` are ours, the reasons for the limits in limits.ts;
// `hideValueInErrors` marks a field where a wrong value is likely a secret (a key typed as `auth.env`).

import { DURATION_HINT, DURATION_PATTERN } from './durations';
import { formatLimit, LIMITS, MIN_RATE, type Limit } from './limits';
import { SLO_EXAMPLES } from './slo';

/** Default Azure OpenAI api-version for dated routes. */
export const DEFAULT_API_VERSION = '2024-10-21';
/** Dated Azure routes serve the Responses API from this preview api-version on (v1 routes need none). */
export const FIRST_RESPONSES_API_VERSION = '2025-03-01-preview';
/** Default api-version for `api: responses` on dated Azure routes. */
export const DEFAULT_RESPONSES_API_VERSION = '2025-04-01-preview';

/** Shape profiles of the Azure OpenAI benchmarking tool: context (prompt) tokens / max (generated) tokens. */
export const SHAPE_PROFILES = {
  balanced: { context_tokens: 500, max_tokens: 500 },
  context: { context_tokens: 2000, max_tokens: 200 },
  generation: { context_tokens: 500, max_tokens: 1000 },
} as const;

/** Keywords that only annotate (for editors); the validator must accept and ignore them. */
export const ANNOTATION_KEYWORDS = [
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'patternErrorMessage',
  'maximumErrorMessage',
  'minimumErrorMessage',
  'hideValueInErrors',
];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A number with a largest value; the reason goes into the description and the error message. */
function capped(schema: { [key: string]: Json }, limit: Limit): { [key: string]: Json } {
  return { ...schema, maximum: limit.max, maximumErrorMessage: limit.message, description: `${String(schema.description)} ${limit.note}` };
}

/** A duration property: a number of seconds or a string such as "500ms", "30s", "5m", "1h".
 *  The limit applies to numbers here and to strings in normalize.ts. */
function duration(description: string, limit: Limit, defaultValue?: string): { [key: string]: Json } {
  return {
    type: ['number', 'string'],
    description: `${description} A number of seconds or a string such as 500ms, 30s, 5m, 1h. ${limit.note}`,
    minimum: 0,
    maximum: limit.max,
    maximumErrorMessage: limit.message,
    pattern: DURATION_PATTERN,
    patternErrorMessage: DURATION_HINT,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  };
}

/** A string enum with one description per value. */
function enumOf(description: string, values: Record<string, string>, defaultValue?: string): { [key: string]: Json } {
  return {
    type: 'string',
    description,
    enum: Object.keys(values),
    enumDescriptions: Object.values(values),
    markdownEnumDescriptions: Object.values(values),
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  };
}

/** An integer seed within the range JavaScript numbers hold exactly. */
function seedSchema(description: string, defaultValue?: number): { [key: string]: Json } {
  const schema = capped({ type: 'integer', description }, LIMITS.seed);
  const minimumErrorMessage = `must be at least -${formatLimit(LIMITS.seed.max)}: larger integers lose precision`;
  return { ...schema, minimum: -LIMITS.seed.max, minimumErrorMessage, ...(defaultValue === undefined ? {} : { default: defaultValue }) };
}

function fraction(description: string, defaultValue = 0): { [key: string]: Json } {
  return { type: 'number', minimum: 0, maximum: 1, default: defaultValue, description };
}

const simulatorSchema = {
  type: 'object',
  description: "Latency, quota and fault model of the built-in simulator; only with `endpoint: simulator`. Unset fields keep the simulator's defaults.",
  additionalProperties: false,
  properties: {
    ttft_ms: capped(
      {
        type: 'number',
        minimum: 0,
        default: 120,
        description: 'Base time to the first content token in milliseconds, before prompt-length and load effects; default 120.',
      },
      LIMITS.sim_ttft_ms,
    ),
    app_retrieval_ms: capped(
      {
        type: 'number',
        minimum: 0,
        default: 150,
        description: "The app route (`POST /app/chat`, for `provider: http`): the app's retrieval step before the model starts, in milliseconds; default 150.",
      },
      LIMITS.sim_ttft_ms,
    ),
    ttft_per_1k_prompt_ms: capped(
      { type: 'number', minimum: 0, default: 20, description: 'Extra time to first token per 1,000 prompt tokens (prefill), in milliseconds; default 20.' },
      LIMITS.sim_per_1k_ms,
    ),
    tpot_ms: capped(
      { type: 'number', minimum: 0, default: 15, description: 'Time per output token (decode) in milliseconds; default 15.' },
      LIMITS.sim_tpot_ms,
    ),
    tokens_per_chunk: capped(
      { type: 'integer', minimum: 1, default: 1, description: "Tokens per streamed content chunk (Azure's content filter buffers several); default 1." },
      LIMITS.sim_tokens_per_chunk,
    ),
    jitter: {
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0.1,
      description: 'Relative jitter (0 up to, not including, 1) applied to TTFT and every chunk gap, from a seeded random generator; default 0.1.',
    },
    rpm_limit: capped(
      {
        type: 'integer',
        minimum: 0,
        description: 'Requests-per-minute quota over a sliding window (`quota_window`); above it requests get HTTP 429; default 0 (unlimited).',
        default: 0,
      },
      LIMITS.sim_rpm,
    ),
    tpm_limit: capped(
      {
        type: 'integer',
        minimum: 0,
        description:
          'Tokens-per-minute quota (prompt + max tokens per request) over a sliding window (`quota_window`); above it requests get HTTP 429; default 0 (unlimited).',
        default: 0,
      },
      LIMITS.sim_tpm,
    ),
    ptu_capacity_tpm: capped(
      {
        type: 'integer',
        minimum: 0,
        description:
          'Provisioned (PTU-like) capacity in tokens per minute; utilization and latency rise with load, above 100% requests get HTTP 429; default 0 (off).',
        default: 0,
      },
      LIMITS.sim_tpm,
    ),
    quota_window: duration(
      'The sliding window over which the per-minute quotas and PTU utilization are enforced; a shorter one holds the limits scaled to its length (600 RPM over 10s = 100 requests per 10 s), so bursts are throttled early; default 60s.',
      LIMITS.quota_window,
      '60s',
    ),
    max_concurrency: capped(
      {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'Serving slots: at most this many requests are generated at once, the others wait in a queue (their headers and first token come after the wait), so latency has a knee without any 429; default 0 (unlimited).',
      },
      LIMITS.clients,
    ),
    azure_prompt_filter: { type: 'boolean', default: true, description: "Send Azure's `prompt_filter_results` chunk first on Azure routes; default true." },
    azure_async_filter: {
      type: 'boolean',
      default: false,
      description:
        'Azure routes: send asynchronous content-filter annotation events (no delta, `content_filter_offsets`) every 10 content chunks and once after the finish chunk; default false.',
    },
    reasoning_tokens: capped(
      {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'Reasoning tokens the simulated model writes before its visible answer (they count in completion tokens and `reasoning_tokens` of usage, and within max tokens); default 0.',
      },
      LIMITS.sim_reasoning_tokens,
    ),
    reasoning_field: enumOf(
      'Chat Completions: how reasoning is streamed; default reasoning_content.',
      {
        reasoning_content: '`delta.reasoning_content` (DeepSeek, vLLM before 0.16, LiteLLM).',
        reasoning: '`delta.reasoning` (vLLM 0.16+, Ollama).',
        hidden: "Not streamed, only counted in usage (OpenAI's reasoning models): the answer starts after the reasoning time.",
      },
      'reasoning_content',
    ),
    reasoning_event: enumOf(
      'Responses API: how reasoning is streamed; default summary.',
      {
        summary: '`response.reasoning_summary_text.delta` events (OpenAI reasoning summaries).',
        text: '`response.reasoning_text.delta` events (open-weight reasoning models, e.g. gpt-oss on vLLM).',
        hidden: 'Not streamed, only counted in `output_tokens_details.reasoning_tokens`.',
      },
      'summary',
    ),
    usage: enumOf(
      'Chat Completions: when usage is reported; default requested.',
      {
        requested:
          'As the request asks: a final usage chunk with `stream_options.include_usage`, usage on every chunk too with `continuous_usage_stats` (vLLM).',
        continuous: 'Always: cumulative usage on every chunk plus the final usage chunk (vLLM with forced continuous usage).',
        none: 'Never (a server that ignores `include_usage`): clients must count tokens themselves.',
      },
      'requested',
    ),
    coalesce_events: capped(
      {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'Output events written together in one socket write (a buffering proxy or server); 1 writes each event on its own; default 1.',
      },
      LIMITS.sim_coalesce_events,
    ),
    seed: seedSchema('Random seed for jitter and faults, for reproducible runs; default 1.', 1),
    faults: {
      type: 'object',
      description: 'Injected faults, each a share of requests (0..1); all default to 0.',
      additionalProperties: false,
      properties: {
        error_rate: fraction('Share of requests (0..1) answered with HTTP 500; default 0.'),
        drop_rate: fraction('Share of streams (0..1) cut off after about half of their chunks; default 0.'),
        stall_rate: fraction('Share of streams (0..1) that go silent for `stall_ms` halfway through; default 0.'),
        stall_ms: capped(
          { type: 'number', minimum: 0, default: 5000, description: 'How long a stalled stream stays silent, in milliseconds; default 5000.' },
          LIMITS.sim_stall_ms,
        ),
        malformed_rate: fraction('Share of streams (0..1) in which one content event carries invalid JSON; default 0.'),
      },
    },
  },
};

const authSchema = {
  type: 'object',
  description:
    'How to authenticate, by reference only: never put a key in this file. Default: api-key from AZURE_OPENAI_API_KEY (azure), OPENAI_API_KEY (openai), none otherwise.',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: enumOf('The kind of credential.', {
      'api-key':
        "A key sent as the `api-key` header (Azure), as `Authorization: Bearer` (OpenAI-style) or in the header named by `header` (http targets), read from `env` or the editor's secret storage.",
      bearer: 'A token sent as `Authorization: Bearer`, read from `env` (e.g. an Entra ID access token).',
      entra: 'Microsoft Entra ID: a token from the signed-in account (VS Code) or the Azure CLI.',
      none: 'No credentials (local servers, the simulator).',
    }),
    env: {
      type: 'string',
      description: 'Name of the environment variable that holds the key or token (api-key and bearer only), e.g. AZURE_OPENAI_API_KEY.',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      patternErrorMessage: 'must be the name of an environment variable (e.g. AZURE_OPENAI_API_KEY), never the key itself',
      hideValueInErrors: true,
    },
    header: {
      type: 'string',
      description: 'provider http, type api-key: the request header that carries the key (e.g. x-api-key); default api-key.',
      pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
      patternErrorMessage: 'must be an HTTP header name (e.g. x-api-key)',
    },
  },
};

const httpRequestSchema = {
  type: 'object',
  description:
    'provider http: one call of your app. Placeholders: {{prompt}} (the last user message), {{messages}} (the chat messages), {{session_id}}, {{turn}}, {{model}} and the fields of a dataset line. In a JSON body a placeholder inside a string is filled with escaped text, outside one with a JSON value. Secrets never go here: use `auth`.',
  additionalProperties: false,
  required: ['url'],
  properties: {
    method: enumOf(
      'The HTTP method; default POST.',
      { POST: 'Send the body (usual for chat endpoints).', PUT: 'Send the body.', PATCH: 'Send the body.', GET: 'No body.' },
      'POST',
    ),
    url: {
      type: 'string',
      minLength: 1,
      description: "An absolute http(s) URL, or a path joined to the target's endpoint (e.g. /api/chat). Placeholders are URL-encoded.",
      examples: ['/api/chat', 'http://localhost:8080/api/chat'],
    },
    headers: {
      type: 'object',
      description: 'Literal request headers (e.g. content-type: application/json). A key or token belongs in `auth` (with `header:`), never here.',
      additionalProperties: { type: 'string', description: 'The header value as sent (quote numbers, e.g. "2"); placeholders are filled as text.' },
    },
    body: {
      type: 'string',
      description: 'The body template: JSON (first character { or [) or text, e.g. {"messages": {{messages}}, "session_id": "{{session_id}}"}.',
    },
  },
};

const httpResponseSchema = {
  type: 'object',
  description: 'provider http: how your app sends its answer, and where the text is in it.',
  additionalProperties: false,
  required: ['stream'],
  properties: {
    stream: enumOf('How the answer arrives.', {
      sse: 'Server-sent events (`data: {…}` per event); TTFT, chunk gaps, TBT and E2E are measured.',
      ndjson: 'One JSON object per line; TTFT, chunk gaps, TBT and E2E are measured.',
      text: 'Plain text, streamed as it is generated; each piece received is text.',
      json: 'One JSON body at the end: only TTFB and E2E can be measured (no TTFT or TBT).',
    }),
    text_path: {
      type: 'string',
      description:
        "Where each event's text is, as keys and [n] indexes, e.g. choices[0].delta.content or delta.text. Required for ndjson and json; sse without it reads each `data:` as text; not used for text.",
      examples: ['delta.text', 'choices[0].delta.content', 'answer'],
    },
    done_when: {
      type: 'string',
      description:
        'An event that ends the answer: a path (ends when its value is truthy) or `path == JSON value`, e.g. done == true or type == "end". SSE `[DONE]` always ends; otherwise the end of the body does.',
      examples: ['done == true', 'type == "end"'],
    },
    usage_path: {
      type: 'string',
      description:
        'Where token usage is (an object with prompt_tokens and completion_tokens, or input_tokens and output_tokens), e.g. usage. Without it the tokenizer counts the text and the counts are marked estimated.',
      examples: ['usage'],
    },
  },
};

/** `MetricName` or `MetricName:total` / `MetricName:average,maximum` (the aggregations to fetch). */
const AZURE_METRIC_PATTERN = '^[A-Za-z0-9_./ -]+(:(average|total|maximum|minimum|count)(,(average|total|maximum|minimum|count))*)?$';
const AZURE_METRIC_HINT =
  'must be an Azure Monitor metric name (as the REST API spells it, e.g. AzureOpenAIRequests), optionally followed by :aggregations, e.g. GeneratedTokens:total or AzureOpenAITimeToResponse:average,maximum';
const RESOURCE_ID_PATTERN = '^/subscriptions/[^/\\s]+/[Rr]esource[Gg]roups/[^/\\s]+/providers/[^/\\s]+/[^/\\s]+/[^/\\s]+(/[^/\\s]+/[^/\\s]+)*/?$';
const RESOURCE_ID_HINT = 'must be an Azure resource id: /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>';

function azureMetricList(description: string): { [key: string]: Json } {
  return {
    type: 'array',
    description,
    minItems: 1,
    items: {
      type: 'string',
      description: 'A metric name as the Azure Monitor REST API spells it, optionally with `:aggregations` (average, total, maximum, minimum, count).',
      pattern: AZURE_METRIC_PATTERN,
      patternErrorMessage: AZURE_METRIC_HINT,
    },
  };
}

const serverMetricsSchema = {
  type: 'object',
  description:
    "The server's own metrics beside the client's: its Prometheus /metrics page scraped during the run (vLLM, TGI, llama.cpp server, SGLang, the built-in simulator), and Azure Monitor metrics of the Azure resource fetched after it. Saved in server-metrics.jsonl and in the summary's `server` block; a failed scrape or fetch is a warning, never a failed run.",
  additionalProperties: false,
  properties: {
    prometheus: {
      description:
        "The Prometheus metrics URL to scrape during the run, or `true` for the endpoint's origin + /metrics (vLLM, SGLang, TGI and the simulator serve it there; llama.cpp with --metrics). No key is sent to it unless `auth` names one.",
      anyOf: [
        { type: 'boolean', description: "`true`: the endpoint's origin + /metrics; `false`: no scraping." },
        {
          type: 'string',
          description: 'The full metrics URL, e.g. http://gpu-box:8000/metrics.',
          pattern: '^https?://\\S+$',
          patternErrorMessage: "must be an http(s) URL of the metrics page, or true for the endpoint's origin + /metrics",
          examples: ['http://localhost:8000/metrics'],
        },
      ],
    },
    interval: {
      ...duration('How often the metrics URL is scraped during the run; default 1s.', LIMITS.scrape_interval, '1s'),
      minimum: 0.1,
      minimumErrorMessage: 'must be at least 0.1 s: scraping faster loads the server being measured',
    },
    series: {
      type: 'array',
      description:
        'Series to record besides the ones perflab knows (vLLM, TGI, llama.cpp and SGLang queue, batch, KV-cache, token and latency series): exact names, or a prefix ending in `*` (e.g. `vllm:*`).',
      items: {
        type: 'string',
        description: 'A Prometheus series name (a histogram by its family name), or a prefix ending in `*`.',
        pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*\\*?$',
        patternErrorMessage: 'must be a Prometheus series name (letters, digits, _ and :), optionally ending in * for a prefix',
      },
    },
    auth: {
      type: 'object',
      description: "A token for the metrics URL only (sent as `Authorization: Bearer`), by reference: never the target's key.",
      additionalProperties: false,
      required: ['env'],
      properties: {
        env: {
          type: 'string',
          description: 'Name of the environment variable that holds the metrics token.',
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          patternErrorMessage: 'must be the name of an environment variable (e.g. METRICS_TOKEN), never the token itself',
          hideValueInErrors: true,
        },
      },
    },
    azure_monitor: {
      type: 'object',
      description:
        "Azure Monitor metrics of the target's Azure resource for the run's window (1-minute grain, filtered by the deployment), fetched after the run: Azure publishes them a few minutes late (`perflab server-metrics <run folder>`). Needs the Monitoring Reader role on the resource; the Entra token goes only to the Azure Resource Manager endpoint.",
      additionalProperties: false,
      properties: {
        resource_id: {
          type: 'string',
          description:
            "The Azure OpenAI (Cognitive Services) account's resource id; default: looked up by the endpoint's name among the subscriptions the token can see.",
          pattern: RESOURCE_ID_PATTERN,
          patternErrorMessage: RESOURCE_ID_HINT,
        },
        metrics: azureMetricList(
          'The metrics to fetch; default: Azure OpenAI Requests, Processed Prompt Tokens, Generated Completion Tokens, Processed Inference Tokens, Provisioned-managed Utilization V2 and Time to Response (AzureOpenAIRequests, ProcessedPromptTokens, GeneratedTokens, TokenTransaction, AzureOpenAIProvisionedManagedUtilizationV2, AzureOpenAITimeToResponse).',
        ),
        extra_resources: {
          type: 'array',
          description:
            'Other resources on the request path, by id, e.g. the App Service plan, API Management or Cosmos DB account; each with the metrics the performance-testing guidance names for its type unless `metrics` says otherwise.',
          items: {
            type: 'object',
            description: 'One more Azure resource to fetch metrics of (no deployment filter).',
            additionalProperties: false,
            required: ['resource_id'],
            properties: {
              resource_id: { type: 'string', description: "The resource's id.", pattern: RESOURCE_ID_PATTERN, patternErrorMessage: RESOURCE_ID_HINT },
              metrics: azureMetricList(
                'The metrics to fetch; default by type: App Service plan CPU and memory percentage; web app CPU time, memory, requests and response time; API Management capacity, requests and durations; Cosmos DB request units, normalized RU consumption and requests.',
              ),
            },
          },
        },
        arm_endpoint: {
          type: 'string',
          description:
            'The Azure Resource Manager endpoint of your cloud; default https://management.azure.com (e.g. https://management.usgovcloudapi.net, https://management.chinacloudapi.cn).',
          pattern: '^https://\\S+$|^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?/?$',
          patternErrorMessage: 'must be an https:// URL (an Azure Resource Manager endpoint)',
          default: 'https://management.azure.com',
        },
      },
    },
  },
};

const targetSchema = {
  type: 'object',
  description: 'One deployment to benchmark.',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'A unique name for this target, used in results and charts.' },
    provider: enumOf('The API flavour of the endpoint; default `simulator` when `endpoint: simulator`, otherwise required.', {
      azure: 'Azure OpenAI: `/openai/deployments/{deployment}/chat/completions?api-version=…`, `api-key` header.',
      openai: 'OpenAI: `/v1/chat/completions` with `model` in the body and a Bearer key.',
      'openai-compatible': 'Any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LiteLLM, …).',
      simulator: 'The built-in simulator (OpenAI-style routes).',
      http: 'Your own LLM app (e.g. a RAG endpoint that streams its answer): `request` says how to call it, `response` where the text is.',
    }),
    endpoint: {
      type: 'string',
      description:
        'Base URL of the endpoint (e.g. https://my-resource.openai.azure.com), or `simulator` for the built-in in-process simulator; default `simulator` for the simulator provider, https://api.openai.com/v1 for openai.',
      pattern: '^(simulator|https?://\\S+)$',
      patternErrorMessage: 'must be an http(s) URL or `simulator`',
      examples: ['simulator', 'https://my-resource.openai.azure.com', 'http://localhost:8000/v1'],
    },
    deployment: { type: 'string', minLength: 1, description: 'Azure deployment name; required for `provider: azure`.' },
    model: {
      type: 'string',
      minLength: 1,
      description: 'Model name sent in the request body (required for openai and openai-compatible) and used to pick the tokenizer and prices.',
      examples: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1'],
    },
    api_version: {
      type: 'string',
      minLength: 1,
      description: `Azure \`api-version\` query parameter for dated routes; default ${DEFAULT_API_VERSION} (azure only; ${DEFAULT_RESPONSES_API_VERSION} with \`api: responses\`).`,
      default: DEFAULT_API_VERSION,
    },
    api: enumOf(
      'Which API requests go to; default chat. Everything else (prompts, workload, retries, SLOs, results) is the same for both.',
      {
        chat: 'Chat Completions: `POST …/chat/completions` with `messages`.',
        responses:
          'Responses API: `POST …/responses` with `input`, `instructions` (the system message) and `max_output_tokens`; OpenAI `/v1/responses`, Azure `/openai/v1/responses` (endpoint ending in /openai/v1) or `/openai/responses?api-version=…`.',
      },
      'chat',
    ),
    auth: authSchema,
    request: httpRequestSchema,
    response: httpResponseSchema,
    simulator: simulatorSchema,
    server_metrics: serverMetricsSchema,
  },
};

const workloadSchema = {
  type: 'object',
  description: 'How requests are scheduled and when the run ends; give `duration`, `requests` or both.',
  additionalProperties: false,
  properties: {
    mode: enumOf(
      'Open loop starts requests on a schedule; closed loop runs `clients` back to back; default open.',
      {
        open: 'Requests start at `rate` per minute, whatever the latency (at most `clients` in flight).',
        closed: '`clients` loops each send a request, wait for the response and `think_time`, and repeat.',
      },
      'open',
    ),
    rate: capped(
      {
        type: 'number',
        minimum: MIN_RATE.min,
        minimumErrorMessage: MIN_RATE.message,
        description: 'Target rate in requests per minute; required in open mode.',
      },
      LIMITS.rate,
    ),
    arrival: enumOf(
      'How request start times are spread in open mode; default constant.',
      {
        constant: 'Evenly spaced starts (60 / rate seconds apart).',
        poisson: 'Random starts with exponentially distributed gaps averaging the same rate (more realistic bursts).',
      },
      'constant',
    ),
    clients: capped(
      {
        type: 'integer',
        minimum: 1,
        default: 20,
        description: 'Open mode: the most requests in flight at once; closed mode: the number of clients; default 20.',
      },
      LIMITS.clients,
    ),
    duration: duration('Stop starting requests after this long.', LIMITS.duration),
    requests: capped({ type: 'integer', minimum: 1, description: 'Stop after this many requests have been started.' }, LIMITS.requests),
    ramp_up: duration('The rate (or number of clients) grows linearly from 0 over this time; default 0.', LIMITS.ramp_up, '0s'),
    think_time: duration(
      "Closed mode: the pause between a client's response and its next request (with `sessions`: between one session and the next); default 0.",
      LIMITS.think_time,
      '0s',
    ),
    warm_up: capped(
      {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'The first N completed requests of each target are recorded but left out of the statistics; default 0.',
      },
      LIMITS.warm_up,
    ),
    on_end: enumOf(
      'What happens to requests still in flight when the run ends; default drain.',
      {
        drain: 'Wait for them (up to `drain_timeout`) and include them in the results.',
        abort: 'Cancel them at once; they are recorded as aborted.',
      },
      'drain',
    ),
    drain_timeout: duration('With `on_end: drain`, abort what is still in flight after this long; default 30s.', LIMITS.drain_timeout, '30s'),
    sessions: {
      type: 'object',
      description:
        'Virtual users, as a load model counts them: each session is `interactions` requests in turn with think time between. Open mode: sessions start at rate ÷ interactions per minute (the request rate stays `rate`), `clients` caps the sessions at once; closed mode: each client runs sessions back to back.',
      additionalProperties: false,
      required: ['interactions'],
      properties: {
        interactions: { type: 'integer', minimum: 1, maximum: 1000, description: 'Requests (turns) per session.' },
        think_time: duration("The pause between a response and the same user's next request; default 0.", LIMITS.think_time, '0s'),
        think_time_jitter: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0,
          description: 'Each think time is drawn uniformly from think_time × (1 ± jitter); 0.5 means ±50%; default 0.',
        },
        carry_history: {
          type: 'boolean',
          default: false,
          description: 'Each turn sends the conversation so far (earlier questions and the answers received), so prompts grow turn by turn; default false.',
        },
      },
    },
  },
};

const promptsSchema = {
  type: 'object',
  description:
    'What each request asks: exactly one of `shape` (synthetic prompts), `file` (a .prompty or markdown prompt) or `dataset` (a .jsonl of chats); default `shape: balanced`.',
  additionalProperties: false,
  properties: {
    shape: enumOf('A synthetic prompt/response size profile, as in the Azure OpenAI benchmarking tool.', {
      balanced: '500 context tokens, 500 max tokens.',
      context: '2000 context tokens, 200 max tokens (long prompts, short answers).',
      generation: '500 context tokens, 1000 max tokens (short prompts, long answers).',
      custom: 'Your own sizes: set `context_tokens` and `max_tokens`.',
    }),
    context_tokens: capped(
      { type: 'integer', minimum: 1, description: 'Prompt size in tokens for a shape; required with `shape: custom`, overrides the profile otherwise.' },
      LIMITS.tokens,
    ),
    max_tokens: capped(
      {
        type: 'integer',
        minimum: 1,
        description: 'Tokens to generate per request; required with `shape: custom`, overrides the profile or prompt file otherwise.',
      },
      LIMITS.tokens,
    ),
    file: {
      type: 'string',
      minLength: 1,
      description: 'A .prompty (or .md / .txt) prompt file, relative to this scenario file; its `{{variables}}` come from its `sample` or from `inputs`.',
    },
    inputs: {
      type: 'string',
      minLength: 1,
      description: 'With `file`: a .jsonl file of variable values, one JSON object per line; each line renders one prompt.',
    },
    dataset: {
      type: 'string',
      minLength: 1,
      description: 'A .jsonl file of chats, one {"messages": [...]} per line, relative to this scenario file; requests cycle through them.',
    },
  },
};

const requestSchema = {
  type: 'object',
  description: 'Options copied into every request body.',
  additionalProperties: false,
  properties: {
    temperature: { type: 'number', minimum: 0, maximum: 2, description: 'Sampling temperature (0..2); server default when unset.' },
    top_p: { type: 'number', minimum: 0, maximum: 1, description: 'Nucleus sampling probability mass (0..1); server default when unset.' },
    max_tokens: capped(
      { type: 'integer', minimum: 1, description: "Sent as `max_tokens` on every request; when unset, `prompts.max_tokens` (or the shape profile's) is sent." },
      LIMITS.tokens,
    ),
    seed: seedSchema('Seed for best-effort deterministic sampling.'),
    stop: {
      type: ['string', 'array'],
      description: 'A stop sequence or a list of up to 4 stop sequences.',
      items: { type: 'string', description: 'A stop sequence: generation ends before it.' },
      maxItems: 4,
    },
    presence_penalty: { type: 'number', minimum: -2, maximum: 2, description: 'Presence penalty (-2..2); server default when unset.' },
    frequency_penalty: { type: 'number', minimum: -2, maximum: 2, description: 'Frequency penalty (-2..2); server default when unset.' },
    reasoning_effort: enumOf(
      'Reasoning models: how much to think; sent as `reasoning_effort` (chat) or `reasoning: {effort}` (responses); server default when unset.',
      {
        none: 'No reasoning (models that support turning it off).',
        minimal: 'The least reasoning.',
        low: 'Little reasoning: faster answers.',
        medium: 'The usual default of reasoning models.',
        high: 'The most reasoning: slower, more reasoning tokens.',
      },
    ),
    extra_body: { type: 'object', description: 'Extra request-body fields, copied as they are (e.g. provider-specific options).' },
  },
};

const retryPolicyValues = {
  none: 'No retry: a throttled request (HTTP 429) ends there, counted as a failure of class `throttled` (one attempt per request).',
  exponential:
    "Retry a throttled request after the server's retry-after-ms / retry-after (else an exponential backoff from 0.5 s, with jitter), at most one attempt per wait, until `max_retry` has passed; latency counts from the first attempt.",
};

const retrySchema = {
  description: 'What to do when a request is throttled (HTTP 429): a policy name, or { policy, max_retry }; default exponential with max_retry 60s.',
  default: 'exponential',
  anyOf: [
    enumOf('The retry policy.', retryPolicyValues),
    {
      type: 'object',
      description: 'A retry policy with options.',
      additionalProperties: false,
      properties: {
        policy: enumOf('The retry policy; default exponential.', retryPolicyValues, 'exponential'),
        max_retry: duration('Stop retrying once this much time has passed since the first attempt; default 60s.', LIMITS.max_retry, '60s'),
      },
    },
  ],
};

const timeoutsSchema = {
  type: 'object',
  description: 'Per-request time limits.',
  additionalProperties: false,
  properties: {
    request: duration('Abort an attempt that has not finished after this long; default 120s.', LIMITS.request_timeout, '120s'),
    idle: duration('Abort a stream that has sent nothing for this long (stall detection); default 30s.', LIMITS.idle_timeout, '30s'),
  },
};

const engineSchema = {
  type: 'object',
  description: 'How the load generator itself runs on this machine.',
  additionalProperties: false,
  properties: {
    threads: {
      description: `Worker threads that run the clients, each with its own event loop, sockets and timestamps; every target's clients, rate and request count are split among them and the results merged. Use more than 1 when one thread is the bottleneck (the summary says \`client_limited\`) and the machine has spare cores; default 1. ${LIMITS.engine_threads.note}`,
      default: 1,
      anyOf: [
        capped({ type: 'integer', minimum: 1, description: 'A number of engine threads (1 = the single-thread engine).' }, LIMITS.engine_threads),
        enumOf("Threads from the machine's cores.", { auto: 'One thread per available core but one (left for the parent thread and the OS), at least 1.' }),
      ],
    },
  },
};

const capacitySchema = {
  type: 'object',
  description:
    "How `perflab capacity` (and Find Capacity… in the editor) searches for the highest offered rate at which every SLO holds: open-loop steps at one rate each, doubling from `min`, then bisecting. Each step uses this scenario's arrival process, prompts, clients cap and retry policy.",
  additionalProperties: false,
  properties: {
    min: capped(
      {
        type: 'number',
        minimum: MIN_RATE.min,
        minimumErrorMessage: MIN_RATE.message,
        default: 10,
        description: 'The first offered rate, requests per minute; the search doubles it while steps pass; default 10.',
      },
      LIMITS.rate,
    ),
    max: capped(
      {
        type: 'number',
        minimum: MIN_RATE.min,
        minimumErrorMessage: MIN_RATE.message,
        default: 10000,
        description: 'The highest rate offered, requests per minute; a deployment that holds it is reported as limited by `max`; default 10000.',
      },
      LIMITS.rate,
    ),
    precision: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.05,
      description: 'Stop when the highest passing and the lowest failing rate are within this share of the answer (0.05 = 5%); default 0.05.',
    },
    step_duration: duration('How long each step offers its rate (after it, in-flight requests drain); default 30s.', LIMITS.duration, '30s'),
    warm_up: duration('The first part of each step, left out of its statistics; default a fifth of `step_duration`.', LIMITS.duration),
    budget: duration(
      'The longest the whole search may take; it stops before a step that would end later and reports the bracket it reached; default 15m.',
      LIMITS.duration,
      '15m',
    ),
    cooldown: duration(
      "Pause after a failing step so the deployment's queues and quota windows drain before the next one; default 10s.",
      LIMITS.duration,
      '10s',
    ),
    require: capped(
      {
        type: 'number',
        minimum: 0,
        description: "The capacity you need, requests per minute: `perflab capacity` exits 1 when a target's capacity is below it (a CI gate).",
      },
      LIMITS.rate,
    ),
    ptus: capped(
      {
        type: 'integer',
        minimum: 1,
        description:
          "Azure provisioned deployments: how many PTUs the deployment has; the result then gives capacity per PTU and the PTUs needed for this scenario's `workload.rate` with 10% headroom.",
      },
      LIMITS.ptus,
    ),
  },
};

export const perfSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://llm-perf-lab.dev/schemas/perf.schema.json',
  title: 'LLM Perf Lab scenario',
  description: 'A load test of one or more LLM deployments (`*.perf.yaml`).',
  type: 'object',
  additionalProperties: false,
  required: ['targets', 'workload'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'Name of the scenario, shown in results; default: the file name without `.perf.yaml`.' },
    targets: {
      type: 'array',
      minItems: 1,
      description: 'The deployments to benchmark (at least one), each with a unique name.',
      items: targetSchema,
    },
    target_mode: enumOf(
      'How several targets are run; default parallel.',
      {
        parallel: 'All targets on one timeline, each with the full workload (a fair side-by-side comparison).',
        sequential: 'One target after another, each with the full workload.',
      },
      'parallel',
    ),
    workload: workloadSchema,
    prompts: promptsSchema,
    request: requestSchema,
    retry: retrySchema,
    timeouts: timeoutsSchema,
    engine: engineSchema,
    capacity: capacitySchema,
    aggregation_window: duration('Window over which rates (RPM, tokens per minute, failures) are computed; default 60s.', LIMITS.aggregation_window, '60s'),
    prevent_server_caching: {
      type: 'boolean',
      default: true,
      description: 'Prefix every prompt with a random string so servers cannot serve it from a prompt cache; default true.',
    },
    record_chunks: {
      type: 'boolean',
      default: false,
      description: 'Record the time offset of every content chunk in requests.jsonl (`chunk_offsets_ms`); default false.',
    },
    pricing: {
      type: 'object',
      description:
        'Your prices, USD per 1M tokens, by model name (e.g. your Azure contract or a model the catalog has no price for); they replace the catalog price for cost estimates.',
      additionalProperties: {
        type: 'object',
        description: 'Prices for one model, USD per 1M tokens.',
        additionalProperties: false,
        required: ['input', 'output'],
        properties: {
          input: capped({ type: 'number', minimum: 0, description: 'USD per 1M prompt tokens.' }, LIMITS.usd_per_million),
          cached_input: capped(
            { type: 'number', minimum: 0, description: 'USD per 1M cached prompt tokens; default: the input price.' },
            LIMITS.usd_per_million,
          ),
          output: capped({ type: 'number', minimum: 0, description: 'USD per 1M completion tokens.' }, LIMITS.usd_per_million),
        },
      },
    },
    slos: {
      type: 'array',
      description: 'Service-level objectives checked at the end of the run; the CLI exits non-zero when one fails.',
      items: {
        type: 'string',
        description:
          'An SLO: `<metric>.<stat> <op> <value><unit>` with metric ttft|ttfr|ttfb|tbt|tbt_all|e2e|chunk_gap, stat avg|p50|p90|p95|p99|max and unit ms|s; or `failures < 1%`, `throttled < 5%`, `rpm >= 590`.',
        examples: SLO_EXAMPLES,
      },
    },
  },
};

/** The schema as the text of `schemas/perf.schema.json`. */
export function schemaJsonText(): string {
  return JSON.stringify(perfSchema, null, 2) + '\n';
}
