// Completion inside an HTTP target's template: typing `{{` offers the placeholders, narrowed by what
// is typed, closing the braces only when they are not there yet; nothing outside a placeholder.

import { strict as assert } from 'node:assert';
import { scenarioCompletions, scenarioHover } from '../../../src/server/scenario-support';

const TEXT = `targets:
  - name: app
    provider: http
    request:
      url: /api/chat?session={{
      body: |
        {"q": "{{pro", "s": {{session_id}} }
`;

describe('placeholder completion and hover in templates', () => {
  const lines = TEXT.split('\n');
  it('after an open {{ in a url: every placeholder, with the closing braces', () => {
    const items = scenarioCompletions(TEXT, 4, lines[4].length);
    assert.deepEqual(
      items.map((i) => i.insertText),
      ['prompt}}', 'messages}}', 'session_id}}', 'turn}}', 'model}}'],
    );
    assert.match(items[0].documentation!, /last user message/);
  });

  it('inside a block scalar, narrowed by what is typed', () => {
    const at = lines[6].indexOf('{{pro') + '{{pro'.length;
    assert.deepEqual(
      scenarioCompletions(TEXT, 6, at).map((i) => i.label),
      ['prompt'],
    );
  });

  it('after a closed placeholder: the usual completion, not placeholders', () => {
    const at = lines[6].indexOf('}}') + 3;
    assert.ok(scenarioCompletions(TEXT, 6, at).every((i) => i.detail !== 'placeholder'));
  });

  it('hover on a placeholder says what fills it; a dataset field is named as one', () => {
    assert.match(scenarioHover(TEXT, 6, lines[6].indexOf('session_id') + 2)!, /^\*\*\{\{session_id\}\}\*\* — The virtual user's session/);
    const withField = TEXT.replace('{{session_id}}', '{{team}}');
    assert.match(scenarioHover(withField, 6, withField.split('\n')[6].indexOf('team') + 1)!, /a field of each dataset line/);
  });
});
