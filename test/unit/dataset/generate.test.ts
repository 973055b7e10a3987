// `generateDataset` against the simulator on 127.0.0.1: unique, valid chat lines with exact token
// counts; every route and API of the engine; keys only to the target; stopping short with a reason.

import { strict as assert } from 'node:assert';
import { formatDataset } from '../../../src/dataset/dataset-file';
import { generateDataset, generationMessages, type GenerateProgress } from '../../../src/dataset/generate';
import { normalizeText } from '../../../src/dataset/dedupe';
import { parseScenario } from '../../../src/engine/scenario/load';
import type { Target } from '../../../src/engine/scenario/types';
import { startSimulator } from '../../../src/simulator/server';
import { QUESTION_POOL_SIZE, questionRequest } from '../../../src/simulator/question-generator';
import type { RunningSimulator } from '../../../src/simulator/types';
import { refChatCount, refCount } from '../tokens/fixtures';

const FAST = '{ ttft_ms: 2, tpot_ms: 0.05, jitter: 0, tokens_per_chunk: 4 }';

function target(yaml: string): Target {
  const scenario = parseScenario(`name: t\ntargets:\n${yaml}\nworkload: { rate: 60, duration: 1s }\nprompts: { shape: balanced }\n`, 'gen.perf.yaml');
  return scenario.targets[0];
}

describe('dataset generate (simulator)', function () {
  this.timeout(60_000);

  it('25 unique messages: valid chat JSON lines, prompt_tokens = tiktoken with chat framing', async () => {
    const progress: GenerateProgress[] = [];
    const t = target(
      `  - { name: sim, provider: simulator, endpoint: simulator, deployment: gpt-4o-mini, model: gpt-4o-mini, auth: { type: none }, simulator: ${FAST} }`,
    );
    const r = await generateDataset({
      target: t,
      credential: null,
      count: 25,
      about: 'a budgeting app for freelancers',
      system: 'You are Budgie, a helpful assistant.',
      onProgress: (p) => progress.push(p),
    });
    assert.equal(r.stopReason, 'complete');
    assert.equal(r.shortfall, null);
    assert.equal(r.lines.length, 25);
    const lines = formatDataset(r.lines).trimEnd().split('\n');
    assert.equal(lines.length, 25);
    const users = new Set<string>();
    for (const line of lines) {
      const v = JSON.parse(line);
      assert.deepEqual(Object.keys(v), ['messages', 'prompt_tokens']);
      assert.equal(v.messages.length, 2);
      assert.deepEqual(v.messages[0], { role: 'system', content: 'You are Budgie, a helpful assistant.' });
      assert.equal(v.messages[1].role, 'user');
      assert.ok(v.messages[1].content.length > 5);
      assert.equal(v.prompt_tokens, refChatCount(v.messages, 'o200k_base'));
      users.add(normalizeText(v.messages[1].content));
    }
    assert.equal(users.size, 25, 'every line asks something different');
    assert.ok(
      [...users].some((u) => u.includes('budgeting app for freelancers')),
      'the domain shows up in the questions',
    );
    assert.equal(progress.at(-1)?.unique, 25);
    assert.match(progress[0].message, /^request 1 to the simulator: \d+ messages, \d+ new — \d+\/25$/);
  });

  it('Azure deployment route, OpenAI route and the Responses API all work; a cl100k model counts with cl100k', async () => {
    const sim = await startSimulator({ ttft_ms: 2, tpot_ms: 0.05, jitter: 0, api_key: 'sekret', keep_log: true });
    try {
      const cases: { yaml: string; route: string; api: string; auth: string }[] = [
        {
          yaml: `  - { name: az, provider: azure, endpoint: "${sim.url}", deployment: gpt-4, model: gpt-4, api_version: 2024-10-21, auth: { type: api-key } }`,
          route: 'azure',
          api: 'chat',
          auth: 'api-key',
        },
        {
          yaml: `  - { name: oa, provider: openai-compatible, endpoint: "${sim.url}/v1", model: gpt-4o, auth: { type: bearer, env: X } }`,
          route: 'openai',
          api: 'chat',
          auth: 'bearer',
        },
        {
          yaml: `  - { name: rs, provider: openai-compatible, endpoint: "${sim.url}/v1", model: gpt-4o, api: responses, auth: { type: bearer, env: X } }`,
          route: 'openai',
          api: 'responses',
          auth: 'bearer',
        },
      ];
      for (const c of cases) {
        const t = target(c.yaml);
        const before = sim.log.length;
        const r = await generateDataset({
          target: t,
          credential: { header: c.auth === 'bearer' ? 'authorization' : 'api-key', value: 'sekret' },
          count: 8,
          about: 'a recipe site',
        });
        assert.equal(r.lines.length, 8, `${t.name}: ${r.shortfall} ${r.errors.join('; ')}`);
        const enc = t.model === 'gpt-4' ? 'cl100k_base' : 'o200k_base';
        for (const l of r.lines) assert.equal(l.prompt_tokens, refChatCount(l.messages, enc));
        const entries = sim.log.slice(before);
        assert.ok(entries.length >= 1);
        for (const e of entries) {
          assert.equal(e.status, 200);
          assert.equal(e.route, c.route);
          assert.equal(e.api, c.api);
          assert.equal(e.auth, c.auth);
        }
      }
    } finally {
      await sim.close();
    }
  });

  it('a wrong key: three failed requests, then it stops and says why', async () => {
    const sim = await startSimulator({ ttft_ms: 2, api_key: 'right' });
    try {
      const t = target(`  - { name: oa, provider: openai-compatible, endpoint: "${sim.url}/v1", model: gpt-4o, auth: { type: bearer, env: X } }`);
      const r = await generateDataset({ target: t, credential: { header: 'authorization', value: 'wrong' }, count: 10, about: 'x' });
      assert.equal(r.stopReason, 'failures');
      assert.equal(r.calls, 3);
      assert.equal(r.lines.length, 0);
      assert.match(r.errors[0], /^HTTP 401/);
      assert.match(r.shortfall!, /3 requests in a row failed \(last: HTTP 401/);
      assert.doesNotMatch(r.shortfall!, /wrong/);
    } finally {
      await sim.close();
    }
  });

  it(`asking for more than the simulator's ${QUESTION_POOL_SIZE} questions stops short, says so, keeps what it got`, async () => {
    const t = target(`  - { name: sim, provider: simulator, endpoint: simulator, model: gpt-4o-mini, auth: { type: none }, simulator: ${FAST} }`);
    const r = await generateDataset({ target: t, credential: null, count: 400, about: 'a budgeting app', batchSize: 50 });
    assert.ok(r.stopReason === 'exhausted' || r.stopReason === 'max-calls', r.stopReason);
    assert.ok(r.lines.length > 150 && r.lines.length <= QUESTION_POOL_SIZE, String(r.lines.length));
    assert.ok(r.duplicates > 0);
    assert.match(r.shortfall!, new RegExp(`^stopped with ${r.lines.length} of 400 unique messages after ${r.calls} request\\(s\\)`));
    assert.equal(new Set(r.lines.map((l) => normalizeText(l.messages[0].content))).size, r.lines.length);
  });

  it('cancelling keeps what was collected', async () => {
    const t = target(`  - { name: sim, provider: simulator, endpoint: simulator, model: gpt-4o-mini, auth: { type: none }, simulator: ${FAST} }`);
    const abort = new AbortController();
    const r = await generateDataset({
      target: t,
      credential: null,
      count: 100,
      about: 'x',
      batchSize: 10,
      signal: abort.signal,
      onProgress: (p) => p.call === 2 && abort.abort(),
    });
    assert.equal(r.stopReason, 'cancelled');
    assert.equal(r.calls, 2);
    assert.equal(r.lines.length, 20);
    assert.match(r.shortfall!, /^cancelled with 20 of 100/);
  });

  it('the generation prompt is what the simulator recognises (and it names the domain)', () => {
    const messages = generationMessages('a  recipe\nsite', 25, 0, ['Earlier one?']);
    assert.deepEqual(questionRequest(messages), { count: 25, domain: 'a recipe site' });
    assert.match(messages[1].content, /- Earlier one\?/);
    assert.equal(questionRequest([{ role: 'user', content: 'Tell me 5 questions' }]), null);
  });
});

describe('simulator: question answers', function () {
  let sim: RunningSimulator;
  before(async () => (sim = await startSimulator({ ttft_ms: 1, tpot_ms: 0, jitter: 0, tokens_per_chunk: 3, keep_log: true, seed: 7 })));
  after(() => sim.close());

  const ask = async (body: Record<string, unknown>) => {
    const res = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.text();
  };

  it('streams a JSON array whose chunks are valid JSON events; usage counts its tokens exactly', async () => {
    const messages = generationMessages('a "quoted" domain\\with backslash', 12, 0, []);
    const text = await ask({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    const events = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
      .map((e) => JSON.parse(e.slice(6)));
    const content = events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('');
    const questions = JSON.parse(content) as string[];
    assert.equal(questions.length, 12);
    assert.equal(new Set(questions).size, 12);
    const usage = events.at(-1).usage;
    assert.equal(usage.completion_tokens, refCount(content, 'o200k_base'));
    assert.equal(events.at(-2).choices[0].finish_reason, 'stop');
  });

  it('deterministic per seed and request order; max_tokens cuts the array (finish_reason length)', async () => {
    const body = { model: 'gpt-4o', messages: generationMessages('x', 5, 0, []), stream: false };
    const answers = async (seed: number) => {
      const s = await startSimulator({ ttft_ms: 1, tpot_ms: 0, seed });
      try {
        const out: string[] = [];
        for (let i = 0; i < 2; i++) {
          const res = await fetch(`${s.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          out.push(JSON.parse(await res.text()).choices[0].message.content);
        }
        return out;
      } finally {
        await s.close();
      }
    };
    const [a, b, c] = [await answers(7), await answers(7), await answers(8)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.notEqual(a[0], a[1], 'each request draws anew');
    assert.equal(JSON.parse(a[0]).length, 5);
    const cut = JSON.parse(await ask({ ...body, max_tokens: 10 }));
    assert.equal(cut.choices[0].finish_reason, 'length');
    assert.equal(cut.usage.completion_tokens, 10);
  });
});
