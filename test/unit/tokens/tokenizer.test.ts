import { strict as assert } from 'node:assert';
import { countTokens, decode, encode, ENCODINGS, isEncoding, type Encoding } from '../../../src/tokens/tokenizer';
import { reference } from './fixtures';

// One of each kind of text that trips tokenizers: scripts, emoji sequences, whitespace runs,
// digit grouping, contractions in odd case, code, JSON, and special-token text.
const SAMPLE: string[] = [
  "The quick brown fox jumps over the lazy dog. It's 9:41 — isn't it?",
  "HE'LL BE THERE, I'M SURE; we'd've gone. O'Neil's café, naïve résumé.",
  'export async function run(n: number): Promise<void> {\n\tfor (let i = 0; i < n; i++) { await tick(i * 0.5e-3); }\n}\n',
  JSON.stringify({ id: 'chatcmpl-9x', usage: { prompt_tokens: 1234, completion_tokens: 56 }, tags: ['a', 'β', '東京'] }, null, 2),
  '東京大学の研究者は、新しいモデルを発表しました。한국어 문장도 있습니다。中文句子，没有空格的长文本。',
  '😀🚀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵 ❤️ 1️⃣ 🧑🏿‍💻',
  'مرحبا بالعالم، هذه جملة عربية. שלום עולם. नमस्ते दुनिया। Привет, мир! สวัสดีชาวโลก',
  ' '.repeat(300) + 'x' + '\t'.repeat(40) + '\n\n\n' + ' \n '.repeat(20) + '\u00a0\u3000end',
  '3.14159265358979 1,234,567,890 0x1F 1e-9 12345678901234567890 ٠١٢٣٤٥٦٧٨٩',
  'plain <|endoftext|> text <|im_start|>user\nhi<|im_end|> <|fim_prefix|>',
  'e\u0301 ǅungla ﬁnance XMLHttpRequest camelCaseWord snake_case_word kebab-case-word',
  '',
];

describe('tokens/tokenizer', () => {
  for (const enc of ENCODINGS) {
    describe(enc, () => {
      it('encodes to the same ids as tiktoken', () => {
        for (const text of SAMPLE) {
          assert.deepEqual(encode(text, enc), Array.from(reference(enc).encode_ordinary(text)), JSON.stringify(text));
        }
      });

      it('counts like tiktoken', () => {
        for (const text of SAMPLE) assert.equal(countTokens(text, enc), reference(enc).encode_ordinary(text).length);
      });

      it('decodes back to the text', () => {
        for (const text of SAMPLE) assert.equal(decode(encode(text, enc), enc), text);
      });

      it('treats special-token text as plain text', () => {
        const ids = encode('<|endoftext|>', enc);
        assert.ok(ids.length > 1, 'not collapsed into the single control token');
      });
    });
  }

  it('gives the two encodings different ids for the same text', () => {
    assert.notDeepEqual(encode('hello world', 'o200k_base'), encode('hello world', 'cl100k_base'));
  });

  it('rejects an unknown encoding', () => {
    assert.throws(() => countTokens('x', 'p50k_base' as Encoding), /Unknown encoding/);
    assert.equal(isEncoding('o200k_base'), true);
    assert.equal(isEncoding('gpt2'), false);
  });
});
