// The simulator answers an impossible request the way a real service does (400), and keeps serving.

import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { MAX_OUTPUT_TOKENS } from '../../../src/simulator/request-body';
import { OPENAI_PATH, chatBody, post } from './helpers';

describe('simulator limits', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ ttft_ms: 1, tpot_ms: 1 });
  });
  after(() => sim.close());

  it('max_tokens 1e12 (or max_completion_tokens over the limit) is a 400, and the simulator keeps serving', async () => {
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      const r = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, [field]: 1e12 }));
      assert.equal(r.status, 400);
      const err = JSON.parse(r.body).error;
      assert.equal(err.param, field);
      assert.match(err.message, new RegExp(`'${field}' is too large: 1000000000000\\. The simulator supports at most ${MAX_OUTPUT_TOKENS} completion tokens`));
    }
    const ok = await post(sim.url, OPENAI_PATH, chatBody({ model: 'gpt-4o', stream: true, max_tokens: 3 }));
    assert.equal(ok.status, 200);
  });
});
