/**
 * junit.xml: the campaign as JUnit test results, the one format every CI system reads.
 *
 * Shape (the de-facto schema that Jenkins, GitLab, GitHub test reporters and Buildkite accept):
 * - `<testsuites>`: campaign totals; `time` is the campaign's elapsed seconds.
 * - one `<testsuite name="powercut.SCENARIO">` per scenario, holding
 *   - a test case `all N seeds hold their invariants` (classname `powercut.SCENARIO`) that fails
 *     when the scenario found any violation: a CI page that lists tests then shows one red line per
 *     broken scenario even when it folds the per-violation cases away;
 *   - one test case `seed S: INVARIANT` per violation, always failed, whose failure text holds the
 *     message, the repro command and the end of the shrunk trace.
 * So `failures` counts scenario cases plus violation cases; `tests` counts them the same way.
 * Test case times are left out: the campaign does not time scenarios apart, and an invented
 * figure would mislead whoever sorts tests by duration.
 *
 * All text goes through {@link escapeXml}; no CDATA is used, so `]]>` in a message is harmless.
 */
import type { CampaignResult, TraceEvent, Violation } from '../sim/index.ts';
import { escapeXml, escapeXmlText } from './escape.ts';
import { formatCount, scenarioRows, sortedViolations } from './figures.ts';

/** How many trailing trace events a failure's text shows (the whole trace is in summary.json). */
export const junitTraceTailEvents = 12;

/**
 * Renders junit.xml.
 * @param result - the campaign result
 * @returns an XML 1.0 document, UTF-8, with a trailing newline
 */
export function renderJunit(result: CampaignResult): string {
  const violations = sortedViolations(result);
  const rows = scenarioRows(result);
  const suites: string[] = [];
  let testCount = 0;
  let failureCount = 0;
  for (const row of rows) {
    const own = violations.filter((violation) => violation.scenario === row.scenario);
    const classname = `powercut.${row.scenario}`;
    const cases: string[] = [];
    const caseName = `all ${formatCount(row.seeds)} seeds hold their invariants`;
    if (own.length === 0) {
      cases.push(`    <testcase name="${escapeXml(caseName)}" classname="${escapeXml(classname)}"/>`);
    } else {
      const summary = `${own.length} violation${own.length === 1 ? '' : 's'} (${row.invariants.join(', ')})`;
      const body = own.map((violation) => `seed ${violation.seed} ${violation.invariant}: ${violation.repro}`).join('\n');
      cases.push(testcase(caseName, classname, summary, 'violations', body));
    }
    for (const violation of own) cases.push(violationCase(violation, classname));
    const failures = own.length === 0 ? 0 : own.length + 1;
    testCount += cases.length;
    failureCount += failures;
    suites.push([
      `  <testsuite name="${escapeXml(classname)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
      `    <properties>`,
      property('seeds', String(row.seeds)),
      property('detected', String(row.detected)),
      property('crashes', String(row.crashes)),
      property('commitsAcknowledged', String(row.commitsAcknowledged)),
      property('faultsInjected', String(row.faultsInjected)),
      `    </properties>`,
      ...cases,
      `  </testsuite>`,
    ].join('\n'));
  }
  const seconds = (result.elapsedMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="powercut" tests="${testCount}" failures="${failureCount}" errors="0" time="${seconds}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function violationCase(violation: Violation, classname: string): string {
  const name = `seed ${violation.seed}: ${violation.invariant}`;
  const lines = [
    violation.message,
    '',
    `repro: ${violation.repro}`,
    ...(violation.lsn === undefined ? [] : [`lsn: ${violation.lsn}`]),
    ...(violation.key === undefined ? [] : [`key: ${violation.key}`]),
  ];
  const trace = violation.trace ?? [];
  if (trace.length > 0) {
    const tail = trace.slice(-junitTraceTailEvents);
    lines.push('', `trace (last ${tail.length} of ${trace.length} events):`, ...tail.map(traceLine));
  }
  return testcase(name, classname, violation.message, violation.invariant, lines.join('\n'));
}

/** One trace event as a fixed-layout text line. */
export function traceLine(event: TraceEvent): string {
  const where = [event.path, event.detail].filter((part) => part !== undefined && part !== '').join(' ');
  return `  #${event.seq} t=${event.t}ms ${event.type.padEnd(7)} ${(event.phase ?? '-').padEnd(15)} ${event.name}${where === '' ? '' : ` ${where}`}`;
}

function testcase(name: string, classname: string, message: string, type: string, body: string): string {
  return [
    `    <testcase name="${escapeXml(name)}" classname="${escapeXml(classname)}">`,
    `      <failure message="${escapeXml(message)}" type="${escapeXml(type)}">${escapeXmlText(body)}</failure>`,
    `    </testcase>`,
  ].join('\n');
}

function property(name: string, value: string): string {
  return `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`;
}
