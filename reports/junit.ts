/**
 * junit.xml: the campaign as JUnit test results, the one format every CI system reads, grouped
 * the way a person triages it: by root cause (harness/triage.ts).
 *
 * Shape (the de-facto schema that Jenkins, GitLab, GitHub test reporters and Buildkite accept):
 * - `<testsuites>`: campaign totals; `time` is the campaign's elapsed seconds.
 * - `<testsuite name="powercut">`: the summary and the root causes:
 *   - a test case `all N seeds hold their invariants` (classname `powercut`) that fails when any
 *     seed failed, saying `F of N seeds failed`, listing the root causes and what to do next;
 *   - one test case per root cause (classname `powercut.root-cause`), named `INVARIANT: SHAPE`
 *     (the message with numbers masked), a name that stays the same from one campaign to the
 *     next, so a CI page can follow a bug over builds. It fails with the number of seeds; its
 *     text lists the seeds by scenario, then the first run: its message, its repro command, its
 *     follow-on complaints and the trace events up to the check that failed.
 * - one `<testsuite name="powercut.SCENARIO">` per scenario, holding a test case `all N seeds
 *   hold their invariants` that fails when the scenario failed, listing each failing seed with
 *   its first violation and repro command: a CI page that lists suites shows one red line per
 *   broken scenario.
 * - `<testsuite name="powercut.determinism">` when the campaign checked its determinism: one case
 *   that fails when a seed rerun in a fresh worker gave another digest, listing them.
 * - `<testsuite name="powercut.gate">` when the command did not pass a campaign in which no seed
 *   failed (`CampaignResult.gate`: nothing tested, or incomplete): one failing case, its reasons.
 * So `failures` counts the summary case, the root-cause cases, the determinism case, the gate
 * case and the failing scenario cases.
 * Test case times are left out: the campaign does not time them apart, and an invented figure
 * would mislead whoever sorts tests by duration.
 *
 * All text goes through {@link escapeXml}; no CDATA is used, so `]]>` in a message is harmless.
 */
import type { CampaignResult, TraceEvent, Violation } from '../sim/index.ts';
import { nextShrinkCommand } from '../harness/index.ts';
import { escapeXml, escapeXmlText } from './escape.ts';
import type { FailingRun, RootCauseGroup, ScenarioRow } from './figures.ts';
import { corpusUnit, needsNoFaultLine, runName, determinismLines, failingSeedCount, followOnCount, formatCount, groupScenarios, nondeterministic, representativeRun, rootCauses, scenarioRows } from './figures.ts';
import { failedCheckSeq } from './timeline.ts';

/** How many trace events, up to the failed check, a root cause's text shows (the whole trace is in summary.json). */
export const junitTraceTailEvents = 12;

/** The classname of the root-cause test cases. */
export const junitRootCauseClass = 'powercut.root-cause';

const plural = (count: number, word: string): string => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

/**
 * Renders junit.xml.
 * @param result - the campaign result
 * @returns an XML 1.0 document, UTF-8, with a trailing newline
 */
export function renderJunit(result: CampaignResult): string {
  const groups = rootCauses(result);
  const suites = [summarySuite(result, groups), ...determinismSuite(result), ...gateSuite(result), ...scenarioRows(result).map((row) => scenarioSuite(row, groups))];
  const seconds = (result.elapsedMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="powercut" tests="${suites.reduce((sum, suite) => sum + suite.tests, 0)}" failures="${suites.reduce((sum, suite) => sum + suite.failures, 0)}" errors="0" time="${seconds}">`,
    ...suites.map((suite) => suite.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  readonly xml: string;
  readonly tests: number;
  readonly failures: number;
}

function suite(name: string, properties: Record<string, number>, cases: readonly string[], failures: number): Suite {
  return {
    tests: cases.length,
    failures,
    xml: [
      `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
      '    <properties>',
      ...Object.entries(properties).map(([key, value]) => `      <property name="${escapeXml(key)}" value="${value}"/>`),
      '    </properties>',
      ...cases,
      '  </testsuite>',
    ].join('\n'),
  };
}

function summarySuite(result: CampaignResult, groups: readonly RootCauseGroup[]): Suite {
  const name = `all ${formatCount(result.seeds)} seeds hold their invariants`;
  const properties = {
    seeds: result.seeds, failingSeeds: failingSeedCount(result), violations: result.violations.length + (result.violationsOmitted ?? 0),
    rootCauses: groups.length, followOns: followOnCount(groups),
  };
  if (groups.length === 0) return suite('powercut', properties, [passing(name, 'powercut')], 0);
  const first = groups[0]!.runs[0]!;
  const next = nextShrinkCommand(first.root);
  const body = [
    `${formatCount(failingSeedCount(result))} of ${formatCount(result.seeds)} seeds failed: ${plural(result.violations.length, 'violation')}, ${plural(groups.length, 'root cause')}`
      + ` (each failing run's first violation; ${plural(followOnCount(groups), 'follow-on complaint')} folded under it)`,
    ...(result.violationsOmitted === undefined ? [] : [`${plural(result.violationsOmitted, 'violation')} of later seeds were counted, not kept`]),
    '',
    ...groups.map((group) => `${formatCount(group.runs.length).padStart(6)} ${group.runs.length === 1 ? 'seed ' : 'seeds'}  ${group.invariant}: ${group.shape}`),
    '',
    next === undefined ? `next: rerun the first root cause: ${first.root.repro}` : `next: shrink the first root cause to a minimal plan: ${next}`,
  ];
  const summary = testcase(name, 'powercut', `${formatCount(failingSeedCount(result))} of ${formatCount(result.seeds)} seeds failed: ${plural(groups.length, 'root cause')}`, 'violations', body.join('\n'));
  return suite('powercut', properties, [summary, ...groups.map(groupCase)], 1 + groups.length);
}

/** `powercut.determinism`, when the campaign checked it: one case that fails on any seed whose rerun gave another digest. */
function determinismSuite(result: CampaignResult): Suite[] {
  const check = result.determinism;
  if (check === undefined) return [];
  const name = `${formatCount(check.checked)} seeds rerun in a fresh worker give the same digest`;
  const properties = { checked: check.checked, mismatches: check.mismatches.length };
  if (!nondeterministic(result)) return [suite('powercut.determinism', properties, [passing(name, 'powercut.determinism')], 0)];
  const lines = determinismLines(result);
  return [suite('powercut.determinism', properties, [testcase(name, 'powercut.determinism', lines[0]!, 'nondeterminism', lines.join('\n'))], 1)];
}

/**
 * `powercut.gate`, when the command did not pass the campaign although no seed failed (nothing
 * tested, or incomplete: a regression plan's fault never fired, a probe or targeted cell missed):
 * one failing case with each reason, so the CI page is red as the job is.
 */
function gateSuite(result: CampaignResult): Suite[] {
  const gate = result.gate;
  if (gate === undefined) return [];
  const name = gate.verdict === 'incomplete' ? 'everything the campaign promised was exercised' : 'the campaign tested something';
  return [suite('powercut.gate', { reasons: gate.reasons.length }, [testcase(name, 'powercut.gate', `${gate.verdict}: ${gate.reasons[0] ?? ''}`, gate.verdict.replace(' ', '-'), gate.reasons.join('\n'))], 1)];
}

function groupCase(group: RootCauseGroup): string {
  const shown = representativeRun(group);
  const seeds = groupScenarios(group).map(({ scenario }) => {
    const own = group.runs.filter((run) => run.scenario === scenario);
    return `  ${scenario}: seed${own.length === 1 ? '' : 's'} ${own.map((run) => run.seed).join(', ')}`;
  });
  const lines = [
    `${plural(group.runs.length, 'seed')} failed first with this complaint:`,
    ...seeds,
    ...(needsNoFaultLine(group) === undefined ? [] : [needsNoFaultLine(group)!]),
    '',
    ...runLines(shown),
  ];
  return testcase(`${group.invariant}: ${group.shape}`, junitRootCauseClass, `${plural(group.runs.length, 'seed')}; first: ${shown.root.message}`, group.invariant, lines.join('\n'));
}

function runLines(run: FailingRun): string[] {
  const root = run.root;
  const lines = [
    `${run.scenario} ${runName(run.scenario, run.seed)}: ${root.message}`,
    `repro: ${root.repro}`,
    ...(root.lsn === undefined ? [] : [`lsn: ${root.lsn}`]),
    ...(root.key === undefined ? [] : [`key: ${root.key}`]),
  ];
  if (run.followOns.length > 0) {
    lines.push('', `then ${plural(run.followOns.length, 'follow-on complaint')} in the same run:`, ...run.followOns.map((violation) => `  [${violation.invariant}] ${violation.message}`));
  }
  const tail = traceUpToFailure(root);
  if (tail.length > 0) lines.push('', `trace (the last ${tail.length} of ${root.trace!.length} events, up to the failed check):`, ...tail.map(traceLine));
  return lines;
}

/** The last {@link junitTraceTailEvents} events up to and including the check that failed. */
function traceUpToFailure(violation: Violation): readonly TraceEvent[] {
  const trace = violation.trace ?? [];
  const failed = failedCheckSeq(violation);
  const at = trace.findIndex((event) => event.seq === failed);
  const end = at < 0 ? trace.length : at + 1;
  return trace.slice(Math.max(0, end - junitTraceTailEvents), end);
}

function scenarioSuite(row: ScenarioRow, groups: readonly RootCauseGroup[]): Suite {
  if (row.scenario === corpusUnit) return corpusSuite(row, groups);
  const classname = `powercut.${row.scenario}`;
  const name = `all ${formatCount(row.seeds)} seeds hold their invariants`;
  const properties = { seeds: row.seeds, detected: row.detected, crashes: row.crashes, commitsAcknowledged: row.commitsAcknowledged, faultsInjected: row.faultsInjected };
  const runs = groups.flatMap((group) => group.runs.filter((run) => run.scenario === row.scenario)).sort((a, b) => a.seed - b.seed);
  if (runs.length === 0) return suite(classname, properties, [passing(name, classname)], 0);
  const body = runs.map((run) => `${runName(run.scenario, run.seed)} [${run.root.invariant}] ${run.root.message}${run.followOns.length === 0 ? '' : ` (+${run.followOns.length} follow-on)`}\n  ${run.root.repro}`);
  const message = `${formatCount(runs.length)} of ${formatCount(row.seeds)} seeds failed (${row.invariants.join(', ')})`;
  return suite(classname, properties, [testcase(name, classname, message, 'violations', body.join('\n'))], 1);
}

/**
 * `powercut.regressions`, the regression corpus `ci` replayed: its plans are its "seeds", and
 * each failing plan is named (its violations start `[regression NAME]`).
 */
function corpusSuite(row: ScenarioRow, groups: readonly RootCauseGroup[]): Suite {
  const classname = `powercut.${corpusUnit}`;
  const name = `all ${plural(row.seeds, 'regression plan')} hold their invariants`;
  const properties = { plans: row.seeds };
  const runs = groups.flatMap((group) => group.runs.filter((run) => run.scenario === corpusUnit)).sort((a, b) => a.seed - b.seed);
  if (runs.length === 0) return suite(classname, properties, [passing(name, classname)], 0);
  const body = runs.map((run) => `${run.root.message}${run.followOns.length === 0 ? '' : ` (+${run.followOns.length} follow-on)`}\n  ${run.root.repro}`);
  const named = runs.map((run) => /^\[regression ([^\]]*)\]/.exec(run.root.message)?.[1] ?? `#${run.seed}`);
  const message = `${formatCount(runs.length)} of ${plural(row.seeds, 'regression plan')} failed: ${named.join(', ')}`;
  return suite(classname, properties, [testcase(name, classname, message, 'violations', body.join('\n'))], 1);
}

/** One trace event as a fixed-layout text line. */
export function traceLine(event: TraceEvent): string {
  const where = [event.path, event.detail].filter((part) => part !== undefined && part !== '').join(' ');
  return `  #${event.seq} t=${event.t}ms ${event.type.padEnd(7)} ${(event.phase ?? '-').padEnd(15)} ${event.name}${where === '' ? '' : ` ${where}`}`;
}

function passing(name: string, classname: string): string {
  return `    <testcase name="${escapeXml(name)}" classname="${escapeXml(classname)}"/>`;
}

function testcase(name: string, classname: string, message: string, type: string, body: string): string {
  return [
    `    <testcase name="${escapeXml(name)}" classname="${escapeXml(classname)}">`,
    `      <failure message="${escapeXml(message)}" type="${escapeXml(type)}">${escapeXmlText(body)}</failure>`,
    `    </testcase>`,
  ].join('\n');
}
