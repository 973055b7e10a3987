// A scenario's own `pricing:` reaches the language server (src/server/server.ts via the lenient reader,
// src/engine/scenario/lenient.ts), as a run of that scenario prices it: its models are not "unknown",
// its hovers name "your price (pricing: in the scenario)", and a prompt file the scenario uses is
// costed at the scenario's rates. Over LSP against the real server bundle (dist/server.js).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Hover } from 'vscode-languageserver-protocol';
import { TestLspClient } from './lsp-client';

const SCENARIO = `name: priced
targets:
  - name: local
    provider: openai-compatible
    endpoint: http://127.0.0.1:9/v1
    model: my-llama
    auth: { type: none }
prompts:
  file: prompts/ask.prompt.md
pricing:
  my-llama: { input: 3, output: 6 }
`;

describe('language server: a scenario’s pricing: block', function () {
  this.timeout(60_000);
  let client: TestLspClient;
  let dir: string;

  before(async () => {
    client = await TestLspClient.start({ model: 'gpt-5-mini', pricing: {} });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-lsp-pricing-'));
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hoverText = async (uri: string, line: number, character: number): Promise<string> => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    const contents = h?.contents as { value?: unknown } | undefined;
    return typeof contents?.value === 'string' ? contents.value : '';
  };

  it('a model priced by the scenario is not unknown, and its hover says whose price it is', async () => {
    const uri = await client.open(path.join(dir, 'priced.perf.yaml'), SCENARIO);
    const messages = (await client.diagnosticsFor(uri)).map((d) => String(d.message));
    assert.ok(!messages.some((m) => /not in the model catalog/.test(m)), messages.join('\n'));
    const hover = await hoverText(uri, 5, 14);
    assert.match(hover, /\$3\.00 in \/ \$6\.00 out per 1M tokens, your price \(pricing: in the scenario\)/);

    // Without the block the same model is unknown: the block is what made the difference.
    const bare = await client.open(path.join(dir, 'bare.perf.yaml'), SCENARIO.replace(/pricing:[\s\S]*$/, ''));
    const bareMessages = (await client.diagnosticsFor(bare)).map((d) => String(d.message));
    assert.ok(
      bareMessages.some((m) => /model "my-llama" is not in the model catalog/.test(m)),
      bareMessages.join('\n'),
    );
  });

  it('a prompt file the scenario uses is counted for its model and costed at its rates', async () => {
    fs.writeFileSync(path.join(dir, 'priced.perf.yaml'), SCENARIO);
    fs.mkdirSync(path.join(dir, 'prompts'), { recursive: true });
    const prompt = path.join(dir, 'prompts', 'ask.prompt.md');
    const text = 'Why is the first token slow when the prompt is long?\n';
    fs.writeFileSync(prompt, text);
    const uri = await client.open(prompt, text);
    const hover = await hoverText(uri, 0, 3);
    assert.match(hover, /my-llama/);
    assert.match(hover, /\$3\.00 in \/ \$6\.00 out per 1M tokens; your price \(pricing: in the scenario\)/, hover);
  });
});
