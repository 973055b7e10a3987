// Test helpers: a tiny SSE client over node:http that timestamps every event as it arrives.
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { get_encoding, type Tiktoken } from 'tiktoken';

export const agent = new Agent({ keepAlive: true, maxSockets: 1000 });

export interface SseEvent {
  data: string;
  /** performance.now() when the bytes holding the end of this event arrived. */
  t: number;
  json?: any;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** performance.now() just before the request was sent. */
  start: number;
  headersAt: number;
  events: SseEvent[];
  body: string;
  /** 'end': response ended normally; 'aborted': the connection was cut. */
  ending: 'end' | 'aborted';
  endAt: number;
}

export function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(
      base + path,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const headersAt = performance.now();
        const events: SseEvent[] = [];
        let text = '';
        let pending = '';
        let settled = false;
        const isSse = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const t = performance.now();
          text += chunk;
          if (!isSse) return;
          pending += chunk;
          let at: number;
          while ((at = pending.indexOf('\n\n')) >= 0) {
            const raw = pending.slice(0, at);
            pending = pending.slice(at + 2);
            const data = raw
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            const ev: SseEvent = { data, t };
            try {
              ev.json = JSON.parse(data);
            } catch {
              /* [DONE] or malformed */
            }
            events.push(ev);
          }
        });
        const finish = (ending: Reply['ending']) => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, start, headersAt, events, body: text, ending, endAt: performance.now() });
        };
        res.on('end', () => finish('end'));
        res.on('aborted', () => finish('aborted'));
        res.on('error', () => finish('aborted'));
        res.on('close', () => finish(res.complete ? 'end' : 'aborted'));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const chatBody = (extra: Record<string, unknown> = {}) => ({
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Tell me about latency.' },
  ],
  ...extra,
});

export const AZURE_PATH = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
export const AZURE_V1_PATH = '/openai/v1/chat/completions';
export const OPENAI_PATH = '/v1/chat/completions';

/** Events that carry generated text (non-empty delta.content). */
export function contentEvents(r: Reply): SseEvent[] {
  return r.events.filter((e) => typeof e.json?.choices?.[0]?.delta?.content === 'string' && e.json.choices[0].delta.content !== '');
}

export function contentText(r: Reply): string {
  return contentEvents(r)
    .map((e) => e.json.choices[0].delta.content as string)
    .join('');
}

const encoders = new Map<string, Tiktoken>();
export function countTokens(text: string, encoding: 'o200k_base' | 'cl100k_base'): number {
  let enc = encoders.get(encoding);
  if (!enc) {
    enc = get_encoding(encoding);
    encoders.set(encoding, enc);
  }
  return enc.encode_ordinary(text).length; // special-token text in a prompt is plain text
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
