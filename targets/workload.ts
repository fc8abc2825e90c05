/**
 * The library-workload interface: how a user describes "open my library on a simulated path, do
 * these operations, and after any crash this must hold". targets/runner.ts runs it under seeded
 * faults, crashes and restarts; `powercut run --target FILE` runs a campaign of seeds on it.
 *
 * ```ts
 * export default defineWorkload({
 *   name: 'my-config',
 *   operationsCount: 10,
 *   initialState: () => ({ acked: 0 }),
 *   load: () => freshRequire<(file: string, data: string) => Promise<void>>('write-file-atomic'),
 *   open: (_ctx, writeFileAtomic) => writeFileAtomic,
 *   setup: (ctx, write) => write(ctx.path('config.json'), '0'),
 *   operations: [{ name: 'save', run: async (ctx, write, i) => { await write(ctx.path('config.json'), String(i + 1)); ctx.state.acked = i + 1; } }],
 *   invariants: async (ctx) => { ... ctx.violate('whole', 'config.json is empty'); },
 * });
 * ```
 * (examples/config-workload/workload.ts is a whole one.)
 *
 * A "process" here is one incarnation of the simulated world: after a crash the runner restarts
 * the world and calls `open` again, so the library must be re-created from scratch. Its code is
 * loaded by `load` (when given) before every `open`: {@link freshRequire} evaluates a CommonJS
 * package again, and `freshImport` an ES module, so its module-level state starts empty as in a
 * restarted process. A library whose module-level state a crash cannot leave wrong says
 * `loadOnce: true` and is loaded once per thread.
 */
import type { Rng } from '../sim/index.ts';
import type { FaultProfile } from '../sim/index.ts';

export { freshRequire } from './fresh-require.ts';

/**
 * The crash a check follows: what the invariants may promise depends on it. A kill -9 kills the
 * process and keeps everything it had written (the OS survives), so "every acknowledged write is
 * still there" can be promised after one even by a library that never calls fsync; a power loss
 * keeps only what was made durable.
 */
export interface WorkloadCrash {
  /** How the process died (the first crash, when its reopen crashed again). */
  readonly kind: 'kill-9' | 'power-loss';
  /**
   * After a power loss, the state the disk settled on: 0 random, 1 nothing unsynced kept,
   * 2 everything kept, 3 directory operations without unsynced data, 4 unsynced data without
   * directory operations; 8 and above, random states of their own, drawn by a second look at
   * the same power loss (a shrunk plan pins the one that failed). Undefined after a kill -9,
   * which keeps everything.
   */
  readonly crashState: number | undefined;
  /** The operation it interrupted (its name and index), or undefined for the final crash (a power loss, or a kill -9 for a workload that injects no power loss) and for one in the first open. */
  readonly operation: { readonly name: string; readonly index: number } | undefined;
  /** Whether this is the power loss that ends the run, after every operation. */
  readonly final: boolean;
  /** Whether it struck the first open, the store's creation, before any operation (and before `setup`). */
  readonly firstOpen: boolean;
  /** Crashes that landed in the reopen (the library's own recovery) before this check, in order. */
  readonly reopenCrashes: readonly { readonly kind: 'kill-9' | 'power-loss'; readonly crashState: number | undefined }[];
  /** Whether the power failed: this crash or one during its reopen was a power loss. */
  readonly powerLost: boolean;
}

/** What every hook of a workload sees. */
export interface WorkloadContext<S> {
  /** The seed of this run. */
  readonly seed: number;
  /** The simulated root directory (absolute). */
  readonly root: string;
  /**
   * The workload's own random stream, for choices an operation makes (which key, how large a
   * value): `rng.next()` in [0, 1), `rng.int(n)` in [0, n), `rng.range(min, max)` (both
   * included), `rng.chance(p)`, `rng.pick(items)`, `rng.bytes(n)`, `rng.fork(name)` (an
   * independent stream). It depends only on the seed (the `workload` stream of the world), so
   * drawing from it never changes the faults or crash states of a seed, and a plan replays the
   * same draws. It runs on across incarnations; do not use `Math.random` for the workload's own
   * choices (it is pinned too, but shared with the library under test).
   */
  readonly rng: Rng;
  /** The workload's model of what should be on disk; hooks read and update it. */
  state: S;
  /** Crashes so far in this run. */
  readonly crashCount: number;
  /**
   * The last crash: set for the reopen after it (`open`) and the invariants that follow, and
   * kept through the operations of the incarnation it started; undefined before the first crash.
   */
  readonly crash: WorkloadCrash | undefined;
  /** A path under the simulated root. */
  path(name: string): string;
  /**
   * Reports a broken invariant and goes on: a check may report several, and update the model
   * after reporting (so the same loss is not reported again after the next crash). Only during a
   * check (the `open` after a crash and `invariants`).
   * @param invariant - its short name (`durable`, `whole`, ...)
   * @param message - what was expected and what was seen
   * @throws Error when called outside a check
   */
  violate(invariant: string, message: string): void;
}

/** One kind of operation the workload does (e.g. `db.write()`). */
export interface WorkloadOperation<S, L> {
  readonly name: string;
  /**
   * Does the operation once; `index` counts operations of the run from 0. Update `ctx.state`
   * only after the library acknowledged (the promise resolved).
   */
  run(ctx: WorkloadContext<S>, library: L, index: number): Promise<void> | void;
}

/** A library workload: `S` the model, `L` the opened library, `M` what `load` returns. */
export interface Workload<S, L, M = unknown> {
  /** A short name, used in reports and repro lines. */
  readonly name: string;
  /** One line: what the invariants promise. */
  readonly description?: string;
  /** Operations per seed. @defaultValue 12 */
  readonly operationsCount?: number;
  /**
   * Virtual milliseconds the process idles after each operation, as a real one would between
   * requests: the library's timers due meanwhile fire (a debounced or write-behind flush), and a
   * crash may land in their I/O (it is reported as during that operation). Without it, virtual
   * time moves only while an operation waits for a timer. @defaultValue 0
   */
  readonly idleMs?: number;
  /**
   * Changes to the fault profile of its campaigns (targets/plan.ts `targetFaults`: power loss,
   * kill -9, ext4-style fsync failures and ENOSPC, 512-byte sectors), e.g.
   * `{ rates: { 'power-loss': 0.05, 'read-error': 0.01 } }` or `{ sectorBytes: 4096 }`;
   * `{ dirOrder: 'per-name' }` for a disk that keeps a directory's operations per name (POSIX
   * before the directory is synced), `{ dataOrder: 'ordered' }` for one held to ext4's default
   * `data=ordered` (an unsynced append never reads back as zeros or garbage), `{ nameSync:
   * 'journal' }` for one that commits its metadata journal on every fsync (ext4, XFS: fsyncing a
   * new file makes its name durable, where POSIX asks for an fsync of its directory),
   * `{ sectorWrites: 'atomic' }` for a device that lands a sector whole or not at all (power-loss
   * protection; by default a sector a power loss cuts mid-write may read back as garbage).
   */
  readonly faults?: Partial<FaultProfile>;
  /** A fresh model, for each seed. */
  initialState(): S;
  /**
   * Loads the library's code, e.g. `() => freshRequire('write-file-atomic', import.meta.url)`;
   * what it returns is passed to `open`. Runs before every `open` (a restarted process loads
   * its modules again), or once per thread with {@link loadOnce}. Optional: without it, `open`
   * loads what it needs itself.
   */
  load?(): Promise<M> | M;
  /**
   * Load the library once per thread rather than in every incarnation (faster). Only for a
   * library whose module-level state a crash cannot leave wrong: no module-level queue, lock,
   * open handle or cache of file contents that a killed process would leave behind (
   * write-file-atomic keeps a queue per file that a crashed write leaves locked, so it reloads).
   * The load then runs in a world of its own (seed 0, the environment pinned), so whatever its
   * module-level code draws is the same in every thread; timers it sets there never fire.
   * @defaultValue false
   */
  readonly loadOnce?: boolean;
  /** Opens the library, at the start of each process incarnation (`loaded`: what `load` returned). */
  open(ctx: WorkloadContext<S>, loaded: M): Promise<L> | L;
  /** Runs once with faults off; whatever it leaves is then made durable. Optional: without it the library starts from an empty folder. */
  setup?(ctx: WorkloadContext<S>, library: L): Promise<void> | void;
  /** The operations, run in turn (operation k is `operations[k % length]`). */
  readonly operations: ReadonlyArray<WorkloadOperation<S, L>>;
  /**
   * Checked after every crash (`ctx.crash` says which), with faults off, on the library `open`
   * returned in the restarted process (a library that does not open is the violation `opens`,
   * found before this runs). Reports with `ctx.violate` (and goes on), or throws.
   * @throws InvariantViolation when an invariant does not hold (one violation, the check ends)
   */
  invariants(ctx: WorkloadContext<S>, library: L): Promise<void> | void;
}

/**
 * Identity helper that gives a workload its types (the model `S`, the library `L` and the loaded
 * code `M` are inferred from `initialState`, `open` and `load`), for a module's default export.
 * Give it no type arguments, or all three: given two, `M` stays `unknown`, and so does what
 * `open` is handed from `load`.
 * @param workload - the workload
 * @returns the same object
 */
export function defineWorkload<S, L, M = unknown>(workload: Workload<S, L, M>): Workload<S, L, M> {
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
