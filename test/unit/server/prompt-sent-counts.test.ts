// Prompt files with {{variables}}: the editor shows two counts, the template as written and what the
// service receives with the front matter's sample values in place. Both are checked against OpenAI's
// reference tokenizer (tiktoken, the encoding of the file's model), the sent count against the request
// the engine builds for the file (src/engine/prompt-builder.ts), and the words the user reads: the
// CodeLens, hovers and status bar, over the real protocol (dist/server.js).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeLens, Hover } from 'vscode-languageserver-protocol';
import { parse } from 'yaml';
import { createPromptFactory } from '../../../src/engine/prompt-builder';
import { parseScenario } from '../../../src/engine/scenario/load';
import { statusTotalText, statusTotalTooltip } from '../../../src/extension/prompt-status-text';
import { analyzePrompt } from '../../../src/server/prompt-analysis';
import { describeSection, missingSamples, promptLensTitle, sectionLensTitle } from '../../../src/server/prompt-text';
import type { PromptSummaryResult } from '../../../src/protocol/lsp';
import { ChunkedTokenCounter, encodingForModel, mulberry32, type Encoding } from '../../../src/tokens';
import { loadPromptMessages, PromptFileError } from '../../../src/tokens/prompt-files';
import { refChatCount, refCount } from '../tokens/fixtures';
import { TestLspClient } from './lsp-client';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'prompts');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const analyze = (name: string, text = read(name)) =>
  analyzePrompt(path.join(FIXTURES, name), text, { defaultModel: 'gpt-5-mini', counter: new ChunkedTokenCounter() });

interface RefSection {
  role: string;
  template: string;
  /** With the sample values in place; null when one is missing. */
  sent: string | null;
}

/**
 * The fixtures' sections and their sample values, read without src/tokens/prompt-files.ts: front matter
 * between `---` lines, `system:` / `user:` (or `## System` / `## User`) headings, `{{ name }}` replaced
 * by the sample value (inputs' defaults first, `sample:` over them; dotted names walk nested values).
 */
function referenceSections(text: string): RefSection[] {
  const [, front, body] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text)!;
  const meta = parse(front) as { inputs?: Record<string, { default?: unknown }>; sample?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) if (spec.default !== undefined) values[name] = spec.default;
  Object.assign(values, meta.sample);
  const valueOf = (name: string): unknown => name.split('.').reduce<unknown>((v, part) => (v as Record<string, unknown> | undefined)?.[part], values);
  const parts = body.split(/^(?:(system|user):|## (System|User))$/m);
  const sections: RefSection[] = [];
  for (let i = 1; i < parts.length; i += 3) {
    const template = parts[i + 2].trim();
    const names = [...template.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]);
    const sent = names.every((name) => valueOf(name) !== undefined)
      ? template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => String(valueOf(name)))
      : null;
    sections.push({ role: (parts[i] ?? parts[i + 1]).toLowerCase(), template, sent });
  }
  return sections;
}

const messages = (sections: RefSection[], which: 'template' | 'sent') => sections.map((s) => ({ role: s.role, content: s[which]! }));
const sectionTokens = (role: string, content: string, enc: Encoding) => refCount(role, enc) + refCount(content, enc);

/** The request the engine builds for the file (nothing is sent), on a scenario whose target runs `model`. */
function engineRequest(
  file: string,
  model: string,
  preventCaching: boolean,
  seed = 1,
): { messages: { role: string; content: string }[]; promptTokens: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-sent-'));
  try {
    const scenario = parseScenario(
      `name: sent\ntargets:\n  - name: t\n    endpoint: simulator\n    model: ${model}\nworkload: { rate: 60, duration: 10s }\nprompts:\n  file: ${JSON.stringify(file)}\nprevent_server_caching: ${preventCaching}\n`,
      path.join(dir, 'sent.perf.yaml'),
    );
    const prepared = createPromptFactory(scenario, scenario.targets[0], 'http://127.0.0.1:9', null, encodingForModel(model), mulberry32(seed))();
    const body = JSON.parse(prepared.request.body) as { messages: { role: string; content: string }[] };
    return { messages: body.messages, promptTokens: prepared.promptTokens };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SAMPLED = [
  { file: 'support.prompty', model: 'gpt-4o', encoding: 'o200k_base' as const },
  { file: 'incident-summary.prompty', model: 'gpt-4', encoding: 'cl100k_base' as const },
  { file: 'multilingual.prompty', model: 'gpt-4o', encoding: 'o200k_base' as const },
];

describe("prompt files: the template's count and what the service receives", () => {
  for (const { file, model, encoding } of SAMPLED) {
    it(`${file}: both counts, per section and per request, equal tiktoken's ${encoding} (the tokenizer of ${model})`, () => {
      const a = analyze(file);
      const ref = referenceSections(read(file));
      assert.deepEqual([a.model.name, a.encoding], [model, encoding]);
      assert.deepEqual(
        a.sections.map((s) => [s.label, s.tokens, s.sent?.tokens, s.sent?.chars]),
        ref.map((r) => [r.role, sectionTokens(r.role, r.template, encoding), sectionTokens(r.role, r.sent!, encoding), r.sent!.length]),
      );
      assert.equal(a.total, refChatCount(messages(ref, 'template'), encoding));
      assert.equal(a.sentTotal, refChatCount(messages(ref, 'sent'), encoding));
      assert.notEqual(a.sentTotal, a.total, 'the sample values change the count');
    });

    it(`${file}: the sent count is the request the engine builds for it (${model}), its messages counted by tiktoken`, () => {
      const a = analyze(file);
      const request = engineRequest(path.join(FIXTURES, file), model, false);
      assert.deepEqual(request.messages, messages(referenceSections(read(file)), 'sent'));
      assert.equal(refChatCount(request.messages, encoding), a.sentTotal);
      assert.equal(request.promptTokens, a.sentTotal);
      // The hover's word on the engine's anti-cache prefix: "about 5 tokens more per request".
      for (let seed = 1; seed <= 20; seed++) {
        const extra = engineRequest(path.join(FIXTURES, file), model, true, seed).promptTokens - a.sentTotal!;
        assert.ok(extra >= 4 && extra <= 6, `prefix adds ${extra} tokens (seed ${seed})`);
      }
    });
  }

  it('a long sample value changes the count a lot, and the context-window check uses what is sent', () => {
    const a = analyze('incident-summary.prompty');
    const user = a.sections.find((s) => s.label === 'user')!;
    assert.ok(a.sentTotal! - a.total > 200, `${a.total} in the template, ${a.sentTotal} sent`);
    assert.ok(user.sent!.tokens > 20 * user.tokens, `user: ${user.tokens} in the template, ${user.sent!.tokens} sent`);

    // The same report 35 times over: more than gpt-4's 8,192-token window once sent, far less as a template.
    const text = read('incident-summary.prompty');
    const report = /^ {2}report: \|\n((?: {4}.*\n)+)/m.exec(text)![1];
    const huge = text.replace(report, report.repeat(35));
    const b = analyze('incident-summary.prompty', huge);
    const sent = refChatCount(messages(referenceSections(huge), 'sent'), 'cl100k_base');
    assert.equal(b.sentTotal, sent);
    assert.ok(b.total + 400 < 8192 && sent + 400 > 8192, `${b.total} as a template, ${sent} sent`);
    const over = b.diagnostics.find((d) => /exceed gpt-4's context window/.test(d.message));
    assert.equal(over?.message, `${sent.toLocaleString('en-US')} prompt tokens + 400 max_tokens exceed gpt-4's context window of 8,192 tokens`);
  });

  it("non-ASCII sample values (German, Polish, Japanese, emoji) are counted with the model's encoding, not another", () => {
    const a = analyze('multilingual.prompty');
    const sent = messages(referenceSections(read('multilingual.prompty')), 'sent');
    assert.match(sent[1].content, /Zoë Müller-Łukasiewicz asks: .*最初のトークン.*🐢/);
    assert.equal(a.sentTotal, refChatCount(sent, 'o200k_base'));
    assert.notEqual(a.sentTotal, refChatCount(sent, 'cl100k_base'), 'the two encodings differ on this text');
    // A number sample is sent as its digits, a dotted name takes the nested value.
    assert.deepEqual(a.variables, [
      { name: 'language', value: '日本語' },
      { name: 'max_points', value: '3' },
      { name: 'customer.name', value: 'Zoë Müller-Łukasiewicz' },
      { name: 'question', value: 'Warum dauert das erste Token morgens länger? 最初のトークンが遅いのはなぜですか？ 🐢⏱️' },
    ]);
  });

  it('a variable with no sample value: the sent count is unknown (the engine refuses the file too); sections without it are known', () => {
    const a = analyze('unsampled.prompt.md');
    const ref = referenceSections(read('unsampled.prompt.md'));
    assert.equal(a.total, refChatCount(messages(ref, 'template'), 'o200k_base'));
    assert.equal(a.sentTotal, null);
    assert.deepEqual(a.variables, [
      { name: 'language', value: 'French' },
      { name: 'document', value: null },
    ]);
    assert.deepEqual(
      a.sections.map((s) => s.sent?.tokens ?? null),
      [sectionTokens('system', ref[0].sent!, 'o200k_base'), null],
    );
    assert.throws(
      () => loadPromptMessages({ kind: 'prompty', file: path.join(FIXTURES, 'unsampled.prompt.md') }, FIXTURES),
      (err: Error) => err instanceof PromptFileError && /missing variable "document"/.test(err.message),
    );
  });

  it('a file without variables has one count: it is sent as written', () => {
    const a = analyze('plain.md');
    const text = read('plain.md').trim();
    assert.deepEqual([a.total, a.sentTotal], [refChatCount([{ role: 'user', content: text }], 'o200k_base'), a.total]);
    assert.deepEqual(a.variables, []);
    assert.match(promptLensTitle(a), new RegExp(`^total ${a.total} \\(\\+6 chat overhead\\) · `));
    assert.equal(sectionLensTitle(a, a.sections[0]), `user · ${a.sections[0].tokens} tokens`);
  });

  it('a plain-text prompt is sent as written: braces in it are not a template (the engine sends them, not "undefined")', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-text-'));
    try {
      const text = 'Explain the Jinja expression {{ user.name }} in one sentence.';
      fs.writeFileSync(path.join(dir, 'explain.txt'), `${text}\n`);
      assert.deepEqual(loadPromptMessages({ kind: 'prompty', file: 'explain.txt' }, dir), [[{ role: 'user', content: text }]]);
      const a = analyzePrompt(path.join(dir, 'explain.txt'), `${text}\n`, { defaultModel: 'gpt-5-mini', counter: new ChunkedTokenCounter() });
      assert.deepEqual([a.total, a.sentTotal, a.variables], [refChatCount([{ role: 'user', content: text }], 'o200k_base'), a.total, []]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CodeLens words: both numbers with their labels, or why the sent one is unknown (and no input cost for it)', () => {
    const a = analyze('support.prompty');
    const [system, user] = a.sections;
    assert.match(promptLensTitle(a), new RegExp(`^total ${a.sentTotal} sent with sample values · ${a.total} in the template \\(both \\+9 chat overhead\\) · `));
    assert.equal(sectionLensTitle(a, system), `system · ${system.sent!.tokens} tokens sent with sample values · ${system.tokens} in the template`);
    assert.equal(sectionLensTitle(a, user), `user · ${user.sent!.tokens} tokens sent with sample values · ${user.tokens} in the template`);

    const u = analyze('unsampled.prompt.md');
    const title = promptLensTitle(u);
    assert.ok(title.startsWith(`total ${u.total} in the template (+9 chat overhead) · sent: unknown ({{document}} has no sample value) `), title);
    assert.doesNotMatch(title, /\$\S+ input/, "the template's input cost would pass for the request's");
    assert.equal(
      sectionLensTitle(u, u.sections[1]),
      `user · ${u.sections[1].tokens} tokens in the template · sent: unknown ({{document}} has no sample value)`,
    );

    assert.equal(missingSamples(['a']), '{{a}} has no sample value');
    assert.equal(missingSamples(['a', 'b']), '{{a}}, {{b}} have no sample value');
    assert.equal(missingSamples(['a', 'b', 'c', 'd', 'e']), '{{a}}, {{b}}, {{c}} and 2 more have no sample value');
  });

  it('the hover of a section: both counts, the values put in, or what is missing', () => {
    const a = analyze('incident-summary.prompty');
    const user = a.sections[1];
    const hover = describeSection(a, user);
    assert.ok(hover.startsWith(`**user** · ${user.sent!.tokens} tokens sent with sample values · ${user.tokens} in the template\n`), hover);
    assert.match(hover, /Sent: 1,051 characters with `\{\{report\}\}` = "Incident 4711 — elevated latency on the chat completions dep"… \(1,018 characters\)/);
    assert.match(hover, new RegExp(`the whole prompt ${a.sentTotal} tokens sent \\(3\\.7%\\)`));
    assert.doesNotMatch(hover, /prevent_server_caching/, 'the anti-cache note sits on the first section only');
    assert.match(
      describeSection(a, a.sections[0]),
      /`prevent_server_caching` on \(the default\) puts a random 12-digit line before this text: about 5 tokens more/,
    );

    const u = analyze('unsampled.prompt.md');
    const missing = describeSection(u, u.sections[1]);
    assert.ok(missing.startsWith(`**user** · ${u.sections[1].tokens} tokens in the template · 38 characters\n`), missing);
    assert.match(missing, /Sent: unknown — \{\{document\}\} has no sample value\. Give it one under `sample:`/);
    assert.doesNotMatch(missing, /Input cost of this section/);
    assert.match(missing, new RegExp(`the whole prompt ${u.total} tokens in the template`));
  });

  describe('over LSP (dist/server.js) and in the status bar', function () {
    this.timeout(60_000);
    const PRICE = { input: 2, output: 8 };
    const usd = (x: number) => (x >= 1 ? `$${x.toFixed(2)}` : `$${x.toPrecision(2)}`);
    let client: TestLspClient;
    let dir: string;
    before(async () => {
      client = await TestLspClient.start({ model: 'gpt-5-mini', pricing: { 'gpt-4o': PRICE, 'gpt-4o-mini': PRICE } });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-lsp-sent-'));
    });
    after(async () => {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const lenses = async (uri: string) =>
      (await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } })).map((l) => [l.range.start.line, l.command!.title] as const);
    const hoverText = async (uri: string, line: number) => {
      const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } });
      return String((h?.contents as { value?: string } | undefined)?.value ?? '');
    };
    const summaryOf = (uri: string) => client.request<PromptSummaryResult>('perflab/promptSummary', { uri });

    it('a template with sample values: the lens, section lenses, hover and status bar show what is sent and the template, the cost of what is sent', async () => {
      const text = read('multilingual.prompty');
      const uri = await client.open(path.join(dir, 'multilingual.prompty'), text);
      const ref = referenceSections(text);
      const sent = refChatCount(messages(ref, 'sent'), 'o200k_base');
      const template = refChatCount(messages(ref, 'template'), 'o200k_base');
      const lines = text.split('\n');
      const titles = await lenses(uri);
      assert.equal(titles[0][0], 0);
      assert.equal(
        titles[0][1],
        `total ${sent} sent with sample values · ${template} in the template (both +9 chat overhead) · ${usd((sent * PRICE.input) / 1e6)} input on gpt-4o`,
      );
      assert.deepEqual(
        titles.slice(1),
        ref.map((r) => [
          lines.indexOf(`${r.role}:`),
          `${r.role} · ${sectionTokens(r.role, r.sent!, 'o200k_base')} tokens sent with sample values · ${sectionTokens(r.role, r.template, 'o200k_base')} in the template`,
        ]),
      );
      const hover = await hoverText(uri, lines.indexOf('user:') + 1);
      assert.match(
        hover,
        new RegExp(
          `^\\*\\*user\\*\\* · ${sectionTokens('user', ref[1].sent!, 'o200k_base')} tokens sent with sample values · ${sectionTokens('user', ref[1].template, 'o200k_base')} in the template`,
        ),
      );
      assert.ok(hover.includes('`{{customer.name}}` = "Zoë Müller-Łukasiewicz"'), hover);

      const summary = await summaryOf(uri);
      assert.deepEqual([summary.total, summary.sent, summary.hasVariables, summary.unsampled], [template, sent, true, []]);
      assert.equal(statusTotalText(summary), `${sent} tokens sent · ${template} in the template · $${((sent * PRICE.input) / 1e6).toPrecision(2)}`);
      assert.match(
        statusTotalTooltip(summary),
        new RegExp(
          `on gpt-4o \\(named in the front matter\\): ${sent} sent with the front matter's sample values in place of the \\{\\{variables\\}\\}, ${template} in the template as written`,
        ),
      );
    });

    it('a template missing a sample value: the template count, "sent: unknown" and why, no input cost', async () => {
      const text = read('unsampled.prompt.md');
      const uri = await client.open(path.join(dir, 'unsampled.prompt.md'), text, 'prompt');
      const ref = referenceSections(text);
      const template = refChatCount(messages(ref, 'template'), 'o200k_base');
      const titles = await lenses(uri);
      assert.equal(titles[0][1], `total ${template} in the template (+9 chat overhead) · sent: unknown ({{document}} has no sample value) on gpt-4o-mini`);
      assert.equal(
        titles[2][1],
        `user · ${sectionTokens('user', ref[1].template, 'o200k_base')} tokens in the template · sent: unknown ({{document}} has no sample value)`,
      );
      const summary = await summaryOf(uri);
      assert.deepEqual([summary.total, summary.sent, summary.unsampled], [template, null, ['document']]);
      assert.equal(statusTotalText(summary), `${template} tokens in the template · sent unknown`);
      assert.match(statusTotalTooltip(summary), /what is sent is unknown until \{\{document\}\} has a value under sample: in the front matter/);
      // Once the value is there, the lens and status bar show what is sent.
      await client.edit(uri, { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, '  document: "Le premier jeton arrive après 3,8 s."\n');
      const filled = text.replace('  language: French\n', '  language: French\n  document: "Le premier jeton arrive après 3,8 s."\n');
      const sent = refChatCount(messages(referenceSections(filled), 'sent'), 'o200k_base');
      assert.match(
        (await lenses(uri))[0][1],
        new RegExp(`^total ${sent} sent with sample values · ${template} in the template \\(both \\+9 chat overhead\\) · \\$`),
      );
      assert.equal((await summaryOf(uri)).sent, sent);
    });

    it('a prompt without variables: one count in the lens and the status bar, as before', async () => {
      const text = read('plain.md');
      const uri = await client.open(path.join(dir, 'plain.md'), text, 'markdown');
      const total = refChatCount([{ role: 'user', content: text.trim() }], 'o200k_base');
      assert.match((await lenses(uri))[0][1], new RegExp(`^total ${total} \\(\\+6 chat overhead\\) · \\$\\S+ input on gpt-5-mini \\(picked\\)$`));
      const summary = await summaryOf(uri);
      assert.deepEqual([summary.total, summary.sent, summary.hasVariables], [total, total, false]);
      assert.match(statusTotalText(summary), new RegExp(`^${total} tokens · \\$\\S+$`));
    });
  });
});
