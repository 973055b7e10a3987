// Error bodies in each provider's shape. OpenAI: {error:{message,type,param,code}}; Azure's own
// gateway errors (auth, quota, api-version): {error:{code,message}} with `code` a string.

export interface ErrorReply {
  status: number;
  body: string;
}

export function openaiError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): ErrorReply {
  return { status, body: JSON.stringify({ error: { message, type, param, code } }) };
}

export function azureError(status: number, code: string, message: string): ErrorReply {
  return { status, body: JSON.stringify({ error: { code, message } }) };
}

export const invalidJson = (): ErrorReply =>
  openaiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP " +
      'library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
    'invalid_request_error',
  );

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  openaiError(400, message, 'invalid_request_error', code, param);

export const missingApiVersion = (): ErrorReply =>
  azureError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');

export function unauthorized(azure: boolean, hadCredential: boolean): ErrorReply {
  if (azure) {
    return azureError(
      401,
      '401',
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key ' +
        'for an active subscription and use a correct regional API endpoint for your resource.',
    );
  }
  return hadCredential
    ? openaiError(
        401,
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      )
    : openaiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using " +
          'Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
        'invalid_request_error',
      );
}

export const serverError = (): ErrorReply => openaiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error');

export interface ThrottleInfo {
  reason: 'rpm' | 'tpm' | 'ptu';
  retryAfterMs: number;
  apiVersion?: string;
  model: string;
  limit: number;
  used: number;
  requested: number;
}

/** 429 in Azure's words (`Please retry after N seconds`) or OpenAI's (`rate_limit_exceeded`). */
export function throttled(azure: boolean, t: ThrottleInfo): ErrorReply {
  const seconds = Math.ceil(t.retryAfterMs / 1000);
  if (azure) {
    const what =
      t.reason === 'rpm'
        ? 'call rate limit of your current OpenAI S0 pricing tier'
        : t.reason === 'tpm'
          ? 'token rate limit of your current OpenAI S0 pricing tier'
          : 'the provisioned throughput capacity of this deployment';
    return azureError(
      429,
      '429',
      `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${t.apiVersion ?? 'v1'} ` +
        `have exceeded ${what}. Please retry after ${seconds} second${seconds === 1 ? '' : 's'}. ` +
        'Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
    );
  }
  const unit = t.reason === 'rpm' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
  return openaiError(
    429,
    `Rate limit reached for ${t.model} in organization org-simulator on ${unit}: Limit ${t.limit}, ` +
      `Used ${Math.round(t.used)}, Requested ${t.requested}. Please try again in ${(t.retryAfterMs / 1000).toFixed(3)}s. ` +
      'Visit https://platform.openai.com/account/rate-limits to learn more.',
    t.reason === 'rpm' ? 'requests' : 'tokens',
    'rate_limit_exceeded',
  );
}

export function notFound(azure: boolean, method: string, path: string): ErrorReply {
  return azure ? azureError(404, '404', 'Resource not found') : openaiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error');
}
