/**
 * The life of one simulated I/O operation, the same for every port call: count it, ask the
 * fault injector, run it (or crash there), trace the outcome, deliver the result.
 */
import { IoError } from '../../engine/ports/fs.ts';
import type { FaultKind } from '../types.ts';
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
}

/**
 * Runs one I/O operation.
 * @param incarnation - the incarnation of the calling file system (dead ones never settle)
 * @param mask - fault kinds eligible here (see faults.ts `faultBit`)
 * @param ownsCrash - the body handles kill-9 and power-loss itself (writes apply part of their
 * data first); otherwise the operation crashes before doing anything
 */
export function perform<T>(
  kernel: IoKernel,
  incarnation: number,
  label: OpLabel,
  mask: number,
  ownsCrash: boolean,
  body: (context: OpContext) => T,
): Promise<T> {
  const io = kernel.begin(incarnation);
  if (io < 0) return neverSettles();
  const fault = kernel.faults.decide(io, mask, kernel.phase);
  try {
    if (!ownsCrash && (fault === 'kill-9' || fault === 'power-loss')) crashAt(kernel, label, io, fault, undefined);
    const value = body({ io, fault });
    kernel.traceIo(label.name, label.path, label.offset, label.length, 'ok');
    return kernel.deliver(true, value);
  } catch (error) {
    if (error === crashSignal) return neverSettles();
    kernel.traceIo(label.name, label.path, label.offset, label.length, error instanceof IoError ? error.code : 'throw');
    return kernel.deliver(false, error);
  }
}

/** Fires a crash at operation `io` and abandons it: throws the internal crash signal. */
export function crashAt(kernel: IoKernel, label: OpLabel, io: number, kind: 'kill-9' | 'power-loss', arg: number | undefined): never {
  kernel.fire(kind, io, arg, label.path);
  kernel.traceIo(label.name, label.path, label.offset, label.length, 'crash');
  kernel.crash(kind, label.path);
  throw crashSignal;
}
