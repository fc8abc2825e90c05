/**
 * The API refuses options it does not know and values it cannot take, before anything runs,
 * with an OptionsError (code POWERCUT_OPTIONS) that names the option: a misspelt option must not
 * leave a test passing on defaults, nor an empty plan turn a regression replay into a campaign.
 */
import { describe, expect, it } from 'vitest';
import { assertCrashSafe, assertExploresClean, runCampaign } from '../../api/index.ts';
import { assertOptionNames } from '../../api/assert.ts';
import { thrown } from './thrown.ts';

const codeAndMessage = (error: unknown): [unknown, string] => [(error as { code?: unknown }).code, (error as Error).message];

describe('options the API does not know', () => {
  it('are refused by assertCrashSafe with the nearest known name: seed for seedStart', async () => {
    const [code, message] = codeAndMessage(await thrown(assertCrashSafe({}, { seed: 5, seeds: 3 } as never)));
    expect(code).toBe('POWERCUT_OPTIONS');
    expect(message).toBe(`assertCrashSafe options: unknown option "seed" (did you mean seeds?); known: ${assertOptionNames.join(', ')}`);
  });

  it('are refused in the subject too, and by assertExploresClean and runCampaign', async () => {
    expect(codeAndMessage(await thrown(assertCrashSafe({ targte: 'x.ts' } as never)))[1]).toMatch(/^assertCrashSafe subject: unknown option "targte" \(did you mean target\?\)/);
    expect(codeAndMessage(await thrown(assertExploresClean({}, { step: 3 } as never)))[1]).toMatch(/^assertExploresClean options: unknown option "step" \(did you mean steps\?\)/);
    expect(codeAndMessage(await thrown(runCampaign({ seeds: 1, jbos: 2 } as never)))[1]).toMatch(/^runCampaign options: unknown option "jbos" \(did you mean jobs\?\)/);
  });
});

describe('values the API cannot take', () => {
  it('an empty plan is refused, not taken for no plan (which would run a whole campaign)', async () => {
    const [code, message] = codeAndMessage(await thrown(assertCrashSafe({}, { plan: '' })));
    expect(code).toBe('POWERCUT_OPTIONS');
    expect(message).toContain('assertCrashSafe options: plan is an empty string');
    expect(codeAndMessage(await thrown(assertExploresClean({}, { plan: '' })))[0]).toBe('POWERCUT_OPTIONS');
  });

  it('explore counts out of range name their option: steps 0', async () => {
    expect(codeAndMessage(await thrown(assertExploresClean({}, { steps: 0 })))).toEqual(['POWERCUT_OPTIONS', 'assertExploresClean options: steps must be an integer of at least 1, not 0']);
    expect(codeAndMessage(await thrown(assertExploresClean({}, { states: 1.5 })))[1]).toBe('assertExploresClean options: states must be an integer of at least 1, not 1.5');
    expect(codeAndMessage(await thrown(assertExploresClean({}, { timeBudgetSec: 0 })))).toEqual(['POWERCUT_OPTIONS', 'assertExploresClean options: timeBudgetSec must be a number of seconds above 0, not 0']);
  });
});
