// Which transport for the streaming hot path? Measures, in one run on this machine, the client CPU per
// request and the per-event delivery delay (client parse time − server write time) for:
//   sdk-iterator   openai SDK: client.chat.completions.create({stream:true}) and `for await`
//   sdk-raw        openai SDK request, raw body via .asResponse(), our SSE parser
//   undici         undici.request + our SSE parser
//   node-http      node:http keep-alive agent + our SSE parser (what the engine uses)
// The server runs in a child process. Usage: npx tsx bench/transport.ts [requests] [inFlight] [tokens]
// Prints a JSON line per variant and a markdown table; docs/performance.md records a run.

import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import OpenAI from 'openai';
import { Agent, request as undiciRequest } from 'undici';
import { LatencyHistogram } from '../src/engine/histogram';
import { SseParser } from '../src/engine/sse';

const REQUESTS = Number(process.argv[2] ?? 3000);
const IN_FLIGHT = Number(process.argv[3] ?? 40);
const TOKENS = Number(process.argv[4] ?? 50);
const now = () => performance.timeOrigin + performance.now();
const BODY = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });

type Client = (onEvent: (json: any, at: number) => void) => Promise<void>;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lib', 'stamped-sse-server.ts'), String(TOKENS), '2'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

function parserClient(send: (onBytes: (b: Buffer) => void) => Promise<void>): Client {
  return async (onEvent) => {
    const parser = new SseParser((e) => {
      if (e.data !== '[DONE]') onEvent(JSON.parse(e.data), e.at);
    });
    await send((b) => parser.push(b));
    parser.end();
  };
}

function variants(url: string): Record<string, { client: Client; close: () => void }> {
  const sdk = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const dispatcher = new Agent({ connections: IN_FLIGHT });
  return {
    'sdk-iterator': {
      client: async (onEvent) => {
        const stream = await sdk.chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const chunk of stream) onEvent(chunk, performance.now());
      },
      close: () => {},
    },
    'sdk-raw': {
      client: parserClient(async (onBytes) => {
        const response = await sdk.chat.completions
          .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
          .asResponse();
        for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) onBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }),
      close: () => {},
    },
    undici: {
      client: parserClient(async (onBytes) => {
        const { body } = await undiciRequest(`${url}/v1/chat/completions`, {
          method: 'POST',
          body: BODY,
          headers: { 'content-type': 'application/json' },
          dispatcher,
        });
        for await (const bytes of body) onBytes(bytes as Buffer);
      }),
      close: () => void dispatcher.close(),
    },
    'node-http': {
      client: parserClient(
        (onBytes) =>
          new Promise<void>((resolve, reject) => {
            const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
              res.on('data', onBytes);
              res.on('end', resolve);
              res.on('error', reject);
            });
            req.on('error', reject);
            req.end(BODY);
          }),
      ),
      close: () => agent.destroy(),
    },
  };
}

async function measure(name: string, client: Client) {
  const firstDelay = new LatencyHistogram();
  const eventDelay = new LatencyHistogram();
  let started = 0;
  let events = 0;
  const one = async () => {
    let first = true;
    await client((json, at) => {
      if (typeof json.t !== 'number') return;
      const delay = performance.timeOrigin + at - json.t;
      events++;
      eventDelay.record(delay);
      if (first) firstDelay.record(delay);
      first = false;
    });
  };
  const worker = async () => {
    while (started < REQUESTS) {
      started++;
      await one();
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const wall = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    variant: name,
    requests: REQUESTS,
    events,
    wall_s: +(wall / 1000).toFixed(2),
    req_per_s: +(REQUESTS / (wall / 1000)).toFixed(0),
    cpu_ms_per_1k_requests: +((cpuMs / REQUESTS) * 1000).toFixed(0),
    ttft_error_ms: firstDelay.stats(),
    event_delay_ms: eventDelay.stats(),
  };
}

async function main() {
  const server = await startServer();
  const all = variants(server.url);
  const results = [];
  try {
    // Warm up every variant (JIT, connections), then measure each in turn.
    for (const [, v] of Object.entries(all)) for (let i = 0; i < 50; i++) await v.client(() => {});
    for (const [name, v] of Object.entries(all)) {
      const r = await measure(name, v.client);
      results.push(r);
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  } finally {
    for (const v of Object.values(all)) v.close();
    server.stop();
  }
  const base = results.find((r) => r.variant === 'node-http')!;
  process.stdout.write(
    '\n| transport | req/s | CPU ms / 1k req | CPU vs node-http | TTFT error p50 / p95 / p99 (ms) | event delay p50 / p95 (ms) |\n|---|---|---|---|---|---|\n',
  );
  for (const r of results) {
    process.stdout.write(
      `| ${r.variant} | ${r.req_per_s} | ${r.cpu_ms_per_1k_requests} | ${(r.cpu_ms_per_1k_requests / base.cpu_ms_per_1k_requests).toFixed(2)}× | ${r.ttft_error_ms.p50} / ${r.ttft_error_ms.p95} / ${r.ttft_error_ms.p99} | ${r.event_delay_ms.p50} / ${r.event_delay_ms.p95} |\n`,
    );
  }
}

void main();
