import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { AZURE_PATH, AZURE_V1_PATH, OPENAI_PATH, chatBody, post } from './helpers';

describe('simulator auth', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ ttft_ms: 1, tpot_ms: 1, api_key: 'sekret', keep_log: true });
  });
  after(() => sim.close());

  const body = chatBody({ model: 'gpt-4o', stream: true, max_tokens: 2 });

  it('Azure routes: api-key or Bearer accepted; missing or wrong key → 401 in Azure shape', async () => {
    for (const path of [AZURE_PATH, AZURE_V1_PATH]) {
      assert.equal((await post(sim.url, path, body, { 'api-key': 'sekret' })).status, 200);
      assert.equal((await post(sim.url, path, body, { authorization: 'Bearer sekret' })).status, 200);
      const wrong: Array<Record<string, string>> = [{}, { 'api-key': 'nope' }, { authorization: 'Bearer nope' }];
      for (const headers of wrong) {
        const r = await post(sim.url, path, body, headers);
        assert.equal(r.status, 401);
        const err = JSON.parse(r.body).error;
        assert.equal(err.code, '401');
        assert.match(err.message, /^Access denied due to invalid subscription key/);
        assert.equal(r.headers['x-ms-region'], 'simulator');
      }
    }
  });

  it('OpenAI routes: Bearer only; 401 in OpenAI shape', async () => {
    assert.equal((await post(sim.url, OPENAI_PATH, body, { authorization: 'Bearer sekret' })).status, 200);
    const missing = await post(sim.url, OPENAI_PATH, body);
    assert.equal(missing.status, 401);
    assert.equal(JSON.parse(missing.body).error.type, 'invalid_request_error');
    assert.match(JSON.parse(missing.body).error.message, /didn't provide an API key/);
    const wrong = await post(sim.url, OPENAI_PATH, body, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.equal(JSON.parse(wrong.body).error.code, 'invalid_api_key');
    const azureStyle = await post(sim.url, OPENAI_PATH, body, { 'api-key': 'sekret' });
    assert.equal(azureStyle.status, 401, 'OpenAI does not read api-key');
  });

  it('logs the credential kind and the unauthorized fault, never the key', async () => {
    const before = sim.log.length;
    await post(sim.url, AZURE_PATH, body, { 'api-key': 'sekret' });
    await post(sim.url, OPENAI_PATH, body, { authorization: 'Bearer sekret' });
    await post(sim.url, OPENAI_PATH, body);
    const [a, b, c] = sim.log.slice(before);
    assert.deepEqual([a.auth, a.fault, a.status], ['api-key', null, 200]);
    assert.deepEqual([b.auth, b.fault, b.status], ['bearer', null, 200]);
    assert.deepEqual([c.auth, c.fault, c.status], ['none', 'unauthorized', 401]);
    assert.ok(!JSON.stringify(sim.log).includes('sekret'));
  });
});
