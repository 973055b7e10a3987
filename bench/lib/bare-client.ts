// The in-run baseline of bench/self-check.ts: the least a Node client can do to time a stream. A
// keep-alive node:http agent, closed loop, the same request body as the engine; the SSE is split on
// blank lines only until the first content delta (its JSON parsed for the response id and the
// delta), then scanned for `[DONE]`. No metrics, no histograms: whatever timing error it shows at a
// load is the error of any Node client on this machine at that load.

import * as http from 'node:http';

export interface BareRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** One stream as the bare client saw it; times are epoch ms (performance.timeOrigin + now()),
 *  the clock of the simulator's log. */
export interface BareRecord {
  responseId: string | null;
  startMs: number;
  /** When the data handler got the chunk holding the first content delta. */
  firstTokenMs: number | null;
  /** When the data handler got the chunk holding `[DONE]`. */
  doneMs: number | null;
  ok: boolean;
}

const epochNow = () => performance.timeOrigin + performance.now();

/** One streaming request; resolves when the response ends. */
function streamOnce(agent: http.Agent, request: BareRequest): Promise<BareRecord> {
  return new Promise((resolve) => {
    const record: BareRecord = { responseId: null, startMs: 0, firstTokenMs: null, doneMs: null, ok: false };
    let text = '';
    const req = http.request(request.url, { method: 'POST', agent, headers: request.headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (piece: string) => {
        const at = epochNow();
        if (record.firstTokenMs === null) {
          text += piece;
          let end: number;
          while (record.firstTokenMs === null && (end = text.indexOf('\n\n')) >= 0) {
            const event = text.slice(0, end);
            text = text.slice(end + 2);
            if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
            const chunk = JSON.parse(event.slice(6));
            record.responseId ??= chunk.id || null;
            const content = chunk.choices?.[0]?.delta?.content;
            if (typeof content === 'string' && content !== '') record.firstTokenMs = at;
          }
          if (record.firstTokenMs !== null) text = '';
        }
        if (piece.includes('data: [DONE]')) record.doneMs = at;
      });
      res.on('end', () => {
        record.ok = res.statusCode === 200 && record.doneMs !== null;
        resolve(record);
      });
      res.on('error', () => resolve(record));
    });
    req.on('error', () => resolve(record));
    record.startMs = epochNow();
    req.end(request.body);
  });
}

/** `clients` loops back to back until `durationMs` has passed; in-flight streams are finished. */
export async function runBareClient(request: BareRequest, clients: number, durationMs: number): Promise<BareRecord[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const records: BareRecord[] = [];
  const endAt = performance.now() + durationMs;
  const loop = async () => {
    while (performance.now() < endAt) records.push(await streamOnce(agent, request));
  };
  await Promise.all(Array.from({ length: clients }, loop));
  agent.destroy();
  return records;
}
