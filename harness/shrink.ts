/**
 * Shrinking: turns a failing plan of any subject into a small plan that fails with the same
 * invariant.
 *
 * First the run's random choices become explicit: the faults it fired are scheduled at their
 * exact I/O indexes with every rate at 0, and the crash state of every crash is written down;
 * the simulator guarantees this replays the same run, and explicit faults and states can then be
 * removed one by one, which rates cannot. Then delta debugging (Zeller's ddmin, complement
 * variant; ddmin.ts) removes scheduled faults, steps and unused crash states (faults first: a
 * fault makes a plan harder to read than a step), and the subject's own
 * passes simplify what is left (for the engine: batches, operations, values, keys). Each
 * candidate is kept only if the same invariant still fails, for a library workload after the
 * same kinds of crashes (`sameCrashKinds: false` asks for the invariant only). The passes repeat until none makes
 * progress or the run budget is spent.
 *
 * Removing steps or faults shifts the I/O indexes of everything after them (a removed crash
 * takes its recovery with it), which moves scheduled faults off the operations they hit, and
 * crash states are drawn per crash, in order, so each crash after a removed one would settle
 * on the state of the one before it. Re-anchoring compensates, from a full trace of the current
 * plan. A candidate is tried first aimed: each kept fault aimed at the operation it struck, by
 * name and count within its step (or within the I/O before the first step), and the crash
 * state of every crash that is gone dropped; a step candidate is then tried with later faults
 * moved back by the I/O count of the dropped steps, then plain. Each is an estimate (the code
 * left may do different I/O); a wrong one is simply rejected. An accepted aimed candidate is
 * written back as the global indexes its faults struck (the same run), which the passes edit.
 *
 * What it does not do: shrink inside a step the subject does not split (a library call is one
 * step), or search for a different failure than the one named.
 */
import { anchorToSteps, keepEverythingState, namedCrashStates, namesWithoutDataState, nothingUnsyncedState, unanchored, type ScheduledFault } from '../sim/index.ts';
import type { RunResult, RunViolation } from '../sim/index.ts';
import { anchorsOf, crashSitesOf, crashStatesWithout, ddmin, ioLabelsOf, keepAimedSteps, range, reanchorFaults, type Anchors, type CrashSite } from './ddmin.ts';
import { withLooks } from './pin-look.ts';
import { crashKindsOf } from './triage.ts';

/** How a library workload's crash clause names its process's death (targets/runner.ts). */
const processDeath = 'an uncaught exception';
import type { BasePlan, Subject } from './subject.ts';

/** Options of {@link shrinkPlan}. */
export interface ShrinkOptions {
  /** The invariant that must keep failing. @defaultValue the first violation's invariant */
  readonly invariant?: string;
  /** Total runs allowed, the first included. @defaultValue {@link shrinkRunsMaxDefault} */
  readonly runsMax?: number;
  /** Re-anchor scheduled faults when steps are removed. @defaultValue true */
  readonly reanchor?: boolean;
  /**
   * Keep a candidate only if its run still has every kind of crash the input's violation followed
   * (a library workload's crash clause: `after kill-9`, `after kill-9, then power-loss`): a torn
   * in-place write a kill -9 shows and a missing fsync a power loss shows are two bugs of one
   * invariant, and a shrink that drifted from a kill -9 to a power loss showed a user the wrong
   * one. The run's crashes count, not the candidate's clause, which names only the crash right
   * before its check. Messages without a crash clause (an engine's) are not held to it.
   * @defaultValue true
   */
  readonly sameCrashKinds?: boolean;
  /**
   * Called after each run with the runs so far and the smallest failing plan yet (a long shrink's
   * progress line).
   */
  readonly onRun?: (runs: number, current: BasePlan) => void;
}

/** What {@link shrinkPlan} returns. */
export interface ShrinkResult<P extends BasePlan> {
  /** The smallest failing plan found (the input plan when it does not fail). */
  readonly plan: P;
  /** The sizes before and after, as the subject describes them. */
  readonly before: string;
  /**
   * The size once the faults that fired and the crash states drawn were made explicit, before
   * any step was removed; `undefined` when they were not. A run's faults drawn at rates count as
   * one condition in `before`, each fault that fired as one here.
   */
  readonly explicit?: string;
  readonly after: string;
  /** Runs spent, the first included. */
  readonly runs: number;
  /** The violation of the shrunk plan; `undefined` when the input plan does not fail. */
  readonly violation: RunViolation | undefined;
  /** The input plan's violation that shrinking kept failing (of the target invariant); `undefined` when it does not fail. */
  readonly original?: RunViolation | undefined;
  /** Whether the faults and crash states were made explicit. */
  readonly explicitFaults: boolean;
  /** Candidates accepted only thanks to re-anchored faults. */
  readonly reanchored: number;
  /** Whether the run budget ran out before the passes reached a fixpoint. */
  readonly budgetExhausted: boolean;
}

/** Default of {@link ShrinkOptions.runsMax}, for every subject. */
export const shrinkRunsMaxDefault = 2000;
/** Most rounds of passes. */
const passesMax = 20;

/**
 * The named crash states a power loss's seeded random one is replaced by, in this order, each
 * kept if the plan still fails: nothing unsynced kept, names without their data, data without
 * its names, everything kept (sim/disk/crash-policy.ts). Each says what the missing step is.
 */
const namedStatesToTry: readonly number[] = [nothingUnsyncedState, namesWithoutDataState, 4, keepEverythingState];

/** How far the nudging pass (`#nudgeSteps`) moves a re-anchored fault, in I/Os either way. */
const nudgeMax = 3;
/** The most steps a plan may have for the nudging pass. */
const nudgeStepsMax = 8;

class BudgetExhausted extends Error {}

/** One run of a candidate, as shrinking needs it. */
interface Attempt {
  readonly violation: RunViolation | undefined;
  /** Where each scheduled fault fell, relative to the steps (from a full trace). */
  readonly anchors: Anchors | undefined;
  /** The run's operations as its trace names them, by global index (from a full trace). */
  readonly ioLabels: readonly string[] | undefined;
  readonly crashes: number;
  /** Where each crash struck, from a full trace. */
  readonly crashSites: readonly CrashSite[] | undefined;
  readonly fired: readonly ScheduledFault[];
  readonly crashStates: readonly number[];
  /** The run's result without its trace, for the subject's {@link ShrinkAxes.explicit}. */
  readonly result: RunResult;
}

/**
 * Minimises a failing plan.
 * @param subject - the subject the plan belongs to
 * @param plan - the failing plan
 * @returns the shrunk plan and figures; `violation` is undefined when `plan` does not fail
 */
export async function shrinkPlan<P extends BasePlan>(subject: Subject<P>, plan: P, options: ShrinkOptions = {}): Promise<ShrinkResult<P>> {
  return new Shrinker(subject, plan, options).shrink();
}

/** The state of one shrink: the current plan and its run, the budget, the cache of runs. */
class Shrinker<P extends BasePlan> {
  readonly #tried = new Map<string, Attempt>();
  readonly #runsMax: number;
  readonly #reanchor: boolean;
  #target: string | undefined;
  /** The crash kinds the input's violation followed (see {@link ShrinkOptions.sameCrashKinds}). */
  #crashKinds: readonly string[] | undefined;
  readonly #sameCrashKinds: boolean;
  readonly #onRun: ((runs: number, current: BasePlan) => void) | undefined;
  #runs = 0;
  #current: P;
  #attempt: Attempt | undefined;
  #explicit = false;
  #reanchored = 0;

  constructor(private readonly subject: Subject<P>, private readonly input: P, options: ShrinkOptions) {
    this.#runsMax = options.runsMax ?? shrinkRunsMaxDefault;
    this.#reanchor = options.reanchor ?? true;
    this.#target = options.invariant;
    this.#sameCrashKinds = options.sameCrashKinds ?? true;
    this.#onRun = options.onRun;
    this.#current = input;
  }

  async shrink(): Promise<ShrinkResult<P>> {
    const describe = (plan: P): string => this.subject.shrink.describeSize(plan);
    const first = await this.#run(this.input);
    if (first.violation === undefined) {
      return { plan: this.input, before: describe(this.input), after: describe(this.input), runs: this.#runs, violation: undefined, explicitFaults: false, reanchored: 0, budgetExhausted: false };
    }
    this.#attempt = first;
    let budgetExhausted = false;
    let explicitSize: string | undefined;
    try {
      const explicit = this.#explicitPlan(first);
      this.#explicit = await this.#accept(explicit);
      if (this.#explicit) explicitSize = describe(explicit);
      await this.#dropLooks();
      for (let pass = 0; pass < passesMax; pass++) if (!(await this.#pass()) && !(await this.#nudgeSteps())) break;
      // Keep only the faults that fire: the same run, a shorter list.
      if (this.#explicit) await this.#accept(this.#subjectExplicit(this.#withScheduled(this.#current, this.#attempt.fired), this.#attempt));
      // Aimed by step: the same run, and a plan that stays aimed when a fix changes the I/O
      // before a step, so it can be kept as a regression test that outlives the fix.
      if (this.#explicit) await this.#accept(this.#withScheduled(this.#current, anchorToSteps(this.#current.faults.scheduled ?? [], this.#attempt.result.stepStartIo ?? [], this.#attempt.ioLabels)));
    } catch (error) {
      if (!(error instanceof BudgetExhausted)) throw error;
      budgetExhausted = true;
    }
    return {
      plan: this.#current, before: describe(this.input), ...(explicitSize !== undefined ? { explicit: explicitSize } : {}), after: describe(this.#current), runs: this.#runs,
      violation: this.#attempt.violation, original: first.violation, explicitFaults: this.#explicit, reanchored: this.#reanchored, budgetExhausted,
    };
  }

  /** The input with its faults and crash states made explicit (no rate, no aim, no draw left). */
  #explicitPlan(first: Attempt): P {
    const { phases: _phases, io: _io, ...faults } = this.input.faults;
    return this.#subjectExplicit({ ...this.input, faults: { ...faults, rates: {}, scheduled: first.fired }, crashStates: first.crashStates }, first);
  }

  /**
   * `plan` with the subject's own choices of `attempt`'s run made explicit, if it has any. The
   * subject is shown the violation being shrunk as the run's only one: a look that found another
   * invariant first (`--invariant`) is not the one to pin on the run's path.
   */
  #subjectExplicit(plan: P, attempt: Attempt): P {
    const explicit = this.subject.shrink.explicit;
    if (explicit === undefined) return plan;
    return explicit(plan, { ...attempt.result, violations: attempt.violation === undefined ? [] : [attempt.violation] });
  }

  /**
   * When the run's own path shows the violation (no second look found it), the plan without its
   * looks: the same run, cheaper to shrink, and a replay that leads with that violation, not with
   * another invariant a look found first. Kept only if it still fails.
   */
  async #dropLooks(): Promise<void> {
    const current = this.#current as P & { readonly looks?: number };
    if ((current.looks ?? 0) === 0 || this.#attempt?.violation?.look !== undefined) return;
    await this.#accept(withLooks(current, 0));
  }

  #withScheduled(plan: P, scheduled: readonly ScheduledFault[]): P {
    return { ...plan, faults: { ...plan.faults, scheduled } };
  }

  /** One round of every pass. @returns whether any made progress */
  async #pass(): Promise<boolean> {
    let progress = await this.#cutAfterViolation();
    progress = (await this.#ddminFaults()) || progress;
    progress = (await this.#ddminSteps()) || progress;
    progress = (await this.#crashStates()) || progress;
    progress = (await this.#namedCrashStates()) || progress;
    const simplify = this.subject.shrink.simplify;
    if (simplify) progress = (await simplify(() => this.#current, (candidate) => this.#accept(candidate))) || progress;
    return progress;
  }

  /** Runs `candidate` (once: results are cached by plan text). */
  async #run(candidate: P): Promise<Attempt> {
    const key = JSON.stringify(candidate);
    const known = this.#tried.get(key);
    if (known) return known;
    if (this.#runs >= this.#runsMax) throw new BudgetExhausted();
    this.#runs++;
    const result = await this.subject.run(candidate, { trace: this.#reanchor ? 'full' : 'digest' });
    this.#onRun?.(this.#runs, this.#current);
    this.#target ??= result.violations[0]?.invariant;
    const matching = result.violations.filter((found) => found.invariant === this.#target);
    // The input's violation names the crash kinds; every later candidate's run must have them.
    if (this.#runs === 1 && matching[0] !== undefined) this.#crashKinds = crashKindsOf(matching[0].message)?.split(', then ').filter((kind) => kind === 'kill-9' || kind === 'power-loss' || kind === processDeath);
    const violation = this.#sameCrashKinds && !this.#hasCrashKinds(candidate, result) ? undefined : matching[0];
    const shape = this.subject.shrink;
    const attempt: Attempt = {
      violation, crashes: result.crashes, fired: result.faultsFired, crashStates: result.crashStates, result: { ...result, trace: [] },
      anchors: violation && this.#reanchor ? anchorsOf(shape.stepCount(candidate), result.trace, shape.isStepStart) : undefined,
      ioLabels: violation && this.#reanchor ? ioLabelsOf(result.trace) : undefined,
      crashSites: violation && this.#reanchor ? crashSitesOf(result.trace, shape.isStepStart) : undefined,
    };
    this.#tried.set(key, attempt);
    return attempt;
  }

  /**
   * Whether `candidate`'s run had every crash kind the input's violation followed: a fault that
   * fired, the crash a library workload's run ends with (a power loss, or its `finalCrash`), or
   * its process's death of an uncaught exception (acebase: a key lost after the process died of
   * a failed index write shrank to a missing fsync, another bug of the same invariant).
   */
  #hasCrashKinds(candidate: P, result: RunResult): boolean {
    if (this.#crashKinds === undefined) return true;
    const kinds = new Set<string>(result.faultsFired.map((fault) => fault.kind));
    kinds.add((candidate as { readonly finalCrash?: string }).finalCrash ?? 'power-loss');
    if ((result.processDeaths ?? 0) > 0) kinds.add(processDeath);
    return this.#crashKinds.every((kind) => kinds.has(kind));
  }

  /** Adopts `candidate` if it fails with the target invariant. */
  async #accept(candidate: P): Promise<boolean> {
    const attempt = await this.#run(candidate);
    if (attempt.violation === undefined) return false;
    this.#current = candidate;
    this.#attempt = attempt;
    return true;
  }

  /**
   * Candidates keeping steps `keep` of `base`: aimed first when that moves a fault or a crash
   * state, then with faults moved back by the removed steps' I/O, then plain.
   */
  async #keepSteps(base: P, attempt: Attempt | undefined, keep: readonly number[]): Promise<boolean> {
    const plain = this.subject.shrink.keepSteps(base, keep);
    const anchors = attempt?.anchors;
    const traced = this.#reanchor && this.#explicit && attempt !== undefined && anchors !== undefined;
    const moved = traced ? reanchorFaults(base.faults.scheduled ?? [], anchors, keep) : undefined;
    const kept = new Set(keep);
    const gone = (crash: CrashSite): boolean => (crash.io >= 0 || crash.byStep) && crash.step >= 0 && !kept.has(crash.step);
    const statesMove = traced && crashStatesWithout(base.crashStates, attempt.crashSites ?? [], gone) !== undefined;
    if (traced && (moved !== undefined || statesMove)) {
      const aimed = this.#aimed(base, attempt, base.faults.scheduled ?? [], gone, { plan: plain, keep });
      if (aimed !== undefined && await this.#acceptAimed(aimed)) {
        this.#reanchored++;
        return true;
      }
    }
    if (moved !== undefined && await this.#accept(this.#withScheduled(plain, moved))) {
      this.#reanchored++;
      return true;
    }
    return this.#accept(plain);
  }

  /**
   * At a fixpoint of the passes, each step removed alone once more, with the last re-anchored
   * fault nudged by up to {@link nudgeMax} I/Os either way. Re-anchoring assumes the steps left do
   * the same I/O without the removed one, and a step often does one more or one less (a folder
   * the removed step created is made again; a file it left is stat'ed): without the nudge such a
   * step stays in the plan. Only for plans of at most {@link nudgeStepsMax} steps: it costs up to
   * 2 x nudgeMax runs a step.
   * @returns whether a step went
   */
  async #nudgeSteps(): Promise<boolean> {
    const base = this.#current;
    const anchors = this.#attempt?.anchors;
    const steps = this.subject.shrink.stepCount(base);
    if (!this.#reanchor || !this.#explicit || anchors === undefined || steps < 2 || steps > nudgeStepsMax) return false;
    for (let removed = 0; removed < steps; removed++) {
      const keep = range(steps).filter((index) => index !== removed);
      const moved = reanchorFaults(base.faults.scheduled ?? [], anchors, keep);
      const last = moved === undefined ? -1 : moved.length - 1;
      if (last < 0) continue;
      const plain = this.subject.shrink.keepSteps(base, keep);
      for (let distance = 1; distance <= nudgeMax; distance++) {
        for (const delta of [distance, -distance]) {
          const nudged = moved!.map((fault, index) => (index === last ? { ...fault, io: fault.io + delta } : fault));
          if (nudged[last]!.io >= 0 && await this.#accept(this.#withScheduled(plain, nudged))) return true;
        }
      }
    }
    return false;
  }

  /** Steps after the one where the violation showed cannot matter to it: try cutting them first. */
  async #cutAfterViolation(): Promise<boolean> {
    const step = this.#attempt?.violation?.step ?? -1;
    const count = this.subject.shrink.stepCount(this.#current);
    if (step < 0 || step + 1 >= count) return false;
    return this.#keepSteps(this.#current, this.#attempt, range(step + 1));
  }

  async #ddminSteps(): Promise<boolean> {
    const base = this.#current;
    const attempt = this.#attempt;
    return ddmin(this.subject.shrink.stepCount(base), (keep) => this.#keepSteps(base, attempt, keep));
  }

  async #ddminFaults(): Promise<boolean> {
    const base = this.#current;
    const attempt = this.#attempt;
    const scheduled = base.faults.scheduled ?? [];
    if (!this.#explicit || scheduled.length === 0 || attempt === undefined) return false;
    return ddmin(scheduled.length, (keep) => this.#keepFaults(base, attempt, keep));
  }

  /**
   * Candidates keeping faults `keep` of `base`: realigned first when a removed fault comes
   * before a kept one, then plain. A removed fault, a crash above all, changes the I/O after it
   * (no recovery, no retry), so a kept fault at its global index would strike elsewhere, and the
   * crashes after a removed crash would settle on the states drawn for the crash before them.
   * Realigned, each kept fault is aimed at the operation it struck, counted from its step's
   * start, and each removed crash takes its crash state with it.
   */
  async #keepFaults(base: P, attempt: Attempt, keep: readonly number[]): Promise<boolean> {
    const scheduled = base.faults.scheduled ?? [];
    const kept = keep.map((index) => scheduled[index]!);
    const keptSet = new Set(keep);
    const removedIo = new Set(scheduled.filter((_, index) => !keptSet.has(index)).map((fault) => fault.io));
    const lastKept = Math.max(-1, ...kept.map((fault) => fault.io));
    if ([...removedIo].some((io) => io < lastKept)) {
      const aimed = this.#aimed(base, attempt, kept, (crash) => crash.io >= 0 && removedIo.has(crash.io));
      if (aimed !== undefined && await this.#acceptAimed(aimed)) {
        this.#reanchored++;
        return true;
      }
    }
    return this.#accept(this.#withScheduled(base, kept));
  }

  /**
   * `base` with `faults` aimed by step at the operations they struck in `attempt`'s run, and
   * without the crash states of the crashes that are `gone` (`undefined` when the run was not
   * traced). `edit` changes the plan and the aimed faults further (steps removed).
   */
  #aimed(base: P, attempt: Attempt, faults: readonly ScheduledFault[], gone: (crash: CrashSite) => boolean, edit?: { plan: P; keep: readonly number[] }): P | undefined {
    if (!this.#reanchor || attempt.crashSites === undefined || attempt.ioLabels === undefined) return undefined;
    const states = crashStatesWithout(base.crashStates, attempt.crashSites, gone) ?? base.crashStates;
    let aimed = anchorToSteps(faults, attempt.result.stepStartIo ?? [], attempt.ioLabels, { beforeFirstStep: true });
    if (edit !== undefined) aimed = keepAimedSteps(aimed, edit.keep);
    return { ...this.#withScheduled(edit?.plan ?? base, aimed), ...(states === undefined ? {} : { crashStates: states }) };
  }

  /**
   * Adopts `candidate`, whose faults are aimed by step, if it fails with the target invariant,
   * then writes its faults back as the global indexes they struck (the same run), which is what
   * the other passes edit. Undone if that replay does not fail the same way.
   */
  async #acceptAimed(candidate: P): Promise<boolean> {
    const [current, attempt] = [this.#current, this.#attempt];
    if (!(await this.#accept(candidate))) return false;
    const replay = this.#subjectExplicit(this.#withScheduled(this.#current, unanchored(this.#attempt!.fired)), this.#attempt!);
    if (await this.#accept(replay)) return true;
    [this.#current, this.#attempt] = [current, attempt];
    return false;
  }

  /**
   * Only as many crash states as crashes happen. The states themselves stay as the run drew
   * them: a named state (1: nothing unsynced kept, 4: data without names, ...) says what the
   * missing step is, where the seeded random state 0 would not.
   */
  async #crashStates(): Promise<boolean> {
    const states = this.#current.crashStates;
    if (states === undefined) return false;
    // A kill -9 keeps the page cache whole: its state means nothing, and a plan of kill -9s alone
    // that listed states (`crash states [3, 4]`) made a new user look for power losses.
    const kinds = this.#attempt?.result.crashKinds;
    if (kinds !== undefined && !kinds.includes('power-loss')) {
      const { crashStates: _none, ...withoutStates } = this.#current;
      return this.#accept(withoutStates as P);
    }
    const crashes = this.#attempt?.crashes ?? states.length;
    if (states.length <= crashes) return false;
    return this.#accept({ ...this.#current, crashStates: states.slice(0, crashes) });
  }

  /**
   * Each power loss that settled on a seeded random crash state (0, or past the named ones), tried
   * on each named state instead ({@link namedStatesToTry}): a plan that fails with "nothing
   * unsynced kept" reads as the missing fsync it is, and a random state's choices often kept the
   * later steps from going (an adm-zip plan of 8 operations and crash state 9 fails with state 3
   * and 1 operation).
   */
  async #namedCrashStates(): Promise<boolean> {
    let progress = false;
    const states = this.#current.crashStates ?? [];
    for (let crash = 0; crash < states.length; crash++) {
      const state = this.#current.crashStates?.[crash];
      const kind = this.#attempt?.result.crashKinds?.[crash];
      if (state === undefined || kind !== 'power-loss' || (state > 0 && state < namedCrashStates)) continue;
      for (const named of namedStatesToTry) {
        const crashStates = [...this.#current.crashStates!];
        crashStates[crash] = named;
        if (await this.#accept({ ...this.#current, crashStates })) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }
}
