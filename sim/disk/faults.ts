/**
 * Fault injection: which fault, if any, fires at each I/O operation.
 *
 * Faults come from two sources. `rates` give each fault kind a probability per eligible I/O
 * operation, drawn from one stream per kind (so turning one kind off changes neither the
 * workload nor when the other kinds fire, until a fired fault changes the I/O sequence).
 * `scheduled` entries fire a kind at an exact global I/O index, if that operation is eligible
 * for it (otherwise they are skipped). Every fault that fires is recorded as a
 * {@link ScheduledFault}, so a run with rates replays exactly as a run with only those
 * scheduled faults and every rate at zero.
 *
 * A fault's argument (the length of a partial write, the bit to flip, the slack left on a full
 * disk) is drawn from a stream keyed by (kind, I/O index) alone, or taken from the scheduled
 * entry, so it is the same whichever source fired the fault.
 */
import { assert } from '../../engine/assert.ts';
import type { Rng } from '../rng.ts';
import type { DataOrder, DirOrder, NameSync, SectorWrites } from './crash-policy.ts';
import { faultKinds, type Coverage, type FaultKind, type IoClass, type TracePhase } from '../types.ts';

/** What a file behaves like after a failed fsync (see FIELD-NOTES, fsyncgate). */
export type FsyncFailureMode = 'ext4' | 'btrfs' | 'sticky';

/** A fault at an exact global I/O index. */
export interface ScheduledFault {
  /** The global index of the I/O operation (`world.ioCount` before it ran). */
  readonly io: number;
  readonly kind: FaultKind;
  /**
   * The fault's argument; drawn from the (kind, io) stream when absent. A power loss at a write
   * takes 0 to strike before the write reaches the page cache (how a look at a power loss right
   * before that I/O is pinned on a run's path, harness/pin-look.ts); without it, after.
   */
  readonly arg?: number;
  /**
   * With {@link ioInStep}: the fault strikes the `ioInStep`-th I/O after step `step` of the plan
   * began, and only within that step; `io` is then where it struck when the plan was written.
   * Step {@link beforeFirstStep} is the I/O before the first step (the first open): shrinking
   * aims faults there in its own runs; a plan file aims them by global index.
   * A plan kept as a regression test stays aimed when the code's I/O before the step changes
   * (a fix that adds an fsync to recovery), where a global index would land elsewhere.
   */
  readonly step?: number;
  readonly ioInStep?: number;
  /**
   * With {@link step}: the operation the fault strikes, as the trace names it (`rename /db/a ->
   * /db/b`), and which of the step's operations so named ({@link nth}, from 0): the fault then
   * strikes that operation wherever it falls in the step, so a fix that adds I/O inside the step
   * before it (an fsync before a rename) leaves it aimed where it was written for; `ioInStep`
   * is where it fell then. A temporary name's random part is no part of the name
   * ({@link sameOperation}).
   */
  readonly at?: string;
  /** Which of the step's operations named {@link at} (from 0). @defaultValue 0 */
  readonly nth?: number;
  /**
   * With kind `disk-full`: the space comes back as soon as the I/O it failed has returned (another
   * process freed some), instead of the disk staying full until the code frees space or the
   * machine restarts. Code that keeps going after `ENOSPC` then writes again, where what the failed
   * write left behind matters (a partial record kept in place). Exploration fails writes this way.
   */
  readonly spaceReturns?: true;
}

/** The step a fault aimed at the I/O before the plan's first step names ({@link ScheduledFault.step}). */
export const beforeFirstStep = -1;

/** Whether a scheduled fault is aimed by step ({@link ScheduledFault.step}). */
function anchored(fault: ScheduledFault): fault is ScheduledFault & { readonly step: number; readonly ioInStep: number } {
  return fault.step !== undefined && fault.ioInStep !== undefined;
}

/**
 * Scheduled faults aimed by step where the run's `stepStartIo` (RunResult.stepStartIo) allows:
 * each after the start of the step it strikes in; one before the first step keeps its global
 * index alone, unless `beforeFirstStep` aims it from the run's start. With the run's operations
 * as its trace names them (`ioLabels`, by global index), each is also aimed at its operation
 * ({@link ScheduledFault.at}).
 */
export function anchorToSteps(scheduled: readonly ScheduledFault[], stepStartIo: readonly number[], ioLabels?: readonly string[], options: { readonly beforeFirstStep?: boolean } = {}): ScheduledFault[] {
  return unanchored(scheduled).map((fault) => {
    let step = beforeFirstStep;
    for (let s = 0; s < stepStartIo.length; s++) if (stepStartIo[s]! >= 0 && stepStartIo[s]! <= fault.io) step = s;
    if (step === beforeFirstStep && options.beforeFirstStep !== true) return fault;
    const start = step === beforeFirstStep ? 0 : stepStartIo[step]!;
    const at = ioLabels?.[fault.io];
    if (at === undefined) return { ...fault, step, ioInStep: fault.io - start };
    let nth = 0;
    for (let io = start; io < fault.io; io++) if (sameOperation(ioLabels![io]!, at)) nth++;
    return { ...fault, step, ioInStep: fault.io - start, at, ...(nth > 0 ? { nth } : {}) };
  });
}

/**
 * A temporary name's random part: 8 or more digits or hex digits after a `.` that end a name
 * (write-file-atomic's `store/gamma.2813048187`, a hash of the process id and a count of its
 * calls), or what follows `.tmp-` (atomically's `cfg.json.tmp-17a3`). A shrink that removes an
 * operation changes the count, so the name a fault was aimed at never comes again, the fault
 * never fires, and the operation could not be removed (a node-localstorage user's shrink stopped
 * at 3 operations and 3 faults where 1 and 1 fail).
 */
const randomPart = /(?<=[^./\s]\.)[0-9a-f]{8,}(?=$|[\s/])|(?<=\.tmp-)[0-9a-z]+(?=$|[\s/])/gi;

/**
 * Whether `label` is the operation a fault was aimed at (`at`): the same name, or, for an aim at a
 * temporary name, the same but for the name's random part ({@link randomPart}). Names without
 * one (`/db/MANIFEST-000003`, `/db/00000000000000000002.wal`) match exactly.
 */
export function sameOperation(label: string, at: string): boolean {
  if (label === at) return true;
  randomPart.lastIndex = 0;
  if (!randomPart.test(at)) return false;
  return label.replace(randomPart, '*') === at.replace(randomPart, '*');
}

/** Scheduled faults aimed by global index only (see {@link anchorToSteps}): what shrinking edits. */
export function unanchored(scheduled: readonly ScheduledFault[]): ScheduledFault[] {
  return scheduled.map(({ step: _step, ioInStep: _ioInStep, at: _at, nth: _nth, ...plain }) => plain);
}

/**
 * A scheduled fault as messages name it: `kill-9@125`, `kill-9@step 3+7` when aimed by step, or
 * `kill-9@step 3 rename /db/a -> /db/b` (`(nth 1)` for the second so named, as the plan's `nth`
 * field says it: a user read `#3` against `"nth": 2`) when aimed at an operation.
 */
export function scheduledLabel(fault: ScheduledFault): string {
  if (!anchored(fault)) return `${fault.kind}@${fault.io}`;
  if (fault.at === undefined) return `${fault.kind}@step ${fault.step}+${fault.ioInStep}`;
  return `${fault.kind}@step ${fault.step} ${fault.at}${(fault.nth ?? 0) > 0 ? ` (nth ${fault.nth!})` : ''}`;
}

/** The block sizes a profile may give (`blockBytes`): 1 counts bytes; ext4 has 1, 2 and 4 KiB, XFS up to 64 KiB. */
export const blockSizes: readonly number[] = [1, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

/** Which faults a run injects, and how the disk behaves under them. */
export interface FaultProfile {
  /** Probability per eligible I/O operation, per kind (absent: 0). */
  readonly rates: Partial<Record<FaultKind, number>>;
  /** Behaviour of a file after an injected fsync failure. */
  readonly fsyncFailureMode: FsyncFailureMode;
  /** Unit in which writes tear on power loss. */
  readonly sectorBytes: 512 | 4096;
  /**
   * How a power loss keeps a directory's unsynced operations: a prefix of its log (`journal`,
   * ext4 and XFS) or a prefix per name (`per-name`, POSIX without a directory sync). See
   * disk/crash-policy.ts. @defaultValue `journal`
   */
  readonly dirOrder?: DirOrder;
  /**
   * How a power loss keeps unsynced data past a file's size: `posix` lets the size survive
   * without its data (zeros or garbage, as XFS or ext4 with `data=writeback` may); `ordered` holds
   * the disk to ext4's default `data=ordered`, where an unsynced append lands as a prefix of what
   * was written or not at all. See disk/crash-policy.ts. @defaultValue `posix`
   */
  readonly dataOrder?: DataOrder;
  /**
   * How a sector a power loss cuts mid-write reads back: `torn`, whole, not at all, or as garbage
   * (an overwrite in place too); `atomic`, whole or not at all, for a device that promises atomic
   * sector writes (power-loss protection, an NVMe atomic write unit). See disk/crash-policy.ts.
   * @defaultValue `torn`
   */
  readonly sectorWrites?: SectorWrites;
  /**
   * What makes a directory operation durable: only its directory's fsync (`directory`, POSIX), or
   * any fsync (`journal`: ext4 and XFS commit their metadata journal on every fsync, so fsyncing
   * a new file makes its name durable there). See disk/crash-policy.ts. @defaultValue `directory`
   */
  readonly nameSync?: NameSync;
  /** A fixed capacity: writes past it fail with `ENOSPC`. @defaultValue unlimited */
  readonly capacityBytes?: number;
  /**
   * The unit of space: a file takes its size rounded up to whole blocks, so a disk that fills
   * stops a write at a block boundary, as ext4 does. 1 counts bytes, as a file size limit
   * (`RLIMIT_FSIZE`) does. @defaultValue 4096
   */
  readonly blockBytes?: number;
  /** Faults at exact I/O indexes. */
  readonly scheduled?: readonly ScheduledFault[];
  /**
   * Engine phases in which `rates` apply (absent: every phase). Lets a scenario aim its faults
   * at, say, sidecar rewrites without drowning the rest of the run in them. Scheduled faults
   * fire wherever they are scheduled.
   */
  readonly phases?: readonly TracePhase[];
  /**
   * I/O classes in which `rates` apply (absent: every class). Aims faults at the kind of I/O,
   * for code that reports no phases (an append or an fsync rather than `wal.append`). With both
   * `phases` and `io`, a fault needs both to match.
   */
  readonly io?: readonly IoClass[];
}

/**
 * A profile that injects nothing: rates 0, unlimited space, 4 KiB sectors.
 * @param overrides - fields to change (e.g. `{ scheduled: [...] }`)
 */
export function noFaults(overrides: Partial<FaultProfile> = {}): FaultProfile {
  return { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 4096, ...overrides };
}

/** Bit of `kind` in an eligibility mask. */
export function faultBit(kind: FaultKind): number {
  return 1 << faultKinds.indexOf(kind);
}

/** The kinds whose {@link faultBit} bits `mask` has, in `faultKinds` order. */
export function kindsOfMask(mask: number): FaultKind[] {
  return faultKinds.filter((kind) => (mask & faultBit(kind)) !== 0);
}

/** Kinds eligible at every I/O operation. */
export const crashBits = faultBit('kill-9') | faultBit('power-loss');
/** The media faults a second look at rot pins on a read (kernel.ts `RotFault`). */
const rotBits = faultBit('bit-flip') | faultBit('sector-damage');

/** Decides the fault at each I/O and keeps the record of faults fired. */
export class FaultInjector {
  readonly profile: FaultProfile;
  enabled = true;
  /**
   * While not {@link enabled}: whether rot scheduled at exact I/O indexes still fires (a check
   * that runs with faults off, on a plan that pins a second look's bit flip or damaged sector
   * there). Nothing else: not a crash (the code running with faults off, a workload's
   * invariants, has no crash to recover from), nor another fault a shrunk plan's removed steps
   * moved there (a full disk striking the final reopen is no failure of the code).
   */
  keepScheduled = false;
  /** Every fault fired, in order: replayable as `scheduled` with rates 0. */
  readonly fired: ScheduledFault[] = [];
  readonly counts: Record<FaultKind, number>;
  /** Faults by the phase the code under test reported, and kind. */
  readonly coverage: Coverage = {};
  /** Faults by I/O class, and kind. */
  readonly ioCoverage: Coverage = {};
  /**
   * The kinds each phase's I/O could take while faults were on, as {@link faultBit} bits: what
   * tells a cell no seed could hit (a library that never fsyncs) from one the seeds missed.
   */
  readonly reach: Record<string, number> = {};
  /** {@link reach} by I/O class. */
  readonly ioReach: Record<string, number> = {};
  readonly #root: Rng;
  readonly #streams: Array<{ kind: FaultKind; bit: number; rate: number; rng: Rng }> = [];
  readonly #scheduled = new Map<number, ScheduledFault[]>();
  /** Faults aimed by step ({@link ScheduledFault.step}), by step: scheduled when it begins. */
  readonly #byStep = new Map<number, ScheduledFault[]>();
  /** The step under way's faults aimed by step, at the global index each was scheduled at. */
  #stepFaults: (readonly [number, ScheduledFault])[] = [];
  /** The step under way's faults aimed at an operation ({@link ScheduledFault.at}), with how many operations so named are still to pass first. */
  #stepOperationFaults: { readonly fault: ScheduledFault; before: number }[] = [];
  /** Scheduled faults aimed by step that fired. */
  readonly #firedScheduled = new Set<ScheduledFault>();
  /** The I/O index each step of the plan began at, by step (see {@link stepBegan}). */
  readonly stepStartIo: number[] = [];
  /**
   * A scheduled `disk-full` with {@link ScheduledFault.spaceReturns} fired in the I/O under way:
   * the kernel gives the space back when it returns (sim/disk/perform.ts).
   */
  spaceReturnsAfterIo = false;
  /** The kinds that can fire at all (a rate above zero, or scheduled somewhere), as `faultBit` bits. */
  #possible = 0;
  #current: ScheduledFault | undefined;
  readonly #phases: ReadonlySet<TracePhase> | undefined;
  readonly #io: ReadonlySet<IoClass> | undefined;

  /** @param faultsRng - the world's `faults` stream; per-kind streams are forked from it */
  constructor(profile: FaultProfile, faultsRng: Rng) {
    this.profile = profile;
    this.#root = faultsRng;
    this.#phases = profile.phases ? new Set(profile.phases) : undefined;
    this.#io = profile.io ? new Set(profile.io) : undefined;
    for (const kind of faultKinds) {
      const rate = profile.rates[kind] ?? 0;
      assert(rate >= 0 && rate <= 1, `fault rate of ${kind} is a probability`);
      if (rate === 0) continue;
      this.#streams.push({ kind, bit: faultBit(kind), rate, rng: faultsRng.fork(kind) });
      this.#possible |= faultBit(kind);
    }
    for (const fault of profile.scheduled ?? []) {
      this.#possible |= faultBit(fault.kind);
      if (anchored(fault)) (this.#byStep.get(fault.step) ?? this.#byStep.set(fault.step, []).get(fault.step)!).push(fault);
      else this.#schedule(fault.io, fault);
    }
    this.counts = zeroCounts();
    this.#aimFrom(beforeFirstStep, 0);
  }

  #schedule(io: number, fault: ScheduledFault): void {
    const list = this.#scheduled.get(io) ?? [];
    list.push(fault);
    this.#scheduled.set(io, list);
  }

  /**
   * Step `step` of the plan begins at I/O `io`: its faults aimed by step are scheduled from
   * there, and those of the step before that never fired are withdrawn (they strike within
   * their step or not at all). Also notes where each step began (RunResult.stepStartIo).
   */
  stepBegan(step: number, io: number): void {
    this.stepStartIo[step] = io;
    this.#aimFrom(step, io);
  }

  /** Schedules the faults aimed at step `step`, which begins at I/O `io`, and withdraws those of the step before that never fired. */
  #aimFrom(step: number, io: number): void {
    for (const [at, fault] of this.#stepFaults) {
      const list = this.#scheduled.get(at);
      if (list !== undefined) this.#scheduled.set(at, list.filter((other) => other !== fault));
    }
    const faults = this.#byStep.get(step) ?? [];
    this.#stepFaults = faults.filter((fault) => fault.at === undefined).map((fault) => [io + fault.ioInStep!, fault] as const);
    for (const [at, fault] of this.#stepFaults) this.#schedule(at, fault);
    this.#stepOperationFaults = faults.filter((fault) => fault.at !== undefined).map((fault) => ({ fault, before: fault.nth ?? 0 }));
  }

  /** Whether the step under way has faults aimed at an operation: then {@link operationBegins} wants each operation's name. */
  get wantsOperations(): boolean {
    return this.#stepOperationFaults.length > 0;
  }

  /**
   * I/O `io`, traced as `label` (`rename /db/a -> /db/b`), is about to run: a fault of the step
   * aimed at it is scheduled there (and withdrawn at the next step if it does not fire).
   */
  operationBegins(io: number, label: string): void {
    for (const aimed of this.#stepOperationFaults) {
      if (!sameOperation(label, aimed.fault.at!) || aimed.before-- !== 0) continue;
      this.#schedule(io, aimed.fault);
      this.#stepFaults.push([io, aimed.fault]);
    }
    this.#stepOperationFaults = this.#stepOperationFaults.filter((aimed) => aimed.before >= 0);
  }

  /** Scheduled faults that never fired, as {@link scheduledLabel} names them. */
  unfiredScheduled(): string[] {
    const firedAt = new Set(this.fired.map((fault) => `${fault.kind}@${fault.io}`));
    return (this.profile.scheduled ?? [])
      .filter((fault) => (anchored(fault) ? !this.#firedScheduled.has(fault) : !firedAt.has(`${fault.kind}@${fault.io}`)))
      .map(scheduledLabel);
  }

  /**
   * Whether a fault of `kind` can fire at all in this run: its rate is above zero or it is
   * scheduled somewhere. An operation whose eligibility for it costs work to find out (a listing
   * that may lose a name) asks this first: eligibility for a kind that cannot fire changes no
   * draw, since only kinds with a rate draw.
   */
  mayFire(kind: FaultKind): boolean {
    return (this.#possible & faultBit(kind)) !== 0;
  }

  /**
   * The fault to inject at I/O operation `io`, among the kinds in `eligibleMask`.
   * Call {@link arg} then {@link record} when one fires.
   */
  decide(io: number, eligibleMask: number, phase: TracePhase = 'other', ioClass: IoClass = 'other'): FaultKind | undefined {
    if (!this.enabled) return this.keepScheduled ? this.#scheduledAt(io, eligibleMask & rotBits) : undefined;
    this.reach[phase] = (this.reach[phase] ?? 0) | eligibleMask;
    this.ioReach[ioClass] = (this.ioReach[ioClass] ?? 0) | eligibleMask;
    let chosen: FaultKind | undefined;
    // Every enabled, eligible kind draws, whether or not an earlier one fired or the phase is
    // targeted: each stream's position then depends only on the I/O sequence.
    for (const stream of this.#streams) {
      if ((stream.bit & eligibleMask) !== 0 && stream.rng.next() < stream.rate) chosen ??= stream.kind;
    }
    if (chosen !== undefined && this.#phases !== undefined && !this.#phases.has(phase)) chosen = undefined;
    if (chosen !== undefined && this.#io !== undefined && !this.#io.has(ioClass)) chosen = undefined;
    return this.#scheduledAt(io, eligibleMask) ?? chosen;
  }

  /** The first fault scheduled at `io` among the kinds in `eligibleMask` (then the current one, for {@link arg}). */
  #scheduledAt(io: number, eligibleMask: number): FaultKind | undefined {
    this.#current = undefined;
    const scheduled = this.#scheduled.get(io);
    if (scheduled === undefined) return undefined;
    for (const fault of scheduled) {
      if ((faultBit(fault.kind) & eligibleMask) === 0) continue;
      this.#current = fault;
      return fault.kind;
    }
    return undefined;
  }

  /** The argument scheduled for the fault `kind` firing now, if it is scheduled with one (nothing is drawn). */
  scheduledArg(kind: FaultKind): number | undefined {
    const scheduled = this.#current;
    return scheduled !== undefined && scheduled.kind === kind ? scheduled.arg : undefined;
  }

  /**
   * The argument of the fault `kind` firing at `io`: the scheduled one, else drawn by `draw`
   * from the (kind, io) stream. The caller clamps it to what the operation allows.
   */
  arg(kind: FaultKind, io: number, draw: (rng: Rng) => number): number {
    const scheduled = this.#current;
    if (scheduled !== undefined && scheduled.kind === kind && scheduled.arg !== undefined) return scheduled.arg;
    return draw(this.#root.fork(`arg/${kind}/${io}`));
  }

  /** Records a fault that fired (for replay, counts and coverage). */
  record(io: number, kind: FaultKind, arg: number | undefined, phase: TracePhase, ioClass: IoClass): void {
    const spaceReturns = kind === 'disk-full' && this.#current?.kind === kind && this.#current.spaceReturns === true;
    if (spaceReturns) this.spaceReturnsAfterIo = true;
    const fired: ScheduledFault = arg === undefined ? { io, kind } : { io, kind, arg };
    this.fired.push(spaceReturns ? { ...fired, spaceReturns } : fired);
    if (this.#current?.kind === kind && anchored(this.#current)) this.#firedScheduled.add(this.#current);
    this.count(kind, phase, ioClass);
  }

  /** Counts a fault that is not replayed from `fired` (a fixed capacity's `ENOSPC`, a crash the runner asked for). */
  count(kind: FaultKind, phase: TracePhase, ioClass: IoClass): void {
    this.counts[kind]++;
    (this.coverage[phase] ??= zeroCounts())[kind]++;
    (this.ioCoverage[ioClass] ??= zeroCounts())[kind]++;
  }
}

/** The counts {@link zeroCounts} copies: every fault kind, in `faultKinds` order. */
const zero = Object.freeze(Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>);

/** A count of 0 for every fault kind, keys in `faultKinds` order (a copy: a run makes dozens). */
export function zeroCounts(): Record<FaultKind, number> {
  return { ...zero };
}
