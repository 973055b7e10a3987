// JUnit XML for CI systems: one test suite per target, one test case per SLO.

import { VERDICT_LABEL, verdictStatus, type RunSummary } from '../engine/summary';

export function toJunitXml(summary: RunSummary): string {
  const suites = summary.targets.map((target) => {
    const verdicts = summary.slos.filter((v) => v.target === target.target);
    const cases = verdicts.map((v) => {
      const name = `${target.target}: ${v.slo}`;
      const actual = v.actual === null ? 'no data' : String(v.actual);
      // Not judged and incomplete are not passes: a CI gate must not open on them.
      const status = verdictStatus(v);
      const why = status === 'fail' ? `${v.slo} not met: actual ${actual}` : `${VERDICT_LABEL[status]}: ${v.slo} (actual ${actual})`;
      const body = v.pass ? '' : `<failure type="${status}" message="${esc(`${why}${v.note ? `; ${v.note}` : ''}`)}"/>`;
      return `    <testcase classname="perflab.${esc(summary.scenario.name)}" name="${esc(name)}" time="${target.duration_s}">${body}</testcase>`;
    });
    const failures = verdicts.filter((v) => !v.pass).length;
    return [
      `  <testsuite name="${esc(`${summary.scenario.name} / ${target.target}`)}" tests="${verdicts.length}" failures="${failures}" time="${target.duration_s}" timestamp="${summary.started_at}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="perflab">\n${suites.join('\n')}\n</testsuites>\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
