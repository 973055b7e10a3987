// Real run folders for the `perflab report` and `perflab compare` CLI tests, made by the built CLI
// (`perflab run` on its in-process simulator) once per test process and shared by both files.

import type { ChildProcess } from 'node:child_process';
import { perflab, tmp as makeTmp } from '../helpers/run-cli';
import * as fs from 'node:fs';
import * as path from 'node:path';

export { perflab, type CliResult as Result } from '../helpers/run-cli';

/** `perflab simulate --port 0` in its own process: its URL, and how to stop it. */
export async function startSimulator(args: string[] = []): Promise<{ url: string; stop: () => void }> {
  let child: ChildProcess | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    void perflab(['simulate', '--port', '0', ...args], {
      onStart: (c) => {
        child = c;
        c.stdout!.on('data', (d) => {
          const m = /listening on (http:\/\/\S+)/.exec(String(d));
          if (m) resolve(m[1]);
        });
      },
    }).then((r) => reject(new Error(`perflab simulate exited ${r.code}: ${r.stderr}`)));
  });
  return { url, stop: () => child?.kill('SIGINT') };
}

export function tmp(prefix = 'perflab-report-'): string {
  return makeTmp(prefix);
}

export const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

export const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const target = (name: string, ttftMs: number) => `
  - name: ${name}
    provider: simulator
    endpoint: simulator
    model: gpt-5-mini
    auth: { type: none }
    simulator: { ttft_ms: ${ttftMs}, tpot_ms: 2, jitter: 0 }`;

/** A 2 s open-loop run at 600 RPM; the TTFT SLO passes only where time to first token is under 600 ms. */
const scenario = (name: string, targets: [string, number][]) => `
name: ${name}
target_mode: parallel
targets:${targets.map(([n, ttft]) => target(n, ttft)).join('')}
workload:
  rate: 600
  clients: 20
  duration: 2s
  warm_up: 2
prompts: { shape: custom, context_tokens: 80, max_tokens: 10 }
aggregation_window: 1s
slos:
  - ttft.p95 < 600ms
  - failures < 5%
`;

export interface Runs {
  /** One target, 10 ms to first token. */
  fast: string;
  /** One target, 800 ms to first token (so its TTFT is far more than 10% above fast's, however loaded the machine). */
  slow: string;
  /** Two targets in one run: `quick` (10 ms) and `sluggish` (800 ms). */
  pair: string;
}

let pending: Promise<Runs> | null = null;

/** The three run folders (made on first call, in parallel). */
export function cliRuns(): Promise<Runs> {
  pending ??= (async () => {
    const dir = tmp('perflab-report-runs-');
    const make = async (name: string, targets: [string, number][]) => {
      const file = path.join(dir, `${name}.perf.yaml`);
      fs.writeFileSync(file, scenario(name, targets));
      const out = path.join(dir, name);
      const r = await perflab(['run', file, '--out', out]);
      // 1 when the slow target fails its TTFT SLO; anything else is a broken run.
      if (r.code !== 0 && r.code !== 1) throw new Error(`perflab run ${name} exited ${r.code}: ${r.stderr}`);
      return out;
    };
    const [fast, slow, pair] = await Promise.all([
      make('fast', [['sim', 10]]),
      make('slow', [['sim', 800]]),
      make('pair', [
        ['quick', 10],
        ['sluggish', 800],
      ]),
    ]);
    return { fast, slow, pair };
  })();
  return pending;
}
