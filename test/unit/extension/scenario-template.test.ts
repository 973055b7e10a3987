import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { validateScenarioText } from '../../../src/engine/scenario/load';
import type { Provider } from '../../../src/engine/scenario/types';
import { scenarioDiagnostics } from '../../../src/server/scenario-support';
import { MODEL_CATALOG } from '../../../src/tokens/catalog';
import {
  HTTP_STREAM_CHOICES,
  httpScenarioName,
  modelPicks,
  newScenarioYaml,
  OTHER_MODEL_LABEL,
  promptKey,
  relativePromptPath,
  scenarioFileName,
  scenarioFilePath,
  TemplateError,
  type PromptChoice,
  type ScenarioAnswers,
} from '../../../src/extension/scenario-template';
import { tempDir } from './helpers';

const fixtures = path.resolve(__dirname, '../../fixtures/prompts');

const providers: Record<Provider, Partial<ScenarioAnswers>> = {
  simulator: { model: 'gpt-4o-mini' },
  azure: { endpoint: 'https://my-resource.openai.azure.com', deployment: 'gpt-4o', model: 'gpt-4o' },
  openai: { model: 'gpt-4o-mini' },
  'openai-compatible': { endpoint: 'http://localhost:8000/v1', model: 'meta-llama/Llama-3.1-8B-Instruct' },
  http: { url: 'http://localhost:8080/api/chat', responseStream: 'sse', model: 'gpt-4o-mini' },
};

/** The template's commented lines for `key:` made live (the `# ` dropped), as a user would. */
function uncomment(text: string, key: string): string {
  const re = new RegExp(`^(\\s*)# (${key}:)`, 'm');
  assert.match(text, re, `a commented ${key}: line`);
  return text.replace(re, '$1$2');
}

describe('extension/scenario-template', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
    fs.mkdirSync(path.join(dir, 'prompts'));
    for (const f of ['support.prompty', 'plain.md', 'chats.jsonl']) fs.copyFileSync(path.join(fixtures, f), path.join(dir, 'prompts', f));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const prompts: Record<string, PromptChoice> = {
    'shape balanced': { kind: 'shape', profile: 'balanced' },
    'shape context with max_tokens': { kind: 'shape', profile: 'context', maxTokens: 300 },
    'shape custom': { kind: 'shape', profile: 'custom', contextTokens: 1200, maxTokens: 80 },
    prompty: { kind: 'file', path: 'prompts/support.prompty', maxTokens: 200 },
    markdown: { kind: 'file', path: 'prompts/plain.md' },
    dataset: { kind: 'file', path: 'prompts/chats.jsonl', maxTokens: 120 },
  };

  for (const [provider, fields] of Object.entries(providers) as [Provider, Partial<ScenarioAnswers>][]) {
    for (const [kind, p] of Object.entries(prompts)) {
      it(`validates for ${provider} with ${kind} (prompt files checked on disk)`, () => {
        const file = path.join(dir, `${provider}-${kind.replace(/\s+/g, '-')}.perf.yaml`);
        const text = newScenarioYaml(
          { name: `${provider} ${kind}`, provider, ...fields, prompts: p, rateRpm: 36.7, duration: '2m' },
          { fileName: file, checkFiles: true },
        );
        const v = validateScenarioText(text, file);
        assert.deepEqual(v.problems, []);
        const s = v.scenario!;
        const t = s.targets[0];
        assert.equal(t.provider, provider);
        assert.equal(s.name, `${provider} ${kind}`);
        assert.equal(s.workload.rate_rpm, 36.7);
        assert.equal(s.workload.duration_s, 120);
        assert.deepEqual(
          s.slos.map((x) => x.text),
          ['ttft.p95 < 800ms', 'e2e.p95 < 10s', 'failures < 1%'],
        );
        // Default auth: the key saved in VS Code for azure/openai, nothing for local servers and the simulator.
        assert.deepEqual(t.auth, provider === 'azure' || provider === 'openai' ? { type: 'api-key' } : { type: 'none' });
        if (p.kind === 'shape') {
          assert.equal(s.prompts.kind, 'shape');
        } else {
          assert.equal(s.prompts.kind, p.path.endsWith('.jsonl') ? 'dataset' : 'prompty');
          assert.equal((s.prompts as { file: string }).file, p.path);
        }
        if (p.kind === 'shape' && p.profile === 'custom')
          assert.deepEqual(s.prompts, { kind: 'shape', profile: 'custom', context_tokens: 1200, max_tokens: 80 });
        assert.match(text, /^# /); // commented
      });
    }
  }

  it('writes an http target for each response kind: a JSON POST of the chat, and where the text is', () => {
    assert.deepEqual(
      HTTP_STREAM_CHOICES.map((c) => c.stream),
      ['sse', 'ndjson', 'text', 'json'],
    );
    for (const stream of HTTP_STREAM_CHOICES.map((c) => c.stream)) {
      const file = path.join(dir, `http-${stream}.perf.yaml`);
      const text = newScenarioYaml(
        {
          name: 'app localhost:8080',
          provider: 'http',
          url: 'http://localhost:8080/api/chat?v=2',
          responseStream: stream,
          model: 'gpt-4o-mini',
          prompts: { kind: 'shape', profile: 'balanced' },
          rateRpm: 30,
          duration: '1m',
        },
        { fileName: file },
      );
      const v = validateScenarioText(text, file);
      assert.deepEqual(v.problems, [], stream);
      assert.deepEqual(scenarioDiagnostics(text, file), [], `${stream}: no diagnostic in the editor`);
      const t = v.scenario!.targets[0];
      assert.equal(t.name, 'app');
      assert.equal(t.provider, 'http');
      assert.equal(t.endpoint, 'http://localhost:8080', 'the key binds to the origin of request.url');
      assert.equal(t.model, 'gpt-4o-mini');
      assert.deepEqual(t.auth, { type: 'none' });
      assert.deepEqual(t.http!.request, {
        method: 'POST',
        url: 'http://localhost:8080/api/chat?v=2',
        headers: { 'content-type': 'application/json' },
        body: '{"messages": {{messages}}}\n',
      });
      // The body is JSON once the placeholder holds the chat.
      assert.deepEqual(JSON.parse(t.http!.request.body!.replace('{{messages}}', '[{"role":"user","content":"hi"}]')), {
        messages: [{ role: 'user', content: 'hi' }],
      });
      const textPath = { sse: 'delta.text', ndjson: 'delta.text', text: undefined, json: 'text' }[stream];
      assert.deepEqual(t.http!.response, textPath === undefined ? { stream } : { stream, text_path: textPath });
      if (textPath) assert.match(text, new RegExp(`^ {6}text_path: ${textPath.replace('.', '\\.')} +# check:`, 'm'));
      for (const p of ['messages', 'prompt', 'session_id', 'turn', 'model']) assert.ok(text.includes(`{{${p}}}`), `the comment names {{${p}}}`);
      // A whole answer at once has no first token: no TTFT objective by default.
      assert.deepEqual(
        v.scenario!.slos.map((s) => s.text),
        stream === 'json' ? ['e2e.p95 < 10s', 'failures < 1%'] : ['ttft.p95 < 800ms', 'e2e.p95 < 10s', 'failures < 1%'],
      );

      // Every commented example is a valid scenario once made live.
      let live = uncomment(text.replace(/^ {4}auth: \{ type: none \}\n/m, ''), 'auth');
      live = uncomment(live, 'sessions');
      if (stream !== 'text') live = uncomment(live, 'usage_path');
      if (stream === 'sse' || stream === 'ndjson') live = uncomment(live, 'done_when');
      const w = validateScenarioText(live, file);
      assert.deepEqual(w.problems, [], `${stream} uncommented`);
      const lt = w.scenario!.targets[0];
      assert.deepEqual(lt.auth, { type: 'api-key', header: 'x-api-key' });
      assert.deepEqual(w.scenario!.workload.sessions, { interactions: 3, think_time_ms: 30_000, think_time_jitter: 0, carry_history: true });
      if (stream !== 'text') assert.equal(lt.http!.response.usage_path, 'usage');
      if (stream === 'sse' || stream === 'ndjson') assert.equal(lt.http!.response.done_when, 'done == true');
    }
  });

  it('http: names the scenario after the app, writes a key reference with its header, refuses what would not run', () => {
    assert.equal(httpScenarioName('http://localhost:8080/api/chat'), 'app localhost:8080');
    assert.equal(scenarioFileName(httpScenarioName('https://Chat.Example.com/v1/ask')), 'app-chat.example.com.perf.yaml');
    const base: ScenarioAnswers = {
      name: 'app',
      provider: 'http',
      url: 'https://chat.example.com/v1/ask',
      prompts: { kind: 'shape', profile: 'balanced' },
      rateRpm: 10,
      duration: '30s',
    };
    const stored = newScenarioYaml({ ...base, auth: { kind: 'secret-storage' }, authHeader: 'x-app-key' });
    const t = validateScenarioText(stored, 'app.perf.yaml').scenario!.targets[0];
    assert.deepEqual(t.auth, { type: 'api-key', header: 'x-app-key' });
    assert.equal(t.endpoint, 'https://chat.example.com');
    assert.equal(t.http!.response.stream, 'sse', 'the default response kind');
    assert.match(stored, /key saved in VS Code for this origin/);
    const env = newScenarioYaml({ ...base, auth: { kind: 'env', env: 'APP_KEY' } });
    assert.deepEqual(validateScenarioText(env, 'app.perf.yaml').scenario!.targets[0].auth, { type: 'api-key', env: 'APP_KEY' });
    assert.throws(
      () => newScenarioYaml({ ...base, url: undefined }),
      (e: unknown) => e instanceof TemplateError && /URL of the app/.test(e.message),
    );
    assert.throws(() => newScenarioYaml({ ...base, auth: { kind: 'secret-storage' }, authHeader: 'x app key' }), /not an HTTP header name/);
    assert.throws(() => newScenarioYaml({ ...base, url: 'http://x/a\nrate: 1' }), /url must be a single line/);
    assert.throws(() => newScenarioYaml({ ...base, url: 'ftp://chat.example.com/ask' }), /app\.perf\.yaml:\d+:\d+: targets\[0\]/);
  });

  it('every template carries a commented sessions example that runs once made live', () => {
    const text = newScenarioYaml({
      name: 's',
      provider: 'simulator',
      model: 'gpt-4o-mini',
      prompts: { kind: 'shape', profile: 'balanced' },
      rateRpm: 60,
      duration: 60,
    });
    assert.equal(validateScenarioText(text, 's.perf.yaml').scenario!.workload.sessions, undefined);
    const live = validateScenarioText(uncomment(text, 'sessions'), 's.perf.yaml');
    assert.deepEqual(live.problems, []);
    assert.deepEqual(live.scenario!.workload.sessions, { interactions: 3, think_time_ms: 30_000, think_time_jitter: 0, carry_history: true });
  });

  it('writes Azure api_version for dated routes only, and uses a given one', () => {
    const base: ScenarioAnswers = {
      name: 'az',
      provider: 'azure',
      ...providers.azure,
      prompts: { kind: 'shape', profile: 'balanced' },
      rateRpm: 60,
      duration: 60,
    };
    const dated = validateScenarioText(newScenarioYaml({ ...base, apiVersion: '2025-01-01-preview' }), 'az.perf.yaml').scenario!;
    assert.equal(dated.targets[0].api_version, '2025-01-01-preview');
    const v1Text = newScenarioYaml({ ...base, endpoint: 'https://my-resource.openai.azure.com/openai/v1' });
    assert.doesNotMatch(v1Text, /api_version/);
    assert.deepEqual(validateScenarioText(v1Text, 'az.perf.yaml').problems, []);
  });

  it('references keys, never writes them', () => {
    const base: ScenarioAnswers = {
      name: 'k',
      provider: 'openai',
      model: 'gpt-4o-mini',
      prompts: { kind: 'shape', profile: 'balanced' },
      rateRpm: 10,
      duration: '30s',
    };
    const env = newScenarioYaml({ ...base, auth: { kind: 'env', env: 'OPENAI_API_KEY' } });
    assert.deepEqual(validateScenarioText(env, 'k.perf.yaml').scenario!.targets[0].auth, { type: 'api-key', env: 'OPENAI_API_KEY' });
    const entra = newScenarioYaml({ ...base, provider: 'azure', endpoint: 'https://r.openai.azure.com', deployment: 'd', auth: { kind: 'entra' } });
    assert.deepEqual(validateScenarioText(entra, 'k.perf.yaml').scenario!.targets[0].auth, { type: 'entra' });
    // Something pasted as the variable name that is really a key: refused, and not echoed whole.
    const pasted = 'sk-proj-AbCdEf1234567890AbCdEf1234567890-xyz';
    assert.throws(
      () => newScenarioYaml({ ...base, auth: { kind: 'env', env: pasted } }),
      (err: unknown) => err instanceof TemplateError && /not an environment variable name/.test(err.message) && !err.message.includes(pasted),
    );
    const stored = newScenarioYaml(base);
    assert.deepEqual(parseDocument(stored).toJS().targets[0].auth, { type: 'api-key' });
    assert.match(stored, /key saved in VS Code/);
  });

  it('quotes values YAML would misread and writes custom SLOs or none', () => {
    const text = newScenarioYaml({
      name: 'chat: v2 # beta',
      provider: 'openai-compatible',
      endpoint: 'http://localhost:11434/v1',
      model: 'yes',
      prompts: { kind: 'shape', profile: 'generation' },
      rateRpm: 5,
      duration: 30,
      clients: 3,
      slos: ['ttft.p99 < 2s', 'rpm >= 4.5'],
    });
    const s = validateScenarioText(text, 'x.perf.yaml').scenario!;
    assert.equal(s.name, 'chat: v2 # beta');
    assert.equal(s.targets[0].model, 'yes');
    assert.equal(s.targets[0].name, 'yes');
    assert.equal(s.workload.clients, 3);
    assert.equal(s.workload.duration_s, 30);
    assert.deepEqual(
      s.slos.map((x) => x.text),
      ['ttft.p99 < 2s', 'rpm >= 4.5'],
    );
    const none = newScenarioYaml({ name: 'n', provider: 'simulator', prompts: { kind: 'shape', profile: 'balanced' }, rateRpm: 5, duration: 30, slos: [] });
    assert.deepEqual(validateScenarioText(none, 'n.perf.yaml').scenario!.slos, []);
    assert.match(none, /^# slos:$/m);
  });

  it('refuses answers that would not make a valid scenario, with positioned reasons', () => {
    const base: ScenarioAnswers = {
      name: 'bad',
      provider: 'azure',
      endpoint: 'https://r.openai.azure.com',
      prompts: { kind: 'shape', profile: 'balanced' },
      rateRpm: 10,
      duration: '1m',
    };
    assert.throws(() => newScenarioYaml(base), /bad\.perf\.yaml:\d+:\d+: targets\[0\].*deployment/);
    assert.throws(() => newScenarioYaml({ ...base, deployment: 'd', rateRpm: 0 }), /workload\.rate/);
    assert.throws(() => newScenarioYaml({ ...base, deployment: 'd', slos: ['ttft.p95 < fast'] }), /slos\[0\]/);
    assert.throws(() => newScenarioYaml({ ...base, deployment: 'd', duration: 'forever' }), /workload\.duration/);
    assert.throws(() => newScenarioYaml({ ...base, deployment: 'd', endpoint: 'ftp://x' }), /endpoint/);
    assert.throws(() => newScenarioYaml({ ...base, deployment: 'd\nrate: 1' }), /single line/);
    const missing = path.join(dir, 'm.perf.yaml');
    assert.throws(
      () => newScenarioYaml({ ...base, deployment: 'd', prompts: { kind: 'file', path: 'nope.prompty' } }, { fileName: missing, checkFiles: true }),
      /nope\.prompty/,
    );
  });

  it('saves to exactly one .perf.yaml, whatever the save dialog returned', () => {
    const at = (name: string) => scenarioFilePath(path.join(dir, name));
    assert.equal(at('gpt-4o-mini.perf.yaml.perf.yaml'), path.join(dir, 'gpt-4o-mini.perf.yaml'));
    assert.equal(at('gpt-4o-mini.perf.yaml'), path.join(dir, 'gpt-4o-mini.perf.yaml'));
    assert.equal(at('gpt-4o-mini'), path.join(dir, 'gpt-4o-mini.perf.yaml'));
    assert.equal(at('load.yaml'), path.join(dir, 'load.perf.yaml'));
    assert.equal(at('load.perf'), path.join(dir, 'load.perf.yaml'));
    assert.equal(at('load.perf.yml'), path.join(dir, 'load.perf.yaml'));
    assert.equal(at('Load.PERF.YAML.yaml'), path.join(dir, 'Load.perf.yaml'));
    assert.equal(at('v1.2-chat'), path.join(dir, 'v1.2-chat.perf.yaml'), 'other dots are part of the name');
    assert.equal(at('.perf.yaml'), path.join(dir, 'scenario.perf.yaml'));
  });

  it('offers the model catalog with context and price, the preferred model first, then "Other…"', () => {
    const picks = modelPicks('gpt-5-mini');
    assert.deepEqual(
      picks.map((p) => p.model),
      ['gpt-5-mini', ...MODEL_CATALOG.map((m) => m.name).filter((n) => n !== 'gpt-5-mini'), undefined],
    );
    assert.equal(picks.at(-1)!.label, OTHER_MODEL_LABEL);
    const byName = new Map(picks.map((p) => [p.label, p.description]));
    assert.equal(byName.get('gpt-5-mini'), '400K context · $0.25 in / $0.025 cached / $2.00 out per 1M tokens (list price as of 2026-11-27)');
    assert.equal(byName.get('gpt-4.1-nano'), '1.05M context · $0.10 in / $0.025 cached / $0.40 out per 1M tokens (list price as of 2026-11-27)');
    assert.equal(byName.get('gpt-4o'), '128K context · $2.50 in / $1.25 cached / $10.00 out per 1M tokens (list price as of 2026-12-06)');
    assert.deepEqual(
      modelPicks()
        .map((p) => p.model)
        .slice(0, 2),
      ['gpt-4o', 'gpt-4o-mini'],
      'catalog order without a preference',
    );
  });

  it('a scenario for any catalog model validates and starts without a warning', () => {
    for (const model of MODEL_CATALOG.map((m) => m.name)) {
      for (const answers of [
        { provider: 'simulator', model },
        { provider: 'openai', model },
        { provider: 'azure', endpoint: 'https://r.openai.azure.com', deployment: `${model}-prod`, model },
      ] as Partial<ScenarioAnswers>[]) {
        const file = path.join(dir, scenarioFileName(model));
        const text = newScenarioYaml(
          { name: model, prompts: { kind: 'shape', profile: 'balanced' }, rateRpm: 60, duration: '60s', ...answers } as ScenarioAnswers,
          { fileName: file },
        );
        assert.deepEqual(validateScenarioText(text, file).problems, [], `${answers.provider} ${model}`);
        assert.deepEqual(scenarioDiagnostics(text, file), [], `${answers.provider} ${model}: no diagnostic in the editor`);
      }
    }
    // A model the catalog does not know ("Other…") is written as typed; the editor says it has no price.
    const other = newScenarioYaml({
      name: 'llama',
      provider: 'openai-compatible',
      endpoint: 'http://127.0.0.1:8000/v1',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      prompts: { kind: 'shape', profile: 'balanced' },
      rateRpm: 60,
      duration: '60s',
    });
    assert.deepEqual(
      scenarioDiagnostics(other, 'llama.perf.yaml').map((d) => d.severity),
      ['warning'],
    );
  });

  it('names files and prompt paths', () => {
    assert.equal(scenarioFileName('My chat app!'), 'my-chat-app.perf.yaml');
    assert.equal(scenarioFileName('  '), 'scenario.perf.yaml');
    assert.equal(relativePromptPath(path.join(dir, 'perf', 'a.perf.yaml'), path.join(dir, 'prompts', 'chats.jsonl')), '../prompts/chats.jsonl');
    assert.equal(promptKey('x/Chats.JSONL'), 'dataset');
    assert.equal(promptKey('x/support.prompty'), 'file');
  });
});
