import { describe, expect, it } from 'vitest';
import { campaignExitCode } from '../../cli/commands/run.ts';
import type { CampaignOutcome } from '../../harness/campaign.ts';
import type { Violation } from '../../sim/types.ts';
import { launchBin } from './helpers.ts';

const violation = (invariant: string): Violation => ({ scenario: 's', seed: 1, invariant, message: 'm', repro: 'r' });
const outcome = (violations: Violation[], mismatches = 0, seeds = 10): CampaignOutcome => ({
  violations, seeds,
  ...(mismatches ? { determinism: { checked: 1, mismatches: [{ scenario: 's', seed: 1, digest: 'a', rerunDigest: 'b' }] } } : {}),
}) as unknown as CampaignOutcome;

describe('campaign exit codes', () => {
  it('is 0 without violations, 1 with, 3 with a harness violation or a digest mismatch, 4 when no seed ran', () => {
    expect(campaignExitCode(outcome([]))).toBe(0);
    expect(campaignExitCode(outcome([], 0, 0))).toBe(4);
    expect(campaignExitCode(outcome([violation('durability')]))).toBe(1);
    expect(campaignExitCode(outcome([violation('durability'), violation('harness')]))).toBe(3);
    expect(campaignExitCode(outcome([], 1))).toBe(3);
  });
});

describe('bin/powercut.mjs', () => {
  const launch = (...args: string[]) => launchBin(args);

  it('runs the CLI from another folder', async () => {
    const result = await launch('list');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('wal-append');
  });

  it('passes the exit code through', async () => {
    const result = await launch('run', '--seeds', 'abc');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
