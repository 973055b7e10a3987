// Which HTTP proxy a request goes through, if any: from an explicit configuration (the extension
// passes VS Code's `http.proxy`, `http.noProxy`, `http.proxyStrictSSL`) or else the environment
// (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, lower case first as curl reads them). transport.ts builds the
// agents; this module only decides and describes.
//
// NO_PROXY follows curl: `*` bypasses everything; `example.com`, `.example.com` and `*.example.com`
// match example.com and its subdomains; `host:port` matches that port only; IP addresses and CIDR
// blocks (`10.0.0.0/8`) match IP literals. Loopback targets (localhost, 127.0.0.0/8, ::1) never go
// through a proxy: the built-in simulator listens there.

import * as net from 'node:net';
import { redactUrl } from './secrets';

/** Proxy settings given explicitly (the extension); absent fields fall back to the environment. */
export interface ProxyConfig {
  /** Proxy URL for http and https targets (VS Code's `http.proxy`); empty = the environment's. */
  url?: string;
  /** Hosts that go direct (VS Code's `http.noProxy`), added to the environment's NO_PROXY. */
  noProxy?: string[];
  /** Verify TLS certificates on proxied connections (VS Code's `http.proxyStrictSSL`; default true). */
  strictSSL?: boolean;
}

/** A proxy chosen for a target, and where its URL came from (for messages). */
export interface ProxyChoice {
  url: URL;
  /** `http.proxy`, `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY` or `http_proxy`. */
  source: string;
}

/** Settings resolved once per run: invalid proxy URLs fail here, before any request. */
export interface ProxySettings {
  https: ProxyChoice | null;
  http: ProxyChoice | null;
  noProxy: string[];
  strictSSL: boolean;
}

export class ProxyError extends Error {}

/** The run's proxy settings. Throws ProxyError for a proxy URL that cannot be used. */
export function proxySettings(config: ProxyConfig = {}, env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const noProxy = [...(config.noProxy ?? []), ...splitList(env.no_proxy ?? env.NO_PROXY ?? '')];
  const strictSSL = config.strictSSL ?? true;
  if (config.url && config.url.trim() !== '') {
    const choice = parseProxy(config.url.trim(), 'http.proxy');
    return { https: choice, http: choice, noProxy, strictSSL };
  }
  return { https: fromEnv(env, 'https_proxy'), http: fromEnv(env, 'http_proxy'), noProxy, strictSSL };
}

/** The proxy for a request to `target`, or null to connect directly. */
export function proxyFor(settings: ProxySettings, target: URL): ProxyChoice | null {
  const choice = target.protocol === 'https:' ? settings.https : target.protocol === 'http:' ? settings.http : null;
  if (!choice) return null;
  const host = bareHost(target.hostname);
  if (isLoopback(host)) return null;
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  return matchesNoProxy(settings.noProxy, host, port) ? null : choice;
}

/** "via proxy http://proxy:3128 (HTTPS_PROXY)" for a proxied target, else null. Never shows the
 *  proxy's user name or password. */
export function describeProxy(settings: ProxySettings, target: URL): string | null {
  const choice = proxyFor(settings, target);
  if (!choice) return null;
  return `via proxy ${redactUrl(choice.url.href.replace(/\/$/, ''))} (${choice.source})`;
}

/** Whether a NO_PROXY list sends `host` (lower case, no brackets) on `port` direct. */
export function matchesNoProxy(entries: readonly string[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  for (const raw of entries) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(name, entry)) return true;
      continue;
    }
    // `host:port`, `[v6]:port`, `[v6]`; a bare IPv6 address has several colons and no port.
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      if (Number(withPort[2]) !== port) continue;
      entry = withPort[1];
    }
    entry = bareHost(entry)
      .replace(/^\*?\./, '')
      .replace(/\.$/, '');
    if (entry === '') continue;
    if (net.isIP(entry) !== 0 || net.isIP(name) !== 0) {
      if (sameAddress(entry, name)) return true;
      continue;
    }
    if (name === entry || name.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** localhost (and its subdomains), 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
  const name = bareHost(host).toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (net.isIPv4(name)) return name.startsWith('127.');
  if (net.isIPv6(name)) return LOOPBACK_V6.check(name, 'ipv6') || LOOPBACK_V6_MAPPED.check(name, 'ipv6');
  return false;
}

const LOOPBACK_V6 = blockList('::1', 128, 'ipv6');
const LOOPBACK_V6_MAPPED = blockList('::ffff:127.0.0.0', 104, 'ipv6');

function blockList(address: string, prefix: number, family: 'ipv4' | 'ipv6'): net.BlockList {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, family);
  return list;
}

function fromEnv(env: NodeJS.ProcessEnv, lower: 'https_proxy' | 'http_proxy'): ProxyChoice | null {
  for (const name of [lower, lower.toUpperCase()]) {
    const value = env[name]?.trim();
    if (value) return parseProxy(value, name);
  }
  return null;
}

function parseProxy(value: string, source: string): ProxyChoice {
  // curl's convention: a proxy given without a scheme is an http:// proxy.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProxyError(`${source}: not a proxy URL: ${redactUrl(text)} (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyError(`${source}: ${url.protocol.slice(0, -1)} proxies are not supported (use an http:// or https:// proxy URL)`);
  }
  if (url.hostname === '') throw new ProxyError(`${source}: the proxy URL has no host`);
  return { url, source };
}

function splitList(text: string): string[] {
  return text.split(/[,\s]+/).filter((s) => s !== '');
}

function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function sameAddress(a: string, b: string): boolean {
  const fa = net.isIP(a);
  const fb = net.isIP(b);
  if (fa === 0 || fa !== fb) return false;
  const list = new net.BlockList();
  list.addAddress(a, fa === 4 ? 'ipv4' : 'ipv6');
  return list.check(b, fb === 4 ? 'ipv4' : 'ipv6');
}

function inCidr(host: string, entry: string): boolean {
  const [address, bits] = entry.split('/');
  const family = net.isIP(bareHost(address));
  const prefix = Number(bits);
  if (family === 0 || net.isIP(host) !== family || !Number.isInteger(prefix)) return false;
  if (prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  return blockList(bareHost(address), prefix, family === 4 ? 'ipv4' : 'ipv6').check(host, family === 4 ? 'ipv4' : 'ipv6');
}
