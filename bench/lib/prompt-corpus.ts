// Realistic prompt files for the language-server benchmark, built deterministically from a seed out of
// text that is already on disk: prose paragraphs from the repo's docs and the READMEs in node_modules,
// code paragraphs from src/ and TypeScript's lib.es*.d.ts. Paragraphs are shuffled and drawn without
// replacement (the pool is ~2 MB), so a 1 MB file is not one sentence repeated — that would hit the
// chunk and merge caches far more than a real file does.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32, randInt } from '../../src/tokens/rng';

const ROOT = path.resolve(__dirname, '..', '..');

export interface Pool {
  prose: string[];
  code: string[];
}

function walk(dir: string, keep: (f: string) => boolean, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.length >= 40);
}

// Lines that would change a prompt file's structure when shuffled out of context: code fences (an
// unbalanced fence hides the following headings), role headings, front-matter rules, template braces.
const STRUCTURAL = /^\s*(```|~~~|---\s*$|#*\s*(system|user|assistant)\s*:?\s*$)|\{\{|\{%/i;

let cached: Pool | undefined;

export function loadPool(): Pool {
  if (cached) return cached;
  const md = [
    ...walk(path.join(ROOT, 'docs'), (f) => f.endsWith('.md')),
    path.join(ROOT, 'README.md'),
    ...fs
      .readdirSync(path.join(ROOT, 'node_modules'))
      .sort()
      .flatMap((d) =>
        d.startsWith('@')
          ? fs
              .readdirSync(path.join(ROOT, 'node_modules', d))
              .sort()
              .map((s) => path.join(d, s))
          : [d],
      )
      .map((d) => path.join(ROOT, 'node_modules', d, 'README.md'))
      .filter((f) => fs.existsSync(f)),
  ];
  const ts = [
    ...walk(path.join(ROOT, 'src'), (f) => f.endsWith('.ts')),
    ...fs
      .readdirSync(path.join(ROOT, 'node_modules', 'typescript', 'lib'))
      .filter((f) => /^lib\.es.*\.d\.ts$/.test(f))
      .sort()
      .map((f) => path.join(ROOT, 'node_modules', 'typescript', 'lib', f)),
  ];
  const clean = (p: string) =>
    p
      .split('\n')
      .filter((l) => !STRUCTURAL.test(l))
      .join('\n')
      .trim();
  const prose = md
    .flatMap((f) => paragraphs(fs.readFileSync(f, 'utf8')))
    .map(clean)
    .filter((p) => p.length >= 40);
  const code = ts
    .flatMap((f) => paragraphs(fs.readFileSync(f, 'utf8')))
    .map(clean)
    .filter((p) => p.length >= 40 && p.length <= 6000);
  cached = { prose, code };
  return cached;
}

/** Draws paragraphs without replacement (reshuffling when a list runs out): ~70% prose, ~30% code. */
class Drawer {
  private order: Record<'prose' | 'code', number[]> = { prose: [], code: [] };
  constructor(
    private readonly pool: Pool,
    private readonly rng: () => number,
  ) {}
  private next(kind: 'prose' | 'code'): string {
    if (this.order[kind].length === 0) {
      const idx = this.pool[kind].map((_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(this.rng() * (i + 1));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      this.order[kind] = idx;
    }
    return this.pool[kind][this.order[kind].pop()!];
  }
  paragraph(fence: boolean): string {
    if (this.rng() < 0.7) return this.next('prose');
    const code = this.next('code');
    return fence ? '```ts\n' + code + '\n```' : code;
  }
}

const ROLES = ['system', 'user', 'assistant', 'user', 'assistant', 'user'];

/** Body of `bytes` UTF-8 bytes (to within one paragraph) split into several role sections of varied size. */
function body(bytes: number, seed: number, heading: (role: string) => string, fence: boolean, reserved: number): string {
  const rng = mulberry32(seed);
  const drawer = new Drawer(loadPool(), rng);
  const paras = ['You are a careful technical assistant for {{product}}. Answer from the reference material below.'];
  let size = Buffer.byteLength(paras[0]) + 2;
  while (size < bytes - reserved) {
    const p = drawer.paragraph(fence);
    paras.push(p);
    size += Buffer.byteLength(p) + 2;
  }
  const sections = Math.max(2, Math.min(ROLES.length, Math.floor(paras.length / 4)));
  const cuts = new Set<number>([0]);
  while (cuts.size < sections) cuts.add(randInt(rng, 1, paras.length - 1));
  const starts = [...cuts].sort((a, b) => a - b);
  const out = starts.map((from, s) => [heading(ROLES[s]), ...paras.slice(from, starts[s + 1] ?? paras.length)].join('\n\n'));
  return out.join('\n\n') + '\n';
}

export function prompty(bytes: number, seed: number): string {
  const front = `---\nname: Bench prompt ${seed}\ndescription: generated by bench/lib/prompt-corpus.ts\nmodel:\n  api: chat\n  configuration:\n    name: gpt-4o\n  parameters:\n    max_tokens: 1000\nsample:\n  product: Contoso Cloud\n---\n`;
  return front + body(bytes, seed, (r) => `${r}:`, false, Buffer.byteLength(front));
}

export function promptMarkdown(bytes: number, seed: number): string {
  const front = `---\nmodel: gpt-4o\nsample:\n  product: Contoso Cloud\n---\n# Bench prompt ${seed}\n\n`;
  return front + body(bytes, seed, (r) => `## ${r}`, true, Buffer.byteLength(front));
}

/** A chat dataset: `lines` lines of {"messages":[system, user(, assistant)]}, 1–3 paragraphs each. */
export function jsonlDataset(lines: number, seed: number): string {
  const rng = mulberry32(seed);
  const drawer = new Drawer(loadPool(), rng);
  const systems = Array.from({ length: 4 }, () => drawer.paragraph(false));
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const messages = [
      { role: 'system', content: systems[randInt(rng, 0, systems.length - 1)] },
      { role: 'user', content: Array.from({ length: randInt(rng, 1, 2) }, () => drawer.paragraph(false)).join('\n\n') },
    ];
    if (rng() < 0.3) messages.push({ role: 'assistant', content: drawer.paragraph(false) });
    out.push(JSON.stringify({ messages }));
  }
  return out.join('\n') + '\n';
}
