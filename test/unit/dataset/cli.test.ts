// `perflab dataset generate|from-csv` as a user runs them: the built bundle (dist/cli.js via
// bin/perflab.js), files written, messages and exit codes (0 ok, 2 bad input, 3 requests failed).

import { strict as assert } from 'node:assert';
import { perflab as runPerflab } from '../helpers/run-cli';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulator } from '../../../src/simulator/server';
import { refChatCount } from '../tokens/fixtures';

/** The CLI with extra environment variables. */
const perflab = (args: string[], env: NodeJS.ProcessEnv = {}) => runPerflab(args, { env });

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-dataset-'));
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

function scenario(dir: string, targets: string): string {
  const file = path.join(dir, 'app.perf.yaml');
  fs.writeFileSync(file, `name: app\ntargets:\n${targets}\nworkload: { rate: 60, duration: 5s }\nprompts: { shape: balanced }\n`);
  return file;
}

const SIM_TARGET =
  '  - { name: sim, provider: simulator, endpoint: simulator, model: gpt-4o-mini, auth: { type: none }, simulator: { ttft_ms: 2, tpot_ms: 0.05, jitter: 0 } }';

describe('perflab dataset (CLI)', function () {
  this.timeout(60_000);

  it('generate on the simulator: 25 lines next to the scenario, progress on stderr, exit 0', async () => {
    const dir = tmp();
    const file = scenario(dir, SIM_TARGET);
    const r = await perflab(['dataset', 'generate', file, '--count', '25', '--about', 'Support chat of a bank app', '--system', 'Be brief.']);
    assert.equal(r.code, 0, r.stderr);
    const out = path.join(dir, 'support-chat-of-a-bank-app.jsonl');
    assert.match(
      r.stdout,
      new RegExp(
        `^wrote 25 messages to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(prompt tokens for gpt-4o-mini: min \\d+, median \\d+, max \\d+, total \\d+\\)\\n$`,
      ),
    );
    assert.match(r.stderr, /perflab: asking "sim" \(simulator, gpt-4o-mini\) for 25 messages\nperflab: request 1 to the simulator: /);
    const lines = readJsonl(out);
    assert.equal(lines.length, 25);
    assert.equal(new Set(lines.map((l) => l.messages[1].content)).size, 25);
    for (const l of lines) assert.equal(l.prompt_tokens, refChatCount(l.messages, 'o200k_base'));
  });

  it('generate: --target picks one of several; an unknown target lists them (exit 2)', async () => {
    const dir = tmp();
    const file = scenario(dir, `${SIM_TARGET}\n${SIM_TARGET.replace('name: sim', 'name: other')}`);
    const none = await perflab(['dataset', 'generate', file, '--count', '3', '--about', 'x']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /the scenario has 2 targets \("sim", "other"\); pick one with --target/);
    const wrong = await perflab(['dataset', 'generate', file, '--target', 'nope', '--count', '3', '--about', 'x']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /no target "nope" in .*app\.perf\.yaml; its targets: "sim", "other"/);
    const out = path.join(dir, 'o.jsonl');
    const ok = await perflab(['dataset', 'generate', file, '--target', 'other', '--count', '3', '--about', 'x', '--out', out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(readJsonl(out).length, 3);
    const bad = await perflab(['dataset', 'generate', file, '--target', 'other', '--count', 'ten', '--about', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--count must be a whole number ≥ 1 \(got "ten"\)/);
  });

  it('generate: the key comes from the environment, goes only to the target; a rejected key exits 3', async () => {
    const sim = await startSimulator({ ttft_ms: 2, tpot_ms: 0.05, api_key: 'k-123', keep_log: true });
    try {
      const dir = tmp();
      const file = scenario(
        dir,
        `  - { name: az, provider: azure, endpoint: "${sim.url}", deployment: gpt-4o, api_version: 2024-10-21, auth: { type: api-key, env: MY_KEY } }`,
      );
      const missing = await perflab(['dataset', 'generate', file, '--count', '3', '--about', 'x'], { MY_KEY: '' });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /environment variable MY_KEY is not set/);
      const ok = await perflab(['dataset', 'generate', file, '--count', '3', '--about', 'x'], { MY_KEY: 'k-123' });
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(sim.log.every((e) => e.auth === 'api-key' && e.route === 'azure' && e.status === 200));
      const rejected = await perflab(['dataset', 'generate', file, '--count', '3', '--about', 'x'], { MY_KEY: 'wrong-key' });
      assert.equal(rejected.code, 3);
      assert.match(rejected.stderr, /error: stopped with 0 of 3 unique messages after 3 request\(s\): 3 requests in a row failed \(last: HTTP 401/);
      assert.doesNotMatch(rejected.stderr + rejected.stdout, /wrong-key|k-123/);
      assert.equal(fs.existsSync(path.join(dir, 'x.jsonl')), true, 'the earlier good run wrote x.jsonl');
    } finally {
      await sim.close();
    }
  });

  it('generate: more than the simulator can write → warning, what was collected is written, exit 0', async () => {
    const dir = tmp();
    const file = scenario(dir, SIM_TARGET);
    const out = path.join(dir, 'many.jsonl');
    const r = await perflab(['dataset', 'generate', file, '--count', '300', '--about', 'x', '--batch-size', '50', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const n = readJsonl(out).length;
    assert.ok(n > 150 && n < 300, String(n));
    assert.match(r.stderr, new RegExp(`perflab: warning: stopped with ${n} of 300 unique messages`));
  });

  it('from-csv: tricky CSV → exact lines; --column; unknown column lists the columns (exit 2); malformed CSV says where', async () => {
    const dir = tmp();
    const csv = path.join(dir, 'questions.csv');
    fs.writeFileSync(csv, '\uFEFFid,Prompt,team\r\n1,"Hello, ""bot""",a\r\n\r\n2,"multi\nline",b\r\n3,hello bot,c\r\n4,,d\r\n');
    const r = await perflab(['dataset', 'from-csv', csv, '--model', 'gpt-4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /column "Prompt": 4 rows, skipped 1 blank and 1 repeated/);
    const lines = fs.readFileSync(path.join(dir, 'questions.jsonl'), 'utf8');
    const expected = ['Hello, "bot"', 'multi\nline'].map((t) => {
      const messages = [{ role: 'user', content: t }];
      return JSON.stringify({ messages, prompt_tokens: refChatCount(messages, 'cl100k_base') });
    });
    assert.equal(lines, expected.join('\n') + '\n');

    const out = path.join(dir, 'teams.jsonl');
    const byColumn = await perflab(['dataset', 'from-csv', csv, '--column', 'team', '--out', out]);
    assert.equal(byColumn.code, 0, byColumn.stderr);
    assert.deepEqual(
      readJsonl(out).map((l) => l.messages[0].content),
      ['a', 'b', 'c', 'd'],
    );

    const unknown = await perflab(['dataset', 'from-csv', csv, '--column', 'question']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `perflab dataset: ${csv}:1:1: no column named "question"; the columns are: "id", "Prompt", "team"\n`);

    const broken = path.join(dir, 'broken.csv');
    fs.writeFileSync(broken, 'question\nfine\n"not closed\n');
    const b = await perflab(['dataset', 'from-csv', broken]);
    assert.equal(b.code, 2);
    assert.equal(b.stderr, `perflab dataset: ${broken}:3:1: quoted field is never closed (a missing " ?)\n`);

    const missing = await perflab(['dataset', 'from-csv', path.join(dir, 'nope.csv')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.csv:1:1: file not found/);
  });
});
