import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRealCampaign } from '../../real/index.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('the real (kill -9) campaign', () => {
  describe('on a simple correct log store', () => {
    it('passes with no acknowledged commit lost', async () => {
      const result = await runRealCampaign({ cycles: 5, seed: 'ci-log', storeModule: fixture('log-store.ts') });
      expect(result.failures).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.commitsLost).toBe(0);
      expect(result.commitsAcknowledged).toBeGreaterThan(0);
      expect(result.dirKept).toBe(false);
    });

    it('catches acknowledge-before-write', async () => {
      const result = await runRealCampaign({ cycles: 4, seed: 'ci-log-bug', storeModule: fixture('log-store-ack-before-write.ts') });
      expect(result.ok).toBe(false);
      expect(result.commitsLost).toBeGreaterThan(0);
      expect(result.failures.map((f) => f.kind)).toContain('durability');
      expect(result.dirKept).toBe(true);
      expect(result.reproduce).toBe('powercut real --cycles 4 --seed ci-log-bug --sync strict');
      await rm(result.dir, { recursive: true, force: true });
    });
  });

  describe('on the reference engine', () => {
    it.each(['strict', 'group'] as const)('passes in %s mode with no acknowledged commit lost', async (sync) => {
      const result = await runRealCampaign({ cycles: 5, seed: `ci-engine-${sync}`, sync });
      expect(result.failures).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.commitsLost).toBe(0);
      expect(result.commitsAcknowledged).toBeGreaterThan(0);
      expect(result.recovery.count).toBeGreaterThan(0);
    });

    it('catches acknowledge-before-write planted around the engine', async () => {
      const result = await runRealCampaign({ cycles: 4, seed: 'ci-engine-bug', storeModule: fixture('engine-ack-before-write.ts') });
      expect(result.ok).toBe(false);
      expect(result.commitsLost).toBeGreaterThan(0);
      await rm(result.dir, { recursive: true, force: true });
    });
  });
});
