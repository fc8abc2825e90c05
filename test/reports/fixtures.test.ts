/**
 * The report fixtures stay honest: what they name exists, and what they print is what the code
 * prints. A report test passing on made-up scenarios or a repro line nobody types proves nothing
 * about the reports users read.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { invocationDefault, reproCommand } from '../../harness/repro.ts';
import { loadSubject } from '../../subjects/index.ts';
import { faultKinds } from '../../sim/types.ts';
import { durabilityViolation, failingResult, failingTargets, greenResult, holeFollowOn, resurrectionViolation } from './fixtures.ts';

const reference = () => loadSubject({ kind: 'engine' });
const violations = [durabilityViolation, holeFollowOn, resurrectionViolation];

describe('the report fixtures', () => {
  it('name scenarios of the reference engine', async () => {
    const subject = await reference();
    for (const scenario of failingResult.scenarios) expect(subject.units).toContain(scenario);
  });

  it('target the cells those scenarios target, on the reference engine\'s sites', async () => {
    const campaign = await runCampaign({ subject: await reference(), units: failingResult.scenarios, seeds: 0 });
    expect(failingTargets).toEqual(campaign.targets);
    expect(failingResult.sites).toEqual(campaign.sites);
  });

  it('carry the repro lines powercut prints', async () => {
    const subject = await reference();
    for (const violation of violations) {
      expect(violation.repro).toBe(reproCommand(invocationDefault, subject, violation.scenario, violation.seed));
    }
  });

  it('end each trace with the check event the runner records for the violation', () => {
    for (const violation of violations) {
      expect(violation.trace?.at(-1)).toMatchObject({ type: 'check', name: violation.invariant, detail: violation.message });
    }
  });

  it('add up: the scenarios\' faults sum to the campaign\'s', () => {
    for (const result of [failingResult, greenResult]) {
      for (const kind of faultKinds) {
        expect(Object.values(result.perScenario).reduce((sum, scenario) => sum + scenario.faults[kind], 0)).toBe(result.faults[kind]);
      }
    }
  });
});
