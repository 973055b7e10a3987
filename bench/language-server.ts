// The language server's performance targets (issue 5): count a 1 MB prompt file (< 150 ms), update
// after a keystroke in a 100 KB file (< 20 ms), server memory with 50 open prompt files.
//
// Over the REAL protocol — dist/server.js spawned with --stdio and driven by the tests' LSP client
// (test/unit/server/lsp-client.ts), timing didOpen/didChange → textDocument/codeLens round trips — and,
// interleaved in the same run, in-process (analyzePrompt directly) to separate protocol overhead from
// counting. Prompt files are generated deterministically by bench/lib/prompt-corpus.ts.
//
//   node esbuild.mjs && npx tsx bench/language-server.ts [open|keys|memory|all=all] [reps=7] [keystrokes=200]
//
// Prints markdown tables (pasted into docs/performance.md §8). Writes nothing but temp files.

import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { analyzePrompt } from '../src/server/prompt-analysis';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { ChunkedTokenCounter } from '../src/tokens/chunked-count';
import { PieceHelper } from '../src/tokens/piece-helper';
import { pieceEnd } from '../src/tokens/pretokenize';
import { parsePromptFile } from '../src/tokens/prompt-files';
import { countTokens, pieceCounter } from '../src/tokens/tokenizer';
import { mulberry32, pick, randInt } from '../src/tokens/rng';
import { TestLspClient } from '../test/unit/server/lsp-client';
import { jsonlDataset, promptMarkdown, prompty } from './lib/prompt-corpus';

const PART = process.argv[2] ?? 'all';
const REPS = Number(process.argv[3] ?? 7);
const KEYSTROKES = Number(process.argv[4] ?? 200);
const MB = 1 << 20;
const KB = 1 << 10;
const GC_HOOK = path.join(__dirname, 'lib', 'gc-hook.cjs');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'perflab-lsp-bench-'));
const SETTINGS = { model: 'gpt-5-mini', pricing: {} };

// gpt-tokenizer's encoder: what src/tokens counted with before its own counter (the "before" row).
const o200k = require('gpt-tokenizer/encoding/o200k_base') as { countTokens(t: string, o?: object): number; clearMergeCache(): void };

// ---------- small helpers ----------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile. */
function pct(xs: number[], p: number): number {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (xs: number[]) => pct(xs, 50);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mb = (bytes: number) => (bytes / MB).toFixed(0);
const fmtN = (n: number) => n.toLocaleString('en-US');
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};

interface Server {
  client: TestLspClient;
  pid: number;
  stop(): Promise<void>;
}

/** A fresh server; returns once its default encoding (o200k, warmed by the server at start) is loaded. */
async function startServer(gcHook = false, env: Record<string, string> = {}): Promise<Server> {
  if (gcHook) env = { ...env, NODE_OPTIONS: `--require ${GC_HOOK}`, PERFLAB_GC_DIR: TMP };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const starting = TestLspClient.start(SETTINGS); // spawns synchronously: the env applies to this child only
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const client = await starting;
  const pid = (client as unknown as { child: ChildProcess }).child.pid!;
  // The server warms o200k in a setImmediate after listen(); this request is answered after that.
  await client.request('perflab/countTokens', { text: 'warm up' });
  return { client, pid, stop: () => client.stop() };
}

const codeLens = (c: TestLspClient, uri: string) => c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
const lensTotal = (lenses: CodeLens[]) => Number(/total ([\d,]+)/.exec(lenses[0]?.command?.title ?? '')?.[1].replace(/,/g, '') ?? NaN);

function status(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)![1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function gcAndHeap(pid: number): Promise<{ before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage }> {
  const file = path.join(TMP, `${pid}.json`);
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await sleep(50);
  await sleep(50);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// ---------- 1. a 1 MB prompt file, cold ----------

const PLAIN = { disallowedSpecial: new Set<string>() };

/** The fast counter's pieces per MB and how many of them are new / need BPE, for the table title. */
function pieceStats(text: string): { pieces: number; unique: number; bpe: number } {
  const seen = new Map<string, number>();
  let pieces = 0;
  for (let i = 0; i < text.length;) {
    const end = pieceEnd(text, i, 'o200k_base');
    const p = text.slice(i, end);
    if (!seen.has(p)) seen.set(p, o200k.countTokens(p, PLAIN));
    pieces++;
    i = end;
  }
  return { pieces, unique: seen.size, bpe: [...seen.values()].filter((n) => n > 1).length };
}

async function openCold(): Promise<void> {
  const text = prompty(MB, 1);
  const fileName = path.join(TMP, 'big.prompty');
  const bytes = Buffer.byteLength(text);
  const counter = pieceCounter('o200k_base');
  for (let round = 0; round < 3; round++) counter.warmUp();
  const helper = PieceHelper.start(path.join(__dirname, '..', 'dist', 'piece-worker.js'), { o200k_base: counter.ranks.parts })!;
  while (!helper.available) await sleep(20);
  // Warm this thread's side of counting with the helper too, as the server's warm-up does.
  counter.helper = helper;
  counter.warmUp();
  counter.helper = null;
  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number) => (rows[k] ??= []).push(v);
  let expected = NaN;

  console.error(`1 MB prompty: ${fmtN(bytes)} bytes, ${fmtN(text.split('\n').length)} lines, ${REPS} reps`);
  for (let rep = 0; rep < REPS; rep++) {
    // Over the protocol: a fresh server per rep, started two seconds before (its warm-up done, its helper
    // thread up; every piece and chunk cache empty); then the same with the helper thread off.
    for (const helper of [true, false]) {
      const server = await startServer(false, helper ? {} : { PERFLAB_COUNT_HELPER: '0' });
      await sleep(2000);
      const uri = server.client.uri(fileName);
      const t0 = performance.now();
      await server.client.open(fileName, text);
      const lenses = await codeLens(server.client, uri);
      add(helper ? 'server: didOpen → codeLens, cold' : 'server: didOpen → codeLens, cold, helper thread off', performance.now() - t0);
      if (helper) {
        // Everything but the counting: the same text under another name, every chunk cached.
        const copy = path.join(TMP, 'big-copy.prompty');
        const t1 = performance.now();
        await server.client.open(copy, text);
        const lenses2 = await codeLens(server.client, server.client.uri(copy));
        add('server: same text reopened under another name (every chunk cached)', performance.now() - t1);
        if (lensTotal(lenses2) !== lensTotal(lenses)) throw new Error('reopen total differs');
      }
      await server.stop();
      if (!Number.isNaN(expected) && lensTotal(lenses) !== expected) throw new Error(`server total ${lensTotal(lenses)} != ${expected}`);
      expected = lensTotal(lenses);
    }

    // In-process, same text: what the server does, minus the protocol; then its parts.
    counter.clearCache();
    const [a, tAnalyze] = time(() => analyzePrompt(fileName, text, { defaultModel: SETTINGS.model, counter: new ChunkedTokenCounter() }));
    add('in-process: analyzePrompt, cold (fresh chunk counter, piece cache cleared), 1 thread', tAnalyze);
    if (a.total !== expected) throw new Error(`in-process total ${a.total} != server ${expected}`);
    add('in-process: parsePromptFile alone (no counting)', time(() => parsePromptFile(fileName, text))[1]);
    counter.clearCache();
    const [fast, tFast] = time(() => countTokens(text, 'o200k_base'));
    add('count the whole text: fast counter, cold (piece cache cleared)', tFast);
    counter.helper = helper;
    counter.clearCache();
    const [two, tTwo] = time(() => countTokens(text, 'o200k_base'));
    add('count the whole text: fast counter, cold, + helper thread', tTwo);
    counter.helper = null;
    if (two !== fast) throw new Error(`count with the helper ${two} != ${fast}`);
    add('count the whole text: fast counter, every piece cached', time(() => countTokens(text, 'o200k_base'))[1]);
    o200k.clearMergeCache();
    const [slow, tSlow] = time(() => o200k.countTokens(text, PLAIN));
    add("count the whole text: gpt-tokenizer's countTokens, merge cache cleared (before)", tSlow);
    if (fast !== slow) throw new Error(`fast count ${fast} != gpt-tokenizer ${slow}`);
    add('… pre-tokenizer: the split regex alone', time(() => text.match(O200K_TOKEN_SPLIT_REGEX)!.length)[1]);
    add(
      '… pre-tokenizer: the scanner alone',
      time(() => {
        let k = 0;
        for (let i = 0; i < text.length; k++) i = pieceEnd(text, i, 'o200k_base');
        return k;
      })[1],
    );
    console.error(
      `  rep ${rep + 1}: ${Object.values(rows)
        .map((v) => `${ms(v[v.length - 1])}`)
        .join(' ')}`,
    );
  }

  helper.dispose();
  const stats = pieceStats(text);
  const base = median(rows["count the whole text: gpt-tokenizer's countTokens, merge cache cleared (before)"]);
  console.log(
    `\n### 1 MB prompt file (${fmtN(bytes)} bytes, 6 role sections, ${fmtN(expected)} prompt tokens; ${fmtN(stats.pieces)} pre-tokenizer pieces, ${fmtN(stats.unique)} distinct, ${fmtN(stats.bpe)} of those need BPE merging)\n`,
  );
  console.log(`| what (${REPS} reps) | median ms | min | max | vs gpt-tokenizer's count |`);
  console.log('|---|---|---|---|---|');
  for (const [k, v] of Object.entries(rows))
    console.log(`| ${k} | ${ms(median(v))} | ${ms(Math.min(...v))} | ${ms(Math.max(...v))} | ${(median(v) / base).toFixed(2)}× |`);
}

// ---------- 2. keystrokes ----------

const ROLE_LINE = /^\s*(?:#+\s*)?(system|user|assistant)\s*:?\s*$/i;
const TYPED = 'etaoinshrdlucmfwypvbgk ,.';

async function keystrokes(label: string, text: string, fileName: string, n: number, baselineEvery: number): Promise<void> {
  const lines = text.split('\n');
  const fmEnd = lines.findIndex((l, i) => i > 0 && l === '---');
  // Typing in the body; not on role headings or code fences (that would change the file's structure).
  const editable = lines.map((_, i) => i).filter((i) => i > fmEnd && !ROLE_LINE.test(lines[i]) && !/^ {0,3}(```|~~~)/.test(lines[i]));
  const rng = mulberry32(7);
  const server = await startServer();
  await sleep(2000); // past the server's warm-up rounds (a request meanwhile waits for one round)
  const uri = server.client.uri(fileName);
  const [first, tOpen] = await (async () => {
    const t = performance.now();
    await server.client.open(fileName, text);
    const l = await codeLens(server.client, uri);
    return [l, performance.now() - t] as const;
  })();
  const counter = new ChunkedTokenCounter();
  const opts = { defaultModel: SETTINGS.model, counter };
  const a0 = analyzePrompt(fileName, text, opts);
  if (lensTotal(first) !== a0.total) throw new Error('totals differ at open');

  const rt: number[] = [];
  const inc: number[] = [];
  const base: number[] = [];
  const parse: number[] = [];
  for (let k = 0; k < n; k++) {
    const line = pick(rng, editable);
    const col = randInt(rng, 0, lines[line].length);
    const ch = TYPED[randInt(rng, 0, TYPED.length - 1)];
    lines[line] = lines[line].slice(0, col) + ch + lines[line].slice(col);
    const t0 = performance.now();
    await server.client.edit(uri, { start: { line, character: col }, end: { line, character: col } }, ch);
    const lenses = await codeLens(server.client, uri);
    rt.push(performance.now() - t0);

    const now = lines.join('\n');
    const [a, tInc] = time(() => analyzePrompt(fileName, now, opts));
    inc.push(tInc);
    parse.push(time(() => parsePromptFile(fileName, now))[1]);
    if (lensTotal(lenses) !== a.total) throw new Error(`keystroke ${k}: server ${lensTotal(lenses)} != in-process ${a.total}`);
    if (k % baselineEvery === 0) {
      const [b, tBase] = time(() => analyzePrompt(fileName, now, { defaultModel: SETTINGS.model, counter: new ChunkedTokenCounter() }));
      base.push(tBase);
      if (b.total !== a.total) throw new Error(`keystroke ${k}: recount ${b.total} != incremental ${a.total}`);
    }
    await sleep(5);
  }
  const rss = status(server.pid).rss;
  await server.stop();
  const row = (what: string, xs: number[]) => `| ${label} | ${what} | ${xs.length} | ${ms(median(xs))} | ${ms(pct(xs, 95))} | ${ms(Math.max(...xs))} |`;
  console.log(row('server: didChange → codeLens', rt));
  console.log(row('in-process: analyzePrompt, shared ChunkedTokenCounter (what the server does)', inc));
  console.log(row('… of which parsePromptFile alone (timed separately)', parse));
  console.log(row('in-process: recount everything (fresh ChunkedTokenCounter per edit; merge cache warm)', base));
  console.error(`  ${label}: open ${ms(tOpen)} ms, hit rate ${((counter.hits / (counter.hits + counter.misses)) * 100).toFixed(1)}%, server RSS ${mb(rss)} MB`);
}

async function keys(): Promise<void> {
  console.log(`\n### Keystrokes (${KEYSTROKES} single-character inserts at random body positions, same sequence for server and in-process)\n`);
  console.log('| file | what | n | p50 ms | p95 ms | max ms |');
  console.log('|---|---|---|---|---|---|');
  await keystrokes('100 KB .prompty', prompty(100 * KB, 2), path.join(TMP, 'k100.prompty'), KEYSTROKES, 1);
  await keystrokes('100 KB .prompt.md', promptMarkdown(100 * KB, 3), path.join(TMP, 'k100.prompt.md'), KEYSTROKES, 1);
  await keystrokes('1 MB .prompty', prompty(MB, 4), path.join(TMP, 'k1m.prompty'), KEYSTROKES, 10);
}

// ---------- 3. memory with 50 open prompt files ----------

function fifty(seed: number): { file: string; text: string }[] {
  const rng = mulberry32(seed);
  return Array.from({ length: 50 }, (_, i) => {
    const kind = i % 3;
    if (kind === 2) return { file: path.join(TMP, `m${seed}-${i}.jsonl`), text: jsonlDataset(randInt(rng, 100, 1000), seed * 100 + i) };
    const size = randInt(rng, 10, 100) * KB;
    return kind === 0
      ? { file: path.join(TMP, `m${seed}-${i}.prompty`), text: prompty(size, seed * 100 + i) }
      : { file: path.join(TMP, `m${seed}-${i}.prompt.md`), text: promptMarkdown(size, seed * 100 + i) };
  });
}

async function memory(): Promise<void> {
  const rounds = Math.max(1, Math.min(REPS, 3));
  const rows: Record<string, number[]>[] = [];
  let summary = '';
  for (let r = 0; r < rounds; r++) {
    const files = fifty(r + 1);
    const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
    summary = `${files.filter((f) => f.file.endsWith('.prompty')).length} .prompty + ${files.filter((f) => f.file.endsWith('.md')).length} .prompt.md (10–100 KB) + ${files.filter((f) => f.file.endsWith('.jsonl')).length} .jsonl (100–1,000 lines)`;
    const [idle, loaded] = await Promise.all([startServer(true), startServer(true)]);
    await sleep(1000);
    const row: Record<string, number[]> = {};
    const put = (k: string, i: number, l: number) => (row[k] = [i, l]);
    put('after start-up (o200k loaded)', status(idle.pid).rss, status(loaded.pid).rss);
    const t0 = performance.now();
    const uris: string[] = [];
    for (const f of files) {
      const uri = await loaded.client.open(f.file, f.text);
      uris.push(uri);
      await codeLens(loaded.client, uri);
      if (f.file.endsWith('.jsonl'))
        await loaded.client.request('textDocument/inlayHint', {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } },
        });
    }
    const tOpen = performance.now() - t0;
    await sleep(1000); // diagnostics are published from timers
    put('50 files open, codeLens (+ inlay hints) for each', status(idle.pid).rss, status(loaded.pid).rss);
    const [gi, gl] = await Promise.all([gcAndHeap(idle.pid), gcAndHeap(loaded.pid)]);
    put('… after a full GC (bench preload, SIGUSR2)', status(idle.pid).rss, status(loaded.pid).rss);
    put('… V8 heap used after that GC', gi.after.heapUsed, gl.after.heapUsed);
    put('… V8 heap total (reserved by V8) after that GC', gi.after.heapTotal, gl.after.heapTotal);
    for (const uri of uris) await loaded.client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await sleep(300);
    const [ci, cl] = await Promise.all([gcAndHeap(idle.pid), gcAndHeap(loaded.pid)]);
    put('all 50 closed again, full GC: RSS', status(idle.pid).rss, status(loaded.pid).rss);
    put('… V8 heap used (the chunk-count cache stays)', ci.after.heapUsed, cl.after.heapUsed);
    put('peak RSS (VmHWM)', status(idle.pid).hwm, status(loaded.pid).hwm);
    await Promise.all([idle.stop(), loaded.stop()]);
    rows.push(row);
    console.error(
      `  memory round ${r + 1}: ${mb(bytes)} MB of text opened in ${ms(tOpen)} ms; ${Object.entries(row)
        .map(([k, [i, l]]) => `${k.slice(0, 20)} ${mb(i)}/${mb(l)}`)
        .join('; ')}`,
    );
    (row as Record<string, number[]>)['__bytes'] = [bytes, tOpen];
  }
  console.log(
    `\n### Memory: 50 open prompt files (${summary}; ${rows.map((r) => `${(r['__bytes'][0] / MB).toFixed(1)} MB`).join(' / ')} of text, opened in ${rows.map((r) => ms(r['__bytes'][1])).join(' / ')} ms per round)\n`,
  );
  console.log(`| MB (median of ${rounds} rounds, idle and loaded server started side by side) | idle server | 50 files open | difference |`);
  console.log('|---|---|---|---|');
  for (const k of Object.keys(rows[0]).filter((k) => k !== '__bytes')) {
    const i = median(rows.map((r) => r[k][0]));
    const l = median(rows.map((r) => r[k][1]));
    const d = Math.round((l - i) / MB);
    console.log(`| ${k} | ${mb(i)} | ${mb(l)} | ${d >= 0 ? '+' : '−'}${Math.abs(d)} |`);
  }
}

async function main(): Promise<void> {
  console.error(
    `node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  if (PART === 'open' || PART === 'all') await openCold();
  if (PART === 'keys' || PART === 'all') await keys();
  if (PART === 'memory' || PART === 'all') await memory();
  console.error(
    `load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  fs.rmSync(TMP, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
