/** Crashes and fsync failures inside recovery itself: recovery must be idempotent. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import type { FaultKind } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

/**
 * Half the seeds crash recovery hard, as this scenario always did: power loss and kill -9 at
 * most of its I/O, so that few recoveries finish and many stop halfway. The other half fail
 * recovery's own fsyncs (ext4: the pages are marked clean, not written) with fewer crashes, so
 * that a failed open is often followed by a retry that gets through: the class of the finding
 * recovery-fsyncgate, which the crash-only rates never reached (a retry must follow a failed
 * fsync with no power loss between, and recovery must then finish). A `none`-mode store killed
 * by a crash step leaves unsynced frames in the page cache for that fsync to fail on.
 */
function recoveryRates(failing: boolean): Partial<Record<FaultKind, number>> {
  return failing ? { 'power-loss': 0.01, 'kill-9': 0.03, 'fsync-error': 0.5 } : { 'power-loss': 0.08, 'kill-9': 0.04 };
}

export const recoveryCrash: Scenario = {
  name: 'recovery-crash',
  description: 'power loss, kill -9 and fsync EIO inside recovery (truncation, sidecar rebuild, orphan removal), then recover again',
  targets: { phases: ['recovery'], io: ['open', 'read'], faults: ['power-loss', 'kill-9', 'fsync-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    // Sidecar cadences and segment sizes decide how much recovery rebuilds and scans.
    const engine = drawEngine(params, { segmentSizeBytes: [256, 1024] });
    const sectorBytes = params.pick([512, 4096] as const);
    const crashStates = drawCrashStates(params, 16);
    const rates = recoveryRates(params.chance(0.5));
    return makePlan(this.name, seed, {
      engine,
      faults: { rates, phases: ['recovery'], fsyncFailureMode: 'ext4', sectorBytes },
      steps: generateSteps(workload, { ...defaultShape, steps: 30, weights: { ...defaultShape.weights, crash: 3 } }),
      crashStates,
      looks: secondLooks,
    });
  },
};
