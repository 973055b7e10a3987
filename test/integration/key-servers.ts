// Servers on 127.0.0.1 for the key tests (keys-ui.ts): an Azure-route service — the built-in
// simulator, which answers 401 to any other key when given one, behind a front that records every
// request's path and headers, so a test can say exactly which key reached which origin — and a
// server that redirects every request to another origin.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../src/simulator';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` (the origin a key is bound to). */
  origin: string;
  /** Every request that reached this origin, in order. */
  requests: SeenRequest[];
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An Azure OpenAI-like service that accepts only `apiKey` (any key, or none, when undefined). */
export async function startAzureService(apiKey?: string): Promise<TestServer> {
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, ttft_ms: 20, tpot_ms: 2, jitter: 0, api_key: apiKey });
  const requests: SeenRequest[] = [];
  const { server, origin } = await listen((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    // Relay to the simulator as is (headers included), and its streamed answer back.
    const upstream = http.request(`${simulator.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return {
    origin,
    requests,
    close: async () => {
      await closeServer(server);
      await simulator.close();
    },
  };
}

/** Answers every request with 307 to the same path at `to` (another origin). */
export async function startRedirect(to: string): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const { server, origin } = await listen((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(307, { location: `${to}${req.url}` });
    res.end();
  });
  return { origin, requests, close: () => closeServer(server) };
}

/** The credential a request carried: its `api-key` or `x-api-key` header (an app's), or the token of
 *  `authorization: Bearer`. */
export function keyOf(request: SeenRequest): string | undefined {
  const apiKey = request.headers['api-key'] ?? request.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return request.headers.authorization?.replace(/^Bearer /, '');
}
