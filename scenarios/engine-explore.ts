/**
 * How engine plans are explored (harness/explore.ts does the search). The base is the plan's
 * first steps with every fault removed (rates, scheduled faults, a fixed capacity, aims and
 * `crash` steps), so a clean run has a fixed I/O sequence before the liveness phase; its crash
 * points are every I/O before the liveness phase (faults are off from there on, by design). The
 * end point is a power loss after the last step: a `crash` step appended.
 */
import { keepEverythingState, type Plan } from '../sim/index.ts';
import { exploreFaults, isCrashKind, scheduledAt, type Exploration } from '../harness/index.ts';

/** A power loss after the last step. */
const endPowerLoss = { op: 'crash', kind: 'power-loss' } as const;


/** The fault-free prefix of `plan` with `steps` steps (after `crash` steps are removed). */
export function explorationBase(plan: Plan, steps: number): Plan {
  const { capacityBytes: _capacity, phases: _phases, io: _io, ...faults } = plan.faults;
  // Exploration chooses its crash states, and the candidates that take looks (harness/explore.ts).
  const { crashStates: _states, looks: _looks, looksAtRot: _rot, ...rest } = plan;
  return {
    ...rest,
    faults: { ...faults, rates: {}, scheduled: [] },
    steps: plan.steps.filter((step) => step.op !== 'crash').slice(0, steps),
  };
}

/**
 * The I/O faults an engine is explored under: every one but short writes, which its port never
 * returns (it promises whole writes, sim/disk/file-ops.ts), so that none of its runs fails nothing.
 */
const engineFaults = exploreFaults.filter((kind) => kind !== 'short-write');

/**
 * What the kill -9 of each crash point looks at besides other crash states: a bit rotted in the
 * newest durable bytes of the two files synced last (sim/second-look.ts), where a checksum that
 * is never checked shows, as campaigns look when a plan injects bit flips. A damaged sector is
 * left to campaigns: explore's plans are short, and a sector takes a whole frame with it, which a
 * careful engine refuses.
 */
const rotLooked = ['bit-flip'] as const;

/** The exploration of engine plans. */
export const engineExploration: Exploration<Plan> = {
  base: explorationBase,
  sizeDefault: 12,
  faults: () => engineFaults,
  crashPoints(trace) {
    const points: number[] = [];
    for (const event of trace) {
      if (event.type === 'note' && event.name === 'liveness') break;
      if (event.type === 'io') points.push(points.length);
    }
    return points;
  },
  candidate(base, crash) {
    const looks = (crash.looks ?? 0) > 0 ? { looks: crash.looks } : {};
    if (crash.io === undefined) {
      return { ...base, ...looks, steps: [...base.steps, endPowerLoss], crashStates: [crash.crashState] };
    }
    const then = crash.then;
    if (!isCrashKind(crash.kind)) {
      // A failed sync or write, then the rest, then a power loss that loses only what the failure did.
      return { ...base, ...looks, faults: { ...base.faults, scheduled: [scheduledAt(crash.io, crash.kind)] }, steps: [...base.steps, endPowerLoss], crashStates: [keepEverythingState] };
    }
    if (then !== undefined) {
      const scheduled = [scheduledAt(crash.io, crash.kind), scheduledAt(crash.io + 1 + then.offset, then.kind)];
      const first = crash.kind === 'power-loss' ? crash.crashState : 0;
      if (!isCrashKind(then.kind)) {
        return { ...base, ...looks, faults: { ...base.faults, scheduled }, steps: [...base.steps, endPowerLoss], crashStates: [first, keepEverythingState] };
      }
      // Crash states go by crash index: the first crash's, then the one in its recovery.
      return { ...base, ...looks, faults: { ...base.faults, scheduled }, crashStates: [first, then.crashState] };
    }
    return {
      ...base,
      ...looks,
      // A crash point's kill -9 also looks at a rotted bit in the newest durable data.
      ...(crash.kind === 'kill-9' && crash.looks !== undefined && crash.rotLooks !== false ? { looksAtRot: rotLooked } : {}),
      faults: { ...base.faults, scheduled: [scheduledAt(crash.io, crash.kind)] },
      ...(crash.kind === 'power-loss' ? { crashStates: [crash.crashState] } : {}),
    };
  },
};
