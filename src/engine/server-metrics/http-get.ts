// One GET with a time limit, through the run's proxy settings (transport.ts), for scrapes and Azure
// Resource Manager calls. Only the headers given are sent: no credential rides along by default.

import type { IncomingHttpHeaders } from 'node:http';
import type { Transport } from '../transport';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET that got no HTTP answer: `code` is the socket error (ECONNREFUSED, ENOTFOUND…) or `timeout`. */
export class HttpGetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bodies above this are cut off and refused: a /metrics page or an ARM answer is far smaller. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function httpGet(transport: Transport, url: URL, headers: Record<string, string>, timeoutMs: number): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const { agent, send } = transport.agentFor(url);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = send(url, { method: 'GET', agent, headers: { accept: 'text/plain, application/json;q=0.9, */*;q=0.1', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy();
          finish(() => reject(new HttpGetError('too_large', `the answer is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`)));
          return;
        }
        parts.push(chunk);
      });
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') })));
      res.on('error', (err) => finish(() => reject(new HttpGetError((err as NodeJS.ErrnoException).code ?? 'error', err.message))));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(() => reject(new HttpGetError('timeout', `no answer within ${(timeoutMs / 1000).toFixed(1)} s`)));
    }, timeoutMs);
    req.on('error', (err) => finish(() => reject(new HttpGetError((err as NodeJS.ErrnoException).code ?? 'error', err.message))));
    req.end();
  });
}
