// A minimal streaming endpoint for transport benchmarks, run in its own process so it does not share
// the client's CPU. Every content event carries `t`, the server's epoch-ms stamp taken just before the
// write, so a client can measure its own delivery + parse delay per event.
// Usage: tsx bench/lib/stamped-sse-server.ts <tokens> <gap_ms>; prints the port on stdout.

import * as http from 'node:http';

const tokens = Number(process.argv[2] ?? 50);
const gapMs = Number(process.argv[3] ?? 2);
const now = () => performance.timeOrigin + performance.now();
let seq = 0;

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = `chatcmpl-${++seq}`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(
      `data: {"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`,
    );
    let i = 0;
    const tick = () => {
      if (i < tokens) {
        i++;
        res.write(
          `data: {"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" tok"},"finish_reason":null}],"t":${now()}}\n\n`,
        );
        setTimeout(tick, gapMs);
        return;
      }
      res.write(`data: {"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`);
      res.write(`data: {"id":"${id}","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${tokens},"total_tokens":${tokens + 10}}}\n\n`);
      res.end('data: [DONE]\n\n');
    };
    setTimeout(tick, gapMs);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
