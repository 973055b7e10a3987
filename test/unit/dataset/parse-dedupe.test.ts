// Reading messages out of a model's answer, and telling repeats from different messages.

import { strict as assert } from 'node:assert';
import { Deduper, jaccard, normalizeText } from '../../../src/dataset/dedupe';
import { parseAnswer } from '../../../src/dataset/parse-answer';

describe('dataset: parsing a model answer', () => {
  it('a JSON array, bare, fenced or after a sentence', () => {
    assert.deepEqual(parseAnswer('["a?", " b "]'), ['a?', 'b']);
    assert.deepEqual(parseAnswer('Sure! Here they are:\n```json\n[\n  "What is X?",\n  "Why [not] Y?"\n]\n```'), ['What is X?', 'Why [not] Y?']);
  });

  it('an array of objects: the question/message/text field', () => {
    assert.deepEqual(parseAnswer('[{"question": "q1"}, {"persona": "dev", "message": "q2"}, {"text": "q3"}]'), ['q1', 'q2', 'q3']);
  });

  it('an array cut off at the token limit: the complete elements', () => {
    assert.deepEqual(parseAnswer('[\n  "one, with \\"quotes\\"",\n  "two",\n  "thr'), ['one, with "quotes"', 'two']);
    assert.deepEqual(parseAnswer('[{"question": "q1"}, {"question": "q2"}, {"question": "q'), ['q1', 'q2']);
  });

  it('numbered or bulleted lines when there is no array', () => {
    assert.deepEqual(parseAnswer('Here you go:\n1. "How do I start?"\n2) What does it cost?\n- Can I cancel?\n\nHope this helps.'), [
      'How do I start?',
      'What does it cost?',
      'Can I cancel?',
    ]);
    assert.deepEqual(parseAnswer('I cannot help with that.'), []);
  });
});

describe('dataset: duplicates and near-duplicates', () => {
  it('normalization ignores case, punctuation and spacing', () => {
    assert.equal(normalizeText('  How do I   RESET my password?! '), 'how do i reset my password');
    assert.equal(jaccard(new Set(['a', 'b']), new Set(['b', 'c'])), 1 / 3);
  });

  it('drops exact and reordered/one-word-longer repeats, keeps different questions', () => {
    const d = new Deduper(true);
    const verdicts = [
      'How do I reset my password?',
      'how do i reset my password',
      'How do I reset my password please?', // 6/7 = 0.86
      'My password: how do I reset it?', // same words, moved: 6/7
      'How can I reset my password?', // 5/7 = 0.71: a different prompt
      'Why does my password reset email never arrive?',
      '',
      'Hi', // too short for near checks
      'Hi!',
    ].map((t) => d.add(t));
    assert.deepEqual(verdicts, ['kept', 'duplicate', 'near-duplicate', 'near-duplicate', 'kept', 'kept', 'empty', 'kept', 'duplicate']);
    assert.deepEqual(d.counts, { kept: 4, empty: 1, duplicate: 2, 'near-duplicate': 2 });
  });

  it('without near-duplicate checks (CSV) only exact repeats go', () => {
    const d = new Deduper(false);
    assert.deepEqual(
      ['How do I reset my password?', 'How do I reset my password please?'].map((t) => d.add(t)),
      ['kept', 'kept'],
    );
  });
});
