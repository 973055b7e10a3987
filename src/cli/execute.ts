// Shared by `perflab run` and `perflab load`: runs a validated scenario with live terminal output,
// Ctrl-C handling, the run folder and the JUnit file; returns the process exit code.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import { startRun } from '../engine/run';
import { defaultRunDir } from '../engine/run-folder';
import type { Scenario } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import { resolveCliCredential } from './credentials';
import { statusLine, summaryText } from '../engine/report-text';
import { toJunitXml } from './junit';

export const EXIT_OK = 0;
export const EXIT_SLO_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_RUN_ERROR = 3;

export interface ExecuteOptions {
  out?: string;
  format: 'human' | 'jsonl';
  junit?: string;
  seed?: number;
}

export async function executeScenario(scenario: Scenario, options: ExecuteOptions): Promise<number> {
  // Resolve every credential first: a missing key stops the run before anything is sent.
  const credentials = new Map<string, Awaited<ReturnType<typeof resolveCliCredential>>>();
  for (const target of scenario.targets) {
    if (target.endpoint !== 'simulator') credentials.set(target.name, await resolveCliCredential(target));
  }
  const outDir = path.resolve(options.out ?? defaultRunDir(process.cwd(), scenario.name));
  const human = options.format === 'human';
  const showTarget = scenario.targets.length > 1;
  const w = scenario.workload;
  const progressTotal = w.duration_s !== undefined ? Math.ceil(w.duration_s) * scenario.targets.length : (w.requests ?? 0) * scenario.targets.length;
  const useBar = human && process.stderr.isTTY === true;
  const bars = useBar ? new MultiBar({ format: ' {bar} {percentage}% | {value}/{total} {unit} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic) : null;
  const bar = bars?.create(progressTotal, 0, { unit: w.duration_s !== undefined ? 's' : 'requests' });
  const say = (line: string) => (bars ? bars.log(`${line}\n`) : process.stdout.write(`${line}\n`));
  const progress = new Map<string, number>();

  if (human) say(`perflab: running "${scenario.name}" — ${scenario.targets.length} target(s), results in ${outDir}`);
  const run = startRun(scenario, {
    outDir,
    seed: options.seed,
    resolveCredential: async (target) => credentials.get(target.name) ?? null,
    onMessage: (m) => human && say(`perflab: ${m}`),
    onWindow: (snapshot) => {
      if (human) say(statusLine(snapshot, showTarget));
      else process.stdout.write(`${JSON.stringify(snapshot)}\n`);
      if (bar) {
        progress.set(snapshot.target, w.duration_s !== undefined ? Math.floor(snapshot.t) : snapshot.completed);
        bar.update(Math.min(progressTotal, [...progress.values()].reduce((a, b) => a + b, 0)));
      }
    },
  });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nperflab: stopping — no new requests; waiting for in-flight ones (Ctrl-C again to abort them)\n');
      run.stop();
    } else {
      process.stderr.write('\nperflab: aborting in-flight requests\n');
      run.stop('abort');
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let summary: RunSummary;
  try {
    summary = await run.done;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    bars?.stop();
  }

  if (human) process.stdout.write(`${summaryText(summary, outDir)}\n`);
  else process.stdout.write(`${JSON.stringify({ type: 'summary', run_dir: outDir, passed: summary.passed, targets: summary.targets, slos: summary.slos })}\n`);
  if (options.junit) {
    fs.mkdirSync(path.dirname(path.resolve(options.junit)), { recursive: true });
    fs.writeFileSync(options.junit, toJunitXml(summary));
  }
  return summary.passed ? EXIT_OK : EXIT_SLO_FAILED;
}
