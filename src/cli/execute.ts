// Shared by `perflab run` and `perflab load`: runs a validated scenario with live terminal output,
// Ctrl-C handling, the run folder and the JUnit file; returns the process exit code.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import { RunError, startRun } from '../engine/run';
import type { Scenario } from '../engine/scenario/types';
import type { RunSummary } from '../engine/summary';
import { defaultRunDir, runFilesIn } from '../results/files';
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
  /** Replace the run files already in `out` (otherwise a folder holding a run is refused). */
  overwrite?: boolean;
  /** Exit 3 when this machine may have inflated a target's latencies (client_limited). */
  failIfClientLimited?: boolean;
}

/** The run folder: never appended to an earlier run (duplicate ids, two runs' numbers mixed), and
 *  writable before anything is sent. */
function prepareOutDir(outDir: string, overwrite: boolean): void {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir}: exists and is not a folder`);
  const existing = runFilesIn(outDir);
  if (existing.length > 0) {
    if (!overwrite) {
      throw new UsageError(`--out ${outDir}: already holds a run (${existing.join(', ')}); choose another folder, or pass --overwrite to replace it`);
    }
    for (const name of existing) fs.rmSync(path.join(outDir, name), { force: true });
  }
  try {
    fs.mkdirSync(outDir, { recursive: true });
    fs.accessSync(outDir, fs.constants.W_OK);
  } catch (err) {
    throw new RunError(`cannot write results to ${outDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Bad input on the command line (exit 2). */
export class UsageError extends Error {}

export async function executeScenario(scenario: Scenario, options: ExecuteOptions): Promise<number> {
  // Resolve every credential first: a missing key stops the run before anything is sent.
  const credentials = new Map<string, Awaited<ReturnType<typeof resolveCliCredential>>>();
  for (const target of scenario.targets) {
    if (target.endpoint !== 'simulator') credentials.set(target.name, await resolveCliCredential(target));
  }
  const outDir = path.resolve(options.out ?? defaultRunDir(process.cwd(), scenario.name));
  prepareOutDir(outDir, options.overwrite === true);
  const human = options.format === 'human';
  const showTarget = scenario.targets.length > 1;
  const w = scenario.workload;
  const progressTotal = w.duration_s !== undefined ? Math.ceil(w.duration_s) * scenario.targets.length : (w.requests ?? 0) * scenario.targets.length;
  const useBar = human && process.stderr.isTTY === true;
  const bars = useBar
    ? new MultiBar(
        { format: ' {bar} {percentage}% | {value}/{total} {unit} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
        Presets.shades_classic,
      )
    : null;
  const bar = bars?.create(progressTotal, 0, { unit: w.duration_s !== undefined ? 's' : 'requests' });
  const say = (line: string) => (bars ? bars.log(`${line}\n`) : process.stdout.write(`${line}\n`));
  const progress = new Map<string, number>();

  if (human) {
    const length = w.duration_s !== undefined ? `${w.duration_s} s` : `${w.requests} requests`;
    const end = w.on_end === 'abort' ? 'in-flight requests aborted at the end' : `then up to ${w.drain_timeout_s} s for in-flight requests (drain limit)`;
    say(`perflab: running "${scenario.name}" — ${scenario.targets.length} target(s), ${length}, ${end}; retry ${scenario.retry.policy}; results in ${outDir}`);
  }
  const run = startRun(scenario, {
    outDir,
    seed: options.seed,
    resolveCredential: async (target) => credentials.get(target.name) ?? null,
    // server_metrics.auth: the variable it names, sent to that target's metrics URL only.
    resolveServerMetricsToken: async (_target, env) => process.env[env] || null,
    onMessage: (m) => human && say(`perflab: ${m}`),
    onWindow: (snapshot) => {
      if (human) say(statusLine(snapshot, showTarget));
      else process.stdout.write(`${JSON.stringify(snapshot)}\n`);
      if (bar) {
        progress.set(snapshot.target, w.duration_s !== undefined ? Math.floor(snapshot.t) : snapshot.completed);
        bar.update(
          Math.min(
            progressTotal,
            [...progress.values()].reduce((a, b) => a + b, 0),
          ),
        );
      }
    },
  });

  // Ctrl-C: drain, then abort on the second. SIGTERM / SIGHUP (a CI job cancelled, `npx` or a
  // terminal going away): abort at once, so the summary is written before the process is killed.
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
  const onTerminate = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nperflab: ${signal}: aborting in-flight requests and writing the summary\n`);
    run.stop('abort');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onTerminate);
  process.on('SIGHUP', onTerminate);
  let summary: RunSummary;
  try {
    summary = await run.done;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onTerminate);
    process.off('SIGHUP', onTerminate);
    bars?.stop();
  }

  if (human) process.stdout.write(`${summaryText(summary, outDir)}\n`);
  else process.stdout.write(`${JSON.stringify({ type: 'summary', run_dir: outDir, passed: summary.passed, targets: summary.targets, slos: summary.slos })}\n`);
  if (options.junit) {
    fs.mkdirSync(path.dirname(path.resolve(options.junit)), { recursive: true });
    fs.writeFileSync(options.junit, toJunitXml(summary));
  }
  if (summary.error) {
    process.stderr.write(`perflab: the run failed: ${summary.error}\n`);
    return EXIT_RUN_ERROR;
  }
  const limited = summary.targets.filter((t) => t.client_limited);
  if (options.failIfClientLimited && limited.length > 0) {
    process.stderr.write(
      `perflab: --fail-if-client-limited: this machine may have inflated the latencies of ${limited.map((t) => `"${t.target}" (${(t.client_limited_reasons ?? []).join('; ')})`).join(', ')}\n`,
    );
    return EXIT_RUN_ERROR;
  }
  return summary.passed ? EXIT_OK : EXIT_SLO_FAILED;
}
