// A small HTTP server on 127.0.0.1 for the tests of misbehaving deployments: each test gives the
// handler that answers every attempt, and the server logs every attempt it received (time, the
// engine's x-perflab-request-id, headers, body), so a test counts attempts per request at the server.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAttempt {
  /** performance.now() when the request's headers arrived (same process and clock as the engine). */
  at: number;
  requestId: string | undefined;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type FaultHandler = (req: http.IncomingMessage, res: http.ServerResponse, attempt: ReceivedAttempt) => void;

export interface FaultServer {
  url: string;
  attempts: ReceivedAttempt[];
  close(): Promise<void>;
}

export async function startFaultServer(handler: FaultHandler): Promise<FaultServer> {
  const attempts: ReceivedAttempt[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const at = performance.now();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const attempt: ReceivedAttempt = {
        at,
        requestId: req.headers['x-perflab-request-id'] as string | undefined,
        url: req.url ?? '',
        headers: req.headers,
        body,
      };
      attempts.push(attempt);
      open.add(res);
      res.on('close', () => open.delete(res));
      handler(req, res, attempt);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A chat.completion.chunk event line. */
export function chunk(delta: object, extra: object = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
}

/** A complete, healthy stream of `words` content chunks with usage. */
export function healthyStream(res: http.ServerResponse, words = 3): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(chunk({ role: 'assistant', content: '' }));
  for (let i = 0; i < words; i++) res.write(chunk({ content: ` w${i}` }));
  res.write(`data: ${JSON.stringify({ id: 'chatcmpl-x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ id: 'chatcmpl-x', choices: [], usage: { prompt_tokens: 10, completion_tokens: words, total_tokens: 10 + words } })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** 429 with retry-after-ms, as Azure OpenAI throttles. */
export function throttle(res: http.ServerResponse, retryAfterMs: number): void {
  res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': String(retryAfterMs), 'retry-after': String(Math.ceil(retryAfterMs / 1000)) });
  res.end(JSON.stringify({ error: { code: '429', message: 'Requests to the deployment have exceeded the rate limit. Please retry after 1 second.' } }));
}
