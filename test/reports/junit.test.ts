import { beforeAll, describe, expect, it } from 'vitest';
import { junitRootCauseClass, renderJunit } from '../../reports/junit.ts';
import { rootCauses } from '../../reports/figures.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { failingResult, greenResult, hostileResult, hostileText } from './fixtures.ts';
import { naiveCampaign } from './real-campaign.ts';
import { findAll, parseXml, type XmlElement } from './xml.ts';

const caseNamed = (root: XmlElement, name: string): XmlElement | undefined => findAll(root, 'testcase').find((testcase) => testcase.attributes['name'] === name);

describe('renderJunit', () => {
  it('writes a well-formed document: a summary suite, then one suite per scenario', () => {
    const root = parseXml(renderJunit(failingResult));
    expect(root.name).toBe('testsuites');
    expect(findAll(root, 'testsuite').map((suite) => suite.attributes['name'])).toEqual([
      'powercut', 'powercut.wal-append', 'powercut.checkpoint-prune', 'powercut.disk-full',
    ]);
  });

  it('has a summary case, one case per root cause and one per scenario, failing where seeds failed', () => {
    const root = parseXml(renderJunit(failingResult));
    // Summary + 2 root causes, then 3 scenario cases of which 2 failed.
    expect(findAll(root, 'testcase')).toHaveLength(3 + 3);
    expect(findAll(root, 'failure')).toHaveLength(3 + 2);
    expect(root.attributes['tests']).toBe('6');
    expect(root.attributes['failures']).toBe('5');
  });

  it('says under a root cause that needs no fault that it needs none, and nothing under one that does', () => {
    const marked = { ...failingResult, violations: failingResult.violations.map((violation) => (violation.invariant === 'durability' ? { ...violation, needsNoFault: true as const } : violation)) };
    const xml = renderJunit(marked);
    expect(xml).toContain('needs no fault: seed 1337 fails the same way with none injected');
    expect(renderJunit(failingResult)).not.toContain('needs no fault');
  });

  it('agrees with itself: suite counts add up to the totals', () => {
    const root = parseXml(renderJunit(failingResult));
    const suites = findAll(root, 'testsuite');
    const sum = (attr: string): number => suites.reduce((acc, suite) => acc + Number(suite.attributes[attr]), 0);
    expect(sum('tests')).toBe(Number(root.attributes['tests']));
    expect(sum('failures')).toBe(Number(root.attributes['failures']));
    for (const suite of suites) {
      expect(findAll(suite, 'testcase')).toHaveLength(Number(suite.attributes['tests']));
      expect(findAll(suite, 'failure')).toHaveLength(Number(suite.attributes['failures']));
    }
  });

  it('says in the summary case how many seeds failed, its root causes and what to do next', () => {
    const failure = caseNamed(parseXml(renderJunit(failingResult)), 'all 3,000 seeds hold their invariants')?.children[0];
    expect(failure?.attributes['message']).toBe('2 of 3,000 seeds failed: 2 root causes');
    expect(failure?.text).toContain('1 follow-on complaint folded under it');
    expect(failure?.text).toContain('     1 seed   durability: commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent');
    expect(failure?.text).toContain('next: shrink the first root cause to a minimal plan: npx powercut shrink --scenario wal-append --seed 1337 --out bug.json');
  });

  it('names a root cause\'s case by its invariant and message shape, and gives the seeds, the repro, the follow-ons and the trace up to the failed check', () => {
    const testcase = caseNamed(parseXml(renderJunit(failingResult)), 'durability: commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent');
    expect(testcase?.attributes['classname']).toBe(junitRootCauseClass);
    const failure = testcase?.children[0];
    expect(failure?.attributes['type']).toBe('durability');
    expect(failure?.text).toContain('  wal-append: seed 1337');
    expect(failure?.text).toContain('repro: npx powercut repro --scenario wal-append --seed 1337');
    expect(failure?.text).toContain('  [prefix] hole: commit #7 is missing');
    expect(failure?.text).toContain('trace (the last 12 of 27 events, up to the failed check):');
    expect(failure?.text.trimEnd().split('\n').at(-1)).toContain('#66 t=12ms check   recovery        durability commit #7, acknowledged, is missing');
  });

  it('lists the failing seeds of a scenario with their first violation and repro in its case', () => {
    const root = parseXml(renderJunit(failingResult));
    const suite = findAll(root, 'testsuite').find((s) => s.attributes['name'] === 'powercut.checkpoint-prune');
    const scenarioFailure = suite && findAll(suite, 'failure')[0];
    expect(scenarioFailure?.attributes['message']).toBe('1 of 1,000 seeds failed (no-resurrection)');
    expect(scenarioFailure?.text).toContain('seed 90210 [no-resurrection] key k0 was deleted by commit #14');
    expect(scenarioFailure?.text).toContain('npx powercut repro --scenario checkpoint-prune --seed 90210');
  });

  it('writes a green campaign as passing test cases only', () => {
    const root = parseXml(renderJunit(greenResult));
    expect(findAll(root, 'testcase')).toHaveLength(4);
    expect(findAll(root, 'failure')).toHaveLength(0);
    expect(root.attributes['time']).toBe('14.104');
  });

  it('stays well-formed with markup, ]]>, quotes and control characters in every field', () => {
    const xml = renderJunit(hostileResult);
    const root = parseXml(xml);
    const failure = findAll(root, 'failure').find((f) => f.attributes['type'] === 'durability<&>');
    expect(failure?.attributes['message']).toContain('<script>alert(1)</script>');
    expect(failure?.attributes['message']).toContain(']]>');
    expect(failure?.text).toContain(`'a<b>&c "q"`);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain(hostileText);
    expect(xml).not.toMatch(/[\u0001\u0007\u001b]/);
  });
});

describe('renderJunit of a real failing campaign', () => {
  let result: CampaignResult;
  beforeAll(async () => {
    result = await naiveCampaign();
  });

  it('has one case per root cause, listing every one of its seeds, and stays well-formed', () => {
    const root = parseXml(renderJunit(result));
    const cases = findAll(root, 'testcase').filter((testcase) => testcase.attributes['classname'] === junitRootCauseClass);
    const groups = rootCauses(result);
    expect(cases).toHaveLength(groups.length);
    for (const [index, group] of groups.entries()) {
      const text = cases[index]!.children[0]!.text;
      for (const run of group.runs) expect(text).toMatch(new RegExp(`  ${run.scenario}: seeds? ([0-9]+, )*${run.seed}\\b`));
    }
  });
});
