// The "unknown model" rule of prompt files (src/server/prompt-analysis.ts): a Prompty file's model is
// ours to check; a Markdown prompt file is often another tool's (Copilot's `.github/prompts/*.prompt.md`
// names `model: Claude Sonnet 4`), so it is only questioned when the name is close to a catalog model.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzePrompt } from '../../../src/server/prompt-analysis';
import { ChunkedTokenCounter } from '../../../src/tokens';
import { TestLspClient } from './lsp-client';

const counter = new ChunkedTokenCounter();
const modelWarnings = (file: string, text: string) =>
  analyzePrompt(file, text, { defaultModel: 'gpt-5-mini', counter })
    .diagnostics.filter((d) => /model/.test(d.message))
    .map((d) => `${d.line}:${d.column}-${d.endColumn} ${d.severity} ${d.message}`);

const copilotPrompt = (model: string) =>
  `---\nmode: agent\nmodel: ${model}\ndescription: Review the changed files\n---\nReview the changes in #changes for bugs.\n`;

describe('server: the unknown-model rule of prompt files', () => {
  it('leaves a Copilot prompt file alone when its model is none of ours', () => {
    for (const model of ['Claude Sonnet 4', 'Gemini 2.5 Pro', 'GPT-5 mini (Preview)']) {
      assert.deepEqual(modelWarnings('.github/prompts/review.prompt.md', copilotPrompt(model)), [], model);
    }
    // ... and counts it for the model it names as unknown: o200k_base, no price, no squiggle.
    const a = analyzePrompt('.github/prompts/review.prompt.md', copilotPrompt('Claude Sonnet 4'), { defaultModel: 'gpt-5-mini', counter });
    assert.equal(a.model.name, 'Claude Sonnet 4');
    assert.equal(a.model.info, null);
    assert.equal(a.encoding, 'o200k_base');
  });

  it('warns in a Markdown prompt file when the name is close to a catalog model (a likely typo)', () => {
    const [warning, ...more] = modelWarnings('.github/prompts/review.prompt.md', copilotPrompt('gpt-4o-mimi'));
    assert.deepEqual(more, []);
    assert.match(warning, /^2:7-18 warning unknown model "gpt-4o-mimi": tokens are counted with o200k_base and no price is known; did you mean "gpt-4o-mini"/);
    // A catalog name in another case is known: nothing to say.
    assert.deepEqual(modelWarnings('a.prompt.md', copilotPrompt('GPT-4o')), []);
  });

  it('keeps warning about any unknown model in a Prompty file (the model is ours to run)', () => {
    const prompty = (name: string) => `---\nname: Support\nmodel:\n  configuration:\n    name: ${name}\n---\nuser:\nHello\n`;
    assert.deepEqual(modelWarnings('support.prompty', prompty('Claude Sonnet 4')), [
      '4:10-25 warning unknown model "Claude Sonnet 4": tokens are counted with o200k_base and no price is known',
    ]);
    assert.equal(modelWarnings('support.prompty', prompty('gpt-4o-mimi')).length, 1);
  });

  it('over LSP (dist/server.js): a Copilot prompt file gets no diagnostic, a typo in a model name does', async function () {
    this.timeout(60_000);
    const client = await TestLspClient.start({ model: 'gpt-5-mini' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-copilot-'));
    try {
      const copilot = await client.open(path.join(dir, '.github', 'prompts', 'review.prompt.md'), copilotPrompt('Claude Sonnet 4'), 'prompt');
      assert.deepEqual(await client.diagnosticsFor(copilot), []);
      const typo = await client.open(path.join(dir, '.github', 'prompts', 'typo.prompt.md'), copilotPrompt('gpt-4o-mimi'), 'prompt');
      assert.deepEqual(
        (await client.diagnosticsFor(typo)).map((d) => [d.range.start.line, d.severity]),
        [[2, 2]],
      );
    } finally {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
