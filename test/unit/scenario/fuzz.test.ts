// Fuzzing the scenario loader: several hundred malformed scenario texts, generated from a fixed seed
// out of the repository's own examples and fixtures. validateScenarioText must return (never throw,
// never hang) and every problem must point inside the text with a message. The cases run in a
// worker thread (fuzz-worker.ts) so a case that hangs can be stopped and named.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatProblem, type ScenarioProblem } from '../../../src/engine/scenario/load';
import { mulberry32, pick, randInt } from '../../../src/tokens/rng';
import type { FuzzReply } from './fuzz-worker';

const ROOT = path.join(__dirname, '..', '..', '..');
const SEED = 20_251_212;
const CASES = 400;
/** Per case: far above the slowest case (under a second); only a hang gets near it. */
const CASE_TIMEOUT_MS = 10_000;

interface Source {
  file: string;
  text: string;
}

function sources(): Source[] {
  const dirs = [path.join(ROOT, 'examples'), path.join(ROOT, 'test', 'fixtures', 'scenarios')];
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.perf.yaml'))
      .sort()
      .map((name) => ({ file: path.join(dir, name), text: fs.readFileSync(path.join(dir, name), 'utf8') })),
  );
}

type Rng = () => number;
type Mutation = (text: string, rng: Rng) => string;

/** Values of the wrong type, too large, negative, not a number, or YAML oddities. */
const BAD_VALUES = [
  '[]',
  '{}',
  '"text"',
  '1e308',
  '-1e308',
  '1e12',
  '-1',
  '-0.5',
  '0',
  '2.5',
  '.nan',
  '.inf',
  '-.inf',
  'NaN',
  '"NaN"',
  'Infinity',
  'true',
  'null',
  '~',
  '""',
  '99999999999999999999h',
  '"1e308s"',
  `"${'9'.repeat(400)}s"`,
  '*nope',
  '&anchor',
  '!!binary AAAA',
  '!!str 12',
  '!custom x',
  '|',
  '>-',
  '"\\u0000"',
  "'unterminated",
  '"unterminated',
  '{ a: [ 1, 2 }',
  '- - -',
  ': :',
  '@',
  '`',
  'https://user:pass@example.com/v1',
  'http://127.0.0.1:99999/v1',
  'http://[::1',
  '%',
  '? x',
  `"${'x'.repeat(5000)}"`,
];

/** The lines of a text that hold `key: value`, as [line index, where the value starts]. */
function valueLines(lines: string[]): [number, number][] {
  const out: [number, number][] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*(?:-\s+)?[A-Za-z_][\w-]*:\s+)\S/.exec(line);
    if (m) out.push([i, m[1].length]);
  });
  return out;
}

function randomText(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(randInt(rng, 0, 0xffff));
  return s;
}

function randomBytesAsUtf8(rng: Rng, length: number): string {
  return Buffer.from(Array.from({ length }, () => randInt(rng, 0, 255))).toString('utf8');
}

function aliasBomb(rng: Rng): string {
  const width = randInt(rng, 2, 12);
  const levels = randInt(rng, 2, 10);
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

function insertAt(text: string, rng: Rng, piece: string): string {
  const at = randInt(rng, 0, text.length);
  return text.slice(0, at) + piece + text.slice(at);
}

const MUTATIONS: Record<string, Mutation> = {
  truncate: (t, rng) => t.slice(0, randInt(rng, 0, t.length)),
  'wrong value': (t, rng) => {
    const lines = t.split('\n');
    const spots = valueLines(lines);
    if (spots.length === 0) return t;
    const [i, start] = pick(rng, spots);
    lines[i] = lines[i].slice(0, start) + pick(rng, BAD_VALUES);
    return lines.join('\n');
  },
  'alias bomb': (t, rng) => (rng() < 0.5 ? aliasBomb(rng) + t : t + aliasBomb(rng)),
  'undefined alias': (t, rng) => {
    const lines = t.split('\n');
    const spots = valueLines(lines);
    if (spots.length === 0) return `${t}\nx: *nope\n`;
    const [i, start] = pick(rng, spots);
    lines[i] = `${lines[i].slice(0, start)}*missing_${randInt(rng, 0, 99)}`;
    return lines.join('\n');
  },
  'circular alias': (t) => `${t}\nloop: &loop { again: *loop }\n`,
  'deep flow nesting': (t, rng) => {
    const n = randInt(rng, 50, 12_000);
    const open = rng() < 0.5 ? '[' : '{a: ';
    const close = open === '[' ? ']' : '}';
    return insertAt(t, rng, `${open.repeat(n)}${rng() < 0.7 ? close.repeat(n) : ''}`);
  },
  'deep block nesting': (t, rng) => `${t}\n${Array.from({ length: randInt(rng, 50, 2000) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n`,
  'random characters': (t, rng) => insertAt(t, rng, randomText(rng, randInt(rng, 1, 200))),
  'random bytes': (t, rng) => (rng() < 0.3 ? randomBytesAsUtf8(rng, randInt(rng, 1, 4000)) : insertAt(t, rng, randomBytesAsUtf8(rng, randInt(rng, 1, 64)))),
  'NUL bytes': (t, rng) => insertAt(t, rng, '\0'.repeat(randInt(rng, 1, 4))),
  'UTF-16': (t) => Buffer.from(t, 'utf16le').toString('utf8'),
  'duplicate line': (t, rng) => {
    const lines = t.split('\n');
    const i = randInt(rng, 0, lines.length - 1);
    lines.splice(i, 0, lines[i]);
    return lines.join('\n');
  },
  tabs: (t, rng) =>
    t
      .split('\n')
      .map((line) => (rng() < 0.3 ? line.replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length / 2))) : rng() < 0.1 ? `${line}\t` : line))
      .join('\n'),
  'swap lines': (t, rng) => {
    const lines = t.split('\n');
    const a = randInt(rng, 0, lines.length - 1);
    const b = randInt(rng, 0, lines.length - 1);
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return lines.join('\n');
  },
  'shift indentation': (t, rng) =>
    t
      .split('\n')
      .map((line) => (rng() < 0.2 ? ' '.repeat(randInt(rng, 0, 3)) + line : line))
      .join('\n'),
  'long line': (t, rng) => insertAt(t, rng, pick(rng, ['x', '[', '{', ' ', '-', 'a: ', '"']).repeat(randInt(rng, 1000, 200_000))),
  'many unknown keys': (t, rng) => `${t}\n${Array.from({ length: randInt(rng, 100, 3000) }, (_, i) => `unknown_${i}: ${i}`).join('\n')}\n`,
  'CR line ends': (t, rng) => t.replace(/\n/g, rng() < 0.5 ? '\r\n' : '\r'),
  'delete characters': (t, rng) => {
    let out = t;
    for (let i = randInt(rng, 1, 20); i > 0 && out.length > 0; i--) {
      const at = randInt(rng, 0, out.length - 1);
      out = out.slice(0, at) + out.slice(at + 1);
    }
    return out;
  },
};

interface Case {
  name: string;
  file: string;
  text: string;
}

function generate(): Case[] {
  const random = mulberry32(SEED);
  const all = sources();
  const names = Object.keys(MUTATIONS);
  const cases: Case[] = [];
  for (let i = 0; i < CASES; i++) {
    const source = all[i % all.length];
    // Every mutation on its own in turn, then random combinations of two or three.
    const chosen = i < names.length * 2 ? [names[i % names.length]] : Array.from({ length: randInt(random, 2, 3) }, () => pick(random, names));
    let text = source.text;
    for (const name of chosen) text = MUTATIONS[name](text, random);
    cases.push({ name: `#${i} ${chosen.join(' + ')} of ${path.relative(ROOT, source.file)}`, file: source.file, text });
  }
  return cases;
}

/** Where a problem may point: a line of the text, a column up to just past that line's end. */
function checkPosition(text: string, p: ScenarioProblem, file: string): string | undefined {
  const lines = text.split('\n');
  const inside = (line: number, column: number) =>
    Number.isInteger(line) && Number.isInteger(column) && line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1].length + 1;
  if (p.file !== file) return `file ${p.file}`;
  if (!inside(p.line, p.column)) return `position ${p.line}:${p.column} outside the text (${lines.length} lines)`;
  if (p.endLine !== undefined && !inside(p.endLine, p.endColumn ?? 1)) return `end ${p.endLine}:${p.endColumn} outside the text`;
  if (typeof p.message !== 'string' || p.message.trim() === '') return 'empty message';
  if (/internal error|call stack size/i.test(p.message)) return `an exception became a problem: ${p.message}`;
  return undefined;
}

class FuzzRunner {
  private worker = this.start();

  /** A worker with its own memory limit: a case that exhausts memory ends the worker, not the test run. */
  private start(): Worker {
    return new Worker(path.join(__dirname, 'fuzz-worker.ts'), { resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  }

  /** The worker's reply; 'hang' when it takes longer than the timeout, a crash when the worker dies
   *  (either way the worker is replaced for the next case). */
  async run(text: string, fileName: string): Promise<FuzzReply | 'hang'> {
    const worker = this.worker;
    return new Promise((resolve) => {
      const done = (reply: FuzzReply | 'hang', replaceWorker: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (replaceWorker) {
          void worker.terminate();
          this.worker = this.start();
        }
        resolve(reply);
      };
      const onMessage = (reply: FuzzReply) => done(reply, false);
      const onError = (err: Error) => done({ threw: `the worker died: ${err.message}` }, true);
      const timer = setTimeout(() => done('hang', true), CASE_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ text, fileName });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

describe('scenario loader fuzzing', function () {
  this.timeout(CASES * CASE_TIMEOUT_MS);
  let runner: FuzzRunner;
  before(() => {
    runner = new FuzzRunner();
  });
  after(async () => {
    await runner.stop();
  });

  it('still validates the real examples and fixtures (but the broken one)', async () => {
    for (const { file, text } of sources()) {
      const reply = await runner.run(text, file);
      assert.ok(reply !== 'hang' && !('threw' in reply), `${file}: ${JSON.stringify(reply)}`);
      const broken = path.basename(file) === 'broken.perf.yaml';
      assert.equal(reply.valid, !broken, `${file}: ${reply.problems.map(formatProblem).join('\n')}`);
    }
  });

  it(`returns positioned problems for ${CASES} malformed texts: 0 crashes, 0 hangs`, async () => {
    const crashes: string[] = [];
    const hangs: string[] = [];
    const bad: string[] = [];
    let withProblems = 0;
    for (const c of generate()) {
      const reply = await runner.run(c.text, c.file);
      if (reply === 'hang') hangs.push(c.name);
      else if ('threw' in reply) crashes.push(`${c.name}: ${reply.threw}`);
      else {
        if (reply.problems.length > 0) withProblems++;
        for (const p of reply.problems) {
          const wrong = checkPosition(c.text, p, c.file);
          if (wrong) bad.push(`${c.name}: ${wrong} (${formatProblem(p).slice(0, 300)})`);
        }
      }
    }
    assert.deepEqual({ crashes, hangs, bad: bad.slice(0, 20) }, { crashes: [], hangs: [], bad: [] });
    // The mutations do break files (a generator that changed nothing would prove nothing).
    assert.ok(withProblems > CASES * 0.8, `only ${withProblems} of ${CASES} texts had problems`);
  });
});
