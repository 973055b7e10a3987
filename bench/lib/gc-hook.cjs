// Preloaded into a language-server process by bench/language-server.ts (NODE_OPTIONS=--require …) so
// the benchmark can ask it for a full GC and its heap figures without changing the server: on SIGUSR2
// it collects twice and writes process.memoryUsage() before and after to $PERFLAB_GC_DIR/<pid>.json.
// Nothing is written to stdout (the LSP channel).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const dir = process.env.PERFLAB_GC_DIR;

process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  gc();
  gc();
  const after = process.memoryUsage();
  if (dir) fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify({ before, after }));
});
