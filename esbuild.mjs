// One build script for every bundle: the CLI, the extension, its engine and capacity workers, the language server
// and the webview. `node esbuild.mjs` builds once; `--watch` rebuilds on change;
// `--production` minifies (for `npm run package`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

/** The Locust runtime (src/export/locust.ts reads it beside itself at run time) is copied beside the
 *  CLI bundle after each build; under --watch, editing it rebuilds the CLI. */
const LOCUST_RUNTIME = 'src/export/locust_runtime.py';
const locustRuntime = {
  name: 'locust-runtime',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]export[\\/]locust\.ts$/ }, async (args) => ({
      contents: await fs.promises.readFile(args.path, 'utf8'),
      loader: 'ts',
      watchFiles: [path.resolve(LOCUST_RUNTIME)],
    }));
    build.onEnd((result) => {
      if (result.errors.length === 0) fs.copyFileSync(LOCUST_RUNTIME, path.join(build.initialOptions.outdir, path.basename(LOCUST_RUNTIME)));
    });
  },
};

/** Node bundles target the oldest runtime that loads them: VS Code's extension host runs Node 22. */
const nodeBundles = [
  { entryPoints: { cli: 'src/cli/main.ts' }, plugins: [locustRuntime] },
  // `vscode` is provided by the extension host at run time.
  { entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'] },
  // The engine worker imports no `vscode`: it is the same engine the CLI runs.
  { entryPoints: { 'engine-worker': 'src/extension/engine-worker.ts' } },
  // The capacity worker: a capacity search (src/engine/capacity/), the same one `perflab capacity` runs.
  { entryPoints: { 'capacity-worker': 'src/extension/capacity-worker.ts' } },
  // An engine thread (`engine.threads` > 1), started by dist/cli.js and dist/engine-worker.js (src/engine/shard-pool.ts).
  { entryPoints: { 'engine-shard': 'src/engine/shard-worker.ts' } },
  // The language server runs in its own process (started by the extension, or by tests over stdio).
  { entryPoints: { server: 'src/server/server.ts' } },
  // Its helper thread for counting large files (src/tokens/piece-helper.ts).
  { entryPoints: { 'piece-worker': 'src/tokens/piece-worker.ts' } },
];
if (tests) {
  // The integration suite that runs inside a real VS Code extension host (out/ is not packaged).
  nodeBundles.push({
    entryPoints: {
      index: 'test/integration/extension/index.ts',
      'extension.test': 'test/integration/extension/extension.test.ts',
      'untrusted.test': 'test/integration/extension/untrusted.test.ts',
      'ui-smoke.test': 'test/integration/extension/ui-smoke.test.ts',
      'panel.test': 'test/integration/extension/panel.test.ts',
      'server.test': 'test/integration/extension/server.test.ts',
      'language.test': 'test/integration/extension/language.test.ts',
      'vsix.test': 'test/integration/extension/vsix.test.ts',
    },
    outdir: 'out/integration',
    external: ['vscode', 'mocha'],
  });
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  outdir: 'dist',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/** The webview (Run and Compare panels, and the HTML report): a browser bundle, chart.js inside.
 *  The panel's CSS loads the codicon font as a file from dist/webview; the report's CSS inlines it,
 *  so a saved report works offline with nothing beside it. */
const webview = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap: false,
  minify: true,
  logLevel: 'warning',
  legalComments: 'none',
};
const webBundles = [
  { ...webview, entryPoints: { webview: 'webview-ui/src/main.ts' }, outdir: 'dist/webview' },
  { ...webview, entryPoints: { webview: 'webview-ui/styles.css' }, outdir: 'dist/webview', loader: { '.ttf': 'file' }, assetNames: '[name]' },
  { ...webview, entryPoints: { report: 'webview-ui/styles.css' }, outdir: 'dist/webview', loader: { '.ttf': 'dataurl' } },
];

const contexts = await Promise.all([...nodeBundles.map((b) => esbuild.context({ ...common, ...b })), ...webBundles.map((b) => esbuild.context(b))]);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
