// `perflab export locust|jmeter <scenario> --out DIR`: hand a scenario to a distributed load engine.
// Writes the engine's files (src/export/) into DIR and prints how to run them. Keys are never written.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Argument, type Command, Option } from 'commander';
import { loadScenarioFile } from '../engine/scenario/load';
import { jmeterExport, JMX_FILE, JMETER_ALT } from '../export/jmeter';
import { locustExport, LOCUST_ALT, RECORDS_ENV, totalUsers } from '../export/locust';
import { buildExportPlan, ExportError, type ExportFile } from '../export/plan';
import { PromptFileError } from '../tokens/prompt-files';
import { EXIT_USAGE } from './execute';

export interface ExportFlags {
  out: string;
  target?: string;
  endpoint?: string;
  engines?: string;
}

export type Guard = (body: () => Promise<number> | number) => Promise<void>;

export function registerExportCommand(program: Command, guard: Guard): void {
  const command = program
    .command('export')
    .description('write a Locust or JMeter load test (and its Azure Load Testing config) for a scenario')
    .addArgument(new Argument('<engine>', 'locust or jmeter').choices(['locust', 'jmeter']))
    .argument('<scenario>', 'scenario file')
    .requiredOption('--out <dir>', 'folder for the generated files')
    .option('--target <name>', 'only this target (required for target_mode: sequential)')
    .option('--endpoint <url>', 'base URL for the targets (e.g. a `perflab simulate` address for endpoint: simulator)')
    .addOption(new Option('--engines <n>', 'Azure Load Testing engine instances').default('1'));
  command.action(async (engine: 'locust' | 'jmeter', file: string, o: ExportFlags) => {
    await guard(() => exportCommand(engine, file, o));
  });
}

export function exportCommand(engine: 'locust' | 'jmeter', file: string, o: ExportFlags): number {
  const engines = Number(o.engines ?? 1);
  if (!Number.isInteger(engines) || engines < 1) {
    process.stderr.write(`--engines: expected a whole number ≥ 1, got ${o.engines}\n`);
    return EXIT_USAGE;
  }
  const scenario = loadScenarioFile(file);
  let files: ExportFile[];
  let warnings: string[];
  let plan;
  try {
    plan = buildExportPlan(scenario, { target: o.target, endpoint: o.endpoint });
    warnings = plan.warnings;
    files = engine === 'locust' ? locustExport(plan, { engines, scenario }) : jmeterExport(plan, { engines });
  } catch (e) {
    if (e instanceof ExportError || e instanceof PromptFileError || e instanceof RangeError) {
      process.stderr.write(`perflab export: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  fs.mkdirSync(o.out, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(o.out, f.name), f.text);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const keys = [...new Set(plan.targets.flatMap((t) => (t.key ? [t.key.env] : [])))];
  const out = o.out;
  const lines = [`wrote ${files.map((f) => f.name).join(', ')} to ${out}`];
  if (engine === 'locust') {
    lines.push(
      `run:          cd ${out} && locust                      (headless, ${totalUsers(plan)} users, reads locust.conf)`,
      `distributed:  locust --master --expect-workers N   and N×  locust --worker -f locustfile.py --master-host <master>  (workers: locustfile + prompts, no locust.conf)`,
      `Azure:        az load test create --load-test-resource <r> --resource-group <g> --test-id <id> --load-test-config-file ${path.join(out, LOCUST_ALT)}`,
      `results:      each process writes perflab-records-<worker>.jsonl to $${RECORDS_ENV} (default: its folder); gather them, then  perflab import locust <folder> --out <run>`,
    );
  } else {
    lines.push(
      `run:          cd ${out} && jmeter -n -t ${JMX_FILE} -l results.jtl   (JMeter 5.x; keys are read from the environment, never passed on the command line)`,
      `Azure:        az load test create --load-test-resource <r> --resource-group <g> --test-id <id> --load-test-config-file ${path.join(out, JMETER_ALT)}`,
    );
  }
  if (keys.length > 0) lines.push(`keys:         from ${keys.join(', ')} (environment only; on Azure Load Testing a Key Vault secret named in the config)`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
