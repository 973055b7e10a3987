// The `perflab` command line: run a scenario, find its capacity, run the Azure tool's `load` flags,
// start the simulator, count tokens. Exit codes: 0 ok, 1 an SLO failed, 2 bad input, 3 the run itself failed.

import { Command, Option } from 'commander';
import { ScenarioError, loadScenarioFile } from '../engine/scenario/load';
import { PERFLAB_VERSION, RunError } from '../engine/run';
import { ProxyError } from '../engine/proxy';
import { PromptFileError } from '../tokens/prompt-files';
import { CredentialError } from './credentials';
import { registerDatasetCommands } from './dataset-command';
import { EXIT_RUN_ERROR, EXIT_USAGE, UsageError, executeScenario } from './execute';
import { scenarioFromLoadFlags, type LoadFlags } from './load-command';
import { simulateCommand, type SimulateFlags } from './simulate-command';
import { tokensCommand } from './tokens-command';
import { registerReportCommand } from './report-command';
import { registerCompareCommand } from './compare-command';
import { registerExportCommand } from './export-command';
import { checkRequestFlag, httpScenarioToRun, registerImportCommand } from './import-command';
import { isHttpFile } from '../http-file/http-file';
import { registerCapacityCommand } from './capacity-command';
import { registerServerMetricsCommand } from './server-metrics-command';

function fail(error: unknown): number {
  if (
    error instanceof ScenarioError ||
    error instanceof CredentialError ||
    error instanceof ProxyError ||
    error instanceof PromptFileError ||
    error instanceof UsageError
  ) {
    process.stderr.write(`${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof RunError) {
    process.stderr.write(`perflab: ${error.message}\n`);
    return EXIT_RUN_ERROR;
  }
  process.stderr.write(`perflab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_RUN_ERROR;
}

/** Runs a command's body; any error becomes a clear message and its exit code. */
async function guarded(body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (e) {
    return fail(e);
  }
}

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('perflab')
    .description('Performance testing of LLM deployments: Azure OpenAI, OpenAI and OpenAI-compatible servers')
    .version(PERFLAB_VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description('run a *.perf.yaml scenario, or a request of a REST Client .http / .rest file (exit code 1 when an SLO fails)')
    .argument('<scenario>', 'scenario file, or a .http / .rest file')
    .option('--request <name|n>', ".http / .rest: which request (its # @name, its ### title, or its number); default the file's only request")
    .option('--out <dir>', 'run folder (default .perflab/runs/<time>-<name>)')
    .addOption(new Option('--format <format>', 'terminal output').choices(['human', 'jsonl']).default('human'))
    .option('--junit <file>', 'write SLO verdicts as JUnit XML')
    .option('--record-chunks', 'record every content chunk offset per request')
    .option('--seed <n>', 'seed for arrivals and prefixes', (v) => Number(v))
    .option('--overwrite', 'replace a run already in --out (otherwise such a folder is refused)')
    .option('--fail-if-client-limited', 'exit 3 when this machine may have inflated the latencies (CI)')
    .action(
      async (
        file: string,
        o: {
          out?: string;
          format: 'human' | 'jsonl';
          junit?: string;
          recordChunks?: boolean;
          seed?: number;
          overwrite?: boolean;
          failIfClientLimited?: boolean;
          request?: string;
        },
      ) => {
        exitCode = await guarded(async () => {
          checkRequestFlag(file, o.request);
          const scenario = isHttpFile(file) ? httpScenarioToRun(file, o.request) : loadScenarioFile(file);
          if (o.recordChunks) scenario.record_chunks = true;
          return await executeScenario(scenario, {
            out: o.out,
            format: o.format,
            junit: o.junit,
            seed: o.seed,
            overwrite: o.overwrite,
            failIfClientLimited: o.failIfClientLimited,
          });
        });
      },
    );

  program
    .command('load')
    .description("load-test one endpoint with the Azure OpenAI benchmarking tool's flags")
    .argument('<endpoint>', 'base URL (Azure resource, https://api.openai.com/v1, any compatible server) or "simulator"')
    .option('--deployment <name>', 'Azure deployment (or model name for other providers)')
    .option('--model <name>', 'model name (body, tokenizer and prices; default gpt-5-mini for the simulator)')
    .addOption(new Option('--provider <provider>', 'default: from the host name').choices(['azure', 'openai', 'openai-compatible', 'simulator']))
    .option('--api-version <version>', 'Azure api-version (default 2024-10-21; 2025-04-01-preview with --api responses)')
    .addOption(new Option('--api <api>', 'chat completions or the Responses API').choices(['chat', 'responses']).default('chat'))
    .addOption(new Option('--reasoning-effort <effort>', 'reasoning models: reasoning effort').choices(['none', 'minimal', 'low', 'medium', 'high']))
    .option('--api-key-env <name>', 'environment variable holding the key (default AZURE_OPENAI_API_KEY / OPENAI_API_KEY)')
    .option('--rate <rpm>', 'requests per minute (open loop); without it clients run back to back')
    .addOption(new Option('--arrival <kind>', 'arrival process').choices(['constant', 'poisson']))
    .option('--clients <n>', 'max requests in flight (default 20)')
    .addOption(new Option('--shape-profile <profile>', 'prompt shape').choices(['balanced', 'context', 'generation', 'custom']).default('balanced'))
    .option('--context-tokens <n>', 'prompt tokens per request')
    .option('--max-tokens <n>', 'max completion tokens per request')
    .option('--duration <s>', 'how long to run (seconds, or 30s / 5m)')
    .option('--requests <n>', 'stop after this many requests')
    .addOption(new Option('--retry <policy>', 'throttling retry policy').choices(['none', 'exponential']).default('none'))
    .option('--aggregation-window <s>', 'sliding window for the live statistics (seconds)', '60')
    .addOption(new Option('--output-format <format>', 'terminal output').choices(['human', 'jsonl']).default('human'))
    .option('--out <dir>', 'run folder')
    .option('--junit <file>', 'write SLO verdicts as JUnit XML')
    .option('--record-chunks', 'record every content chunk offset per request')
    .option('--no-prevent-server-caching', 'send identical prompts (server prompt caching may then lower TTFT)')
    .option('--temperature <t>', 'sampling temperature')
    .option('--warmup <n>', 'requests excluded from statistics')
    .option('--slo <expr...>', 'SLOs such as "ttft.p95 < 800ms"')
    .option('--seed <n>', 'seed for arrivals and prefixes', (v) => Number(v))
    .option('--overwrite', 'replace a run already in --out (otherwise such a folder is refused)')
    .option('--fail-if-client-limited', 'exit 3 when this machine may have inflated the latencies (CI)')
    .action(
      async (
        endpoint: string,
        o: LoadFlags & { outputFormat: 'human' | 'jsonl'; out?: string; junit?: string; seed?: number; overwrite?: boolean; failIfClientLimited?: boolean },
      ) => {
        exitCode = await guarded(async () => {
          if (o.duration === undefined && o.requests === undefined) {
            throw new ScenarioError([
              { file: '<perflab load flags>', line: 1, column: 1, path: 'workload', flag: 'perflab load', message: 'give --duration and/or --requests' },
            ]);
          }
          const scenario = scenarioFromLoadFlags(endpoint, o);
          return await executeScenario(scenario, {
            out: o.out,
            format: o.outputFormat,
            junit: o.junit,
            seed: o.seed,
            overwrite: o.overwrite,
            failIfClientLimited: o.failIfClientLimited,
          });
        });
      },
    );

  program
    .command('simulate')
    .description('start the built-in OpenAI/Azure-compatible simulator on 127.0.0.1 (Ctrl-C to stop)')
    .option('--port <port>', 'port (0 = any free port)', '8089')
    .option('--ttft-ms <ms>', 'base time to first token')
    .option('--ttft-per-1k-prompt-ms <ms>', 'extra TTFT per 1,000 prompt tokens')
    .option('--tpot-ms <ms>', 'time per output token')
    .option('--tokens-per-chunk <n>', 'tokens per content chunk')
    .option('--jitter <fraction>', 'relative jitter 0..1')
    .option('--rpm-limit <n>', 'requests per minute before 429')
    .option('--tpm-limit <n>', 'tokens per minute before 429')
    .option('--ptu-capacity-tpm <n>', 'PTU-like capacity mode (tokens per minute)')
    .option('--quota-window <s>', 'seconds over which the per-minute quotas are enforced (default 60)')
    .option('--max-concurrency <n>', 'serving slots: requests beyond them wait in a queue (default 0 = unlimited)')
    .option('--faults <spec>', 'e.g. error=0.01,drop=0.02,stall=0.01:3000,malformed=0.005')
    .option('--no-azure-prompt-filter', "omit Azure's prompt-filter chunk")
    .option('--azure-async-filter', 'Azure routes: asynchronous content-filter annotation events')
    .option('--reasoning-tokens <n>', 'reasoning tokens before the visible answer (default 0)')
    .addOption(new Option('--reasoning-field <field>', 'chat: how reasoning is streamed').choices(['reasoning_content', 'reasoning', 'hidden']))
    .addOption(new Option('--reasoning-event <event>', 'responses: how reasoning is streamed').choices(['summary', 'text', 'hidden']))
    .addOption(new Option('--usage <mode>', 'chat: when usage is reported').choices(['requested', 'continuous', 'none']))
    .option('--coalesce-events <n>', 'output events per socket write (default 1)')
    .option('--app-retrieval-ms <ms>', 'LLM app route (/app/chat): retrieval time before the model is asked (default 150)')
    .option('--api-key-env <name>', 'require the key in this environment variable')
    .option('--seed <n>', 'RNG seed')
    .option('--log <file>', 'append a JSON line per request')
    .action(async (o: SimulateFlags) => {
      exitCode = await guarded(async () => {
        return await simulateCommand(o);
      });
    });

  registerDatasetCommands(program, async (body) => void (exitCode = await guarded(body)));

  program
    .command('tokens')
    .description('count tokens of a prompt file (.prompty, .jsonl, .md, text) per section and in total')
    .argument('<file>', 'prompt file')
    .option('--model <name>', 'model (tokenizer and prices)', 'gpt-4o')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { model: string; json?: boolean }) => {
      exitCode = await guarded(async () => {
        return tokensCommand(file, o);
      });
    });

  for (const register of [registerReportCommand, registerCompareCommand]) register(program, async (body) => void (exitCode = await guarded(body)));

  registerExportCommand(program, async (body) => void (exitCode = await guarded(body)));
  registerImportCommand(program, async (body) => void (exitCode = await guarded(body)));
  registerCapacityCommand(program, async (body) => void (exitCode = await guarded(body)));
  registerServerMetricsCommand(program, async (body) => void (exitCode = await guarded(body)));

  try {
    await program.parseAsync(argv);
  } catch (caught) {
    const e = caught as { code?: string; exitCode?: number } | undefined;
    if (e?.code === 'commander.helpDisplayed' || e?.code === 'commander.version' || e?.code === 'commander.help') return 0;
    return typeof e?.exitCode === 'number' && e.exitCode !== 0 ? EXIT_USAGE : 0;
  }
  return exitCode;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = fail(e);
  },
);
