/**
 * The runner: executes one plan in a fresh simulated world against a system under test, and
 * checks the oracle's invariants after every recovery, after every read, and at the end.
 *
 * A run has two phases. The **fault phase** runs the plan's steps with its faults on; whenever
 * a crash ends the process (an injected kill -9 or power loss, or a `crash` step), the runner
 * settles the disk, reopens (recovery may itself crash and is retried), and checks the
 * recovered state. The **liveness phase** then turns faults off and demands that the engine
 * reopen and durably commit new writes within the step budget, then close cleanly and recover
 * exactly what it acknowledged. A run never hangs: every simulated section has a step budget.
 */
import { CorruptionError, StoreError } from '../engine/errors.ts';
import { isIoError } from '../engine/ports/fs.ts';
import type { Op } from '../engine/types.ts';
import type { SutHandle, SystemUnderTest } from './adapter.ts';
import { CommitModel } from './model.ts';
import type { ModelViolation } from './checkers/violation.ts';
import { readOnlyFileSystem } from './memory-fs.ts';
import type { Plan, PlanOp, PlanStep } from './plan.ts';
import type { FaultKind, TraceEvent, TracePhase } from './types.ts';
import { SimWorld, type RunOutcome, type TraceMode } from './world.ts';

/** The directory the store lives in on the simulated disk. */
export const storeDir = '/db';
/** How many times one open is retried after crashes or transient errors during recovery. */
const openAttemptsMax = 8;

/** A system under test that can also check its own files (invariant 8). */
export interface CheckedSystem extends SystemUnderTest {
  selfCheck?(fs: import('../engine/ports/fs.ts').FileSystem, dir: string): Promise<string[]>;
  /**
   * Checks the raw disk right after a crash, before recovery touches it: what the engine's own
   * design promises of any crash state (for the reference engine: files it publishes by
   * tmp + fsync + rename are whole). One line per problem.
   */
  crashCheck?(fs: import('../engine/ports/fs.ts').FileSystem, dir: string): Promise<string[]>;
}

/** One violation found by a run (before the campaign adds the repro command). */
export interface RunViolation extends ModelViolation {
  /** Index of the plan step during which it was found (-1: liveness phase). */
  readonly step: number;
}

/** What one run produced. */
export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly violations: readonly RunViolation[];
  /** Opens refused with a CorruptionError after injected damage: detected, not violations. */
  readonly detected: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly coverage: Readonly<Record<TracePhase, Record<FaultKind, number>>>;
  readonly digest: string;
  readonly ioCount: number;
  readonly crashes: number;
  readonly commitsAcknowledged: number;
  /** Every fault injected, replayable as `faults.scheduled` with rates 0. */
  readonly faultsFired: Plan['faults']['scheduled'];
  /** Trace events (all in `full` mode, the last ones otherwise). */
  readonly trace: readonly TraceEvent[];
}

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  readonly trace?: TraceMode;
}

const encoder = new TextEncoder();

function toOps(batch: readonly PlanOp[]): Op[] {
  return batch.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: encoder.encode(op.value) } : { type: 'delete', key: op.key }));
}

function commitOutcome(error: unknown): 'absent' | 'unknown' {
  return error instanceof StoreError ? error.commitOutcome : 'unknown';
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs one plan against `sut`. Deterministic: the same plan gives the same result and digest. */
export async function runPlan(plan: Plan, sut: CheckedSystem, options: RunPlanOptions = {}): Promise<RunResult> {
  const world = new SimWorld({
    seed: plan.seed, faults: plan.faults, trace: options.trace ?? 'digest',
    ...(plan.latency ? { latency: plan.latency } : {}),
  });
  const model = new CommitModel({ sync: plan.engine.sync });
  const violations: RunViolation[] = [];
  let stepIndex = -1;
  let crashes = 0;
  let detected = 0;
  let handle: SutHandle | undefined;
  let storeFailed = false;
  let refused = false;
  const add = (found: readonly ModelViolation[]): void => {
    for (const violation of found) {
      violations.push({ ...violation, step: stepIndex });
      world.record('check', violation.invariant, violation.message);
    }
  };
  const run = <T>(main: () => Promise<T>): Promise<RunOutcome<T>> => world.run(main, { stepsMax: plan.stepsMax });
  const env = () => ({ fs: world.fs, clock: world.clock, dir: storeDir, config: plan.engine, probe: world.probe });

  /** After a crash: tell the model, settle the disk, count it. */
  const crashChecks: Promise<void>[] = [];
  const afterCrash = (kind: 'kill-9' | 'power-loss'): void => {
    // A kill -9 keeps the page cache, so the model holds the engine to everything it wrote:
    // unless an fsync failed since the store opened, which throws unsynced pages away (btrfs)
    // or leaves them in doubt (ext4). Then the crash counts as a power loss.
    const cacheIntact = world.faultCounts['fsync-error'] === fsyncErrorsAtOpen;
    model.crashed(kind === 'kill-9' && !cacheIntact ? 'power-loss' : kind);
    world.restart({ crashState: plan.crashStates?.[crashes] ?? 0 });
    crashes++;
    handle = undefined;
    storeFailed = false;
    if (sut.crashCheck) {
      const at = stepIndex;
      crashChecks.push(sut.crashCheck(readOnlyFileSystem(world.inspect()), storeDir).then((problems) => {
        if (problems.length > 0) violations.push({ invariant: 'self-consistency', message: `right after a ${kind}: ${problems.join('; ')}`, step: at });
      }));
    }
  };

  const liveness = (what: string, outcome: RunOutcome<unknown>): void => {
    add([{ invariant: 'liveness', message: `${what}: ${outcome.outcome === 'stuck' ? 'deadlocked (nothing pending could make progress)' : `exceeded ${plan.stepsMax} simulated steps`}` }]);
  };

  /**
   * Opens the store, retrying after crashes and transient errors; checks the recovered state.
   * With faults on, a store that keeps crashing during recovery ends the fault phase (the
   * liveness phase then opens it with faults off); with faults off, it is a liveness failure.
   */
  let faultsOn = true;
  /**
   * Set once an fsync failed inside recovery. From then on the page cache may hold pages ext4
   * marked clean without writing them, which the next recovery reads and serves, and which a
   * later power loss takes back: no engine can see that from user space (fsyncgate; PostgreSQL
   * panics for this reason). A refusal to open over such damage is then detected damage, not
   * false corruption.
   */
  let recoveryFsyncFailed = false;
  /** fsync errors injected before the last successful open. */
  let fsyncErrorsAtOpen = 0;
  let gaveUp = false;
  const open = async (): Promise<boolean> => {
    for (let attempt = 0; attempt < openAttemptsMax; attempt++) {
      world.record('op', 'open', `attempt ${attempt}`);
      const fsyncErrorsBefore = world.faultCounts['fsync-error'];
      const opened = await run(() => sut.open(env()));
      // An fsync that failed during recovery may have dropped the page cache (btrfs reverts the
      // file): unsynced data a kill -9 had left readable is then legitimately gone, as after a
      // power loss. The model must stop promising it.
      if (opened.outcome !== 'done' && world.faultCounts['fsync-error'] > fsyncErrorsBefore) {
        model.crashed('power-loss');
        recoveryFsyncFailed = true;
      }
      if (opened.outcome === 'crashed') {
        afterCrash(opened.kind);
        continue;
      }
      if (opened.outcome === 'stuck' || opened.outcome === 'steps-exceeded') {
        liveness('recovery', opened);
        return false;
      }
      if (opened.outcome === 'error') {
        const error = opened.error;
        if (error instanceof CorruptionError || (error instanceof StoreError && error.code === 'UNSUPPORTED_VERSION')) {
          const judged = model.openRefused(error, (world.faultCounts['bit-flip'] ?? 0) > 0 || recoveryFsyncFailed);
          add(judged.violations);
          if (judged.detected) {
            detected++;
            world.record('check', 'detected', describeError(error));
          }
          refused = true;
          return false;
        }
        if (isIoError(error)) {
          // Transient: an injected read error or a full disk during recovery. Retry; a store that
          // never opens again is caught by the liveness phase.
          world.restart();
          continue;
        }
        add([{ invariant: 'harness', message: `open threw ${describeError(error)}` }]);
        return false;
      }
      handle = opened.value;
      fsyncErrorsAtOpen = world.faultCounts['fsync-error'];
      const opener = handle;
      const state = await run(() => opener.state());
      if (state.outcome !== 'done') {
        add([{ invariant: 'harness', message: `reading the recovered state ended with ${state.outcome}` }]);
        return false;
      }
      const check = model.checkRecovered(state.value, handle.replayStats);
      add(check.violations);
      world.record('check', 'recovered', `prefix ${check.prefixLength}, ${state.value.size} keys`);
      if (sut.selfCheck) {
        const problems = await sut.selfCheck(readOnlyFileSystem(world.inspect()), storeDir);
        if (problems.length > 0) add([{ invariant: 'self-consistency', message: `after recovery the files disagree: ${problems.join('; ')}` }]);
      }
      return true;
    }
    if (faultsOn) gaveUp = true;
    else add([{ invariant: 'liveness', message: `with faults off the store did not open in ${openAttemptsMax} attempts` }]);
    return false;
  };

  /** Issues one commit and records its resolution in the model. */
  const commit = (sut: SutHandle, batch: readonly PlanOp[]): Promise<void> => {
    const ops = toOps(batch);
    const id = model.issue(ops);
    return sut.commit(ops).then(
      (lsn) => add(model.acked(id, lsn)),
      (error: unknown) => {
        model.rejected(id, commitOutcome(error));
        if (error instanceof StoreError && error.code === 'STORE_FAILED') {
          storeFailed = true;
          model.storeFailed();
        } else if (!(error instanceof StoreError)) {
          add([{ invariant: 'harness', message: `commit threw ${describeError(error)}` }]);
        }
      },
    );
  };

  const guarded = async (what: Promise<void>): Promise<void> => {
    try {
      await what;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'STORE_FAILED') {
        storeFailed = true;
        model.storeFailed();
      } else if (!(error instanceof StoreError)) {
        add([{ invariant: 'harness', message: describeError(error) }]);
      }
    }
  };

  const perform = async (step: PlanStep, store: SutHandle): Promise<'closed' | void> => {
    switch (step.op) {
      case 'commit':
        await commit(store, step.batch);
        return;
      case 'concurrent':
        await Promise.all(step.batches.map((batch) => commit(store, batch)));
        return;
      case 'get': {
        const mark = model.mark();
        const value = await store.get(step.key);
        if (!storeFailed) add(model.checkRead(step.key, value, mark));
        return;
      }
      case 'checkpoint':
        await guarded(store.checkpoint());
        return;
      case 'sync': {
        const mark = model.mark();
        let ok = true;
        await guarded(store.sync().catch((error: unknown) => { ok = false; throw error; }));
        if (ok) add(model.synced(mark));
        return;
      }
      case 'reopen': {
        // Only a close that resolved is a clean close; a rejected one made nothing durable.
        let ok = true;
        await guarded(store.close().catch((error: unknown) => { ok = false; throw error; }));
        if (ok) model.closed();
        else model.crashed('power-loss');
        return 'closed';
      }
      case 'crash':
        world.crashNow(step.kind);
        return;
    }
  };

  // Fault phase. Steps run in one simulated run until something ends it (a crash, a reopen,
  // a failed store), so the scheduler's barrier is crossed once per stretch, not once per step.
  let alive = await open();
  stepIndex = 0;
  let inStep = false;
  while (alive && stepIndex < plan.steps.length) {
    if (!handle) {
      alive = await open();
      if (!alive) break;
    }
    const store = handle!;
    let ended: 'closed' | 'crashed' | 'failed' | undefined;
    const outcome = await run(async () => {
      while (stepIndex < plan.steps.length) {
        const step = plan.steps[stepIndex]!;
        world.record('op', step.op, step.op === 'crash' ? step.kind : '');
        inStep = true;
        const result = await perform(step, store);
        inStep = false;
        stepIndex++;
        if (result === 'closed') ended = 'closed';
        else if (step.op === 'crash') ended = 'crashed';
        else if (storeFailed) ended = 'failed';
        if (ended) return;
      }
    });
    if (outcome.outcome === 'crashed') {
      if (inStep) stepIndex++;
      inStep = false;
      afterCrash(outcome.kind);
      alive = await open();
    } else if (outcome.outcome === 'stuck' || outcome.outcome === 'steps-exceeded') {
      liveness(`step ${stepIndex} (${plan.steps[stepIndex]?.op ?? 'end'})`, outcome);
      alive = false;
    } else if (outcome.outcome === 'error') {
      add([{ invariant: 'harness', message: `step ${stepIndex} threw ${describeError(outcome.error)}` }]);
      alive = false;
    } else if (ended === 'closed' || ended === 'failed') {
      // A failed store is closed and reopened: recovery from disk is its only way back.
      if (ended === 'failed') {
        await run(() => store.close().catch(() => undefined));
        model.closed();
      }
      handle = undefined;
      storeFailed = false;
      world.restart();
      alive = await open();
    }
  }

  // Liveness phase: faults off; the engine must come back and make new commits durable.
  stepIndex = -1;
  if (!refused && violations.every((v) => v.invariant !== 'liveness' && v.invariant !== 'harness')) {
    world.setFaultsEnabled(false);
    faultsOn = false;
    world.record('note', 'liveness', 'faults off');
    // The liveness phase always starts from a fresh open with faults off: that is what it
    // demands (the engine comes back and makes progress), whatever state the fault phase left.
    if (handle) {
      const previous = handle;
      handle = undefined;
      let closedCleanly = true;
      await run(() => previous.close().catch(() => { closedCleanly = false; }));
      if (closedCleanly) model.closed();
      else model.crashed('power-loss');
    }
    if (world.crashed === undefined) world.restart();
    storeFailed = false;
    alive = await open();
    // `open` sets `handle` (TypeScript cannot see that through the closure).
    const reopened = handle as SutHandle | undefined;
    if (reopened && alive) {
      const store = reopened;
      const outcome = await run(async () => {
        for (let i = 0; i < plan.livenessCommits; i++) {
          await commit(store, [{ type: 'put', key: `live-${i}`, value: `liveness ${plan.seed} ${i}` }]);
        }
        await guarded(store.sync());
        if (!storeFailed) model.synced();
        let closedCleanly = true;
        await guarded(store.close().catch((error: unknown) => { closedCleanly = false; throw error; }));
        if (closedCleanly) model.closed();
        else model.crashed('power-loss');
      });
      if (outcome.outcome === 'done') {
        if (storeFailed) add([{ invariant: 'liveness', message: 'with faults off the engine still failed to commit' }]);
        handle = undefined;
        world.restart();
        if (await open()) {
          const final = handle as SutHandle | undefined;
          if (final) await run(() => final.close());
        }
      } else if (outcome.outcome === 'crashed') {
        add([{ invariant: 'harness', message: 'a crash fired with faults off' }]);
      } else if (outcome.outcome === 'error') {
        add([{ invariant: 'harness', message: `liveness phase threw ${describeError(outcome.error)}` }]);
      } else {
        liveness('liveness phase', outcome);
      }
    }
  }

  await Promise.all(crashChecks);
  return {
    scenario: plan.scenario,
    seed: plan.seed,
    violations,
    detected,
    faults: { ...world.faultCounts },
    coverage: Object.fromEntries(Object.entries(world.coverage).map(([phase, kinds]) => [phase, { ...kinds }])) as RunResult['coverage'],
    digest: world.trace.digest(),
    ioCount: world.ioCount,
    crashes,
    commitsAcknowledged: model.counts().acknowledged,
    faultsFired: [...world.faultsFired],
    trace: options.trace === 'full' ? [...world.trace.events] : [...world.trace.recent],
  };
}
