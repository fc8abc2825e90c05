/**
 * The killing suite of `npm run mutation:campaign` (stryker.campaign.json): the seeded campaign
 * alone (bench/mutation/campaign.kill.ts). Not part of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/mutation/campaign.kill.ts'],
    testTimeout: 600_000,
  },
});
