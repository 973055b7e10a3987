// Proxies as enterprise networks use them: HTTPS_PROXY / HTTP_PROXY / NO_PROXY in the CLI, an
// explicit configuration (VS Code's http.proxy) in the engine worker. A tiny forward proxy on
// 127.0.0.1 records what it sees. Targets are named `perflab-test.invalid`, a name only the test
// proxy can resolve (it maps it to 127.0.0.1): a request that succeeds went through the proxy.
// https targets sit behind a TLS front for the simulator, with a throwaway self-signed certificate
// that the CLI trusts through NODE_EXTRA_CA_CERTS.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as path from 'node:path';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { describeProxy, isLoopback, matchesNoProxy, proxyFor, proxySettings, ProxyError } from '../../../src/engine/proxy';
import { startRun } from '../../../src/engine/run';
import type { RequestRecord } from '../../../src/engine/records';
import { Transport } from '../../../src/engine/transport';
import { startSimulator } from '../../../src/simulator/server';
import type { RunningSimulator } from '../../../src/simulator/types';
import type { WorkerStart } from '../../../src/protocol/worker';
import { perflab, tmp } from '../helpers/run-cli';
import { runEngineWorker, scenario, target } from './helpers';

const FAKE_HOST = 'perflab-test.invalid';

/** A scenario target (YAML) for the TLS front through the made-up host, keyed from the environment. */
const httpsTarget = (port: number) => `  - name: fn
    provider: openai-compatible
    endpoint: https://${FAKE_HOST}:${port}/v1
    model: gpt-4o-mini
    auth: { type: api-key, env: PERFLAB_PROXY_TEST_KEY }`;
const KEY = 'sk-perflab-proxy-test-5f2c9a71d3e84b06';
const NO_PROXY_ENV = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', NO_PROXY: '', no_proxy: '' };

interface ProxyLog {
  connects: { target: string; headers: http.IncomingHttpHeaders }[];
  requests: { line: string; headers: http.IncomingHttpHeaders }[];
  /** Every byte relayed through CONNECT tunnels, both ways. */
  relayed: Buffer[];
  refused: number;
}

interface TestProxy {
  url: string;
  port: number;
  log: ProxyLog;
  close(): Promise<void>;
}

/** Where the test proxy connects: only the made-up host, always to 127.0.0.1. */
function upstream(hostPort: string): { host: string; port: number } | null {
  const m = /^([^:]+):(\d+)$/.exec(hostPort);
  if (!m || m[1] !== FAKE_HOST) return null;
  return { host: '127.0.0.1', port: Number(m[2]) };
}

/** A forward proxy: CONNECT tunnels and absolute-URI requests, with optional Basic auth. */
async function startProxy(auth?: { user: string; pass: string }): Promise<TestProxy> {
  const log: ProxyLog = { connects: [], requests: [], relayed: [], refused: 0 };
  const expected = auth ? `Basic ${Buffer.from(`${auth.user}:${auth.pass}`).toString('base64')}` : null;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    log.requests.push({ line: `${req.method} ${req.url} HTTP/${req.httpVersion}`, headers: req.headers });
    if (expected && req.headers['proxy-authorization'] !== expected) {
      log.refused++;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const url = new URL(req.url ?? '');
    const to = upstream(url.host);
    if (!to) {
      log.refused++;
      res.writeHead(502).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = http.request({ ...to, method: req.method, path: url.pathname + url.search, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    log.connects.push({ target: req.url ?? '', headers: req.headers });
    if (expected && req.headers['proxy-authorization'] !== expected) {
      log.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const to = upstream(req.url ?? '');
    if (!to) {
      log.refused++;
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const server = net.connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) {
        log.relayed.push(Buffer.from(head));
        server.write(head);
      }
      client.on('data', (b: Buffer) => log.relayed.push(Buffer.from(b)));
      server.on('data', (b: Buffer) => log.relayed.push(Buffer.from(b)));
      client.pipe(server);
      server.pipe(client);
    });
    sockets.add(server);
    server.on('close', () => sockets.delete(server));
    server.on('error', () => client.destroy());
    client.on('error', () => server.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TLS front for the simulator that records each request's URL and headers. */
async function startTlsFront(key: string, cert: string, sim: RunningSimulator) {
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = https.createServer({ key, cert, keepAlive: true }, (req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const up = http.request({ host: '127.0.0.1', port: sim.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function cliScenario(dir: string, targetYaml: string, requests = 6): string {
  const file = path.join(dir, 'proxy.perf.yaml');
  fs.writeFileSync(
    file,
    `name: proxy-test
targets:
${targetYaml}
workload:
  mode: closed
  clients: 2
  requests: ${requests}
prompts:
  shape: custom
  context_tokens: 40
  max_tokens: 6
`,
  );
  return file;
}

/** Every file of a run folder, as text. */
function folderText(dir: string): string {
  return fs
    .readdirSync(dir)
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}

describe('proxies (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, VS Code http.proxy)', function () {
  this.timeout(60_000);
  let certDir: string;
  let key: string;
  let cert: string;
  let sim: RunningSimulator;

  before(async () => {
    certDir = tmp('perflab-proxy-cert-');
    // A throwaway certificate for the TLS front, valid for the made-up host (never committed).
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        `subjectAltName=DNS:localhost,DNS:${FAKE_HOST},IP:127.0.0.1`,
        '-days',
        '1',
        '-keyout',
        path.join(certDir, 'key.pem'),
        '-out',
        path.join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    key = fs.readFileSync(path.join(certDir, 'key.pem'), 'utf8');
    cert = fs.readFileSync(path.join(certDir, 'cert.pem'), 'utf8');
    sim = await startSimulator({ host: '127.0.0.1', port: 0, keep_log: true, ttft_ms: 5, tpot_ms: 1, api_key: KEY });
  });
  after(async () => {
    await sim.close();
    fs.rmSync(certDir, { recursive: true, force: true });
  });
  beforeEach(() => sim.log.splice(0));

  it('CLI, https target, HTTPS_PROXY: every request tunnels through CONNECT; the proxy never sees the key', async () => {
    const proxy = await startProxy();
    const front = await startTlsFront(key, cert, sim);
    try {
      const dir = tmp();
      const file = cliScenario(dir, httpsTarget(front.port));
      const out = path.join(dir, 'run');
      const r = await perflab(['run', file, '--out', out], {
        env: { ...NO_PROXY_ENV, HTTPS_PROXY: proxy.url, PERFLAB_PROXY_TEST_KEY: KEY, NODE_EXTRA_CA_CERTS: path.join(certDir, 'cert.pem') },
      });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, new RegExp(`fn: via proxy http://127\\.0\\.0\\.1:${proxy.port} \\(HTTPS_PROXY\\)`));
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
      assert.equal(summary.targets[0].requests.succeeded, 6, 'every request succeeded');
      // Keep-alive: at most one tunnel per client, every one to the made-up host.
      assert.ok(proxy.log.connects.length >= 1 && proxy.log.connects.length <= 2, `${proxy.log.connects.length} CONNECTs`);
      for (const c of proxy.log.connects) assert.equal(c.target, `${FAKE_HOST}:${front.port}`);
      assert.equal(proxy.log.requests.length, 0, 'no plain-HTTP request reached the proxy');
      assert.equal(front.seen.length, 6);
      assert.equal(sim.log.length, 6, 'the simulator served every request');
      for (const s of front.seen) assert.equal(s.headers.authorization, `Bearer ${KEY}`, 'the key reached the server');
      // What the proxy relayed is TLS: neither the key nor the request is in it.
      const relayed = Buffer.concat(proxy.log.relayed);
      assert.ok(relayed.length > 1000, 'the tunnels carried the traffic');
      for (const needle of [KEY, Buffer.from(KEY).toString('base64'), 'chat/completions', 'Bearer']) {
        assert.equal(relayed.indexOf(needle), -1, `"${needle.slice(0, 12)}…" seen by the proxy`);
      }
      assert.ok(!JSON.stringify(proxy.log.connects).includes(KEY));
    } finally {
      await proxy.close();
      await front.close();
    }
  });

  it('CLI, proxy user:pass: Proxy-Authorization is sent; the password is never printed or written', async () => {
    const proxy = await startProxy({ user: 'perfuser', pass: 'pr0xy-s3cret-pass' });
    const front = await startTlsFront(key, cert, sim);
    try {
      const dir = tmp();
      const file = cliScenario(dir, httpsTarget(front.port), 4);
      const out = path.join(dir, 'run');
      const r = await perflab(['run', file, '--out', out], {
        env: {
          ...NO_PROXY_ENV,
          https_proxy: `http://perfuser:pr0xy-s3cret-pass@127.0.0.1:${proxy.port}`,
          PERFLAB_PROXY_TEST_KEY: KEY,
          NODE_EXTRA_CA_CERTS: path.join(certDir, 'cert.pem'),
        },
      });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(proxy.log.refused, 0);
      assert.ok(proxy.log.connects.length >= 1);
      for (const c of proxy.log.connects) {
        assert.equal(c.headers['proxy-authorization'], `Basic ${Buffer.from('perfuser:pr0xy-s3cret-pass').toString('base64')}`);
      }
      assert.equal(sim.log.length, 4);
      assert.match(r.stdout, /via proxy http:\/\/\[redacted\]@127\.0\.0\.1:\d+ \(https_proxy\)/);
      const everything = r.stdout + r.stderr + folderText(out);
      for (const secret of ['pr0xy-s3cret-pass', 'perfuser', KEY]) assert.ok(!everything.includes(secret), `${secret} printed or written`);
    } finally {
      await proxy.close();
      await front.close();
    }
  });

  it('CLI, an endpoint with a query string (Azure Functions / APIM): the query reaches the server, api-version beside it', async () => {
    const proxy = await startProxy();
    const front = await startTlsFront(key, cert, sim);
    try {
      const dir = tmp();
      const file = cliScenario(
        dir,
        `  - name: apim
    provider: azure
    endpoint: https://${FAKE_HOST}:${front.port}?code=abc
    deployment: gpt-4o-mini
    api_version: 2024-10-21
    auth: { type: api-key, env: PERFLAB_PROXY_TEST_KEY }`,
        3,
      );
      const r = await perflab(['run', file, '--out', path.join(dir, 'run')], {
        env: { ...NO_PROXY_ENV, HTTPS_PROXY: proxy.url, PERFLAB_PROXY_TEST_KEY: KEY, NODE_EXTRA_CA_CERTS: path.join(certDir, 'cert.pem') },
      });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(front.seen.length, 3);
      for (const s of front.seen) {
        assert.equal(s.url, '/openai/deployments/gpt-4o-mini/chat/completions?code=abc&api-version=2024-10-21');
        assert.equal(s.headers['api-key'], KEY);
      }
      assert.deepEqual(
        sim.log.map((e) => [e.route, e.deployment, e.api_version]),
        Array(3).fill(['azure', 'gpt-4o-mini', '2024-10-21']),
      );
      // The query may hold a key (a Functions `code`): summary.json keeps its names, not its values.
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
      assert.equal(summary.scenario.targets[0].endpoint, `https://${FAKE_HOST}:${front.port}?code=[redacted]`);
      assert.ok(!fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8').includes('code=abc'));
    } finally {
      await proxy.close();
      await front.close();
    }
  });

  it('engine, http target, explicit proxy with user:pass (as the extension passes it): absolute-URI requests, query kept', async () => {
    const proxy = await startProxy({ user: 'perfuser', pass: 'pr0xy-s3cret-pass' });
    const withUser = proxy.url.replace('//', '//perfuser:pr0xy-s3cret-pass@');
    try {
      const messages: string[] = [];
      const records: RequestRecord[] = [];
      const t = target(`http://${FAKE_HOST}:${sim.port}`, { endpoint: `http://${FAKE_HOST}:${sim.port}/v1?code=abc`, auth: { type: 'api-key' } });
      const run = startRun(scenario([t], { workload: { requests: 5, clients: 2 } }), {
        outDir: null,
        proxy: { url: withUser },
        resolveCredential: async () => ({ header: 'api-key', value: KEY }),
        onRecord: (r) => records.push(r),
        onMessage: (m) => messages.push(m),
      });
      await run.done;
      assert.deepEqual(
        records.map((r) => r.error),
        Array(5).fill(null),
      );
      assert.ok(messages.includes(`sim: via proxy http://[redacted]@127.0.0.1:${proxy.port} (http.proxy)`), messages.join('\n'));
      assert.equal(proxy.log.refused, 0);
      assert.equal(proxy.log.connects.length, 0, 'http targets use absolute URIs, not CONNECT');
      assert.equal(proxy.log.requests.length, 5);
      for (const q of proxy.log.requests) {
        assert.equal(q.line, `POST http://${FAKE_HOST}:${sim.port}/v1/chat/completions?code=abc HTTP/1.1`);
        assert.equal(q.headers.host, `${FAKE_HOST}:${sim.port}`);
        assert.equal(q.headers['proxy-authorization'], `Basic ${Buffer.from('perfuser:pr0xy-s3cret-pass').toString('base64')}`);
      }
      assert.equal(sim.log.length, 5);
    } finally {
      await proxy.close();
    }
  });

  it('engine: loopback targets never use the proxy (the built-in simulator); NO_PROXY sends matching hosts direct', async () => {
    const proxy = await startProxy();
    try {
      const records: RequestRecord[] = [];
      const run = startRun(scenario([target(sim.url)], { workload: { requests: 3, clients: 1 } }), {
        outDir: null,
        proxy: { url: proxy.url },
        resolveCredential: async () => ({ header: 'api-key', value: KEY }),
        onRecord: (r) => records.push(r),
      });
      await run.done;
      assert.deepEqual(
        records.map((r) => r.error),
        [null, null, null],
      );
      assert.equal(proxy.log.connects.length + proxy.log.requests.length, 0, 'the proxy saw nothing');
      assert.equal(sim.log.length, 3);
    } finally {
      await proxy.close();
    }
    // NO_PROXY picks the direct agents (a direct request to the made-up host could not resolve it).
    const env = { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: `.invalid,example.com:8443` };
    const transport = new Transport(2, undefined, env);
    try {
      assert.equal(transport.agentFor(new URL(`https://${FAKE_HOST}/v1`)).agent, transport.httpsAgent);
      assert.equal(transport.agentFor(new URL(`http://${FAKE_HOST}/v1`)).agent, transport.httpAgent);
      assert.equal(transport.agentFor(new URL('https://api.example.com:8443/v1')).agent, transport.httpsAgent);
      const proxied = transport.agentFor(new URL('https://api.example.com/v1')).agent;
      assert.ok(proxied instanceof HttpsProxyAgent, 'port 443 is not in NO_PROXY');
      assert.equal(transport.agentFor(new URL('https://api.example.com/v2')).agent, proxied, 'one shared pool per proxy');
      assert.equal(proxied.maxSockets, 2, 'the run’s socket limit');
      assert.equal((proxied as unknown as { keepAlive: boolean }).keepAlive, true);
      assert.equal(transport.describe(new URL(`https://${FAKE_HOST}/v1`)), null);
      assert.equal(transport.describe(new URL('https://api.example.com/v1')), 'via proxy http://127.0.0.1:9 (HTTPS_PROXY)');
    } finally {
      transport.destroy();
    }
  });

  it('engine, https through the proxy: certificates are checked unless http.proxyStrictSSL is off', async () => {
    const proxy = await startProxy();
    const front = await startTlsFront(key, cert, sim);
    try {
      const t = target(`https://${FAKE_HOST}:${front.port}`, { auth: { type: 'api-key' } });
      const errors = async (strictSSL: boolean) => {
        const records: RequestRecord[] = [];
        const run = startRun(scenario([t], { workload: { requests: 2, clients: 1 }, retry: { policy: 'none', max_retry_s: 0 } }), {
          outDir: null,
          proxy: { url: proxy.url, strictSSL },
          resolveCredential: async () => ({ header: 'api-key', value: KEY }),
          onRecord: (r) => records.push(r),
        });
        await run.done;
        return records.map((r) => r.error);
      };
      // This process does not trust the test certificate.
      assert.deepEqual(await errors(true), ['connection', 'connection']);
      assert.equal(front.seen.length, 0);
      assert.deepEqual(await errors(false), [null, null]);
      assert.equal(front.seen.length, 2);
      assert.ok(proxy.log.connects.every((c) => c.target === `${FAKE_HOST}:${front.port}`));
    } finally {
      await proxy.close();
      await front.close();
    }
  });

  it('engine worker: the start message’s proxy (VS Code settings) is used', async () => {
    const proxy = await startProxy();
    try {
      const start: WorkerStart = {
        scenario: scenario([target(`http://${FAKE_HOST}:${sim.port}`)], { workload: { requests: 2, clients: 1 } }),
        outDir: tmp(),
        credentials: {},
        proxy: { url: proxy.url, noProxy: [], strictSSL: true },
      };
      const received = await runEngineWorker(start, { ...process.env, ...NO_PROXY_ENV });
      const done = received.find((m) => m.type === 'done');
      assert.ok(done, JSON.stringify(received.filter((m) => m.type !== 'window')).slice(0, 500));
      assert.ok(received.some((m) => m.type === 'message' && m.text === `sim: via proxy ${proxy.url} (http.proxy)`));
      assert.equal(proxy.log.requests.length, 2);
      assert.equal(sim.log.length, 2);
    } finally {
      await proxy.close();
    }
  });

  it('CLI: an unusable proxy URL is a clear error before anything is sent', async () => {
    const dir = tmp();
    const file = cliScenario(
      dir,
      `  - name: t
    provider: openai-compatible
    endpoint: https://${FAKE_HOST}/v1
    model: gpt-4o-mini
    auth: { type: none }`,
    );
    const r = await perflab(['run', file, '--out', path.join(dir, 'run')], {
      env: { ...NO_PROXY_ENV, HTTPS_PROXY: 'socks5://user:hunter2pass@127.0.0.1:1080' },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim(), 'HTTPS_PROXY: socks5 proxies are not supported (use an http:// or https:// proxy URL)');
    assert.ok(!fs.existsSync(path.join(dir, 'run', 'run.json')), 'no run started');
  });
});

describe('proxy resolution (proxy.ts)', () => {
  it('NO_PROXY follows curl: *, domains with their subdomains, leading dots, ports, IPs and CIDR', () => {
    const cases: [string[], string, number, boolean][] = [
      [['*'], 'anything.example', 443, true],
      [['example.com'], 'example.com', 443, true],
      [['example.com'], 'api.example.com', 443, true],
      [['example.com'], 'badexample.com', 443, false],
      [['.example.com'], 'example.com', 443, true],
      [['.example.com'], 'a.b.example.com', 443, true],
      [['*.example.com'], 'api.example.com', 443, true],
      [['EXAMPLE.com'], 'Api.Example.COM', 443, true],
      [['example.com:8443'], 'api.example.com', 8443, true],
      [['example.com:8443'], 'api.example.com', 443, false],
      [['10.1.2.3'], '10.1.2.3', 443, true],
      [['10.0.0.0/8'], '10.200.3.4', 80, true],
      [['10.0.0.0/8'], '11.0.0.1', 80, false],
      [['10.0.0.0/8'], 'ten.example', 80, false],
      [['fd00::/8'], 'fd12::1', 443, true],
      [['[fd12::1]:443'], 'fd12::1', 443, true],
      [['', ' ', 'other.org'], 'example.com', 443, false],
    ];
    for (const [list, host, port, direct] of cases) {
      assert.equal(matchesNoProxy(list, host, port), direct, `${list.join(',')} vs ${host}:${port}`);
    }
  });

  it('environment: lower case first, NO_PROXY lists split on commas and spaces; an explicit proxy wins', () => {
    const env = { https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128', HTTP_PROXY: 'proxy.corp:8080', NO_PROXY: 'a.corp, b.corp' };
    const s = proxySettings(undefined, env);
    assert.equal(s.https?.url.host, 'lower:3128');
    assert.equal(s.https?.source, 'https_proxy');
    assert.equal(s.http?.url.href, 'http://proxy.corp:8080/', 'no scheme: an http:// proxy, as curl reads it');
    assert.deepEqual(s.noProxy, ['a.corp', 'b.corp']);
    const explicit = proxySettings({ url: 'http://vscode:3128', noProxy: ['c.corp'], strictSSL: false }, env);
    assert.equal(explicit.https?.source, 'http.proxy');
    assert.equal(explicit.http?.url.host, 'vscode:3128');
    assert.deepEqual(explicit.noProxy, ['c.corp', 'a.corp', 'b.corp']);
    assert.equal(explicit.strictSSL, false);
    assert.equal(proxySettings({ url: '' }, env).https?.source, 'https_proxy', 'an empty http.proxy leaves the environment');
    assert.equal(proxySettings(undefined, {}).https, null);
    assert.throws(
      () => proxySettings(undefined, { HTTPS_PROXY: 'http://u:p@[bad' }),
      (e: Error) => e instanceof ProxyError && !e.message.includes('u:p'),
    );
  });

  it('loopback never goes through a proxy; proxy descriptions hide user information', () => {
    for (const host of ['localhost', 'api.localhost', '127.0.0.1', '127.9.9.9', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopback(host), host);
    for (const host of ['10.0.0.1', 'localhost.example.com', '[fd00::1]', '128.0.0.1']) assert.ok(!isLoopback(host), host);
    const s = proxySettings({ url: 'http://alice:s3cret@proxy.corp:3128' }, {});
    assert.equal(proxyFor(s, new URL('http://127.0.0.1:8000/v1')), null);
    assert.equal(proxyFor(s, new URL('http://[::1]:8000/v1')), null);
    assert.equal(describeProxy(s, new URL('https://contoso.openai.azure.com')), 'via proxy http://[redacted]@proxy.corp:3128 (http.proxy)');
  });
});
