// "Set API Key…" is offered only where a target reads a key (src/extension/key-need.ts): a valid
// scenario is judged from its normalized targets, one that does not validate from what it says.
import * as assert from 'node:assert/strict';
import { scenarioNeedsKey } from '../../../src/extension/key-need';

const scenario = (...targets: string[]) => ['name: x', 'targets:', ...targets.map((t) => `  - ${t}`), 'workload: { rate: 60, duration: 10s }', ''].join('\n');

describe('extension/key-need', () => {
  it('a valid scenario: keys for api-key and bearer targets, none for the simulator, auth none or entra', () => {
    const sim = '{ name: sim, provider: simulator, endpoint: simulator, model: gpt-4o }';
    const azure = '{ name: azure, provider: azure, endpoint: "https://x.openai.azure.com", deployment: gpt-4o }';
    const entra = '{ name: entra, provider: azure, endpoint: "https://x.openai.azure.com", deployment: gpt-4o, auth: { type: entra } }';
    const local = '{ name: local, provider: openai-compatible, endpoint: "http://127.0.0.1:8000/v1", model: llama, auth: { type: none } }';
    assert.equal(scenarioNeedsKey(scenario(sim, entra, local), 'x.perf.yaml'), false);
    assert.equal(scenarioNeedsKey(scenario(sim, azure), 'x.perf.yaml'), true);
  });

  it('an http target (your own app) reads a key only when its auth names one', () => {
    const app = (auth: string) => `{ name: app, provider: http, ${auth}request: { url: "http://localhost:8080/api/chat" }, response: { stream: sse } }`;
    assert.equal(scenarioNeedsKey(scenario(app('')), 'x.perf.yaml'), false, 'no auth: none');
    assert.equal(scenarioNeedsKey(scenario(app('auth: { type: none }, ')), 'x.perf.yaml'), false);
    assert.equal(scenarioNeedsKey(scenario(app('auth: { type: api-key, header: x-api-key }, ')), 'x.perf.yaml'), true);
    assert.equal(scenarioNeedsKey(scenario(app('auth: { type: bearer }, ')), 'x.perf.yaml'), true);
    // Half typed (no response yet): judged from what it says.
    const typing = (auth: string) => `name: x\ntargets:\n  - name: app\n    provider: http\n${auth}    request: { url: "http://localhost:8080/api/chat" }\n`;
    assert.equal(scenarioNeedsKey(typing(''), 'x.perf.yaml'), false);
    assert.equal(scenarioNeedsKey(typing('    auth: { type: api-key, header: x-api-key }\n'), 'x.perf.yaml'), true);
  });

  it('a scenario that does not validate: judged from what it says', () => {
    assert.equal(scenarioNeedsKey('name: x\ntargets:\n  - name: sim\n    provider: simulator\n', 'x.perf.yaml'), false);
    assert.equal(scenarioNeedsKey('name: x\ntargets:\n  - name: prod\n    provider: azure\n    endpoint: https://x.openai.azure.com\n', 'x.perf.yaml'), true);
    assert.equal(scenarioNeedsKey('name: x\ntargets:\n  - name: prod\n    provider: azure\n    auth: { type: entra }\n', 'x.perf.yaml'), false);
    assert.equal(scenarioNeedsKey('name: x\ntargets: [', 'x.perf.yaml'), false, 'nothing readable: no key to ask for');
  });
});
