// `--fail-if-client-limited`: a CI gate that refuses numbers this machine distorted (exit 3), and lets
// the same run through without the option.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { EXIT_OK, EXIT_RUN_ERROR, executeScenario } from '../../../src/cli/execute';
import { chunk, startFaultServer, type FaultServer } from '../engine/fault-server';
import { scenario, target } from '../engine/helpers';
import { tmp } from '../helpers/run-cli';

/** Runs `body` with stdout and stderr captured (executeScenario prints the live lines and summary). */
async function captured<T>(body: () => Promise<T>): Promise<{ result: T; out: string }> {
  let out = '';
  const writes = [process.stdout.write, process.stderr.write];
  const capture = (chunkText: string | Uint8Array) => {
    out += String(chunkText);
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    return { result: await body(), out };
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
  }
}

describe('perflab --fail-if-client-limited', function () {
  this.timeout(30_000);
  let server: FaultServer;
  before(async () => {
    // The engine shares this process: holding the loop after writing the first token delays its stamp.
    server = await startFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ content: 'first' }));
      const until = performance.now() + 60;
      while (performance.now() < until) {
        /* a saturated client */
      }
      res.write(`data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  after(() => server.close());

  it('exits 3 naming the target and the reason; without the option the same run exits 0 and warns', async () => {
    const s = () => scenario([target(server.url)], { workload: { requests: 3, clients: 1 } });
    const gated = await captured(() => executeScenario(s(), { out: path.join(tmp(), 'run'), format: 'human', failIfClientLimited: true }));
    assert.equal(gated.result, EXIT_RUN_ERROR);
    assert.match(
      gated.out,
      /--fail-if-client-limited: this machine may have inflated the latencies of "sim" \(the client's own delay added ≈ [\d.]+ ms \(p95\) to first tokens/,
    );
    const plain = await captured(() => executeScenario(s(), { out: path.join(tmp(), 'run'), format: 'human' }));
    assert.equal(plain.result, EXIT_OK);
    assert.match(plain.out, /! this machine may have inflated these latencies/);
  });
});
