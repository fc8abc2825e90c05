/**
 * The life of one simulated I/O operation, the same for every port call: count it, ask the
 * fault injector, run it (or crash there), trace the outcome, deliver the result.
 *
 * Each operation is described once, as an {@link Operation} (sim/disk/file-ops.ts for handles,
 * sim/disk/namespace-ops.ts for the namespace), and run by one of two drivers over
 * {@link runOperation}: {@link perform} here for the asynchronous port, and sim/disk/sync-port.ts
 * `performSync` for Node's `fs.*Sync` calls. The drivers differ only in how they hand the
 * outcome back, so both ports leave the same disk, faults and trace.
 */
import { isIoError } from '../../engine/ports/fs.ts';
import { none } from '../trace.ts';
import type { FaultKind, IoClass } from '../types.ts';
import { crashBits } from './faults.ts';
import { crashSignal, neverSettles, type IoKernel } from './kernel.ts';

/** What the body of an operation sees. */
export interface OpContext {
  readonly io: number;
  /** The fault to inject here (crashes are handled before the body unless `ownsCrash`). */
  readonly fault: FaultKind | undefined;
}

/** The identity of an operation, for the trace. */
export interface OpLabel {
  readonly name: string;
  readonly path: string;
  readonly offset: number;
  readonly length: number;
  /**
   * What the caller asked for beyond name and path, shown in the trace before the outcome
   * (`flags=w` on a facade open); absent for the engine's own calls.
   */
  readonly note?: string;
}

/**
 * One I/O operation, ready to run. Its factory computes `label` and `mask` when the call is
 * made, before the operation is counted, exactly as a port call would.
 */
export interface Operation<T> {
  readonly label: OpLabel;
  /** What the operation is, for aiming faults and counting them when the code reports no phase. */
  readonly ioClass: IoClass;
  /** Fault kinds eligible here (see faults.ts `faultBit`). */
  readonly mask: number;
  /**
   * The body handles kill-9 and power-loss itself (writes apply part of their data first);
   * otherwise the operation crashes before doing anything.
   */
  readonly ownsCrash: boolean;
  /** The operation itself; throws `IoError` for an expected failure. */
  readonly body: (context: OpContext) => T;
  /**
   * A write the kernel may let take effect late (kernel.ts, late writes): when no fault fires
   * at it, its body then runs after I/O issued after it. Only the asynchronous port does so.
   */
  readonly mayBeLate?: boolean;
  /**
   * The outcome traced for a value the body returned, when `ok` does not say it all (a short
   * write of the fs facade traces `short=N`); absent: `ok`.
   */
  readonly outcome?: (value: T) => string;
}

/**
 * An operation that only a crash can interrupt (no other fault kind is eligible), traced
 * without offset or length.
 * @param name - the operation's name in the trace
 * @param path - the path it concerns
 * @param ioClass - what kind of I/O it is
 * @param body - the operation itself
 */
export function plainOp<T>(name: string, path: string, ioClass: IoClass, body: (context: OpContext) => T): Operation<T> {
  return { label: { name, path, offset: none, length: none }, ioClass, mask: crashBits, ownsCrash: false, body };
}

/** How a driver hands back each way an operation can end. */
export interface OperationEnds<R> {
  /** The process is dead: it already was at the call, or a crash fired inside the operation. */
  dead(label: OpLabel): R;
  /** The body returned `value` (already traced as `ok`). */
  succeeded(kernel: IoKernel, value: unknown): R;
  /** The body threw `error` (already traced with its code). */
  failed(kernel: IoKernel, error: unknown): R;
  /**
   * Runs `op`'s body late (already traced as `late`); a driver without it never defers a write.
   * @param incarnation - the incarnation that issued it
   */
  late?<T>(kernel: IoKernel, incarnation: number, op: Operation<T>, context: OpContext): R;
}

/**
 * Runs one I/O operation and ends it through `ends`.
 * @param incarnation - the incarnation of the calling file system (dead ones do no I/O)
 * @returns what `ends` makes of the outcome
 */
export function runOperation<T, R>(kernel: IoKernel, incarnation: number, op: Operation<T>, ends: OperationEnds<R>): R {
  const label = op.label;
  const io = kernel.begin(incarnation);
  if (io < 0) return ends.dead(label);
  kernel.ioClass = op.ioClass;
  if (kernel.faults.wantsOperations) kernel.faults.operationBegins(io, `${label.name} ${label.path}`);
  const fault = kernel.faults.decide(io, op.mask, kernel.phase, op.ioClass);
  const late = op.mayBeLate === true && ends.late !== undefined && kernel.writeLate(io);
  if (late && fault === undefined) {
    kernel.lateWrites.push(io);
    kernel.traceIo(label.name, label.path, label.offset, label.length, 'late', label.note);
    return ends.late!(kernel, incarnation, op, { io, fault });
  }
  try {
    if (!op.ownsCrash && (fault === 'kill-9' || fault === 'power-loss')) crashAt(kernel, label, io, fault, undefined);
    if (kernel.onSync !== undefined && (op.ioClass === 'fsync' || op.ioClass === 'dir-sync')) kernel.onSync(io);
    const value = op.body({ io, fault });
    if (fault === 'disk-full') giveSpaceBack(kernel);
    kernel.traceIo(label.name, label.path, label.offset, label.length, op.outcome?.(value) ?? 'ok', label.note);
    return ends.succeeded(kernel, value);
  } catch (error) {
    if (fault === 'disk-full') giveSpaceBack(kernel);
    if (error === crashSignal) return ends.dead(label);
    kernel.traceIo(label.name, label.path, label.offset, label.length, isIoError(error) ? error.code : 'throw', label.note);
    return ends.failed(kernel, error);
  }
}

/** After a full disk whose space comes back (ScheduledFault.spaceReturns): the capacity the profile gives the disk again. */
function giveSpaceBack(kernel: IoKernel): void {
  if (!kernel.faults.spaceReturnsAfterIo) return;
  kernel.faults.spaceReturnsAfterIo = false;
  kernel.disk.capacityBytes = kernel.faults.enabled ? (kernel.faults.profile.capacityBytes ?? Infinity) : Infinity;
}

/** The asynchronous ends: a dead process's call never settles; others settle via `deliver`. */
const promiseEnds: OperationEnds<Promise<unknown>> = {
  dead: () => neverSettles(),
  succeeded: (kernel, value) => kernel.deliver(true, value),
  failed: (kernel, error) => kernel.deliver(false, error),
  late: (kernel, incarnation, op, context) => new Promise((resolve, reject) => {
    kernel.later(() => {
      // A crash drops the timer; a restart without one (a clean reopen) ends the process too.
      if (incarnation !== kernel.incarnation) return;
      const { name, path, offset, length } = op.label;
      // Traced as a note: the n-th `io` event stays I/O operation n (shrinking anchors on it).
      try {
        const value = op.body(context);
        kernel.trace.record('note', name, kernel.clock.now(), kernel.phase, path, offset, length, op.outcome?.(value) ?? 'ok', 'late');
        resolve(value);
      } catch (error) {
        kernel.trace.record('note', name, kernel.clock.now(), kernel.phase, path, offset, length, isIoError(error) ? error.code : 'throw', 'late');
        reject(error);
      }
    });
  }),
};

/**
 * Runs one I/O operation for the asynchronous port.
 * @param incarnation - the incarnation of the calling file system (dead ones never settle)
 * @returns the operation's result, delivered now or after a seeded latency
 */
export function perform<T>(kernel: IoKernel, incarnation: number, op: Operation<T>): Promise<T> {
  return runOperation(kernel, incarnation, op, promiseEnds) as Promise<T>;
}

/** Fires a crash at operation `io` and abandons it: throws the internal crash signal. */
export function crashAt(kernel: IoKernel, label: OpLabel, io: number, kind: 'kill-9' | 'power-loss', arg: number | undefined): never {
  kernel.fire(kind, io, arg, label.path);
  kernel.traceIo(label.name, label.path, label.offset, label.length, 'crash', label.note);
  kernel.crashedSyncingDir = label.name === 'syncDir' ? label.path : undefined;
  kernel.crash(kind, label.path);
  throw crashSignal;
}
