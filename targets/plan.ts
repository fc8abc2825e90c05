/**
 * Target plans: everything one run of a library workload does, as plain JSON, like the engine's
 * plans (sim/plan.ts). A run is (workload, seed) → plan → result, and running a plan is
 * deterministic, so a plan file reproduces a run anywhere the workload module is; shrinking and
 * exploration edit plans; `powercut replay FILE` runs one.
 *
 * What a plan does not hold is the workload's code: it names the module (`target`), and the run
 * checks that the module still exports a workload of the same name.
 */
import { defaultLooks, noFaults, type FaultProfile } from '../sim/index.ts';
import { checkFaultProfile, checkFinding, planChecks } from '../sim/index.ts';
import type { FaultKind, PlanFinding } from '../sim/index.ts';
import type { Workload } from './workload.ts';

/** A complete, replayable description of one run of a library workload. */
export interface TargetPlan {
  readonly format: 'powercut-target-plan';
  readonly version: 1;
  /** The violation this plan was saved for (shrink, explore, assertCrashSafe), if any. */
  readonly found?: PlanFinding;
  /** The workload module, as given on the command line (resolved against the working directory). */
  readonly target: string;
  /** The workload's name: a run refuses a module whose workload has another name. */
  readonly workload: string;
  readonly seed: number;
  readonly faults: FaultProfile;
  /**
   * The operations run with faults on, in order: each entry `k` runs `operations[k % length]`
   * of the workload with index `k`. A fresh plan lists `0 .. operationsCount - 1`; shrinking
   * removes entries.
   */
  readonly operations: readonly number[];
  /**
   * Which crash state each crash settles on, by crash index; absent or shorter: the state is
   * drawn from the seed (the `crash-state` stream).
   */
  readonly crashStates?: readonly number[];
  /**
   * Second looks at each power loss that left something unsynced: how many other disks it could
   * have left are reopened and checked besides the run's own, each in a world of its own with
   * faults off (sim/second-look.ts). Absent or 0: none.
   */
  readonly looks?: number;
  /**
   * The crash that ends the run after its last operation: a power loss (absent), or a kill -9
   * for a workload whose rates inject no power loss, which promises nothing across one.
   */
  readonly finalCrash?: 'kill-9';
  /**
   * The first open, which creates the store, runs under the plan's faults, as everything after
   * it does: a crash may strike the store's creation, and the library must open again after it.
   * Absent (plans written before it): the first open runs with faults off.
   */
  readonly firstOpenFaults?: true;
  /** Step budget of each operation (a liveness bound, never a hang). */
  readonly stepsMax: number;
}

/** Default fault rates per I/O of a target campaign (torn writes come with power loss, 512-byte sectors). */
export const targetFaultRates: Readonly<Partial<Record<FaultKind, number>>> = {
  'power-loss': 0.03,
  'kill-9': 0.01,
  'fsync-error': 0.01,
  'disk-full': 0.01,
  // A write(2) that returns fewer bytes than asked for a reason other than a full ext4 disk
  // (which stops at a 4 KiB block boundary, so a small file's write lands whole or not at all):
  // a file size limit (RLIMIT_FSIZE), a quota, a FUSE or network file system. Code that never
  // looks at the count is caught here, named as what it is.
  'short-write': 0.01,
  // Per directory fsync, which a library does a few times per operation at most.
  'dir-sync-error': 0.03,
  'write-error': 0.01,
};

/** The fault kinds a workload's campaigns inject (rates above 0). */
export function targetFaultKinds(workload: Pick<Workload<unknown, unknown>, 'faults'>): FaultKind[] {
  return Object.entries(targetFaults(workload.faults).rates).filter(([, rate]) => (rate ?? 0) > 0).map(([kind]) => kind as FaultKind);
}

/** Crash states a target run draws from: 0 random, 1 nothing unsynced, 2 everything, 3 names without data, 4 data without names. */
export const targetCrashStates = 5;

/**
 * Second looks at each power loss of a target run (TargetPlan.looks), as many as in the engine
 * scenarios about power loss (sim/second-look.ts `defaultLooks`). Measured on npm libraries, 60
 * seeds each (README, "Second looks"): with 3 looks, seeds failing went from 4 to 28 (nedb) and
 * from 21 to 58 (steno) for 1.6–2.5× the CPU, and 5 looks failed 35 and 60; a library whose bugs
 * need a kill -9 (atomically) pays for nothing, and takes `--looks 0`.
 */
export const targetLooks = defaultLooks;

/** Default step budget of one operation. */
export const targetStepsMax = 100_000;

/** The fault profile of a target campaign: {@link targetFaultRates}, ext4 fsync failures, 512-byte sectors, then `overrides`. */
export function targetFaults(overrides: Partial<FaultProfile> = {}): FaultProfile {
  return noFaults({ rates: targetFaultRates, sectorBytes: 512, fsyncFailureMode: 'ext4', ...overrides });
}

/**
 * Whether `workload`'s own rates inject power losses: one that leaves `power-loss` out promises
 * only what a kill -9 leaves, and its runs end with a kill -9 (TargetPlan.finalCrash).
 */
export function injectsPowerLoss(workload: Pick<Workload<unknown, unknown>, 'faults'>): boolean {
  return (targetFaults(workload.faults).rates['power-loss'] ?? 0) > 0;
}

/**
 * The plan of one seed of `workload`. It ends with a power loss, or with a kill -9 when the
 * workload's own rates inject no power loss ({@link injectsPowerLoss}), whatever `faults` says.
 * @param target - the workload module's path, as the user gave it
 */
export function targetPlan(workload: Pick<Workload<unknown, unknown>, 'name' | 'operationsCount' | 'faults'>, target: string, seed: number, faults: FaultProfile = targetFaults(workload.faults)): TargetPlan {
  const count = workload.operationsCount ?? 12;
  return {
    format: 'powercut-target-plan', version: 1, target, workload: workload.name, seed, faults,
    operations: Array.from({ length: count }, (_, index) => index), looks: targetLooks, firstOpenFaults: true,
    ...(injectsPowerLoss(workload) ? {} : { finalCrash: 'kill-9' as const }), stepsMax: targetStepsMax,
  };
}

/** Whether parsed JSON claims to be a target plan (by its `format`), not an engine plan. */
export function isTargetPlanJson(json: unknown): boolean {
  return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === 'powercut-target-plan';
}

const planFields = ['format', 'version', 'found', 'target', 'workload', 'seed', 'faults', 'operations', 'crashStates', 'looks', 'finalCrash', 'firstOpenFaults', 'stepsMax'];

/**
 * Checks that a parsed document is a target plan, field by field, as engine plans are checked
 * (sim/plan-file.ts): a misspelt field would otherwise run another experiment than the one
 * written down.
 * @param source - the file's name, for messages
 * @throws PlanFileError naming the file and the field
 */
export function checkTargetPlan(document: unknown, source: string): TargetPlan {
  const checks = planChecks(source);
  const { object, integer, array, fail } = checks;
  const root = object(document, '(root)', planFields);
  if (root['format'] !== 'powercut-target-plan') fail('format', `must be "powercut-target-plan", found ${JSON.stringify(root['format'] ?? null)}`);
  if (root['version'] !== 1) fail('version', `must be 1, found ${JSON.stringify(root['version'] ?? null)}`);
  for (const field of ['target', 'workload']) {
    if (typeof root[field] !== 'string' || root[field] === '') fail(field, 'must be a non-empty string');
  }
  integer(root['seed'], 'seed');
  checkFinding(root['found'], checks);
  checkFaultProfile(root['faults'], checks);
  array(root['operations'], 'operations').forEach((index, i) => integer(index, `operations[${i}]`));
  // Any natural number: those a run draws are below targetCrashStates, a second look's above.
  if (root['crashStates'] !== undefined) array(root['crashStates'], 'crashStates').forEach((state, i) => integer(state, `crashStates[${i}]`));
  if (root['looks'] !== undefined) integer(root['looks'], 'looks');
  if (root['finalCrash'] !== undefined) checks.oneOf(root['finalCrash'], 'finalCrash', ['kill-9']);
  if (root['firstOpenFaults'] !== undefined) checks.oneOf(root['firstOpenFaults'], 'firstOpenFaults', [true]);
  integer(root['stepsMax'], 'stepsMax', 1);
  return root as unknown as TargetPlan;
}

/** The number of operations and faults in a plan, as shrinking reports it. */
export function targetPlanSize(plan: TargetPlan): { operations: number; faults: number; rates: boolean } {
  const rateFaults = Object.values(plan.faults.rates).some((rate) => (rate ?? 0) > 0) ? 1 : 0;
  return { operations: plan.operations.length, faults: (plan.faults.scheduled?.length ?? 0) + rateFaults, rates: rateFaults > 0 };
}
