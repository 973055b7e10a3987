// API keys bound to where they may be sent. A key saved in SecretStorage is stored under a name made
// of the target's endpoint ORIGIN (scheme, host, port) and its deployment (or model), so it can only
// ever be looked up again for that same origin + deployment: change the endpoint and the lookup
// misses, and the user is asked again (README, "The VS Code extension": a saved key "is never sent
// anywhere else"). Environment variables named by `auth.env` follow the same rule: the user
// approves once that a variable may go to an origin + deployment, and that approval is bound the same way.
// An http target (your own app) binds to the origin its requests go to: that of an absolute
// `request.url`, else its endpoint (a relative url is joined to it), and to its model ('' when none).
// Pure logic (no 'vscode'): the extension passes its SecretStorage in as `SecretBackend`.

import type { Target } from '../engine/scenario/types';

const KEY_PREFIX = 'perflab.key:';
const ENV_APPROVAL_PREFIX = 'perflab.env-approved:';

/** The part of VS Code's SecretStorage this module needs (its methods return Thenables). */
export interface SecretBackend {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** The fields of a target that decide where its key may go. */
export type KeyTarget = Pick<Target, 'name' | 'endpoint' | 'deployment' | 'model' | 'auth'> & Partial<Pick<Target, 'provider' | 'http'>>;

export interface KeyBinding {
  /** Normalized origin: `https://x.openai.azure.com`, `http://localhost:8000`, or `simulator`. */
  origin: string;
  /** Deployment, else model; '' when the target names neither. */
  resource: string;
}

export class KeyBindingError extends Error {}

/**
 * `https://X.openai.azure.com:443/openai/v1/` → `https://x.openai.azure.com`. Scheme and host are
 * lowercased (the URL parser does it), default ports and everything after the authority are dropped,
 * so Azure's `/openai/v1` and dated routes share an origin. Credentials in the URL are refused.
 */
export function endpointOrigin(endpoint: string): string {
  if (endpoint === 'simulator') return 'simulator';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new KeyBindingError(`endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyBindingError(`endpoint ${JSON.stringify(endpoint)} must be an http(s) URL`);
  }
  if (url.username || url.password) {
    throw new KeyBindingError('the endpoint URL must not contain a user name or password');
  }
  // A trailing dot names the same host ("x.com." = "x.com"); drop it so both share one binding.
  const host = url.host.replace(/\.(?=(:\d+)?$)/, '');
  return `${url.protocol}//${host}`;
}

export function keyBindingOf(target: KeyTarget): KeyBinding {
  return { origin: endpointOrigin(keyDestination(target)), resource: target.deployment ?? target.model ?? '' };
}

/**
 * Where the target's requests (and so its key) go. The normalizer sets an http target's endpoint to
 * the origin of an absolute request.url; the url is read here as well, the way the engine reads it
 * (src/engine/http-target/http-request.ts: an http(s) URL, else a path joined to the endpoint), so a
 * key can never be bound to one origin and sent to another, nor to a host a placeholder fills in.
 */
function keyDestination(target: KeyTarget): string {
  if (target.provider !== 'http' || target.http === undefined) return target.endpoint;
  const url = target.http.request.url;
  const absolute = /^https?:\/\/([^/?#]*)/i.exec(url);
  // A placeholder in the host, or before the path (where it could become `https://host`).
  if ((absolute ? absolute[1] : url.split(/[/?#]/)[0]).includes('{{')) {
    throw new KeyBindingError('request.url takes its host from a placeholder; a key is only sent to a host written in the file');
  }
  return absolute ? url : target.endpoint;
}

/** `perflab.key:https://x.openai.azure.com:gpt-4o`. The resource is URI-encoded (model names such as
 *  `llama3:8b` contain colons), so the last colon always separates origin and resource. */
export function secretKeyFor(target: KeyTarget): string {
  return KEY_PREFIX + bindingText(keyBindingOf(target));
}

export function parseSecretKey(key: string): KeyBinding | undefined {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  return parseBindingText(key.slice(KEY_PREFIX.length));
}

/** Human-readable: `gpt-4o at https://x.openai.azure.com`. */
export function describeBinding(b: KeyBinding): string {
  return b.resource ? `${b.resource} at ${b.origin}` : b.origin;
}

function bindingText(b: KeyBinding): string {
  return `${b.origin}:${encodeURIComponent(b.resource)}`;
}

function parseBindingText(text: string): KeyBinding | undefined {
  const cut = text.lastIndexOf(':');
  if (cut <= 0) return undefined;
  const origin = text.slice(0, cut);
  let resource: string;
  try {
    resource = decodeURIComponent(text.slice(cut + 1));
  } catch {
    return undefined;
  }
  // Only accept what secretKeyFor could have produced.
  try {
    if (endpointOrigin(origin) !== origin) return undefined;
  } catch {
    return undefined;
  }
  return { origin, resource };
}

export type KeyResolution =
  | { value: string; source: 'secret-storage'; binding: KeyBinding }
  | { value: string; source: 'env'; env: string; binding: KeyBinding }
  | {
      missing: true;
      reason: string;
      binding?: KeyBinding;
      /** Set when the variable holds a value the user has not yet allowed for this origin + deployment:
       *  ask, then call `approveEnv`. */
      needsApproval?: string;
    };

export class KeyStore {
  constructor(
    private readonly secrets: SecretBackend,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Save a key for exactly this target's origin + deployment. */
  async set(target: KeyTarget, key: string): Promise<void> {
    const value = key.trim();
    if (value === '') throw new KeyBindingError('the API key is empty');
    if (/\s/.test(value)) throw new KeyBindingError('the API key contains spaces or line breaks; paste only the key');
    await this.secrets.store(secretKeyFor(target), value);
  }

  async delete(target: KeyTarget): Promise<void> {
    await this.secrets.delete(secretKeyFor(target));
  }

  async has(target: KeyTarget): Promise<boolean> {
    return (await this.secrets.get(secretKeyFor(target))) !== undefined;
  }

  /** Record that the variable named by `auth.env` may be sent to this target's origin + deployment. */
  async approveEnv(target: KeyTarget): Promise<void> {
    const env = envNameOf(target);
    if (env === undefined) throw new KeyBindingError(`target "${target.name}" names no environment variable (auth.env)`);
    await this.secrets.store(envApprovalKey(env, keyBindingOf(target)), 'approved');
  }

  async revokeEnv(target: KeyTarget): Promise<void> {
    const env = envNameOf(target);
    if (env !== undefined) await this.secrets.delete(envApprovalKey(env, keyBindingOf(target)));
  }

  /**
   * The key for this target: the one saved for its origin + deployment, else the variable named by
   * `auth.env` if the user approved it for this origin + deployment. Never a key saved for anything else.
   */
  async resolve(target: KeyTarget): Promise<KeyResolution> {
    const auth = target.auth;
    if (auth.type === 'none' || auth.type === 'entra') {
      return { missing: true, reason: `target "${target.name}" uses auth type ${auth.type}, not a key` };
    }
    let binding: KeyBinding;
    try {
      binding = keyBindingOf(target);
    } catch (err) {
      return { missing: true, reason: `target "${target.name}": ${(err as Error).message}` };
    }
    const stored = await this.secrets.get(KEY_PREFIX + bindingText(binding));
    if (stored) return { value: stored, source: 'secret-storage', binding };

    const env = auth.env;
    const where = describeBinding(binding);
    if (env === undefined) {
      return { missing: true, binding, reason: `no API key is saved for ${where}` };
    }
    const value = this.env[env];
    if (!value) {
      return { missing: true, binding, reason: `no API key is saved for ${where} and environment variable ${env} is not set` };
    }
    if ((await this.secrets.get(envApprovalKey(env, binding))) !== 'approved') {
      return { missing: true, binding, needsApproval: env, reason: `environment variable ${env} has not been allowed for ${where} yet` };
    }
    return { value, source: 'env', env, binding };
  }
}

function envNameOf(target: KeyTarget): string | undefined {
  return target.auth.type === 'api-key' || target.auth.type === 'bearer' ? target.auth.env : undefined;
}

function envApprovalKey(env: string, binding: KeyBinding): string {
  return `${ENV_APPROVAL_PREFIX}${env}@${bindingText(binding)}`;
}
