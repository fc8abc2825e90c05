/**
 * The killing suite of `npm run mutation:campaign` (stryker.campaign.json): powercut's seeded
 * campaign alone, no unit test. It answers the question a user's planted bug asks: of the
 * mutants Stryker makes of the engine's crash-consistency code, which does a campaign of every
 * scenario catch? Seeds run round-robin over the scenarios, `POWERCUT_KILL_ROUNDS` rounds
 * (default 12), and the test fails at the first violation or finding (what a user would see).
 * Not part of `npm test`: under Stryker's schemata it would only measure what it measures here.
 */
import { expect, test } from 'vitest';
import { scenarios } from '../../scenarios/index.ts';
import { referenceEngine, runPlan } from '../../sim/index.ts';

const rounds = Number(process.env.POWERCUT_KILL_ROUNDS ?? 12);

test(`a campaign of ${rounds} seeds per scenario finds no violation`, async () => {
  let seeds = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      const plan = scenario.plan(round);
      const result = await runPlan(plan, referenceEngine);
      seeds++;
      const first = result.violations[0] ?? result.findings?.[0];
      expect(first === undefined ? 'none' : `${scenario.name} seed ${round}: ${first.invariant}: ${first.message.slice(0, 200)}`).toBe('none');
    }
  }
  expect(seeds).toBe(rounds * scenarios.length);
}, 600_000);
