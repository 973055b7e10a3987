// Host side of the language suite (the browser side, test/integration/language-ui.ts, takes the README
// screenshot): prompt and scenario files in a real VS Code with the language server started by the
// extension — CodeLens, inlay hints, hovers and diagnostics read through VS Code's own commands, the
// completion and quick fix of a scenario, the status bar, Count Tokens in Selection and Show Token
// Boundaries.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PerfLabApi } from '../../../src/extension/extension';
import { countChatTokens, countTokens, mulberry32 } from '../../../src/tokens';
import { waitForMarker, writeMarker } from '../markers';
import { execute } from './execute';
import { waitFor } from './wait';

const SYSTEM =
  'You are a friendly support agent for {{product}}. Answer in at most three short paragraphs.\nAlways say which setting or metric the customer should check first.';
const USER = '{{question}}';
/** The two as the service receives them: the sample values below in place. */
const SENT = [
  { role: 'system', content: SYSTEM.replace('{{product}}', 'Contoso Cloud') },
  { role: 'user', content: 'Why is my first token slow in the morning?' },
];
const PROMPTY = `---
name: Support answer
model:
  configuration:
    name: gpt-5-mini
  parameters:
    max_tokens: 300
sample:
  product: Contoso Cloud
  question: Why is my first token slow in the morning?
---
system:
${SYSTEM}

user:
${USER}
`;
const CHATS = [
  [{ role: 'user', content: 'My deployment keeps returning 429 errors during business hours. What can I do?' }],
  [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'How do I rotate the API key of my resource without downtime?' },
  ],
];

/** `waitFor` with the description first (reads better around a multi-line probe). */
const poll = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) => waitFor(probe, timeoutMs, what);

describe('Prompt and scenario language support in a real VS Code', () => {
  let perflab: PerfLabApi;
  let root: string;

  before(async () => {
    perflab = await vscode.extensions.getExtension<PerfLabApi>('llm-perf-lab.llm-perf-lab')!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    fs.writeFileSync(path.join(root, 'support.prompty'), PROMPTY);
    fs.writeFileSync(path.join(root, 'chats.jsonl'), `${CHATS.map((messages) => JSON.stringify({ messages })).join('\n')}\n{"messages": oops}\n`);
    await perflab.promptsReady;
  });

  it('shows token counts per section as CodeLens, equal to the tokenizer with chat framing, and a hover with cost and context share', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(root, 'support.prompty'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'prompty', 'the .prompty language is contributed');
    const lenses = await poll('CodeLens from the language server', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l && l.length >= 3 ? l : undefined;
    });
    const expected = countChatTokens(
      [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: USER },
      ],
      'o200k_base',
    );
    const sent = countChatTokens(SENT, 'o200k_base');
    const titles = lenses.map((l) => [l.range.start.line, l.command?.title]);
    const lines = PROMPTY.split('\n');
    // Both counts, labelled: what the service receives with the sample values, and the template as written.
    assert.deepEqual(titles.slice(1), [
      [lines.indexOf('system:'), `system · ${sent.perMessage[0]} tokens sent with sample values · ${expected.perMessage[0]} in the template`],
      [lines.indexOf('user:'), `user · ${sent.perMessage[1]} tokens sent with sample values · ${expected.perMessage[1]} in the template`],
    ]);
    assert.match(
      String(titles[0][1]),
      new RegExp(
        `^total ${sent.total} sent with sample values · ${expected.total} in the template \\(both \\+${expected.overhead} chat overhead\\) · \\$\\S+ input · up to \\$\\S+ output on gpt-5-mini$`,
      ),
    );

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(lines.indexOf('system:') + 1, 4),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, new RegExp(`system\\*\\* · ${sent.perMessage[0]} tokens sent with sample values · ${expected.perMessage[0]} in the template`));
    assert.match(text, /per 1,000 requests/);
    assert.match(text, /of gpt-5-mini's 400,000-token context window/);

    // The README screenshot: the prompt with its counts (browser side).
    writeMarker(root, 'prompt-open');
    await waitForMarker(root, 'prompt-shot', 60_000);
  });

  it('updates the counts while typing', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(root, 'support.prompty')));
    const userLine = PROMPTY.split('\n').indexOf(USER);
    const added = ' Mention the p95 time to first token.';
    await editor.edit((b) => b.insert(new vscode.Position(userLine, USER.length), added));
    const template = countTokens('user', 'o200k_base') + countTokens(USER + added, 'o200k_base');
    const sent = countTokens('user', 'o200k_base') + countTokens(SENT[1].content + added, 'o200k_base');
    await poll('the user lens updated', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return l?.some((x) => x.command?.title === `user · ${sent} tokens sent with sample values · ${template} in the template`) ? true : undefined;
    });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it("counts a large prompt file exactly (its new pieces counted on the server's helper thread)", async () => {
    // ~400 KB of made-up words: tens of thousands of pieces the server has never seen.
    const rng = mulberry32(11);
    const word = () => Array.from({ length: 3 + Math.floor(rng() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rng() * 26)]).join('');
    const paragraph = () => Array.from({ length: 12 }, word).join(' ') + '.';
    const body = (lines: number) => Array.from({ length: lines }, paragraph).join('\n');
    const system = body(2500);
    const user = body(2500);
    fs.writeFileSync(path.join(root, 'large.prompty'), `---\nmodel: gpt-4o\n---\nsystem:\n${system}\n\nuser:\n${user}\n`);
    const doc = await vscode.workspace.openTextDocument(path.join(root, 'large.prompty'));
    const expected = countChatTokens(
      [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      'o200k_base',
    );
    const lenses = await poll('CodeLens of the large file', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l && l.length >= 3 ? l : undefined;
    });
    assert.deepEqual(
      lenses.slice(1).map((l) => l.command?.title),
      [`system · ${expected.perMessage[0].toLocaleString('en-US')} tokens`, `user · ${expected.perMessage[1].toLocaleString('en-US')} tokens`],
    );
    assert.match(String(lenses[0].command?.title), new RegExp(`^total ${expected.total.toLocaleString('en-US')} `));
  });

  it('a .jsonl dataset: tokens per line as inlay hints, a malformed line as a diagnostic on its line', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(root, 'chats.jsonl'));
    await vscode.window.showTextDocument(doc);
    const hints = await poll('inlay hints', async () => {
      const h = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, 5, 0));
      return h && h.length >= 2 ? h : undefined;
    });
    assert.deepEqual(
      hints.map((h) => [h.position.line, String(h.label).trim()]),
      CHATS.map((m, i) => [i, `${countChatTokens(m, 'o200k_base').total} tokens`]),
    );
    const diagnostics = await poll('dataset diagnostics', async () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length ? d : undefined;
    });
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, /^invalid JSON/.test(d.message)]),
      [[2, true]],
    );
  });

  it('scenario files: a misspelled key is an error with a quick fix, completion offers the schema keys', async () => {
    const file = path.join(root, 'typo.perf.yaml');
    const text = fs.readFileSync(path.join(root, 'quickstart.perf.yaml'), 'utf8').replace('  arrival: poisson', '  arival: poisson');
    fs.writeFileSync(file, text);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const typo = await poll('the misspelled key diagnostic', async () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => /unknown property "arival"/.test(d.message)),
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      typo.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Change to "arrival"');
    assert.ok(fix?.edit, `quick fix offered (${actions.map((a) => a.title).join(', ')})`);
    await vscode.workspace.applyEdit(fix.edit);
    assert.ok(doc.getText().includes('  arrival: poisson'));
    await poll('the diagnostic goes away', async () => (vscode.languages.getDiagnostics(doc.uri).some((d) => /arival/.test(d.message)) ? undefined : true));

    const rateLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('  rate:'));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(rateLine, 3));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const key of ['mode', 'requests', 'think_time']) assert.ok(labels.includes(key), `${key} completes (${labels.slice(0, 20).join(', ')})`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('status bar, Count Tokens in Selection and Show Token Boundaries', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(root, 'support.prompty')));
    const total = countChatTokens(
      [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: USER },
      ],
      'o200k_base',
    ).total;
    const sent = countChatTokens(SENT, 'o200k_base').total;
    await poll('the status-bar total', async () =>
      perflab.prompts.statusText.total.includes(`${sent} tokens sent · ${total} in the template · $`) ? true : undefined,
    );
    assert.match(perflab.prompts.statusText.model, /gpt-5-mini/);

    const line = PROMPTY.split('\n').indexOf('system:') + 1;
    editor.selection = new vscode.Selection(line, 0, line, editor.document.lineAt(line).text.length);
    // The command the status bar's total runs (Count Tokens in Selection): the selection's count.
    const counted = (await execute<{ tokens: number; model: string } | undefined>('perflab.countTokensInSelection'))!;
    assert.equal(counted.tokens, countTokens(editor.document.lineAt(line).text, 'o200k_base'));
    assert.equal(counted.model, 'gpt-5-mini');

    const shown = await execute<number>('perflab.toggleTokenBoundaries');
    assert.ok(shown > 10, `token boundaries drawn for the visible lines (${shown})`);
    assert.equal(await execute<number>('perflab.toggleTokenBoundaries'), 0, 'the same command turns them off');
  });

  it('the status-bar model picker: a model picked in the quick pick (browser side) counts a prompt without one', async () => {
    // German: the two encodings count it differently (cl100k_base 33, o200k_base 29 with framing).
    const body = 'Fasse den Vorfallbericht unten für eine Bereitschaftsingenieurin in fünf Stichpunkten zusammen.';
    fs.writeFileSync(path.join(root, 'summary.prompt.md'), `${body}\n`);
    const doc = await vscode.workspace.openTextDocument(path.join(root, 'summary.prompt.md'));
    await vscode.window.showTextDocument(doc);
    await poll('the model in the status bar', async () => (/gpt-5-mini/.test(perflab.prompts.statusText.model) ? true : undefined));
    writeMarker(root, 'pick-model');
    await waitForMarker(root, 'model-picked', 60_000);
    try {
      await poll('the picked model in the settings', async () =>
        vscode.workspace.getConfiguration('perflab').get('promptModel') === 'gpt-4-turbo' ? true : undefined,
      );
      const expected = countChatTokens([{ role: 'user', content: body }], 'cl100k_base');
      await poll('CodeLens counted for gpt-4-turbo (cl100k_base)', async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        const title = l?.[0]?.command?.title ?? '';
        return title.startsWith(`total ${expected.total} `) && title.endsWith('on gpt-4-turbo (picked)') ? true : undefined;
      });
      assert.notEqual(expected.total, countChatTokens([{ role: 'user', content: body }], 'o200k_base').total, 'the picked model changed the encoding');
    } finally {
      await vscode.workspace.getConfiguration('perflab').update('promptModel', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
