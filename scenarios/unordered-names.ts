/**
 * Directory operations that survive a power loss out of order. POSIX promises nothing about a
 * directory's entries until the directory is synced, and a file system without an ordered
 * metadata journal (ext2) keeps any of its unsynced operations on different names: an old
 * segment or manifest unlinked after its successor was renamed into place may be gone while the
 * rename is lost. The other scenarios keep a prefix of each directory's operations, as ext4 and
 * XFS do; this one keeps a prefix per name (`dirOrder: 'per-name'`, sim/disk/crash-policy.ts),
 * with power losses aimed at the namespace I/O of checkpoints, manifest switches, pruning and
 * segment rotation. An engine must sync the directory between publishing a name and removing
 * what it replaces.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const unorderedNames: Scenario = {
  name: 'unordered-names',
  description: 'power loss keeps a directory\'s unsynced operations on different names in any combination (POSIX, ext2): publish, sync the directory, then remove',
  targets: { phases: ['checkpoint', 'manifest', 'prune', 'segment.rotate'], io: ['create', 'rename', 'unlink', 'dir-sync'], faults: ['power-loss'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 1024], walSizeBytesMax: [1024, 4096] }),
      faults: {
        rates: { 'power-loss': 0.05 }, io: ['create', 'rename', 'unlink', 'dir-sync'],
        fsyncFailureMode: 'ext4', sectorBytes: 4096, dirOrder: 'per-name',
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 4 } }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
