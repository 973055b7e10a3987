// The run's connections: shared keep-alive agents sized for its concurrency, direct or through an
// HTTP proxy (proxy.ts decides which). Proxied https targets go through a CONNECT tunnel
// (https-proxy-agent): the proxy relays TLS bytes and never sees the key or the request. Proxied http
// targets are sent to the proxy as absolute-URI requests (http-proxy-agent). Both agents extend
// node's http.Agent, so keep-alive, maxSockets and LIFO scheduling work as for the direct agents.
//
// Transport choice (bench/transport.ts, docs/performance.md): a keep-alive node:http agent with the
// small SSE parser in ./sse costs the least CPU per request and adds the least timing error.

import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { describeProxy, proxyFor, proxySettings, type ProxyConfig, type ProxySettings } from './proxy';

export interface Route {
  agent: http.Agent;
  send: typeof http.request;
}

type PoolOptions = http.AgentOptions & { scheduling: 'lifo' };
type ConnectOpts = Parameters<HttpsProxyAgent<string>['connect']>[1];

/** CONNECT tunnel whose TLS to the target skips certificate checks when http.proxyStrictSSL is off
 *  (the library takes the target's TLS options from the request, which runAttempt does not set). */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(proxy: URL, options: PoolOptions & { rejectUnauthorized: boolean; headers: Record<string, string> }) {
    super(proxy, options);
  }
  override connect(req: http.ClientRequest, opts: ConnectOpts): Promise<net.Socket> {
    if (this.connectOpts.rejectUnauthorized !== false) return super.connect(req, opts);
    return super.connect(req, { ...opts, rejectUnauthorized: false } as ConnectOpts);
  }
}

/** The proxy URL without user name and password, which become a Proxy-Authorization header: the
 *  libraries' debug output (DEBUG=https-proxy-agent) prints the URL they are given. */
function withoutUserinfo(url: URL): { proxy: URL; headers: Record<string, string> } {
  if (url.username === '' && url.password === '') return { proxy: url, headers: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const proxy = new URL(url.href);
  proxy.username = '';
  proxy.password = '';
  return { proxy, headers: { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

/** Shared keep-alive agents: one per protocol for direct connections, one per protocol and proxy. */
export class Transport {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  readonly proxy: ProxySettings;
  private readonly pool: PoolOptions;
  private readonly proxied = new Map<string, http.Agent>();

  /** `proxy` absent: the environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY. Throws ProxyError for an
   *  unusable proxy URL. */
  constructor(maxSockets: number, proxy?: ProxyConfig, env: NodeJS.ProcessEnv = process.env) {
    this.proxy = proxySettings(proxy, env);
    this.pool = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' };
    this.httpAgent = new http.Agent(this.pool);
    this.httpsAgent = new https.Agent(this.pool);
  }

  /** The agent and request function for a URL (direct, or through its proxy). */
  agentFor(url: URL): Route {
    const secure = url.protocol === 'https:';
    const send = secure ? https.request : http.request;
    const choice = proxyFor(this.proxy, url);
    if (!choice) return { agent: secure ? this.httpsAgent : this.httpAgent, send };
    const key = `${url.protocol} ${choice.url.href}`;
    let agent = this.proxied.get(key);
    if (!agent) {
      const { proxy, headers } = withoutUserinfo(choice.url);
      const options = { ...this.pool, rejectUnauthorized: this.proxy.strictSSL, headers };
      agent = secure ? new TunnelAgent(proxy, options) : new HttpProxyAgent(proxy, options);
      this.proxied.set(key, agent);
    }
    return { agent, send };
  }

  /** "via proxy http://proxy:3128 (HTTPS_PROXY)" when requests to `url` use a proxy, else null. */
  describe(url: URL): string | null {
    return describeProxy(this.proxy, url);
  }

  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const agent of this.proxied.values()) agent.destroy();
  }
}
