// Runs an extension's test entry (exports.run(), e.g. a mocha runner) inside a real VS Code:
// code-server (provisioned by scripts/provision-code-server.mjs) serves the workbench, headless
// Debian Chromium loads it via playwright-core, and the workbench's smoke-test driver hooks
// (codeAutomationLog / codeAutomationExit) carry the test output and exit code back to us.
// This is the offline replacement for @vscode/test-electron, which must download VS Code.
//
// Usage: tsx test/integration/run-code-server-tests.ts --extension <dir> [--tests <compiled index.js>]
//          [--workspace <dir>] [--screenshot <file.png>] [--timeout <seconds>] [--trust] [--verbose]
//          [--ui <module>] [--install-extension <file.vsix>]
// --ui: a module whose default export `(page, log) => Promise<void>` drives the workbench with
// Playwright (see ui.ts) while the extension's tests run; if it throws, the run fails (exit 1).
// --ui without --tests: the extension is loaded for development but no test entry runs, so the
// workbench shows modal dialogs (VS Code refuses them while extension tests run); the UI module's
// outcome is the exit code.
// --install-extension: installs a .vsix into the run's extensions folder before code-server starts.
// Exit code: the one passed to codeAutomationExit (0 = tests passed); 2 = harness error or timeout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { screenshot, waitForWorkbench } from './ui';

const ROOT = resolve(__dirname, '..', '..');
const MARKER = join(ROOT, '.cache', 'code-server', 'provisioned.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HARNESS_ERROR = 2;

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const log = (msg: string) => console.error(`[harness +${elapsed()}] ${msg}`);

function options() {
  const { values } = parseArgs({
    options: {
      extension: { type: 'string' },
      tests: { type: 'string' },
      workspace: { type: 'string' },
      screenshot: { type: 'string' },
      timeout: { type: 'string', default: '240' },
      trust: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      ui: { type: 'string' },
      'install-extension': { type: 'string' },
    },
  });
  if (!values.extension || (!values.tests && !values.ui)) {
    throw new Error(
      'usage: --extension <dir> (--tests <compiled test index.js> | --ui <module>) [--workspace <dir>] [--screenshot <file>] [--timeout <s>] [--trust] [--verbose] [--ui <module>] [--install-extension <file.vsix>]',
    );
  }
  const extension = resolve(values.extension);
  const tests = values.tests ? resolve(values.tests) : undefined;
  const vsix = values['install-extension'] ? resolve(values['install-extension']) : undefined;
  for (const p of [extension, tests, vsix]) if (p && !existsSync(p)) throw new Error(`not found: ${p}`);
  const timeoutS = Number(values.timeout);
  if (!(timeoutS > 0)) throw new Error(`bad --timeout: ${values.timeout}`);
  return {
    extension,
    tests,
    workspace: values.workspace ? resolve(values.workspace) : undefined,
    screenshot: values.screenshot,
    timeoutMs: timeoutS * 1000,
    trust: values.trust,
    verbose: values.verbose,
    ui: values.ui ? resolve(values.ui) : undefined,
    vsix,
  };
}

// The workbench logs through the same codeAutomationLog channel as the tests. These lines are
// expected offline (no marketplace, no GitHub sign-in, bundled chat) and would bury test output;
// --verbose shows them.
const NOISE = [
  /ENOTFOUND/,
  /^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]/,
  /authentication provider/i,
  /^Creat(ing|ion of) /,
  /^Resolv(ing|ed) connection token/,
  /^Updating additional builtin extensions cache/,
  /^\s+at /,
];
const isNoise = (line: string) => NOISE.some((re) => re.test(line));

// ---- process cleanup -------------------------------------------------------------------------
// code-server forks a server process and extension hosts, Chromium forks renderers; killing only
// the direct child would leave them running (and holding ports/locks). So we walk /proc for all
// descendants of this process, which covers both trees, and kill them (TERM, then KILL).

function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/PID/stat is the ppid; comm (field 2) may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // process exited while we looked
    }
  }
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killTree(serverGroup: number | undefined): Promise<void> {
  const pids = descendants(process.pid);
  const signal = (sig: NodeJS.Signals) => {
    // The code-server group catches processes that were re-parented away from us.
    if (serverGroup) {
      try {
        process.kill(-serverGroup, sig);
      } catch {
        // group already gone
      }
    }
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  const left = pids.filter(alive);
  log(`stopped ${pids.length - left.length} process(es)`);
  if (left.length) {
    log(`SIGKILL to ${left.length} process(es) still alive after SIGTERM`);
    signal('SIGKILL');
  }
}

// ---- code-server -----------------------------------------------------------------------------

function provisioned(): { node: string; entry: string; vscode: string } {
  if (!existsSync(MARKER)) {
    throw new Error('code-server is not provisioned: run `node scripts/provision-code-server.mjs` first');
  }
  return JSON.parse(readFileSync(MARKER, 'utf8'));
}

/** The environment code-server runs with: config, logs and state in the run's temp folder. */
function serverEnv(node: string, xdg: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Keep code-server's config.yaml, logs and state out of the real home directory.
    XDG_CONFIG_HOME: join(xdg, 'config'),
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    XDG_STATE_HOME: join(xdg, 'state'),
    // Extension hosts are forked with the server's PATH: make them find Node 24 too.
    PATH: `${resolve(node, '..')}:${process.env.PATH}`,
  };
}

/** code-server's own `--install-extension`, into the run's extensions folder (as a user installs a .vsix). */
function installExtension(vsix: string, dirs: Record<'userData' | 'extensions' | 'xdg', string>): void {
  const { node, entry } = provisioned();
  const args = [entry, '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData];
  const result = spawnSync(node, args, { env: serverEnv(node, dirs.xdg), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`installing ${vsix} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  log(`installed ${vsix}: ${result.stdout.trim().split('\n').at(-1)}`);
}

/** Starts code-server on a free port; resolves with its port once /healthz answers. */
async function startCodeServer(
  dirs: Record<'userData' | 'extensions' | 'xdg', string>,
  trust: boolean,
  workspace: string,
  verbose: boolean,
): Promise<{ proc: ChildProcess; port: number }> {
  const { node, entry, vscode } = provisioned();
  log(`starting code-server (${vscode}) with ${node}`);
  const args = [
    entry,
    '--auth',
    'none',
    // Port 0: the OS picks a free port, so parallel runs don't collide; we read it from the log.
    '--bind-addr',
    '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    ...(trust ? [] : ['--disable-workspace-trust']),
    // Otherwise disconnected extension hosts wait ~3 h for a reconnect and keep locks.
    '--reconnection-grace-time',
    '5',
    // Without it the workbench silently ignores extensionDevelopmentPath/extensionTestsPath.
    '--vscode-option',
    'enable-smoke-test-driver',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    workspace,
  ];
  const env = serverEnv(node, dirs.xdg);
  // detached: own process group, so cleanup can signal the whole server tree at once.
  const proc = spawn(node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog: string[] = [];

  const port = await new Promise<number>((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      serverLog.push(text);
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(serverLog.join(''));
      if (m) resolvePort(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, sig) => reject(new Error(`code-server exited early (${code ?? sig}):\n${serverLog.join('')}`)));
    setTimeout(() => reject(new Error(`code-server did not report its port within 60 s:\n${serverLog.join('')}`)), 60_000);
  });
  // Echo server errors only: its info lines are noise in test output, but crashes matter.
  const echo = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (verbose || (/\b(error|ERR)\b/.test(line) && !isNoise(line))) console.error(`[code-server] ${line}`);
    }
  };
  proc.stdout!.on('data', echo);
  proc.stderr!.on('data', echo);

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('code-server /healthz did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { proc, port };
}

// ---- browser ---------------------------------------------------------------------------------

async function launchChromium(profileDir: string, xdg: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run scripts/apt-deps.sh`);
  // Playwright passes --headless and the profile dir itself (launchPersistentContext = fresh
  // --user-data-dir); the rest keep Chromium off the network: only 127.0.0.1 resolves.
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    // Our signal handler cleans up everything; Playwright's own would exit before code-server is down.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Chromium's crash handler otherwise keeps a database in ~/.config/chromium.
    env: { ...process.env, XDG_CONFIG_HOME: join(xdg, 'config'), XDG_CACHE_HOME: join(xdg, 'cache') } as Record<string, string>,
    viewport: { width: 1600, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = options();
  if (opts.workspace && !statSync(opts.workspace, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--workspace is not a folder: ${opts.workspace}`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'perflab-code-server-'));
  const dirs = {
    userData: join(tmp, 'user-data'),
    extensions: join(tmp, 'extensions'),
    xdg: join(tmp, 'xdg'),
    chromium: join(tmp, 'chromium-profile'),
    workspace: join(tmp, 'workspace'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const workspace = opts.workspace ?? dirs.workspace;

  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let exitCode = HARNESS_ERROR;
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  // Idempotent: the signal handler and main's finally may both call it.
  const cleanup = () =>
    (stopping ??= (async () => {
      await context?.close().catch(() => undefined);
      await killTree(server?.pid);
      rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    })());
  // Ctrl-C / CI cancellation: still take everything down.
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => {
      log('cleanup done after signal');
      process.exit(130);
    });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  try {
    if (opts.vsix) installExtension(opts.vsix, dirs);
    const tServer = Date.now();
    const started = await startCodeServer(dirs, opts.trust, workspace, opts.verbose);
    server = started.proc;
    const authority = `127.0.0.1:${started.port}`;
    log(`code-server up on ${authority} in ${((Date.now() - tServer) / 1000).toFixed(1)} s`);

    context = await launchChromium(dirs.chromium, dirs.xdg);
    page = context.pages()[0] ?? (await context.newPage());

    // Both hooks must exist before the workbench loads: it checks for them at startup.
    let finish!: (code: number) => void;
    const finished = new Promise<number>((r) => (finish = r));
    await context.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // Arguments of the extension host's console.log, format string included (mocha's '✔ %s').
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!opts.verbose && text.split('\n').every((l) => !l.trim() || isNoise(l))) return;
      (type === 'error' || type === 'warn' ? console.error : console.log)(text);
    });
    await context.exposeFunction('codeAutomationExit', (code: number) => finish(Number(code)));
    server.once('exit', (code, sig) => {
      if (stopping) return;
      log(`code-server exited unexpectedly (${code ?? sig})`);
      finish(HARNESS_ERROR);
    });
    page.on('crash', () => {
      log('page crashed');
      finish(HARNESS_ERROR);
    });

    const remote = (p: string) => `vscode-remote://${authority}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(opts.extension)],
      ...(opts.tests ? [['extensionTestsPath', remote(opts.tests)]] : []),
      ['skipWelcome', 'true'],
    ];
    const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const tNav = Date.now();
    await page.goto(url);
    const remaining = () => Math.max(1000, opts.timeoutMs - (Date.now() - t0));
    await waitForWorkbench(page, remaining());
    log(`workbench ready ${((Date.now() - tNav) / 1000).toFixed(1)} s after navigation (${((Date.now() - tServer) / 1000).toFixed(1)} s after server start)`);

    let uiDone: Promise<string | undefined> = Promise.resolve(undefined);
    if (opts.ui) {
      const mod = await import(pathToFileURL(opts.ui).href);
      // CommonJS-compiled TS puts `export default` at mod.default.default.
      const fn = (typeof mod.default === 'function' ? mod.default : mod.default?.default) as (p: Page, l: typeof log) => Promise<void>;
      if (typeof fn !== 'function') throw new Error(`--ui ${opts.ui} has no default-exported function`);
      uiDone = fn(page, log).then(
        () => {
          // Without a test entry nothing calls codeAutomationExit: the UI module's success is the result.
          if (!opts.tests) finish(0);
          return undefined;
        },
        (err: Error) => {
          const msg = `UI script failed: ${err.stack ?? err.message}`;
          console.error(`[harness] ${msg}`);
          finish(1);
          return msg;
        },
      );
    }

    // --timeout covers the whole run, server start included.
    const timeout = new Promise<number>((r) => (timer = setTimeout(() => r(-1), remaining())));
    const code = await Promise.race([finished, timeout]);
    if (code === -1) {
      log(`TIMEOUT after ${opts.timeoutMs / 1000} s without codeAutomationExit`);
      await screenshot(page, `timeout-${Date.now()}.png`).then(
        (p) => log(`screenshot: ${p}`),
        () => undefined,
      );
      exitCode = HARNESS_ERROR;
    } else {
      exitCode = code;
      // A UI script still running when the tests end gets the rest of the timeout to finish.
      const uiError = await Promise.race([uiDone, timeout.then(() => 'UI script timed out')]);
      if (uiError && exitCode === 0) exitCode = 1;
      log(`tests finished with exit code ${code}${uiError ? ' (UI script failed)' : ''} (${((Date.now() - tNav) / 1000).toFixed(1)} s after navigation)`);
    }
    if (opts.screenshot) log(`screenshot: ${await screenshot(page, opts.screenshot)}`);
  } catch (err) {
    console.error(`[harness] ERROR: ${(err as Error).message}`);
    if (page)
      await screenshot(page, `error-${Date.now()}.png`).then(
        (p) => log(`screenshot: ${p}`),
        () => undefined,
      );
    exitCode = HARNESS_ERROR;
  } finally {
    if (timer) clearTimeout(timer);
    await cleanup();
    log(`done, exit ${exitCode}`);
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[harness] ERROR: ${(err as Error).message}`);
    process.exit(HARNESS_ERROR);
  },
);
