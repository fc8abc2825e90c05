/**
 * Library-workload benchmark: seeds per second of a campaign in one thread (`--jobs 1`) on the
 * shipped workloads (targets/write-file-atomic.ts, targets/lowdb.ts) and on reload-heavy, a
 * fixture whose CommonJS library (several files, module-level state) is loaded again in every
 * incarnation with freshRequire, next to the same fixture reloaded Node's way (drop the files
 * from `require.cache`, `require` again), which is what freshRequire did before it kept
 * compiled files. Each workload first runs a few seeds to warm up (module loading, compiling).
 * Prints figures, the load average and the target (reload-heavy at 100 seeds/s or more);
 * asserts nothing. These machines are shared: read the load average next to the figures.
 *
 * Usage: npm run bench:targets [-- --seeds 400]
 */
import { availableParallelism, loadavg } from 'node:os';
import { runCampaign } from '../harness/index.ts';
import { loadSubject } from '../subjects/index.ts';

const seedsAt = process.argv.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(process.argv[seedsAt + 1]) : 400;
const warmUpSeeds = 20;
const reloadHeavySeedsPerSecondMin = 100;

const workloads = [
  'targets/write-file-atomic.ts',
  'targets/lowdb.ts',
  'test/targets/fixtures/reload-heavy.ts',
  'test/targets/fixtures/reload-heavy-node.ts',
];

function load(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' ');
}

async function seedsPerSecond(module: string): Promise<{ perSecond: number; violations: number }> {
  const subject = await loadSubject({ kind: 'library', module });
  await runCampaign({ subject, seeds: warmUpSeeds, seedStart: 1_000_000, jobs: 1, invocation: 'npx powercut' });
  const result = await runCampaign({ subject, seeds, jobs: 1, invocation: 'npx powercut' });
  return { perSecond: result.seedsPerSecond, violations: result.violations.length };
}

console.log(`powercut library workloads, --jobs 1, ${seeds} seeds each (node ${process.version}, ${availableParallelism()} CPUs)`);
console.log(`load average before: ${load()}`);
const figures = new Map<string, number>();
for (const module of workloads) {
  const { perSecond, violations } = await seedsPerSecond(module);
  figures.set(module, perSecond);
  console.log(`${module.padEnd(44)} ${perSecond.toFixed(1).padStart(7)} seeds/s  (${violations} violations; load ${load()})`);
}
const reloadHeavy = figures.get('test/targets/fixtures/reload-heavy.ts')!;
const nodeReload = figures.get('test/targets/fixtures/reload-heavy-node.ts')!;
console.log(`freshRequire against Node's reload: ${(reloadHeavy / nodeReload).toFixed(1)}x`);
console.log(`reload-heavy at ${reloadHeavySeedsPerSecondMin} seeds/s or more: ${reloadHeavy >= reloadHeavySeedsPerSecondMin ? 'yes' : 'NO'} (${reloadHeavy.toFixed(1)})`);
console.log(`load average after: ${load()}`);
