import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPromptMessages, parsePromptFile, promptDefaults, PromptFileError, renderPrompty } from '../../../src/tokens/prompt-files';

const dir = path.join(__dirname, '..', '..', 'fixtures', 'prompts');
const parseFixture = (name: string) => parsePromptFile(name, fs.readFileSync(path.join(dir, name), 'utf8'));

describe('prompt files', () => {
  it('parses a .prompty file: front matter, model, sections, variables', () => {
    const p = parseFixture('support.prompty');
    assert.equal(p.format, 'prompty');
    assert.deepEqual(p.problems, []);
    assert.equal(p.model, 'gpt-4o');
    assert.deepEqual(p.variables, ['product', 'question']);
    assert.deepEqual(p.frontMatter?.sample, { question: 'How do I reset my password?' });
    assert.deepEqual(p.sections, [
      {
        label: 'system',
        role: 'system',
        line: 18,
        messages: [{ role: 'system', content: 'You are a helpful support agent for {{product}}.\nAnswer briefly.' }],
        text: 'You are a helpful support agent for {{product}}.\nAnswer briefly.',
      },
      { label: 'user', role: 'user', line: 22, messages: [{ role: 'user', content: '{{ question }}' }], text: '{{ question }}' },
    ]);
  });

  it('reads \\r\\n line ends as \\n (same sections, lines and problems), and keeps a \\r that ends no line', () => {
    for (const name of ['support.prompty', 'roles.prompt.md', 'plain.md']) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      assert.deepEqual(parsePromptFile(name, text.replace(/\r?\n/g, '\r\n')), parsePromptFile(name, text), name);
    }
    const p = parsePromptFile('x.prompty', '\ufeffsystem:\r\n\r\n  be brief\r\r\n\r\nuser:\r\nhi\r');
    assert.deepEqual(
      p.sections.map((s) => [s.label, s.line, s.text]),
      [
        ['system', 1, '  be brief'],
        ['user', 5, 'hi'],
      ],
    );
    const lone = parsePromptFile('x.md', 'a\rb\nc');
    assert.equal(lone.sections[0].text, 'a\rb\nc');
  });

  it('renders {{variables}} and names the missing ones', () => {
    const p = parseFixture('support.prompty');
    assert.deepEqual(promptDefaults(p), { product: 'Contoso Router', question: 'How do I reset my password?' });
    assert.deepEqual(renderPrompty(p, { product: 'X', question: 'Why?' }), [
      { role: 'system', content: 'You are a helpful support agent for X.\nAnswer briefly.' },
      { role: 'user', content: 'Why?' },
    ]);
    assert.throws(() => renderPrompty(p, { question: 'Why?' }), { message: 'missing variable "product" (line 18)' });
    assert.throws(() => renderPrompty(p, {}), { message: 'missing variables "product" (line 18), "question" (line 22)' });
  });

  it('accepts model: <name>, # role markers and text before the first marker (system)', () => {
    const p = parsePromptFile('x.prompty', '---\nmodel: gpt-4.1\n---\nBe brief.\n# USER:\nHi {{ who.name }}\n');
    assert.equal(p.model, 'gpt-4.1');
    assert.deepEqual(p.variables, ['who.name']);
    assert.deepEqual(renderPrompty(p, { who: { name: 'Ann' } }), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi Ann' },
    ]);
  });

  it('reports prompty problems with lines: front matter syntax, empty sections, unsupported templates', () => {
    const p = parsePromptFile('x.prompty', '---\nmodel: [gpt\n---\nuser:\n{% if x %}hi{% endif %}\nassistant:\n');
    assert.deepEqual(p.problems, [
      { line: 2, column: 12, message: 'front matter: Flow sequence in block collection must be sufficiently indented and end with a ]' },
      { line: 5, column: 1, message: 'template tags ({% ... %}) are not supported; only {{variable}} substitution' },
      { line: 6, column: 1, message: 'the assistant section is empty' },
    ]);
    assert.deepEqual(parsePromptFile('x.prompty', '---\nname: x\n').problems, [
      { line: 1, column: 1, message: 'front matter starts with --- but has no closing --- line' },
    ]);
  });

  it('parses a .jsonl dataset, one section per line', () => {
    const p = parseFixture('chats.jsonl');
    assert.deepEqual(p, {
      format: 'jsonl',
      problems: [],
      variables: [],
      sections: [
        {
          label: 'line 1',
          line: 1,
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'user', content: 'Hello' },
          ],
          text: 'You are terse.\nHello',
        },
        { label: 'line 2', line: 2, messages: [{ role: 'user', content: 'Count to three', name: 'ann' }], text: 'Count to three' },
      ],
    });
  });

  it('turns malformed .jsonl lines into problems with their line numbers', () => {
    const p = parseFixture('malformed.jsonl');
    assert.deepEqual(
      p.sections.map((s) => s.line),
      [1, 6],
    );
    assert.deepEqual(
      p.problems.map((q) => [q.line, q.column]),
      [
        [2, 60],
        [4, 1],
        [5, 1],
      ],
    );
    assert.match(p.problems[0].message, /^invalid JSON: /);
    assert.equal(p.problems[1].message, 'messages[0]: "role" must be one of system, user, assistant, developer, tool (got "robot")');
    assert.match(p.problems[2].message, /expected an object with a "messages" list/);
  });

  it('parses markdown with role headings (ignoring fenced code) or as one user message', () => {
    const roles = parseFixture('roles.prompt.md');
    assert.equal(roles.format, 'markdown');
    assert.deepEqual(roles.problems, []);
    assert.deepEqual(roles.variables, ['text']);
    assert.deepEqual(
      roles.sections.map((s) => [s.label, s.line]),
      [
        ['system', 3],
        ['user', 6],
      ],
    );
    assert.match(roles.sections[1].text, /## user\nthis heading is inside a code fence/);

    const plain = parseFixture('plain.md');
    assert.deepEqual(plain.sections, [
      {
        label: 'user',
        role: 'user',
        line: 2,
        messages: [{ role: 'user', content: 'Summarize the following article in three bullet points.\n\nIt was a dark and stormy night.' }],
        text: 'Summarize the following article in three bullet points.\n\nIt was a dark and stormy night.',
      },
    ]);
    const stray = parsePromptFile('x.md', '# Title\nsome notes\n## user\nhi\n');
    assert.deepEqual(stray.problems, [{ line: 1, column: 1, message: 'text before the first role heading (## system, ## user, …) is not sent' }]);
  });

  it('loads the conversations of a run: one per dataset line, one per inputs line', () => {
    assert.equal(loadPromptMessages({ kind: 'dataset', file: 'chats.jsonl' }, dir).length, 2);
    const rendered = loadPromptMessages({ kind: 'prompty', file: 'support.prompty', inputs: 'inputs.jsonl' }, dir);
    assert.deepEqual(
      rendered.map((m) => m.map((x) => x.content)),
      [
        ['You are a helpful support agent for Contoso Router.\nAnswer briefly.', 'How do I reset my password?'],
        ['You are a helpful support agent for Contoso Billing.\nAnswer briefly.', 'Where is my invoice?'],
        ['You are a helpful support agent for Contoso Router.\nAnswer briefly.', 'Can I change my plan?'],
      ],
    );
    assert.deepEqual(loadPromptMessages({ kind: 'prompty', file: 'support.prompty' }, dir), [rendered[0]]);
  });

  it('fails a run on bad prompt files with file:line:col messages', () => {
    assert.throws(
      () => loadPromptMessages({ kind: 'dataset', file: 'malformed.jsonl' }, dir),
      (err: unknown) => {
        assert.ok(err instanceof PromptFileError);
        assert.deepEqual(
          err.message.split('\n').map((l) => l.split(': ')[0]),
          ['malformed.jsonl:2:60', 'malformed.jsonl:4:1', 'malformed.jsonl:5:1'],
        );
        return true;
      },
    );
    assert.throws(() => loadPromptMessages({ kind: 'prompty', file: 'roles.prompt.md' }, dir), {
      message: 'roles.prompt.md: missing variable "text" (line 6); give it a value under `sample:` in the front matter, or use `inputs`',
    });
    assert.throws(() => loadPromptMessages({ kind: 'prompty', file: 'roles.prompt.md', inputs: 'inputs.jsonl' }, dir), {
      message: 'inputs.jsonl:1: missing variable "text" (line 6)',
    });
    assert.throws(() => loadPromptMessages({ kind: 'dataset', file: 'nope.jsonl' }, dir), PromptFileError);
  });
});
