/**
 * The library-workload interface: how a user describes "open my library on a simulated path, do
 * these operations, and after any crash this must hold". targets/runner.ts runs it under seeded
 * faults, crashes and restarts; `powercut run --target FILE` runs a campaign of seeds on it.
 *
 * ```ts
 * const workload: Workload<{ acked: number }, typeof import('write-file-atomic')> = {
 *   name: 'my-config',
 *   initialState: () => ({ acked: 0 }),
 *   open: () => freshRequire('write-file-atomic'),
 *   setup: (ctx, lib) => lib(ctx.path('config.json'), '0'),
 *   operations: [{ name: 'save', run: async (ctx, lib, i) => { await lib(ctx.path('config.json'), String(i)); ctx.state.acked = i; } }],
 *   invariants: async (ctx) => { ... throw new InvariantViolation('whole', 'config.json is empty'); },
 * };
 * export default workload;
 * ```
 *
 * A "process" here is one incarnation of the simulated world: after a crash the runner restarts
 * the world and calls `open` again, so the library must be re-created from scratch (module-level
 * state of a CommonJS library is reloaded with {@link freshRequire}; ESM libraries keep their
 * state in the objects `open` creates).
 */
import type { Rng } from '../sim/index.ts';
import type { FaultProfile } from '../sim/index.ts';

export { freshRequire } from './fresh-require.ts';

/** What every hook of a workload sees. */
export interface WorkloadContext<S> {
  /** The seed of this run. */
  readonly seed: number;
  /** The simulated root directory (absolute). */
  readonly root: string;
  /** The workload's own random stream (independent of faults). */
  readonly rng: Rng;
  /** The workload's model of what should be on disk; hooks read and update it. */
  state: S;
  /** Crashes so far in this run. */
  readonly crashCount: number;
  /** A path under the simulated root. */
  path(name: string): string;
}

/** One kind of operation the workload does (e.g. `db.write()`). */
export interface WorkloadOperation<S, L> {
  readonly name: string;
  /**
   * Does the operation once; `index` counts operations of the run from 0. Update `ctx.state`
   * only after the library acknowledged (the promise resolved).
   */
  run(ctx: WorkloadContext<S>, library: L, index: number): Promise<void>;
}

/** A library workload. */
export interface Workload<S, L> {
  /** A short name, used in reports and repro lines. */
  readonly name: string;
  /** One line: what the invariants promise. */
  readonly description?: string;
  /** Operations per seed. @defaultValue 12 */
  readonly operationsCount?: number;
  /**
   * Changes to the fault profile of its campaigns (targets/plan.ts `targetFaults`: power loss,
   * kill -9, ext4-style fsync failures and ENOSPC, 512-byte sectors), e.g.
   * `{ rates: { 'power-loss': 0.05, 'read-error': 0.01 } }` or `{ sectorBytes: 4096 }`.
   */
  readonly faults?: Partial<FaultProfile>;
  /** A fresh model, for each seed. */
  initialState(): S;
  /** Opens (or loads) the library, at the start of each process incarnation. */
  open(ctx: WorkloadContext<S>): Promise<L> | L;
  /** Runs once with faults off; whatever it leaves is then made durable. */
  setup(ctx: WorkloadContext<S>, library: L): Promise<void>;
  /** The operations, run in turn (operation k is `operations[k % length]`). */
  readonly operations: ReadonlyArray<WorkloadOperation<S, L>>;
  /**
   * Checked after every crash, with faults off, on the library `open` returned in the restarted
   * process (a library that does not open is the violation `opens`, found before this runs).
   * @throws InvariantViolation when an invariant does not hold
   */
  invariants(ctx: WorkloadContext<S>, library: L): Promise<void>;
}

/**
 * Identity helper that gives a workload its types (the model `S` and the library `L` are
 * inferred from `initialState` and `open`), for a module's default export.
 * @param workload - the workload
 * @returns the same object
 */
export function defineWorkload<S, L>(workload: Workload<S, L>): Workload<S, L> {
  return workload;
}

/** The brand every {@link InvariantViolation} carries, shared by every copy of powercut in a process. */
const invariantBrand = Symbol.for('powercut.invariant-violation');

/**
 * A broken invariant, thrown by {@link Workload.invariants}. Recognised by a brand, not by class
 * identity, so a workload that loads its own copy of powercut (a CommonJS project next to
 * powercut's ESM build) still reports the invariant by name.
 */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  readonly [invariantBrand] = true;
  /**
   * @param invariant - its short name (`whole`, `durable`, `opens`, ...)
   * @param message - what was expected and what was seen
   */
  constructor(readonly invariant: string, message: string) {
    super(message);
  }
}

/** Whether `error` is an {@link InvariantViolation} of any copy of powercut. */
export function isInvariantViolation(error: unknown): error is InvariantViolation {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[invariantBrand] === true
    && typeof (error as { invariant?: unknown }).invariant === 'string';
}
