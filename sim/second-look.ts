/**
 * Second looks at a power loss: the same disk settled on other crash states, each recovered once
 * in a world of its own and checked, while the run itself goes on with the crash state its plan
 * chose.
 *
 * Why. A power loss can leave many disks (crash-policy.ts): which unsynced writes land, which
 * tear, which directory entries survive. A run settles on one, so a bug that only one disk in
 * twenty shows needs twenty seeds that reach the same point; but everything before the power
 * loss, most of a seed's work, is the same for all of them. A look costs one recovery and its
 * checks, and only runs when its disk differs from every disk already recovered at that power
 * loss (where nothing was unsynced, every crash state leaves the same disk and no look runs).
 *
 * What a look may conclude. Faults are off in its world: the disk is the one the power loss
 * left, nothing more happens to it, and the engine must recover a state the model allows, or
 * refuse only if damage excuses it (looks are skipped once media faults struck, so only a
 * misdirected write the settling kept can be such damage).
 * It is judged by a copy of the run's model, so the run's own model, world, trace and digest are
 * untouched: a run whose looks find nothing is the run without looks, byte for byte.
 *
 * Reproducing one. A violation a look found names its power loss and crash state; the same plan
 * with that crash state at that index (`crashStates`) meets the same disk on its main path
 * (harness/pin-look.ts, which shrinking applies first).
 *
 * Engines are looked at here ({@link lookAgain}); library workloads in targets/runner.ts, over
 * the same {@link otherDisks}.
 */
import { describeError, failureOf, isProgrammingError, type Engine, type EngineConfig, type EngineHandle } from './engine-contract.ts';
import { refusalOf } from './checkers/honest-failure.ts';
import { hung } from './checkers/liveness.ts';
import type { ModelViolation } from './checkers/violation.ts';
import { checkHandle, recoveredState } from './engine-results.ts';
import type { CommitModel } from './model.ts';
import { FilesCheck } from './check-memo.ts';
import { copyDisk } from './disk/disk-copy.ts';
import { SimWorld, type DiskCopy } from './world.ts';

/** A power loss whose other crash states are still to be looked at. */
export interface PendingLook {
  /** The disk right before the power loss settled it (unsynced records included). */
  readonly disk: DiskCopy;
  /** Index of the crash in the run (0 for its first), as in `crashStates`. */
  readonly crashIndex: number;
  /** The global I/O index at which the power loss struck. */
  readonly io: number;
  /** The crash state the run settled on. */
  readonly primaryState: number;
  /** {@link SimWorld.settledFingerprint} of the run's own settling. */
  readonly primaryKey: string;
  /** The run's model right after the crash. */
  readonly model: CommitModel;
}

/** The start of a look's violation message: `crash 2 (a power loss) settled on crash state 9 instead of 0: `. */
export const lookPrefix = /^crash \d+ \(a power loss\) settled on crash state \d+ instead of \d+: /;

/** A violation a look found, with where to find it on a run's own path (RunViolation.look). */
export type LookViolation = ModelViolation & { readonly look: { readonly crash: number; readonly crashState: number; readonly io: number } };

/** What a look needs of the run. */
export interface LookSetting {
  readonly seed: number;
  readonly engine: Engine;
  readonly config: EngineConfig;
  readonly dir: string;
  readonly stepsMax: number;
  /** How many other disks to recover at each power loss. */
  readonly looks: number;
  /** Counts a hit of one of the engine's rare branches (a look reaches them as the run does). */
  readonly hit: (probe: string) => void;
  /** The run's pinned environment, which each look borrows (engines given as modules pin one). */
  readonly pin: WorldPin;
}

/**
 * Second looks at each power loss where they are on by default: the engine scenarios about power
 * loss (scenarios/scenario.ts) and every library workload's run (targets/plan.ts). Measured with
 * `bench:mutants:expected` against 03d6e56 (README, "Second looks"): planted bugs caught per
 * CPU-minute 1.08× with none, 1.54× with 3, 1.68× with 5, 1.65× with 8 (the bugs that depend on
 * what a power loss keeps are caught sooner, the others pay for the recoveries); on two npm
 * libraries, 5 looks against 3 failed 15 % more seeds per CPU-second (nedb) and 3 % (steno).
 */
export const defaultLooks = 5;

/** The crash states a look tries, in order: seeded random states of their own, after the named ones a plan draws. */
const firstLookState = 8;
/** Settlings tried per look wanted, before giving up on finding that many different disks. */
const settlingsPerLook = 2;

/**
 * Recovers up to `setting.looks` disks the power loss could also have left, each different from
 * the run's and from each other, and checks each.
 * @returns how many looks ran, and the violations of the first look that found any, each naming
 *   its power loss and crash state
 */
export async function lookAgain(pending: PendingLook, setting: LookSetting): Promise<{ looks: number; violations: LookViolation[] }> {
  const found: LookViolation[] = [];
  let done = 0;
  for (const { world, crashState } of otherDisks(pending.disk, setting.seed, pending.primaryKey, setting.looks)) {
    done++;
    const violations = await setting.pin.aside(world, () => recoverAndCheck(world, pending.model.clone(), setting));
    world.finish();
    const look = { crash: pending.crashIndex, crashState, io: pending.io };
    for (const v of violations) found.push({ ...v, message: `${lookWhere(look, pending.primaryState)}: ${v.message}`, look });
    if (found.length > 0) break;
  }
  return { looks: done, violations: found };
}

/**
 * Whether a power loss striking `world` now can be looked at again: something unsynced could land
 * in more than one way (else every crash state leaves the same disk), and no media fault has
 * struck (a look starts from the disk alone, without a fault's after-effects: bit flips, damaged
 * sectors, lost names). Asked before the power loss settles.
 */
export function lookable(world: SimWorld): boolean {
  return world.unsyncedCount > 0 && world.mediaDamage === 0 && world.faultCounts['bit-flip'] === 0;
}

/**
 * The thread's environment pinned to a run's world, which a second look borrows for a moment:
 * {@link aside} pins the look's world instead, then the run's again, which goes on with its own
 * random numbers and timers (targets/environment.ts keeps them per world). Without a pin (the
 * reference engine sees only its ports) it only runs the body.
 */
export class WorldPin {
  readonly #pin: ((world: SimWorld) => () => void) | undefined;
  readonly #world: SimWorld;
  #unpin: (() => void) | undefined;

  /** Pins `world` now, with `pin` (absent: nothing to pin). */
  constructor(pin: ((world: SimWorld) => () => void) | undefined, world: SimWorld) {
    this.#pin = pin;
    this.#world = world;
    this.#unpin = pin?.(world);
  }

  /** Runs `body` with `world` pinned instead of the run's. */
  async aside<T>(world: SimWorld, body: () => Promise<T>): Promise<T> {
    const pin = this.#pin;
    if (pin === undefined) return body();
    this.#unpin?.();
    const unpin = pin(world);
    try {
      return await body();
    } finally {
      unpin();
      this.#unpin = pin(this.#world);
    }
  }

  /** Unpins the run's world for good. */
  release(): void {
    this.#unpin?.();
    this.#unpin = undefined;
  }
}

/** Where a look found a violation, as its message starts (see {@link lookPrefix}). */
export function lookWhere(look: { readonly crash: number; readonly crashState: number }, primaryState: number): string {
  return `crash ${look.crash + 1} (a power loss) settled on crash state ${look.crashState} instead of ${primaryState}`;
}

/**
 * The other disks a power loss could have left: worlds started from `disk` (the disk right
 * before the power loss), each settled on another seeded crash state, with faults off, and each
 * different from the run's own (`primaryKey`, {@link SimWorld.settledFingerprint}) and from the
 * ones before it. At most `looks` of them; settlings that repeat a disk are skipped, up to
 * {@link settlingsPerLook} settlings per look wanted. Lazily: a caller that stops early settles
 * no more. The caller ends each world ({@link SimWorld.finish}) when done with it.
 */
export function* otherDisks(disk: DiskCopy, seed: number, primaryKey: string, looks: number): Generator<{ world: SimWorld; crashState: number }> {
  const seen = new Set([primaryKey]);
  let given = 0;
  for (let crashState = firstLookState; given < looks && crashState < firstLookState + settlingsPerLook * looks; crashState++) {
    const world = new SimWorld({ seed, diskCopy: { disk: copyDisk(disk.disk), machine: disk.machine } });
    // The copy keeps the disk's capacity: a look's disk has room, as its faults are off.
    world.setFaultsEnabled(false);
    world.crashNow('power-loss');
    world.restart({ crashState });
    const key = world.settledFingerprint();
    if (seen.has(key)) continue;
    seen.add(key);
    given++;
    yield { world, crashState };
  }
}

/**
 * Whether the look's disk holds media damage: a misdirected write the power loss kept, landed
 * where it was not meant to go (looks are taken only while no damage has struck, so any is the
 * settling's). Recovery may then refuse, or lose what nothing vouched for, as on the run's path.
 */
function damaged(world: SimWorld): boolean {
  return world.mediaDamage > 0;
}

/** One recovery of `world`'s disk with faults off, judged by `model`. */
async function recoverAndCheck(world: SimWorld, model: CommitModel, setting: LookSetting): Promise<ModelViolation[]> {
  const options = { stepsMax: setting.stepsMax, barrier: 'tick' } as const;
  const env = { fs: world.fs, clock: world.clock, dir: setting.dir, config: setting.config, probe: world.probe, hit: setting.hit };
  const opened = await world.run(() => setting.engine.open(env), options);
  switch (opened.outcome) {
    case 'done':
      return checkOpened(world, opened.value, model, setting);
    case 'error': {
      const error = opened.error;
      if (failureOf(setting.engine, error)?.code === 'corruption') return [...model.openRefused(refusalOf(error), damaged(world)).violations];
      const what = isProgrammingError(error) ? 'threw' : 'failed with faults off:';
      return [{ invariant: isProgrammingError(error) ? 'engine-error' : 'liveness', message: `open ${what} ${describeError(error)}` }];
    }
    case 'crashed':
      return [{ invariant: 'harness', message: 'the process crashed with faults off' }];
    default:
      return [hung('recovery', opened.outcome, setting.stepsMax)];
  }
}

async function checkOpened(world: SimWorld, handle: EngineHandle, model: CommitModel, setting: LookSetting): Promise<ModelViolation[]> {
  const breach = checkHandle(handle);
  if (breach !== undefined) return [breach];
  const state = await world.run(() => handle.state(), { stepsMax: setting.stepsMax, barrier: 'tick' });
  if (state.outcome !== 'done') return [{ invariant: 'engine-error', message: `reading the recovered state ${state.outcome === 'error' ? `threw ${describeError(state.error)}` : `ended with ${state.outcome}`}` }];
  const shaped = recoveredState(state.value);
  if ('violation' in shaped) return [shaped.violation];
  const violations = [...model.checkRecovered(shaped.state, handle.replayStats, { damaged: damaged(world) }).violations];
  const selfCheck = setting.engine.selfCheck;
  if (violations.length === 0 && selfCheck !== undefined) {
    const problems = await new FilesCheck(selfCheck, setting.dir).run(world.snapshot());
    if (problems.length > 0) violations.push({ invariant: 'self-consistency', message: `after recovery the files disagree: ${problems.join('; ')}` });
  }
  return violations;
}
