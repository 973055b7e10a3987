// The TextMate grammars in syntaxes/, run by vscode-textmate with the Oniguruma regex engine — the same
// libraries VS Code colours with. YAML and Markdown are VS Code's own grammars, not in this repository:
// small stand-ins with the scopes ours refer to (source.yaml; text.html.markdown with fenced code).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar, type IRawGrammar } from 'vscode-textmate';

const ROOT = path.join(__dirname, '..', '..', '..');
const raw = (file: string): IRawGrammar => parseRawGrammar(fs.readFileSync(path.join(ROOT, 'syntaxes', file), 'utf8'), file);
const standIn = (grammar: object): IRawGrammar => parseRawGrammar(JSON.stringify(grammar), 'stand-in.json');

const YAML = standIn({ scopeName: 'source.yaml', patterns: [{ match: '^\\s*([\\w-]+)(:)', captures: { '1': { name: 'entity.name.tag.yaml' } } }] });
const MARKDOWN = standIn({
  scopeName: 'text.html.markdown',
  patterns: [
    { begin: '^```', end: '^```', name: 'markup.fenced_code.block.markdown' },
    { match: '^#+ .*$', name: 'markup.heading.markdown' },
  ],
});

async function registry(): Promise<Registry> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const grammars: Record<string, IRawGrammar> = {
    'source.prompty': raw('prompty.tmLanguage.json'),
    'perflab.prompt-roles.injection': raw('prompt-roles.injection.tmLanguage.json'),
    'source.yaml': YAML,
    'text.html.markdown': MARKDOWN,
  };
  return new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => grammars[scope] ?? null,
    // As package.json's "injectTo": the roles grammar is injected into Markdown.
    getInjections: (scope) => (scope === 'text.html.markdown' ? ['perflab.prompt-roles.injection'] : undefined),
  });
}

/** Each line's tokens as [text, innermost scopes joined]. */
function tokenize(grammar: IGrammar, text: string): [string, string][][] {
  let state = INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.join(' ')] as [string, string]);
  });
}

const scopeOf = (lines: [string, string][][], line: number, text: string) => lines[line].find(([t]) => t === text)?.[1] ?? `(no token ${JSON.stringify(text)})`;

describe('syntaxes (TextMate grammars, tokenized as VS Code does)', () => {
  let prompty: IGrammar;
  let markdown: IGrammar;
  before(async () => {
    const r = await registry();
    prompty = (await r.loadGrammar('source.prompty'))!;
    markdown = (await r.loadGrammar('text.html.markdown'))!;
  });

  it('.prompty: front matter as embedded YAML between --- lines, role markers, {{variables}}, template tags', () => {
    const lines = tokenize(
      prompty,
      [
        '---',
        'name: Support',
        'model: gpt-4o',
        '---',
        'system:',
        'You help with {{ product }}.',
        '',
        '# user:',
        '{% if x %}hi{% endif %}',
        'user: is a word here',
      ].join('\n'),
    );
    assert.match(scopeOf(lines, 0, '---'), /punctuation\.definition\.tag\.begin\.prompty/);
    assert.match(scopeOf(lines, 1, 'name'), /meta\.embedded\.block\.yaml entity\.name\.tag\.yaml/);
    assert.match(scopeOf(lines, 3, '---'), /punctuation\.definition\.tag\.end\.prompty/);
    assert.match(scopeOf(lines, 4, 'system'), /keyword\.control\.role\.prompty/);
    assert.match(scopeOf(lines, 4, ':'), /punctuation\.separator\.key-value\.prompty/);
    assert.match(scopeOf(lines, 5, 'product'), /variable\.other\.prompty/);
    assert.match(scopeOf(lines, 5, '{{'), /punctuation\.definition\.template-expression\.begin\.prompty/);
    assert.doesNotMatch(scopeOf(lines, 5, 'You help with '), /variable|keyword/);
    assert.match(scopeOf(lines, 7, 'user'), /keyword\.control\.role\.prompty/);
    assert.match(scopeOf(lines, 8, '{% if x %}'), /invalid\.deprecated\.template-tag\.prompty/);
    // Not a marker: text after the colon.
    assert.ok(
      lines[9].every(([, s]) => !/keyword\.control\.role/.test(s)),
      JSON.stringify(lines[9]),
    );
  });

  it('.prompty: a --- later in the body is not front matter', () => {
    const lines = tokenize(prompty, ['system:', '---', 'name: x'].join('\n'));
    assert.ok(
      lines.flat().every(([, s]) => !/meta\.embedded|punctuation\.definition\.tag/.test(s)),
      JSON.stringify(lines),
    );
  });

  it('Markdown: role headings and {{variables}} injected, but not inside fenced code', () => {
    const lines = tokenize(
      markdown,
      ['## system', 'Answer about {{topic}}.', '```', '## user', '{{not_a_variable}}', '```', '### assistant:', '## summary'].join('\n'),
    );
    assert.match(scopeOf(lines, 0, 'system'), /keyword\.control\.role\.prompt-md/);
    assert.match(scopeOf(lines, 1, 'topic'), /variable\.other\.prompt-md/);
    assert.ok(
      lines[3].every(([, s]) => !/keyword\.control\.role/.test(s)),
      `inside the fence: ${JSON.stringify(lines[3])}`,
    );
    assert.ok(
      lines[4].every(([, s]) => !/variable\.other/.test(s)),
      `inside the fence: ${JSON.stringify(lines[4])}`,
    );
    assert.match(scopeOf(lines, 6, 'assistant'), /keyword\.control\.role\.prompt-md/);
    assert.ok(
      lines[7].every(([, s]) => !/keyword\.control\.role/.test(s)),
      'an ordinary heading stays a heading',
    );
  });
});
