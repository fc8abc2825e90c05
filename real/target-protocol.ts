/**
 * The messages between `powercut real --target` (target-campaign.ts) and its child
 * (target-child.ts), which runs a library workload on the real disk until it is killed. The
 * parent sends one {@link TargetStart}; the child answers with {@link TargetChildMessage}s as it
 * goes. Values cross by structured clone, so a workload's model may hold `Map`s, `Set`s and
 * typed arrays.
 */
import type { WorkloadCrash } from '../targets/index.ts';

/** What one incarnation of the library does. */
export interface TargetStart {
  readonly type: 'start';
  /** The workload module, resolved against the working directory. */
  readonly module: string;
  /** The real data folder: the workload's `ctx.root`. */
  readonly root: string;
  readonly seed: number;
  /** Which incarnation this is (0: the first, which runs `setup`). */
  readonly incarnation: number;
  /** The workload's model, as the last message before the kill left it. */
  readonly state: unknown;
  /** The kill that ended the last incarnation, for `ctx.crash`. */
  readonly crash: WorkloadCrash | undefined;
  /** Check the invariants after opening (every incarnation after a kill). */
  readonly check: boolean;
  /** The first operation to run, and how many. */
  readonly from: number;
  readonly count: number;
  /**
   * Kill yourself right before the `calls`-th file-system call after the library starts to open
   * (`open`) or after operation `after` starts (kill-at-call.ts); absent: the parent kills.
   */
  readonly killAt?: { readonly after: 'open' | number; readonly calls: number };
  /** The file the child logs its model to before a file-system call that follows a change to it (model-log.ts). */
  readonly modelLog: string;
}

/** A broken invariant, as the child found it. */
export interface TargetChildViolation {
  readonly invariant: string;
  readonly message: string;
}

/** What the child tells the parent, in order. */
export type TargetChildMessage =
  /** The workload module is loaded; the library is about to open. */
  | { readonly type: 'opening'; readonly workload: string }
  /**
   * Opened, and set up (first incarnation) or checked: what the check found, and the model after
   * it. `seq` orders it with the models the child logs inside operations (model-log.ts): a kill
   * at a call leaves the newer, as a crash in the simulator leaves the model as it was then.
   */
  | { readonly type: 'ready'; readonly violations: readonly TargetChildViolation[]; readonly state: unknown; readonly seq: number }
  | { readonly type: 'op-start'; readonly index: number; readonly name: string }
  /**
   * An operation ended: acknowledged (`error` absent) or failed; the model after it, and its `seq`
   * as in `ready`. `coding`: it failed with a coding error (targets/coding-error.ts), which no
   * disk failure explains.
   */
  | { readonly type: 'op-end'; readonly index: number; readonly error?: string; readonly coding?: true; readonly state: unknown; readonly seq: number }
  /** Every operation ran; the child waits to be killed. */
  | { readonly type: 'done' }
  /** The child cannot go on (the module does not load, the model does not cross): a harness failure. */
  | { readonly type: 'fatal'; readonly message: string }
  /** The workload read this environment variable (harness/env-reads.ts): the parent's repro line sets it. */
  | { readonly type: 'env'; readonly name: string }
  /** The workload's modules loaded a native addon (this file): its file I/O is not Node's `fs` (targets/native-addons.ts). */
  | { readonly type: 'addon'; readonly file: string };
