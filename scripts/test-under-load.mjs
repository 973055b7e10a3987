// Runs the unit tests with CPU hogs beside them, as on a shared CI machine that other work loads:
// every test must hold there too (tolerances come from what a test measures, not from a quiet box).
//
//   npx node scripts/test-under-load.mjs [hogs=number of cores] [--all] [-- extra mocha arguments]
//
// --all runs `npm test` (build, type checks, unit and integration tests in a real VS Code) instead of
// the unit tests alone.
//
// Each hog is a process spinning at full speed on one core at normal priority, so the tests get about
// half of the machine. Exits with the test run's code; the hogs are always stopped.

import { spawn } from 'node:child_process';
import * as os from 'node:os';

const args = process.argv.slice(2);
const dashDash = args.indexOf('--');
const own = dashDash === -1 ? args : args.slice(0, dashDash);
const mochaArgs = dashDash === -1 ? [] : args.slice(dashDash + 1);
const all = own.includes('--all');
const counts = own.filter((a) => a !== '--all');
const hogCount = counts[0] !== undefined ? Number(counts[0]) : os.availableParallelism();

const hogs = Array.from({ length: hogCount }, () => spawn(process.execPath, ['-e', 'for (;;) { Math.sqrt(Math.random()); }'], { stdio: 'ignore' }));
const stopHogs = () => {
  for (const hog of hogs) hog.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopHogs();
    process.exit(130);
  });
}

const what = all ? 'every test (npm test)' : 'the unit tests';
console.log(`test-under-load: ${hogCount} CPU hog(s) on ${os.availableParallelism()} core(s); running ${what}`);
const started = Date.now();
const tests = all ? spawn('npm', ['test'], { stdio: 'inherit' }) : spawn('npx', ['mocha', ...mochaArgs], { stdio: 'inherit' });
tests.on('close', (code) => {
  stopHogs();
  console.log(`test-under-load: ${what} exited ${code} after ${Math.round((Date.now() - started) / 1000)} s under load`);
  process.exit(code ?? 1);
});
