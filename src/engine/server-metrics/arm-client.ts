// Calls to Azure Resource Manager with an Entra token. The token goes to the ARM endpoint only: every
// URL is checked against the endpoint's origin before the header is attached (a `nextLink` pointing
// anywhere else is refused), redirects are not followed, and the token is never logged or stored.
// The token comes from a provider the face supplies: VS Code's Microsoft account in the editor, the
// Azure CLI or a variable on the command line (src/cli/azure-token.ts).

import type { Transport } from '../transport';
import { httpGet, HttpGetError } from './http-get';
import { AzureMonitorError, armErrorOf } from './azure-metrics';
import { azureAccountName } from './azure-names';

/** Returns an access token for the ARM endpoint (audience: that endpoint). */
export type TokenProvider = (armEndpoint: string) => Promise<string>;

export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
export const RESOURCES_API_VERSION = '2021-04-01';

/** A non-2xx answer, raw: the caller explains it for its context. */
export class ArmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

export class ArmClient {
  readonly origin: string;
  private token: Promise<string> | null = null;

  constructor(
    readonly endpoint: string,
    private readonly tokenProvider: TokenProvider,
    private readonly transport: Transport,
    private readonly timeoutMs = 30_000,
  ) {
    this.origin = new URL(endpoint).origin;
  }

  /** GET a URL on the ARM endpoint as JSON. Throws ArmHttpError for a non-2xx answer. */
  async getJson(url: URL): Promise<unknown> {
    if (url.origin !== this.origin)
      throw new AzureMonitorError(
        0,
        'WrongHost',
        `refused to send the Azure token to ${url.origin}: only ${this.origin} (the Azure Resource Manager endpoint) gets it`,
      );
    this.token ??= this.tokenProvider(this.endpoint);
    let token: string;
    try {
      token = await this.token;
    } catch (err) {
      this.token = null;
      throw new AzureMonitorError(0, 'NoToken', `no Azure token: ${(err as Error).message}`);
    }
    let reply;
    try {
      reply = await httpGet(this.transport, url, { authorization: `Bearer ${token}`, accept: 'application/json' }, this.timeoutMs);
    } catch (err) {
      const e = err as HttpGetError;
      throw new AzureMonitorError(0, e.code ?? 'error', `cannot reach ${this.origin}: ${e.message}`);
    }
    if (reply.status < 200 || reply.status > 299) throw new ArmHttpError(reply.status, reply.body);
    try {
      return JSON.parse(reply.body);
    } catch {
      throw new AzureMonitorError(reply.status, 'NotJson', `${this.origin} answered with something other than JSON`);
    }
  }

  /** Every item of a paged ARM list (`value` + `nextLink`), following links on this endpoint only. */
  async list(first: URL, maxPages = 50): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let url: URL | null = first;
    for (let page = 0; url && page < maxPages; page++) {
      const body = (await this.getJson(url)) as { value?: unknown; nextLink?: unknown };
      if (Array.isArray(body.value)) items.push(...(body.value as Record<string, unknown>[]));
      url = typeof body.nextLink === 'string' && body.nextLink !== '' ? new URL(body.nextLink) : null;
    }
    return items;
  }
}

/** The resource id of the Azure OpenAI account behind an endpoint, found by the account's name among
 *  the subscriptions the token can see (ARM: list subscriptions, then each one's resources by name). */
export async function findAccountResourceId(client: ArmClient, endpoint: string): Promise<string> {
  const name = azureAccountName(endpoint);
  if (name === null)
    throw new AzureMonitorError(
      0,
      'UnknownHost',
      `cannot tell the Azure resource from the endpoint's host (a gateway or a custom domain?) — give azure_monitor.resource_id`,
    );
  const base = client.endpoint.replace(/\/+$/, '');
  const explain = (err: unknown, what: string): never => {
    if (err instanceof ArmHttpError) {
      const { code, message } = armErrorOf(err.body);
      throw new AzureMonitorError(
        err.status,
        code,
        `HTTP ${err.status}${code ? ` ${code}` : ''} while ${what}${message ? ` (Azure: ${message})` : ''} — give azure_monitor.resource_id to skip the lookup`,
      );
    }
    throw err;
  };
  let subscriptions: Record<string, unknown>[] = [];
  try {
    subscriptions = await client.list(new URL(`${base}/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`));
  } catch (err) {
    explain(err, 'listing subscriptions');
  }
  const found: string[] = [];
  for (const sub of subscriptions) {
    const id = typeof sub.subscriptionId === 'string' ? sub.subscriptionId : null;
    if (!id) continue;
    const url = new URL(`${base}/subscriptions/${encodeURIComponent(id)}/resources`);
    url.searchParams.set('$filter', `name eq '${name}'`);
    url.searchParams.set('api-version', RESOURCES_API_VERSION);
    let resources: Record<string, unknown>[] = [];
    try {
      resources = await client.list(url);
    } catch (err) {
      explain(err, `listing the resources of subscription ${id}`);
    }
    for (const r of resources) {
      if (typeof r.id === 'string' && String(r.type).toLowerCase() === 'microsoft.cognitiveservices/accounts') found.push(r.id);
    }
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new AzureMonitorError(
      404,
      'ResourceNotFound',
      `no Azure OpenAI (Cognitive Services) account named "${name}" in the ${subscriptions.length} subscription(s) this identity can see — give azure_monitor.resource_id, or check the role assignments`,
    );
  }
  throw new AzureMonitorError(409, 'Ambiguous', `several accounts are named "${name}" (${found.join(', ')}) — give azure_monitor.resource_id`);
}
