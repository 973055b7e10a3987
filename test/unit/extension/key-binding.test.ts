import * as assert from 'node:assert/strict';
import { validateScenarioText } from '../../../src/engine/scenario/load';
import type { HttpTargetSpec, Target } from '../../../src/engine/scenario/types';
import {
  describeBinding,
  endpointOrigin,
  keyBindingOf,
  KeyBindingError,
  KeyStore,
  parseSecretKey,
  secretKeyFor,
  type KeyTarget,
  type SecretBackend,
} from '../../../src/extension/key-binding';

/** SecretStorage stand-in that also records every key name asked for. */
class MemorySecrets implements SecretBackend {
  readonly data = new Map<string, string>();
  readonly reads: string[] = [];
  async get(k: string) {
    this.reads.push(k);
    return this.data.get(k);
  }
  async store(k: string, v: string) {
    this.data.set(k, v);
  }
  async delete(k: string) {
    this.data.delete(k);
  }
}

const azure: KeyTarget = { name: 'prod', provider: 'azure', endpoint: 'https://x.openai.azure.com', deployment: 'gpt-4o', auth: { type: 'api-key' } };
const at = (endpoint: string, extra: Partial<KeyTarget> = {}): KeyTarget => ({ ...azure, endpoint, ...extra });

/** The first target of a scenario with one http target, through the real loader (endpoint normalized). */
function httpTarget(fields: string): Target {
  const text = [
    'name: x',
    'targets:',
    `  - { name: app, provider: http, ${fields}, response: { stream: sse } }`,
    'workload: { rate: 6, duration: 10s }',
    '',
  ].join('\n');
  const v = validateScenarioText(text, 'x.perf.yaml');
  assert.deepEqual(v.problems, [], fields);
  return v.scenario!.targets[0];
}

describe('extension/key-binding', () => {
  describe('secretKeyFor / endpointOrigin', () => {
    it('names the secret by origin + deployment', () => {
      assert.equal(secretKeyFor(azure), 'perflab.key:https://x.openai.azure.com:gpt-4o');
    });

    it('normalizes case, default ports, paths, trailing slashes and dots; Azure v1 and dated routes share the origin', () => {
      for (const e of [
        'https://x.openai.azure.com/',
        'HTTPS://X.OpenAI.Azure.COM',
        'https://x.openai.azure.com:443/',
        'https://x.openai.azure.com/openai/v1',
        'https://x.openai.azure.com/openai/v1/',
        'https://x.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
        'https://x.openai.azure.com./',
      ]) {
        assert.equal(secretKeyFor(at(e)), 'perflab.key:https://x.openai.azure.com:gpt-4o', e);
      }
      assert.equal(endpointOrigin('http://LOCALHOST:80/v1'), 'http://localhost');
      assert.equal(endpointOrigin('http://localhost:8000/v1'), 'http://localhost:8000');
      assert.equal(endpointOrigin('http://[::1]:8000/v1'), 'http://[::1]:8000');
      assert.equal(endpointOrigin('simulator'), 'simulator');
    });

    it('keeps different origins apart, including look-alikes', () => {
      const origins = [
        'https://x.openai.azure.com',
        'http://x.openai.azure.com',
        'https://x.openai.azure.com:8443',
        'https://x.openai.azure.com.evil.com',
        'https://evil.com/x.openai.azure.com',
        'https://xx.openai.azure.com',
        'https://x.openaі.azure.com', // Cyrillic і: punycode, another host
        'https://y.openai.azure.com',
      ].map(endpointOrigin);
      assert.equal(new Set(origins).size, origins.length, origins.join('\n'));
    });

    it('refuses URLs with credentials and non-http schemes', () => {
      assert.throws(() => endpointOrigin('https://x.openai.azure.com@evil.com'), KeyBindingError);
      assert.throws(() => endpointOrigin('https://user:pw@x.openai.azure.com'), /user name or password/);
      assert.throws(() => endpointOrigin('ftp://x.openai.azure.com'), /http\(s\)/);
      assert.throws(() => endpointOrigin('x.openai.azure.com'), /not a URL/);
    });

    it('falls back to the model, and round-trips through parseSecretKey even with colons in model names', () => {
      const ollama: KeyTarget = {
        name: 'local',
        provider: 'openai-compatible',
        endpoint: 'http://localhost:11434/v1',
        model: 'llama3:8b',
        auth: { type: 'api-key' },
      };
      const key = secretKeyFor(ollama);
      assert.equal(key, 'perflab.key:http://localhost:11434:llama3%3A8b');
      assert.deepEqual(parseSecretKey(key), { origin: 'http://localhost:11434', resource: 'llama3:8b' });
      assert.deepEqual(parseSecretKey(secretKeyFor(azure)), { origin: 'https://x.openai.azure.com', resource: 'gpt-4o' });
      assert.deepEqual(parseSecretKey(secretKeyFor(at('http://[::1]:8000'))), { origin: 'http://[::1]:8000', resource: 'gpt-4o' });
      assert.equal(parseSecretKey('other:https://x.openai.azure.com:gpt-4o'), undefined);
      assert.equal(parseSecretKey('perflab.key:https://X.com/path:gpt'), undefined); // not a normalized origin
      assert.equal(parseSecretKey('perflab.key:nonsense'), undefined);
    });
  });

  describe('KeyStore', () => {
    it('returns the key saved for this origin + deployment', async () => {
      const store = new KeyStore(new MemorySecrets(), {});
      await store.set(azure, '  sk-secret-1 \n');
      assert.deepEqual(await store.resolve(azure), {
        value: 'sk-secret-1',
        source: 'secret-storage',
        binding: { origin: 'https://x.openai.azure.com', resource: 'gpt-4o' },
      });
      // Same origin written differently, and the v1 route: the same binding.
      assert.equal(((await store.resolve(at('https://X.openai.azure.com:443/openai/v1/'))) as { value: string }).value, 'sk-secret-1');
    });

    it('never returns a key saved for origin A to origin B, another deployment, or after the endpoint changes', async () => {
      const secrets = new MemorySecrets();
      const store = new KeyStore(secrets, {});
      await store.set(azure, 'sk-for-A');
      const others: KeyTarget[] = [
        at('https://x.openai.azure.com.evil.com'),
        at('http://x.openai.azure.com'),
        at('https://x.openai.azure.com:8443'),
        at('https://evil.com/x.openai.azure.com'),
        at('https://y.openai.azure.com'),
        at('https://x.openai.azure.com', { deployment: 'gpt-4o-mini' }),
        at('https://x.openai.azure.com', { deployment: undefined, model: 'gpt-4o-2' }),
      ];
      for (const t of others) {
        const r = await store.resolve(t);
        assert.ok('missing' in r, `${t.endpoint} ${t.deployment ?? t.model} got a key`);
        assert.match(r.reason, /no API key is saved for/);
        assert.ok(!JSON.stringify(r).includes('sk-for-A'));
      }
      // A scenario edited to point elsewhere is asked again; pointing back finds the key again.
      const edited = { ...azure, endpoint: 'https://attacker.example.com' };
      assert.ok('missing' in (await store.resolve(edited)));
      await store.set(edited, 'sk-for-B');
      assert.equal(((await store.resolve(edited)) as { value: string }).value, 'sk-for-B');
      assert.equal(((await store.resolve(azure)) as { value: string }).value, 'sk-for-A');
      // Every lookup used exactly the binding of the target asked about.
      assert.ok(secrets.reads.every((k) => !k.startsWith('perflab.key:') || parseSecretKey(k) !== undefined));
    });

    it('refuses a URL with credentials instead of guessing its origin', async () => {
      const store = new KeyStore(new MemorySecrets(), {});
      await store.set(azure, 'sk-for-A');
      const r = await store.resolve(at('https://x.openai.azure.com@evil.com'));
      assert.ok('missing' in r && /user name or password/.test(r.reason));
    });

    it('uses auth.env only after the user allowed it for this origin + deployment', async () => {
      const env = { AZURE_OPENAI_API_KEY: 'sk-from-env' };
      const store = new KeyStore(new MemorySecrets(), env);
      const t = { ...azure, auth: { type: 'api-key' as const, env: 'AZURE_OPENAI_API_KEY' } };
      const first = await store.resolve(t);
      assert.ok('missing' in first);
      assert.equal(first.needsApproval, 'AZURE_OPENAI_API_KEY');
      assert.ok(!JSON.stringify(first).includes('sk-from-env'));

      await store.approveEnv(t);
      assert.deepEqual(await store.resolve(t), {
        value: 'sk-from-env',
        source: 'env',
        env: 'AZURE_OPENAI_API_KEY',
        binding: { origin: 'https://x.openai.azure.com', resource: 'gpt-4o' },
      });

      // Endpoint or deployment changed: asked again.
      for (const moved of [
        { ...t, endpoint: 'https://x.openai.azure.com.evil.com' },
        { ...t, deployment: 'other' },
      ]) {
        const r = await store.resolve(moved);
        assert.ok('missing' in r && r.needsApproval === 'AZURE_OPENAI_API_KEY');
      }
      // Another variable for the same target is a separate approval.
      const other = new KeyStore(new MemorySecrets(), { OTHER: 'x' });
      assert.ok('missing' in (await other.resolve({ ...t, auth: { type: 'api-key', env: 'OTHER' } })));

      await store.revokeEnv(t);
      assert.ok('missing' in (await store.resolve(t)));
    });

    it('prefers the saved key, reports unset variables, and ignores env without auth.env', async () => {
      const store = new KeyStore(new MemorySecrets(), { AZURE_OPENAI_API_KEY: 'sk-env' });
      const withEnv = { ...azure, auth: { type: 'api-key' as const, env: 'AZURE_OPENAI_API_KEY' } };
      await store.approveEnv(withEnv);
      await store.set(withEnv, 'sk-saved');
      assert.equal(((await store.resolve(withEnv)) as { source: string }).source, 'secret-storage');
      await store.delete(withEnv);
      assert.equal(((await store.resolve(withEnv)) as { source: string }).source, 'env');
      // `auth: { type: api-key }` with no env means the key saved in VS Code only.
      assert.ok('missing' in (await store.resolve(azure)));
      const unset = await new KeyStore(new MemorySecrets(), {}).resolve(withEnv);
      assert.ok('missing' in unset && /AZURE_OPENAI_API_KEY is not set/.test(unset.reason));
    });

    it('has no key for none/entra targets and rejects empty keys', async () => {
      const store = new KeyStore(new MemorySecrets(), {});
      assert.match(((await store.resolve({ ...azure, auth: { type: 'entra' } })) as { reason: string }).reason, /auth type entra/);
      assert.match(((await store.resolve({ ...azure, auth: { type: 'none' } })) as { reason: string }).reason, /auth type none/);
      await assert.rejects(store.set(azure, '   '), /empty/);
      await assert.rejects(store.set(azure, 'sk one'), /spaces/);
      assert.equal(await store.has(azure), false);
      await store.set(azure, 'k');
      assert.equal(await store.has(azure), true);
      await assert.rejects(store.approveEnv(azure), /names no environment variable/);
    });
  });
  describe('http targets (your own app)', () => {
    it("binds the key to the origin of the app's URL and its model; the header the engine needs comes through", async () => {
      const app = httpTarget('model: gpt-4o-mini, auth: { type: api-key, header: x-api-key }, request: { url: "http://localhost:8080/api/chat?v=2" }');
      assert.equal(app.endpoint, 'http://localhost:8080', 'the normalizer sets the endpoint to the origin of request.url');
      assert.deepEqual(app.auth, { type: 'api-key', header: 'x-api-key' }, 'the engine sends the key in this header');
      assert.deepEqual(keyBindingOf(app), { origin: 'http://localhost:8080', resource: 'gpt-4o-mini' });
      assert.equal(secretKeyFor(app), 'perflab.key:http://localhost:8080:gpt-4o-mini');
      // No model: the origin alone ('' resource), shown as the origin.
      const bare = httpTarget('auth: { type: bearer }, request: { url: "https://chat.example.com/ask" }');
      assert.deepEqual(keyBindingOf(bare), { origin: 'https://chat.example.com', resource: '' });
      assert.equal(describeBinding(keyBindingOf(bare)), 'https://chat.example.com');

      const store = new KeyStore(new MemorySecrets(), {});
      await store.set(app, 'app-key-1');
      assert.equal(((await store.resolve(app)) as { value: string }).value, 'app-key-1');
      // Another path or query of the same app: the same origin, the same key.
      const otherPath = httpTarget('model: gpt-4o-mini, auth: { type: api-key }, request: { url: "http://localhost:8080/v2/chat?stream=sse" }');
      assert.equal(((await store.resolve(otherPath)) as { value: string }).value, 'app-key-1');
      // A path joined to an endpoint on that origin: the same key.
      const joined = httpTarget('endpoint: "http://localhost:8080", model: gpt-4o-mini, auth: { type: api-key }, request: { url: /api/chat }');
      assert.equal(((await store.resolve(joined)) as { value: string }).value, 'app-key-1');
      // Another port, host or model: asked again.
      for (const fields of [
        'model: gpt-4o-mini, auth: { type: api-key }, request: { url: "http://localhost:8081/api/chat" }',
        'model: gpt-4o-mini, auth: { type: api-key }, request: { url: "http://127.0.0.1:8080/api/chat" }',
        'model: gpt-4o, auth: { type: api-key }, request: { url: "http://localhost:8080/api/chat" }',
        'auth: { type: api-key }, request: { url: "http://localhost:8080/api/chat" }',
      ]) {
        const r = await store.resolve(httpTarget(fields));
        assert.ok('missing' in r, fields);
        assert.ok(!JSON.stringify(r).includes('app-key-1'));
      }
    });

    it('binds to where the request goes even if endpoint says otherwise, and never to a host a placeholder fills in', async () => {
      const store = new KeyStore(new MemorySecrets(), {});
      const http: HttpTargetSpec = { request: { method: 'POST', url: '/chat', headers: {} }, response: { stream: 'sse' } };
      const app: KeyTarget = { name: 'app', provider: 'http', endpoint: 'https://a.example.com', auth: { type: 'api-key', header: 'x-api-key' }, http };
      const withUrl = (url: string): KeyTarget => ({ ...app, http: { ...http, request: { ...http.request, url } } });
      await store.set(app, 'key-for-a');
      // A target whose endpoint names A while request.url sends to B (the loader refuses such a file; a
      // target built by hand may not): B's key, never A's.
      const toB = withUrl('https://b.example.com/chat');
      assert.deepEqual(keyBindingOf(toB), { origin: 'https://b.example.com', resource: '' });
      assert.ok('missing' in (await store.resolve(toB)));
      // The engine joins `//b.example.com/chat` to the endpoint as a path: A's origin.
      const slashes = withUrl('//b.example.com/chat');
      assert.equal(((await store.resolve(slashes)) as { value: string }).value, 'key-for-a');
      for (const url of ['https://{{host}}/chat', '{{scheme}}://b.example.com/chat', '{{base}}/chat']) {
        const t = withUrl(url);
        assert.throws(
          () => keyBindingOf(t),
          (e: unknown) => e instanceof KeyBindingError && /placeholder/.test(e.message),
          url,
        );
        const r = await store.resolve(t);
        assert.ok('missing' in r && r.binding === undefined && /placeholder/.test(r.reason), url);
      }
      // Placeholders in the path and query are fine: the host is written out.
      const templated = withUrl('/chat/{{session_id}}?turn={{turn}}');
      assert.equal(((await store.resolve(templated)) as { value: string }).value, 'key-for-a');
    });
  });
});
