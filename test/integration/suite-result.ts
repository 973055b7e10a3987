// What a suite reports when it ends (extension/index.ts for the mocha suites, ui-steps.ts for a suite
// driven only from the browser): run-all.ts compares the counts with the suite's expected number of
// tests, so an empty, filtered or partly skipped suite fails instead of passing with nothing checked.

export interface SuiteResult {
  passes: number;
  failures: number;
  pending: number;
}
