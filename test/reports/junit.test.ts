import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../reports/junit.ts';
import { failingResult, greenResult, hostileResult, hostileText } from './fixtures.ts';
import { findAll, parseXml } from './xml.ts';

describe('renderJunit', () => {
  it('writes a well-formed document with one suite per scenario', () => {
    const root = parseXml(renderJunit(failingResult));
    expect(root.name).toBe('testsuites');
    expect(findAll(root, 'testsuite').map((suite) => suite.attributes['name'])).toEqual([
      'powercut.wal-power-loss', 'powercut.checkpoint-rotate', 'powercut.disk-full-append',
    ]);
  });

  it('has one test case per scenario plus one per violation, failing where violations are', () => {
    const root = parseXml(renderJunit(failingResult));
    expect(findAll(root, 'testcase')).toHaveLength(3 + 2);
    // Two failing scenario cases and two violation cases.
    expect(findAll(root, 'failure')).toHaveLength(4);
    expect(root.attributes['tests']).toBe('5');
    expect(root.attributes['failures']).toBe('4');
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

  it('puts the repro command and the failing check in the failure text', () => {
    const root = parseXml(renderJunit(failingResult));
    const violationCase = findAll(root, 'testcase').find((testcase) => testcase.attributes['name'] === 'seed 1337: durability');
    const failure = violationCase?.children[0];
    expect(failure?.name).toBe('failure');
    expect(failure?.attributes['type']).toBe('durability');
    expect(failure?.text).toContain('repro: npx powercut run --scenario wal-power-loss --seed 1337 --shrink');
    expect(failure?.text).toContain('FAILED: lsn 7 acknowledged');
  });

  it('lists the repro commands of a failing scenario in its scenario case', () => {
    const root = parseXml(renderJunit(failingResult));
    const suite = findAll(root, 'testsuite').find((s) => s.attributes['name'] === 'powercut.checkpoint-rotate');
    const scenarioFailure = suite && findAll(suite, 'failure')[0];
    expect(scenarioFailure?.attributes['message']).toBe('1 violation (no-resurrection)');
    expect(scenarioFailure?.text).toContain('--seed 90210');
  });

  it('writes a green campaign as passing test cases only', () => {
    const root = parseXml(renderJunit(greenResult));
    expect(findAll(root, 'testcase')).toHaveLength(3);
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
