// Runs the unit tests with CPU hogs beside them, as on a shared CI machine that other work loads:
// every test must hold there too (tolerances come from what a test measures, not from a quiet box).
//
//   npx node scripts/test-under-load.mjs [hogs=number of cores] [-- extra mocha arguments]
//
// Each hog is a process spinning at full speed on one core at normal priority, so the tests get about
// half of the machine. Exits with the test run's code; the hogs are always stopped.

import { spawn } from 'node:child_process';
import * as os from 'node:os';

const args = process.argv.slice(2);
const dashDash = args.indexOf('--');
const own = dashDash === -1 ? args : args.slice(0, dashDash);
const mochaArgs = dashDash === -1 ? [] : args.slice(dashDash + 1);
const hogCount = own[0] !== undefined ? Number(own[0]) : os.availableParallelism();

const hogs = Array.from({ length: hogCount }, () =>
  spawn(process.execPath, ['-e', 'for (;;) { Math.sqrt(Math.random()); }'], { stdio: 'ignore' }),
);
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

console.log(`test-under-load: ${hogCount} CPU hog(s) on ${os.availableParallelism()} core(s); running the unit tests`);
const started = Date.now();
const mocha = spawn('npx', ['mocha', ...mochaArgs], { stdio: 'inherit' });
mocha.on('close', (code) => {
  stopHogs();
  console.log(`test-under-load: unit tests exited ${code} after ${Math.round((Date.now() - started) / 1000)} s under load`);
  process.exit(code ?? 1);
});
