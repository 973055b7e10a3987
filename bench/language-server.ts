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
import { Worker } from 'node:worker_threads';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { analyzePrompt } from '../src/server/prompt-analysis';
import { ChunkedTokenCounter, safeChunks } from '../src/tokens/chunked-count';
import { parsePromptFile } from '../src/tokens/prompt-files';
import { countTokens } from '../src/tokens/tokenizer';
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

// The encoding module the server's src/tokens/tokenizer.ts loads (same module instance in-process).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const o200k = require('gpt-tokenizer/encoding/o200k_base') as {
  countTokens(t: string, o?: object): number;
  clearMergeCache(): void;
  default: { bytePairEncodingCoreProcessor: { tokenSplitRegex: RegExp; getBpeRankFromString(s: string): number | undefined } };
};

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
async function startServer(gcHook = false): Promise<Server> {
  const saved = { opts: process.env.NODE_OPTIONS, dir: process.env.PERFLAB_GC_DIR };
  if (gcHook) {
    process.env.NODE_OPTIONS = `--require ${GC_HOOK}`;
    process.env.PERFLAB_GC_DIR = TMP;
  }
  const starting = TestLspClient.start(SETTINGS); // spawns synchronously: the env applies to this child only
  process.env.NODE_OPTIONS = saved.opts;
  process.env.PERFLAB_GC_DIR = saved.dir;
  if (saved.opts === undefined) delete process.env.NODE_OPTIONS;
  if (saved.dir === undefined) delete process.env.PERFLAB_GC_DIR;
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

// ---------- prototypes of what could close the cold-count gap (bench only, not in src/) ----------

/** k worker_threads, each with its own o200k tables, counting safe chunks of the text in parallel. */
class CountPool {
  private readonly workers: Worker[];
  private constructor(k: number) {
    const mod = require.resolve('gpt-tokenizer/encoding/o200k_base');
    const src = `
      const { parentPort } = require('node:worker_threads');
      const enc = require(${JSON.stringify(mod)});
      const plain = { disallowedSpecial: new Set() };
      parentPort.on('message', (m) => {
        if (m.clear) enc.clearMergeCache();
        let n = 0;
        for (const c of m.chunks) n += enc.countTokens(c, plain);
        parentPort.postMessage(n);
      });`;
    this.workers = Array.from({ length: k }, () => new Worker(src, { eval: true }));
  }
  static async create(k: number, warmText: string): Promise<CountPool> {
    const pool = new CountPool(k);
    // Load the tables and JIT the counting code, as a long-running server's pool would be.
    await Promise.all(pool.workers.map((w) => pool.send(w, [warmText], true)));
    return pool;
  }
  private send(w: Worker, chunks: string[], clear: boolean): Promise<number> {
    return new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage({ chunks, clear });
    });
  }
  /** Count with cold merge caches: chunks dealt to the least-loaded worker, largest first. */
  async count(text: string): Promise<number> {
    const chunks = safeChunks(text).sort((a, b) => b.length - a.length);
    const bins = this.workers.map(() => ({ size: 0, chunks: [] as string[] }));
    for (const c of chunks) {
      const bin = bins.reduce((a, b) => (b.size < a.size ? b : a));
      bin.size += c.length;
      bin.chunks.push(c);
    }
    const counts = await Promise.all(this.workers.map((w, i) => this.send(w, bins[i].chunks, true)));
    return counts.reduce((a, b) => a + b, 0);
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function tiktokenWasm(): ((t: string) => number) | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const enc = (require('tiktoken') as typeof import('tiktoken')).get_encoding('o200k_base');
    return (t) => enc.encode_ordinary(t).length;
  } catch {
    return undefined;
  }
}

// ---------- 1. a 1 MB prompt file, cold ----------

// What src/tokens/prompt-files.ts scanVariables does per body line.
const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
function scanLine(line: string): number {
  let n = 0;
  for (const _ of line.matchAll(VARIABLE)) n++;
  const stripped = line.replace(VARIABLE, (m) => ' '.repeat(m.length));
  return n + (/\{\{|\{%/.exec(stripped) ? 1 : 0);
}

async function openCold(): Promise<void> {
  const text = prompty(MB, 1);
  const fileName = path.join(TMP, 'big.prompty');
  const bytes = Buffer.byteLength(text);
  const tik = tiktokenWasm();
  const pools = [await CountPool.create(1, prompty(64 * KB, 99)), await CountPool.create(2, prompty(64 * KB, 99))];
  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number) => (rows[k] ??= []).push(v);
  let expected = NaN;
  let wholeCount = NaN;
  let pieces = 0;
  let bpePieces = 0;

  console.error(`1 MB prompty: ${fmtN(bytes)} bytes, ${fmtN(text.split('\n').length)} lines, ${REPS} reps`);
  for (let rep = 0; rep < REPS; rep++) {
    // Over the protocol: a fresh server per rep (its merge cache and chunk cache are empty).
    const server = await startServer();
    await sleep(300);
    const uri = server.client.uri(fileName);
    const t0 = performance.now();
    await server.client.open(fileName, text);
    const lenses = await codeLens(server.client, uri);
    add('server: didOpen → codeLens, cold', performance.now() - t0);
    const t1 = performance.now();
    const copy = path.join(TMP, 'big-copy.prompty');
    await server.client.open(copy, text);
    const lenses2 = await codeLens(server.client, server.client.uri(copy));
    add('server: same text reopened (every chunk cached)', performance.now() - t1);
    // The protocol alone, nearly: the 1 MB text as a request parameter, every chunk already cached.
    const t2 = performance.now();
    await server.client.request('perflab/countTokens', { text });
    add('server: perflab/countTokens(1 MB text), every chunk cached', performance.now() - t2);
    await server.stop();

    // In-process, same text, merge cache cleared first: what the server does, minus the protocol.
    o200k.clearMergeCache();
    const [a, tCold] = time(() => analyzePrompt(fileName, text, { defaultModel: SETTINGS.model, counter: new ChunkedTokenCounter() }));
    add('in-process: analyzePrompt, fresh counter', tCold);
    const warmCounter = new ChunkedTokenCounter();
    analyzePrompt(fileName, text, { defaultModel: SETTINGS.model, counter: warmCounter });
    add('in-process: analyzePrompt, every chunk cached', time(() => analyzePrompt(fileName, text, { defaultModel: SETTINGS.model, counter: warmCounter }))[1]);
    o200k.clearMergeCache();
    const [whole, tWhole] = time(() => countTokens(text, 'o200k_base'));
    add('in-process: countTokens(whole text), naive', tWhole);
    // Where the time goes inside countTokens: the pre-tokenizer regex alone, then + the rank lookup
    // of pieces that are one token; the rest is BPE merging of the other pieces.
    const core = o200k.default.bytePairEncodingCoreProcessor;
    const [n, tRegex] = time(() => {
      let k = 0;
      for (const _ of text.matchAll(core.tokenSplitRegex)) k++;
      return k;
    });
    add('breakdown: pre-tokenizer regex only', tRegex);
    const [miss, tLookup] = time(() => {
      let k = 0;
      for (const [m] of text.matchAll(core.tokenSplitRegex)) if (core.getBpeRankFromString(m) === undefined) k++;
      return k;
    });
    add('breakdown: regex + one-token rank lookup', tLookup);
    add('in-process: countTokens(whole text), merge cache warm', time(() => countTokens(text, 'o200k_base'))[1]);
    // The part of analyzePrompt that is not counting: parsing the file (redone on every keystroke),
    // and its two hot spots with an equivalent, cheaper form (prototypes of a fix in prompt-files.ts).
    add('parse: parsePromptFile (no counting)', time(() => parsePromptFile(fileName, text))[1]);
    const lines = text.split('\n');
    add("parse hot spot: trimBlankLines' .replace(/\\s+$/, '') on 1 MB", time(() => text.replace(/\s+$/, ''))[1]);
    add('… same result with .trimEnd()', time(() => text.trimEnd())[1]);
    add('parse hot spot: scanVariables, 3 regexes per line', time(() => lines.forEach(scanLine))[1]);
    add("… same result, lines without '{' skipped first", time(() => lines.forEach((l) => l.includes('{') && scanLine(l)))[1]);
    pieces = n;
    bpePieces = miss;

    // Prototypes: tiktoken (WASM) whole text; chunks counted in 1 and 2 worker_threads.
    if (tik) {
      add('prototype: tiktoken WASM, whole text', time(() => tik(text))[1]);
      add('prototype: tiktoken WASM, per safe chunk', time(() => safeChunks(text).reduce((n, c) => n + tik(c), 0))[1]);
    }
    for (const [i, pool] of pools.entries()) {
      const t = performance.now();
      const c = await pool.count(text);
      add(`prototype: chunks in ${i + 1} worker${i ? 's' : ''} (gpt-tokenizer, cold merge cache)`, performance.now() - t);
      if (c !== whole) throw new Error(`pool count ${c} != ${whole}`);
    }

    if (lensTotal(lenses) !== a.total || lensTotal(lenses2) !== a.total) throw new Error(`server total ${lensTotal(lenses)} != in-process ${a.total}`);
    expected = a.total;
    wholeCount = whole;
    console.error(`  rep ${rep + 1}: ${Object.entries(rows).map(([k, v]) => `${k.split(':')[0]}=${ms(v[v.length - 1])}`).join(' ')}`);
  }
  for (const p of pools) await p.close();

  const base = median(rows['in-process: countTokens(whole text), naive']);
  console.log(`\n### 1 MB prompt file (${fmtN(bytes)} bytes, 6 role sections, ${fmtN(expected)} prompt tokens; whole-text count ${fmtN(wholeCount)}; ${fmtN(pieces)} pre-tokenizer pieces, ${fmtN(bpePieces)} need BPE merging)\n`);
  console.log(`| what (${REPS} reps: fresh server / fresh counter + cleared merge cache each) | median ms | min | max | vs naive whole-text count |`);
  console.log('|---|---|---|---|---|');
  for (const [k, v] of Object.entries(rows)) console.log(`| ${k} | ${ms(median(v))} | ${ms(Math.min(...v))} | ${ms(Math.max(...v))} | ${(median(v) / base).toFixed(2)}× |`);
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
      if (f.file.endsWith('.jsonl')) await loaded.client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } } });
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
    console.error(`  memory round ${r + 1}: ${mb(bytes)} MB of text opened in ${ms(tOpen)} ms; ${Object.entries(row).map(([k, [i, l]]) => `${k.slice(0, 20)} ${mb(i)}/${mb(l)}`).join('; ')}`);
    (row as Record<string, number[]>)['__bytes'] = [bytes, tOpen];
  }
  console.log(`\n### Memory: 50 open prompt files (${summary}; ${rows.map((r) => `${(r['__bytes'][0] / MB).toFixed(1)} MB`).join(' / ')} of text, opened in ${rows.map((r) => ms(r['__bytes'][1])).join(' / ')} ms per round)\n`);
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
  console.error(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (PART === 'open' || PART === 'all') await openCold();
  if (PART === 'keys' || PART === 'all') await keys();
  if (PART === 'memory' || PART === 'all') await memory();
  console.error(`load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  fs.rmSync(TMP, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
