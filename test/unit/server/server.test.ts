// The language server over the real protocol (dist/server.js on stdio): token counts as CodeLens and
// inlay hints equal to OpenAI's reference tokenizer (tiktoken), incremental updates, hovers,
// diagnostics, scenario completion/hover/quick fix, and the custom requests. (Templates' two counts,
// as written and as sent with sample values, in detail: prompt-sent-counts.test.ts.)

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeAction, CodeLens, CompletionItem, Hover, InlayHint } from 'vscode-languageserver-protocol';
import type { CountTokensResult, PromptSummaryResult, TokenBoundariesResult } from '../../../src/protocol/lsp';
import { refCount } from '../tokens/fixtures';
import { TestLspClient } from './lsp-client';

const SYSTEM = 'You are a friendly support agent for {{product}}. Answer in at most three short paragraphs.\nAlways say which setting to check first.';
const USER = '{{question}}';
/** SYSTEM and USER as the service receives them: the sample values below in place. */
const SYSTEM_SENT = SYSTEM.replace('{{product}}', 'Contoso Cloud');
const USER_SENT = 'Why is my first token slow?';
const PROMPTY = `---
name: Support answer
model:
  configuration:
    name: gpt-4o-mini
  parameters:
    max_tokens: 300
sample:
  product: Contoso Cloud
  question: Why is my first token slow?
---
system:
${SYSTEM}

user:
${USER}
`;

// Not gpt-4o-mini's list price (0.15 / 0.60): the counts below show the setting is what prices them.
const PRICE = { input: 0.2, output: 0.8 };
const usd = (x: number) => (x >= 1 ? `$${x.toFixed(2)}` : `$${x.toPrecision(2)}`);

/** What the service counts as prompt_tokens for these messages, with the reference tokenizer. */
function referenceChat(
  messages: { role: string; content: string }[],
  enc: 'o200k_base' | 'cl100k_base' = 'o200k_base',
): { perMessage: number[]; total: number } {
  const perMessage = messages.map((m) => refCount(m.role, enc) + refCount(m.content, enc));
  return { perMessage, total: perMessage.reduce((a, b) => a + b, 0) + messages.length * 3 + 3 };
}

describe('language server over LSP (dist/server.js, stdio)', function () {
  this.timeout(60_000);
  let client: TestLspClient;
  let dir: string;

  before(async () => {
    // The user's pricing setting replaces gpt-4o-mini's list price.
    client = await TestLspClient.start({ model: 'gpt-5-mini', pricing: { 'gpt-4o-mini': PRICE } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-lsp-'));
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const lenses = (uri: string) => client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const hover = (uri: string, line: number, character: number) =>
    client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  const hoverText = async (uri: string, line: number, character: number): Promise<string> => {
    const h = await hover(uri, line, character);
    const contents = h?.contents as { value?: unknown } | undefined;
    return typeof contents?.value === 'string' ? contents.value : '';
  };

  it('counts each section and the whole request of a .prompty exactly as the reference tokenizer, for the front matter model', async () => {
    const uri = await client.open(path.join(dir, 'support.prompty'), PROMPTY);
    const ref = referenceChat([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: USER },
    ]);
    const sent = referenceChat([
      { role: 'system', content: SYSTEM_SENT },
      { role: 'user', content: USER_SENT },
    ]);
    const titles = (await lenses(uri)).map((l) => [l.range.start.line, l.command!.title] as const);
    const lines = PROMPTY.split('\n');
    assert.deepEqual(titles.slice(1), [
      [lines.indexOf('system:'), `system · ${sent.perMessage[0]} tokens sent with sample values · ${ref.perMessage[0]} in the template`],
      [lines.indexOf('user:'), `user · ${sent.perMessage[1]} tokens sent with sample values · ${ref.perMessage[1]} in the template`],
    ]);
    const [top] = titles;
    assert.equal(top[0], 0);
    // The input cost is of what is sent.
    const input = usd((sent.total * PRICE.input) / 1e6);
    const output = usd((300 * PRICE.output) / 1e6);
    assert.equal(
      top[1],
      `total ${sent.total} sent with sample values · ${ref.total} in the template (both +9 chat overhead) · ${input} input · up to ${output} output on gpt-4o-mini`,
    );
  });

  it('updates the counts after an incremental edit', async () => {
    const uri = await client.open(path.join(dir, 'edit.prompty'), PROMPTY);
    const userLine = PROMPTY.split('\n').indexOf(USER);
    const added = ' Please include the p95 time to first token and the chunk-gap distribution in your answer.';
    await client.edit(uri, { start: { line: userLine, character: USER.length }, end: { line: userLine, character: USER.length } }, added);
    const ref = referenceChat([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: USER + added },
    ]);
    const sent = referenceChat([
      { role: 'system', content: SYSTEM_SENT },
      { role: 'user', content: USER_SENT + added },
    ]);
    const titles = (await lenses(uri)).map((l) => l.command!.title);
    assert.equal(titles[2], `user · ${sent.perMessage[1]} tokens sent with sample values · ${ref.perMessage[1]} in the template`);
    assert.match(titles[0], new RegExp(`^total ${sent.total} sent with sample values · ${ref.total} in the template `));
  });

  it('hover on a section: tokens, characters, cost per request and per 1,000, share of the context window', async () => {
    const uri = await client.open(path.join(dir, 'hover.prompty'), PROMPTY);
    const text = await hoverText(uri, PROMPTY.split('\n').indexOf('system:') + 1, 3);
    const ref = referenceChat([{ role: 'system', content: SYSTEM }]);
    const sent = referenceChat([{ role: 'system', content: SYSTEM_SENT }]);
    assert.match(text, new RegExp(`^\\*\\*system\\*\\* · ${sent.perMessage[0]} tokens sent with sample values · ${ref.perMessage[0]} in the template\n`));
    assert.ok(text.includes(`Sent: ${SYSTEM_SENT.length} characters with \`{{product}}\` = "Contoso Cloud"`), text);
    assert.ok(text.includes(`The template as written: ${SYSTEM.length} characters.`), text);
    assert.ok(
      text.includes(
        `${usd((sent.perMessage[0] * PRICE.input) / 1e6)} per request, ${usd((sent.perMessage[0] * PRICE.input) / 1e3)} per 1,000 requests (gpt-4o-mini`,
      ),
      text,
    );
    assert.match(text, /% of gpt-4o-mini's 128,000-token context window/);
  });

  it('diagnostics: unknown model with a suggestion, a variable without a sample value, prompt + max_tokens over the context window', async () => {
    const text = PROMPTY.replace('name: gpt-4o-mini', 'name: gpt-4o-mimi').replace('  question: Why is my first token slow?\n', '');
    const uri = await client.open(path.join(dir, 'problems.prompty'), text);
    const diagnostics = await client.diagnosticsFor(uri);
    const messages = diagnostics.map((d) => `${d.range.start.line}: ${String(d.message)}`);
    assert.ok(
      messages.some((m) => /^4: unknown model "gpt-4o-mimi".*did you mean "gpt-4o-mini"/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith(`${text.split('\n').indexOf(USER)}: {{question}} has no sample value`)),
      messages.join('\n'),
    );

    const huge = PROMPTY.replace('max_tokens: 300', 'max_tokens: 127990');
    const hugeUri = await client.open(path.join(dir, 'huge.prompty'), huge);
    const over = (await client.diagnosticsFor(hugeUri)).find((d) => /exceed gpt-4o-mini's context window of 128,000 tokens/.test(String(d.message)));
    assert.ok(over, 'prompt + max_tokens over the context window is an error');
    assert.equal(over.severity, 1);
  });

  it('a .jsonl dataset: tokens per line as inlay hints, min/median/max at the top, malformed lines reported with their line', async () => {
    const chats = [
      [{ role: 'user', content: 'How do I read TTFT?' }],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is the difference between time between tokens and the chunk gap?' },
      ],
      [{ role: 'user', content: 'Why does my p99 latency jump every hour, and what should I look at first in Azure Monitor?' }],
    ];
    const text = `${chats.map((messages) => JSON.stringify({ messages })).join('\n')}\n{"messages": [oops]}\n`;
    const uri = await client.open(path.join(dir, 'chats.jsonl'), text);
    const totals = chats.map((m) => referenceChat(m).total);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } },
    });
    assert.deepEqual(
      hints.map((h) => [h.position.line, String(h.label).trim()]),
      totals.map((t, i) => [i, `${t} tokens`]),
    );
    const sorted = [...totals].sort((a, b) => a - b);
    const [top] = await lenses(uri);
    assert.match(top.command!.title, new RegExp(`^3 chats · prompt tokens min ${sorted[0]} / median ${sorted[1]} / max ${sorted[2]}`));
    const hoverLine = await hoverText(uri, 1, 5);
    assert.match(hoverLine, new RegExp(`line 2\\*\\* · ${totals[1]} prompt tokens`));
    assert.match(hoverLine, new RegExp(`min ${sorted[0]} / median ${sorted[1]} / max ${sorted[2]}`));
    const diagnostics = await client.diagnosticsFor(uri);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, /^invalid JSON/.test(String(d.message))]),
      [[3, true]],
    );
  });

  it('scenario files: schema errors with a quick fix for a misspelled key, unknown models, completion and hover from the schema', async () => {
    const scenario = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'quickstart.perf.yaml'), 'utf8');
    const text = scenario.replace('  arrival: poisson', '  arival: poisson').replace('    model: gpt-5-mini ', '    model: gpt-5-mimi ');
    const file = path.join(dir, 'quick.perf.yaml');
    const uri = await client.open(file, text);
    const diagnostics = await client.diagnosticsFor(uri);
    const lines = text.split('\n');
    const typo = diagnostics.find((d) => /unknown property "arival"/.test(String(d.message)))!;
    assert.ok(typo, diagnostics.map((d) => String(d.message)).join('\n'));
    assert.equal(
      typo.range.start.line,
      lines.findIndex((l) => l.includes('arival')),
    );
    assert.ok(diagnostics.some((d) => /model "gpt-5-mimi" is not in the model catalog.*did you mean "gpt-5-mini"/.test(String(d.message))));
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: typo.range,
      context: { diagnostics: [typo] },
    });
    assert.equal(actions[0].title, 'Change to "arrival"');
    assert.deepEqual(actions[0].edit!.changes![uri], [{ range: typo.range, newText: 'arrival' }]);

    const rateLine = lines.findIndex((l) => l.startsWith('  rate:'));
    const keys = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: rateLine, character: 3 } });
    const labels = keys.map((k) => k.label);
    for (const key of ['mode', 'requests', 'think_time', 'on_end']) assert.ok(labels.includes(key), `${key} offered: ${labels.join(', ')}`);
    assert.ok(!labels.includes('clients'), 'keys already present are not offered again');
    const retry = lines.findIndex((l) => l.startsWith('retry:'));
    const values = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: retry, character: 'retry: '.length },
    });
    assert.deepEqual(
      values.map((v) => v.label),
      ['none', 'exponential'],
    );
    const modelLine = lines.findIndex((l) => l.includes('model: gpt-5-mimi'));
    const models = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: modelLine, character: lines[modelLine].indexOf(':') + 2 },
    });
    assert.ok(models.some((m) => m.label === 'gpt-5-mini' && /400,000-token context/.test(m.detail ?? '')));
    assert.match(await hoverText(uri, rateLine, 3), /^\*\*rate\*\* — number\n\nTarget rate in requests per minute/);
  });

  it('the capacity block: completion and hover from the schema, and its own rules as diagnostics', async () => {
    const scenario = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'capacity.perf.yaml'), 'utf8');
    const text = scenario.replace(/^ {2}max: 8000$/m, '  max: 100');
    assert.notEqual(text, scenario);
    const uri = await client.open(path.join(dir, 'cap.perf.yaml'), text);
    const lines = text.split('\n');
    const diagnostics = await client.diagnosticsFor(uri);
    const below = diagnostics.find((d) => /is below min \(100 < 250 requests per minute\)/.test(String(d.message)));
    assert.ok(below, diagnostics.map((d) => String(d.message)).join('\n'));
    assert.equal(
      below.range.start.line,
      lines.findIndex((l) => l.startsWith('  max: 100')),
    );
    const minLine = lines.findIndex((l) => l.startsWith('  min:'));
    const keys = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: minLine, character: 3 } });
    const labels = keys.map((k) => k.label);
    for (const key of ['warm_up', 'cooldown', 'ptus']) assert.ok(labels.includes(key), `${key} offered: ${labels.join(', ')}`);
    assert.ok(!labels.includes('precision'), 'keys already present are not offered again');
    assert.match(await hoverText(uri, minLine, 3), /^\*\*min\*\* — number\n\nThe first offered rate, requests per minute/);
  });

  it('http targets: provider and stream completion, hover from the schema, a bad placeholder and a credential header at their own positions', async () => {
    const example = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'app.perf.yaml'), 'utf8');
    const text = example
      .replace('"turn": {{turn}}}', '"turn": {{turn}}, "user": "{{user_name}}"}')
      .replace('headers: { content-type: application/json }', 'headers: { content-type: application/json, x-api-key: abc }');
    assert.notEqual(text, example);
    fs.mkdirSync(path.join(dir, 'prompts'), { recursive: true });
    fs.copyFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'prompts', 'support-chats.jsonl'), path.join(dir, 'prompts', 'support-chats.jsonl'));
    const uri = await client.open(path.join(dir, 'app.perf.yaml'), text);
    const lines = text.split('\n');
    const diagnostics = await client.diagnosticsFor(uri);
    const placeholder = diagnostics.find((d) => /unknown placeholder \{\{user_name\}\}/.test(String(d.message)));
    assert.ok(placeholder, diagnostics.map((d) => String(d.message)).join('\n'));
    const bodyLine = lines.findIndex((l) => l.includes('{{user_name}}'));
    assert.deepEqual(placeholder.range.start, { line: bodyLine, character: lines[bodyLine].indexOf('{{user_name}}') });
    const secret = diagnostics.find((d) => /looks like a credential/.test(String(d.message)));
    assert.ok(secret);
    assert.equal(
      secret.range.start.line,
      lines.findIndex((l) => l.includes('x-api-key: abc')),
    );

    const providerLine = lines.findIndex((l) => l.includes('provider: http'));
    const providers = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: providerLine, character: lines[providerLine].indexOf(':') + 2 },
    });
    assert.ok(
      providers.some((p) => p.label === 'http'),
      providers.map((p) => p.label).join(', '),
    );
    const streamLine = lines.findIndex((l) => l.includes('stream: sse'));
    const kinds = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: streamLine, character: lines[streamLine].indexOf(':') + 2 },
    });
    assert.deepEqual(
      kinds.map((k) => k.label),
      ['sse', 'ndjson', 'text', 'json'],
    );
    const textPathLine = lines.findIndex((l) => l.includes('text_path:'));
    assert.match(await hoverText(uri, textPathLine, lines[textPathLine].indexOf('text_path') + 2), /^\*\*text_path\*\* — string\n\nWhere each event's text is/);
    // Inside a template: `{{` offers the placeholders, each with what it is filled with; hover says it too.
    const turnAt = lines[bodyLine].indexOf('{{turn}}');
    const names = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: bodyLine, character: turnAt + 2 },
    });
    assert.deepEqual(
      names.map((n) => [n.label, n.insertText]),
      [
        ['prompt', 'prompt'],
        ['messages', 'messages'],
        ['session_id', 'session_id'],
        ['turn', 'turn'],
        ['model', 'model'],
      ],
      'the closing braces are already there',
    );
    assert.match(await hoverText(uri, bodyLine, turnAt + 3), /^\*\*\{\{turn\}\}\*\* — The turn of this request in its session/);
    const sessionsLine = lines.findIndex((l) => l.includes('carry_history:'));
    assert.match(await hoverText(uri, sessionsLine, lines[sessionsLine].indexOf('carry_history') + 2), /conversation so far/);
  });

  it("a dataset used by a scenario nearby is counted for that scenario's model (here cl100k_base of gpt-4)", async () => {
    const sub = path.join(dir, 'uses');
    fs.mkdirSync(path.join(sub, 'data'), { recursive: true });
    fs.writeFileSync(
      path.join(sub, 'bench.perf.yaml'),
      'name: bench\ntargets:\n  - name: old\n    provider: openai\n    model: gpt-4\nworkload: { rate: 60, duration: 10s }\nprompts:\n  dataset: data/chats.jsonl\n',
    );
    const chat = [{ role: 'user', content: 'Über-long naïve prompts cost more with an older tokenizer — 東京 included.' }];
    const uri = await client.open(path.join(sub, 'data', 'chats.jsonl'), `${JSON.stringify({ messages: chat })}\n`);
    const summary = await client.request<PromptSummaryResult>('perflab/promptSummary', { uri });
    assert.deepEqual([summary.model, summary.modelSource], ['gpt-4', 'scenario']);
    assert.equal(summary.total, referenceChat(chat, 'cl100k_base').total);
    assert.notEqual(referenceChat(chat, 'cl100k_base').total, referenceChat(chat, 'o200k_base').total, 'the two encodings differ on this text');
  });

  it('custom requests: count a selection, token boundaries that tile the line, the status-bar summary', async () => {
    const uri = await client.open(path.join(dir, 'custom.prompty'), PROMPTY);
    const count = await client.request<CountTokensResult>('perflab/countTokens', { text: SYSTEM, uri });
    assert.deepEqual([count.tokens, count.model, count.encoding], [refCount(SYSTEM, 'o200k_base'), 'gpt-4o-mini', 'o200k_base']);
    const line = PROMPTY.split('\n').indexOf('system:') + 1;
    const spans = await client.request<TokenBoundariesResult>('perflab/tokenBoundaries', { uri, startLine: line, endLine: line });
    const lineText = PROMPTY.split('\n')[line];
    assert.equal(spans.tokens.length, refCount(lineText, 'o200k_base'));
    assert.equal(spans.tokens.map(([, s, e]) => lineText.slice(s, e)).join(''), lineText, 'the spans tile the line');
    const summary = await client.request<PromptSummaryResult>('perflab/promptSummary', { uri });
    assert.equal(
      summary.total,
      referenceChat([
        { role: 'system', content: SYSTEM },
        { role: 'user', content: USER },
      ]).total,
    );
    assert.equal(
      summary.sent,
      referenceChat([
        { role: 'system', content: SYSTEM_SENT },
        { role: 'user', content: USER_SENT },
      ]).total,
    );
    assert.equal(summary.modelSource, 'front matter');
  });
});
