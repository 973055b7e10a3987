// One build script for every bundle (extension, worker, language server, CLI, webview as they arrive).
// `node esbuild.mjs` builds once; `node esbuild.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

/** Node bundles: target the oldest runtime that loads them (VS Code's extension host runs Node 22). */
const nodeBundles = [
  { entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist' },
];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

const contexts = await Promise.all(nodeBundles.map((b) => esbuild.context({ ...common, ...b })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
