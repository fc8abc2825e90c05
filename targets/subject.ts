/**
 * The library subject: a library workload (targets/workload.ts) under the harness, judged by its
 * own invariants. One unit (the workload itself); plans list the operations to run; coverage is
 * counted by I/O class, since a library reports no phases.
 *
 * Shrinking removes operations (a library call is one step). Exploration takes the first
 * operations with every fault removed and crashes them at every I/O of theirs and of the first
 * open (the setup excluded, and the first open too in a plan that runs it with faults off), the
 * run's final power loss then keeping everything, so a violation belongs to the crash that was
 * injected; and it ends the clean run with a power loss in each crash state. A workload that
 * injects no power loss is crashed by kill -9 only, and its clean run ends with its own kill -9.
 */
import { faultsSize, ioClasses, keepEverythingState, type FaultKind, type IoClass, type LookPlace } from '../sim/index.ts';
import type { Exploration, ShrinkAxes, Subject, Targets } from '../harness/index.ts';
import { envChangedSince, envHere, exploreFaults, firstLook, isCrashKind, scheduledAt, pinLook, withLooks, withPowerLossAt } from '../harness/index.ts';
import { PlanFileError } from '../sim/index.ts';
import { checkTargetPlan, targetFaultKinds, targetPlan, targetPlanSize, type TargetPlan } from './plan.ts';
import { runTargetPlan } from './runner.ts';
import type { Workload } from './workload.ts';


/** Where each fault kind lands in a library's I/O: its targeted cell. */
const siteOfKind: Record<FaultKind, IoClass> = {
  'kill-9': 'append', 'power-loss': 'append', 'disk-full': 'append', 'fsync-error': 'fsync', 'read-error': 'read', 'bit-flip': 'read',
  'short-write': 'append', 'exdev': 'rename',
  'misdirected-write': 'append', 'sector-damage': 'read', 'lost-entry': 'other', 'dir-sync-error': 'dir-sync',
  'write-error': 'append',
};

/**
 * `plan` with the power loss of `look`, a look at the start of an operation (after a failed
 * fsync), scheduled on the run's own path at that operation's first I/O; unchanged for any
 * other look, or none.
 */
function withPowerLossBefore(plan: TargetPlan, look: LookPlace | undefined): TargetPlan {
  return look?.beforeStep === undefined ? plan : withPowerLossAt(plan, look.io);
}

const shrinkAxes: ShrinkAxes<TargetPlan> = {
  explicit: (plan, run) => withPowerLossBefore(pinLook(plan, run), firstLook(run)),
  stepCount: (plan) => plan.operations.length,
  keepSteps: (plan, keep) => ({ ...plan, operations: keep.map((index) => plan.operations[index]!) }),
  isStepStart: (event) => event.type === 'op',
  describeSize: (plan) => {
    const size = targetPlanSize(plan);
    return `operations ${size.operations}, ${faultsSize(size)}`;
  },
};

const exploration: Exploration<TargetPlan> = {
  base(plan, size) {
    const { phases: _phases, io: _io, capacityBytes: _capacity, ...faults } = plan.faults;
    // Exploration chooses its crash states, and the candidates that take looks (harness/explore.ts).
    const { crashStates: _states, looks: _looks, ...rest } = plan;
    return { ...rest, faults: { ...faults, rates: {}, scheduled: [] }, operations: plan.operations.slice(0, size) };
  },
  sizeDefault: 4,
  crashPoints(trace) {
    // The I/O of the first open (when under faults, its phase `first-open`) and after the setup
    // (its phase, and the first open's with faults off), up to the final power loss.
    const points: number[] = [];
    let io = 0;
    for (const event of trace) {
      if (event.type === 'crash') break;
      if (event.type !== 'io') continue;
      if (event.phase !== 'setup') points.push(io);
      io++;
    }
    return points;
  },
  // A workload that injects no power loss ends its runs with a kill -9 (TargetPlan.finalCrash).
  powerLosses: (base) => base.finalCrash === undefined,
  // A workload whose faults leave fsync errors or failed writes out is not held to them (nor by its campaigns).
  faults: (plan) => exploreFaults.filter((kind) => (plan.faults.rates[kind] ?? 0) > 0),
  candidate(base, crash) {
    const looks = (crash.looks ?? 0) > 0 ? { looks: crash.looks } : {};
    if (crash.io === undefined) return { ...base, ...looks, crashStates: [crash.crashState] };
    // A candidate's final power loss keeps every unsynced write and name: it loses nothing but what
    // a failed sync or write did. A failed sync or write is no crash: that power loss is the run's only one.
    if (!isCrashKind(crash.kind)) return { ...base, ...looks, faults: { ...base.faults, scheduled: [scheduledAt(crash.io, crash.kind)] }, crashStates: [keepEverythingState] };
    const state = crash.kind === 'kill-9' ? 0 : crash.crashState;
    const then = crash.then;
    if (then !== undefined) {
      const scheduled = [scheduledAt(crash.io, crash.kind), scheduledAt(crash.io + 1 + then.offset, then.kind)];
      const second = !isCrashKind(then.kind) ? [] : [then.kind === 'kill-9' ? 0 : then.crashState];
      return { ...base, ...looks, faults: { ...base.faults, scheduled }, crashStates: [state, ...second, keepEverythingState] };
    }
    return { ...base, ...looks, faults: { ...base.faults, scheduled: [scheduledAt(crash.io, crash.kind)] }, crashStates: [state, keepEverythingState] };
  },
};

/** The plan lines `repro` and `replay` print. */
function describe(plan: TargetPlan): string[] {
  const size = targetPlanSize(plan);
  const rates = Object.entries(plan.faults.rates).filter(([, rate]) => (rate ?? 0) > 0).map(([kind, rate]) => `${kind} ${rate}`);
  return [
    `target ${plan.target} (workload ${plan.workload}), seed ${plan.seed}`,
    `plan: ${size.operations} operation${size.operations === 1 ? '' : 's'} [${plan.operations.join(', ')}], ${size.faults} fault source${size.faults === 1 ? '' : 's'}; step budget ${plan.stepsMax}`,
    `faults: rates ${rates.length ? rates.join(', ') : 'none'}; ${plan.faults.scheduled?.length ?? 0} scheduled; fsync failure mode ${plan.faults.fsyncFailureMode}; sector ${plan.faults.sectorBytes} B`
      + `${plan.finalCrash === 'kill-9' ? '; no power loss: the run ends with a kill -9' : ''}`
      + `${plan.faults.dirOrder === 'per-name' ? '; directory order per-name' : ''}${plan.faults.dataOrder === 'ordered' ? '; data order ordered (ext4 data=ordered)' : ''}${plan.faults.sectorWrites === 'atomic' ? '; atomic sector writes' : ''}${plan.faults.nameSync === 'journal' ? '; names durable on any fsync (ext4, XFS journal)' : ''}`
      + `${plan.firstOpenFaults === true ? '' : '; the first open with faults off'}`
      + `${plan.crashStates ? `; crash states [${plan.crashStates.join(', ')}]` : ''}`,
  ];
}

/**
 * What a plan for another workload of the same module adds when the module read variables that
 * are set otherwise here than when the plan was found (`JF_MODE=sync` chose the workload then): a
 * module's modes are often one variable apart, and the plan says which.
 */
function foundWith(plan: TargetPlan): string {
  const assignments = envChangedSince(plan.found?.env).trim();
  return assignments === '' ? '' : `; it was found with ${assignments} (${envHere(plan.found?.env)}): set ${assignments.includes(' ') ? 'them' : 'it'} to replay it`;
}

/**
 * The library subject of `workload`.
 * @param module - the workload's module, as the user named it
 */
export function librarySubject<S, L>(workload: Workload<S, L>, module: string, options: { readonly looks?: number | undefined } = {}): Subject<TargetPlan> {
  const checkUnit = (unit: string): void => {
    if (unit !== workload.name) throw new Error(`${module} exports the workload ${JSON.stringify(workload.name)}, not ${JSON.stringify(unit)}`);
  };
  return {
    spec: { kind: 'library', module, ...(options.looks === undefined ? {} : { looks: options.looks }) },
    name: workload.name,
    label: `workload ${workload.name} (${module})`,
    ...(workload.description === undefined ? {} : { description: workload.description }),
    units: [workload.name],
    unitWord: 'workload',
    sites: ioClasses,
    probes: [],
    plan(unit, seed) {
      checkUnit(unit);
      return withLooks(targetPlan(workload, module, seed), options.looks);
    },
    unitOf: (plan) => plan.workload,
    checkPlan(document, source) {
      const plan = checkTargetPlan(document, source);
      if (plan.workload !== workload.name) throw new PlanFileError(`${source}: the plan is for workload ${JSON.stringify(plan.workload)}, but ${module} exports ${JSON.stringify(workload.name)}${foundWith(plan)}`);
      return plan;
    },
    run: (plan, options = {}) => runTargetPlan(workload, plan, options),
    targets(): Targets {
      const targets: Record<string, FaultKind[]> = {};
      for (const kind of targetFaultKinds(workload)) (targets[siteOfKind[kind]] ??= []).push(kind);
      return targets;
    },
    subjectArgs: () => ['--target', module, ...(options.looks === undefined ? [] : ['--looks', String(options.looks)])],
    seedArgs: (_unit, seed) => ['--seed', String(seed)],
    describePlan: describe,
    shrink: shrinkAxes,
    explore: exploration,
  };
}
