// The "keys" suite, driven only from the browser (no extension tests run, so VS Code shows its modal
// dialogs: it refuses them while extension tests run). What the README promises about keys, through
// the real inputs, against Azure-route services on 127.0.0.1 that record which key reached them
// (key-servers.ts): Set API Key… saves a key that a run sends to that origin + deployment only; an
// edited endpoint asks again; Forget API Key… forgets it; a variable named in `auth.env` is sent only
// after "Allow" in the dialog, for that origin; a redirect to another origin never carries the key.
// Then the commands that ask in a modal dialog or a native menu: Delete Run, Estimate Load… and
// Dataset from CSV… (modal-commands-ui.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunSummary } from '../../src/engine/summary';
import { keyOf, startAzureService, startRedirect, type TestServer } from './key-servers';
import { modalCommandSteps } from './modal-commands-ui';
import { runSteps, type UiStep } from './ui-steps';
import { RunFolders } from './run-folders';
import { answerDialog, answerInput, dialogShown, dialogText, escapeRegExp, runCommand, runCommandAndPick, waitForNotification } from './ui';

const workspace = process.env.PERFLAB_INTEGRATION_WORKSPACE!;
/** Set by run-all.ts for this suite: the value a scenario names in `auth.env`. */
const ENV_NAME = 'PERFLAB_IT_ENV_KEY';

const KEY_A = 'key-for-service-a';
const KEY_B = 'key-for-service-b';
const KEY_R = 'key-for-the-redirecting-service';
const KEY_APP = 'key-for-the-llm-app';

/** Your own LLM app (provider: http): the simulator's app route behind the recording front, its key in
 *  the header `auth.header` names. */
const appScenario = (endpoint: string) => `name: app
targets:
  - name: app
    provider: http
    endpoint: ${endpoint}
    model: gpt-4o
    auth: { type: api-key, header: x-api-key }
    request:
      url: /app/chat?stream=sse
      body: '{"question": "{{prompt}}", "max_tokens": 10}'
    response: { stream: sse, text_path: delta.text, done_when: done == true, usage_path: usage }
workload: { rate: 120, arrival: constant, clients: 4, duration: 3s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
retry: none
`;

/** One Azure target reading a key; short runs (a few requests) with no retries. */
const azureScenario = (name: string, endpoint: string, auth = '{ type: api-key }') => `name: ${name}
targets:
  - name: prod
    provider: azure
    endpoint: ${endpoint}
    deployment: gpt-4o
    model: gpt-4o
    auth: ${auth}
workload: { rate: 120, arrival: constant, clients: 4, duration: 3s }
prompts: { shape: custom, context_tokens: 50, max_tokens: 10 }
retry: none
`;

export default async function keysUi(page: Page, log: (message: string) => void): Promise<void> {
  if (!workspace) throw new Error('PERFLAB_INTEGRATION_WORKSPACE is not set');
  const envValue = process.env[ENV_NAME];
  if (!envValue) throw new Error(`${ENV_NAME} is not set (run-all.ts sets it for this suite)`);
  const a = await startAzureService(KEY_A);
  const b = await startAzureService(KEY_B);
  const e = await startAzureService(envValue);
  const elsewhere = await startAzureService();
  const redirect = await startRedirect(elsewhere.origin);
  const app = await startAzureService(KEY_APP);
  const servers: Record<string, TestServer> = { a, b, e, elsewhere, redirect, app };
  const file = (name: string) => path.join(workspace, name);
  fs.writeFileSync(file('keyed.perf.yaml'), azureScenario('keyed', a.origin));
  fs.writeFileSync(file('env.perf.yaml'), azureScenario('env', e.origin, `{ type: api-key, env: ${ENV_NAME} }`));
  fs.writeFileSync(file('redirect.perf.yaml'), azureScenario('redirect', redirect.origin));
  fs.writeFileSync(file('app.perf.yaml'), appScenario(app.origin));
  const binding = (server: TestServer) => `gpt-4o at ${server.origin}`;

  const runs = new RunFolders(workspace);
  /** The error and information messages the extension shows, read in the notification centre. */
  const said = (text: string) => waitForNotification(page, text);
  const onlyKeys = (server: TestServer, key: string, from = 0) => {
    const seen = server.requests.slice(from).map(keyOf);
    if (seen.length === 0) throw new Error(`no request reached ${server.origin}`);
    if (!seen.every((k) => k === key)) throw new Error(`${server.origin} received keys ${JSON.stringify([...new Set(seen)])}, expected only "${key}"`);
  };

  const steps: UiStep[] = [
    {
      name: 'Set API Key…: the input asks for the key of this origin + deployment, hidden as it is typed',
      run: async () => {
        await runCommandAndPick(page, 'LLM Perf Lab: Set API Key…', /Run Scenario/, 'keyed.perf.yaml');
        const title = new RegExp(`^API key for ${escapeRegExp(binding(a))}$`);
        await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
        const type = await page.locator('.quick-input-widget .quick-input-box input').getAttribute('type');
        if (type !== 'password') throw new Error(`the key input is of type "${type}", not password`);
        await answerInput(page, title, KEY_A);
        await said('key saved for target "prod"');
      },
    },
    {
      name: 'a run sends that key, and only it, to the Azure route of its endpoint',
      run: async () => {
        await runCommandAndPick(page, 'LLM Perf Lab: Run Scenario…', /Run Scenario/, 'keyed.perf.yaml');
        const summary = await runs.next('keyed');
        const t = summary.targets[0];
        if (t.requests.failed !== 0 || t.requests.sent === 0) throw new Error(`the run failed: ${JSON.stringify(t.requests)}`);
        onlyKeys(a, KEY_A);
        if (a.requests.length !== t.requests.sent)
          throw new Error(`${a.requests.length} requests reached the service, summary.json says ${t.requests.sent} sent`);
        const paths = new Set(a.requests.map((r) => r.path.replace(/\?.*/, '')));
        if (paths.size !== 1 || !paths.has('/openai/deployments/gpt-4o/chat/completions')) throw new Error(`routes: ${[...paths].join(', ')}`);
      },
    },
    {
      name: 'an edited endpoint asks again (Re-run Last Scenario), and the new origin gets only its own key',
      run: async () => {
        const before = a.requests.length;
        fs.writeFileSync(file('keyed.perf.yaml'), azureScenario('keyed', b.origin));
        await runCommand(page, 'LLM Perf Lab: Re-run Last Scenario');
        await answerInput(page, new RegExp(`^API key for ${escapeRegExp(binding(b))}$`), KEY_B);
        await runs.next('keyed');
        onlyKeys(b, KEY_B);
        if (a.requests.length !== before) throw new Error('the old endpoint was called after the edit');
      },
    },
    {
      name: 'Forget API Key…: the next run asks again, and nothing is sent without an answer',
      run: async () => {
        const before = b.requests.length;
        await runCommandAndPick(page, 'LLM Perf Lab: Forget API Key…', /Run Scenario/, 'keyed.perf.yaml');
        await runCommand(page, 'LLM Perf Lab: Re-run Last Scenario');
        const title = new RegExp(`^API key for ${escapeRegExp(binding(b))}$`);
        await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
        await page.keyboard.press('Escape');
        await said(`no API key is saved for ${binding(b)}`);
        if (b.requests.length !== before) throw new Error(`${b.requests.length - before} request(s) were sent without a key`);
      },
    },
    {
      name: `auth.env: ${ENV_NAME} is sent only after "Allow" in the dialog naming the origin + deployment, and not asked again`,
      run: async () => {
        await runCommandAndPick(page, 'LLM Perf Lab: Run Scenario…', /Run Scenario/, 'env.perf.yaml');
        const question = `Send the value of environment variable ${ENV_NAME} as the key for ${binding(e)}?`;
        const first = await dialogText(page);
        if (!first.includes(question)) throw new Error(`the dialog says "${first}"`);
        await answerDialog(page, 'Cancel');
        await said(`environment variable ${ENV_NAME} has not been allowed for ${binding(e)} yet`);
        if (e.requests.length !== 0) throw new Error(`${e.requests.length} request(s) were sent before the variable was allowed`);

        await runCommandAndPick(page, 'LLM Perf Lab: Run Scenario…', /Run Scenario/, 'env.perf.yaml');
        if (!(await dialogText(page)).includes(question)) throw new Error('the dialog did not ask again');
        await answerDialog(page, 'Allow');
        await runs.next('env');
        onlyKeys(e, envValue);

        // Allowed once for this origin + deployment: the next run does not ask.
        const before = e.requests.length;
        await runCommand(page, 'LLM Perf Lab: Re-run Last Scenario');
        let asked = false;
        await runs.next('env', async () => {
          asked ||= await dialogShown(page);
        });
        if (asked) throw new Error('the allowed variable was asked for again');
        onlyKeys(e, envValue, before);
      },
    },
    {
      name: 'a redirect to another origin never carries the key',
      run: async () => {
        await runCommandAndPick(page, 'LLM Perf Lab: Set API Key…', /Run Scenario/, 'redirect.perf.yaml');
        await answerInput(page, new RegExp(`^API key for ${escapeRegExp(binding(redirect))}$`), KEY_R);
        await runCommandAndPick(page, 'LLM Perf Lab: Run Scenario…', /Run Scenario/, 'redirect.perf.yaml');
        await runs.next('redirect');
        onlyKeys(redirect, KEY_R);
        const carried = elsewhere.requests.filter((r) => keyOf(r) !== undefined);
        if (carried.length > 0) throw new Error(`the redirect's target received ${carried.length} request(s) with a key (${carried.map(keyOf).join(', ')})`);
      },
    },
    {
      name: "an HTTP target (your own app): Set API Key… saves its key, a run sends it in auth.header only, to the app's origin",
      run: async () => {
        await runCommandAndPick(page, 'LLM Perf Lab: Set API Key…', /Run Scenario/, 'app.perf.yaml');
        await answerInput(page, new RegExp(`^API key for ${escapeRegExp(binding(app))}$`), KEY_APP);
        await said('key saved for target "app"');
        await runCommandAndPick(page, 'LLM Perf Lab: Run Scenario…', /Run Scenario/, 'app.perf.yaml');
        const { dir } = await runs.next('app');
        const t = (JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary).targets[0];
        if (t.requests.failed !== 0 || t.requests.succeeded === 0) throw new Error(`the run failed: ${JSON.stringify(t.requests)}`);
        if (app.requests.length !== t.requests.sent)
          throw new Error(`${app.requests.length} requests reached the app, summary.json says ${t.requests.sent} sent`);
        for (const r of app.requests) {
          if (r.headers['x-api-key'] !== KEY_APP) throw new Error(`a request reached the app without its key in x-api-key (${r.path})`);
          if (r.headers['api-key'] !== undefined || r.headers.authorization !== undefined) throw new Error('the key was also sent in another header');
          if (!r.path.startsWith('/app/chat?stream=sse')) throw new Error(`the app was called at ${r.path}`);
        }
        if (t.latency_ms.ttft.count === 0) throw new Error('no TTFT was measured for the app');
      },
    },
    {
      name: 'no key ever reached an origin it was not saved or allowed for',
      run: async () => {
        const owner: Record<string, string> = { [KEY_A]: 'a', [KEY_B]: 'b', [envValue]: 'e', [KEY_R]: 'redirect', [KEY_APP]: 'app' };
        for (const [name, server] of Object.entries(servers)) {
          for (const r of server.requests) {
            const key = keyOf(r);
            if (key !== undefined && owner[key] !== name) throw new Error(`${server.origin} (${name}) received the key of ${owner[key] ?? 'nobody'}: ${key}`);
          }
        }
      },
    },
    ...modalCommandSteps(page, workspace, runs),
  ];
  try {
    await runSteps(page, log, steps);
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  }
}
