/**
 * Writes of the fs facade that landed short (`write(2)` returned less than it was given) and
 * whose rest nothing has written since: what a caller that ignores the count leaves behind, a
 * file with a torn end it may publish or read back. Facts for a violation's message (a torn file
 * is otherwise easily blamed on the power loss that showed it: a new npm user's atomically
 * seeds were told to fsync a directory).
 *
 * A short write counts only once the caller went on with its file without finishing it (an
 * fsync, a close, a write elsewhere, a rename): one the process died right after, before it
 * could write the rest, says nothing of the caller (Node's `writeFile` loop, cut by the crash),
 * nor does what a later process writes there; a violation then names it as cut by the crash (a
 * log4js user's torn last line, never acknowledged, went unexplained).
 * A write over where it stopped finishes it only if it writes the rest (its first bytes there
 * are the rest's): an appender that ignores the count writes its next record there instead (a
 * new user's rotating-file-stream and tingodb tears went unexplained).
 */
import type { FileState } from './file-state.ts';

/** A short write nothing has finished. */
export interface UnfinishedWrite {
  /** The path it was written through. */
  readonly path: string;
  /** Its global I/O index. */
  readonly io: number;
  /** Bytes it landed, of `length` asked. */
  readonly written: number;
  readonly length: number;
}

/** How many of the bytes a short write left unwritten are kept to tell a write of its rest from another. */
const restBytesCompared = 32;

/** Whether `data`, written at `position`, writes `rest` (the first bytes a short write left unwritten) at `gapAt`, as far as both go. */
function writesRest(data: Uint8Array, position: number, gapAt: number, rest: Uint8Array): boolean {
  const offset = gapAt - position;
  const compared = Math.min(rest.length, data.length - offset);
  for (let i = 0; i < compared; i++) if (data[offset + i] !== rest[i]) return false;
  return true;
}

interface OpenShortWrite {
  readonly write: UnfinishedWrite;
  readonly gapAt: number;
  /** The first {@link restBytesCompared} bytes it left unwritten. */
  readonly rest: Uint8Array;
  movedOn: boolean;
  /** A write of the rest was attempted: the caller looked at the count and wrote on. */
  restAttempted?: boolean;
  /** The process died before it finished the write or went on from it: no later process's write says anything of that caller. */
  cut?: boolean;
}

/** The facade's unfinished short writes, one per file (its latest). */
export class ShortWrites {
  readonly #byFile = new Map<FileState, OpenShortWrite>();

  /**
   * A facade write of `length` bytes at `position` in `file` is attempted, whatever it lands: one
   * that starts at or before where a short write stopped and reaches past it shows a caller that
   * looked at the count and wrote on (Node's `writeFile` loop), even if the disk then refuses it
   * with `ENOSPC`, which that caller is told of: never the caller's torn file ({@link first});
   * a crash that strikes that write cut it ({@link cut}).
   */
  attempted(file: FileState, position: number, data: Uint8Array): void {
    const open = this.#byFile.get(file);
    if (open !== undefined && position <= open.gapAt && open.gapAt < position + data.length && writesRest(data, position, open.gapAt, open.rest)) open.restAttempted = true;
  }

  /** A facade write of `data` at `position` landed `written` bytes of it in `file`. */
  landed(file: FileState, path: string, io: number, position: number, written: number, data: Uint8Array): void {
    const open = this.#byFile.get(file);
    // A write of the rest where the short one stopped finishes it (a caller that loops on the count).
    if (open !== undefined && position <= open.gapAt && open.gapAt < position + written && writesRest(data.subarray(0, written), position, open.gapAt, open.rest)) this.#byFile.delete(file);
    else if (open !== undefined) this.#wentOn(file, open);
    if (written < data.length) {
      const rest = data.slice(written, written + restBytesCompared);
      this.#byFile.set(file, { write: { path, io, written, length: data.length }, gapAt: position + written, rest, movedOn: false });
    }
  }

  /** The caller did something else with `file` (fsync, close, rename): its short write, if any, is left as it is. */
  movedOn(file: FileState): void {
    const open = this.#byFile.get(file);
    if (open !== undefined) this.#wentOn(file, open);
  }

  /**
   * The caller went on with `file` from `open`: after an attempt to write its rest, which the
   * disk refused (`ENOSPC`, `EIO`: it landed nothing, or `landed` would have finished it), the
   * caller was told and went on, and the torn end is a failed call's, which it reported: nothing
   * to say of it, crash or not (a new lowdb user's full disk was told it was a crash's cut).
   * Otherwise the short write is the caller's from now on, unless a crash cut it already.
   */
  #wentOn(file: FileState, open: OpenShortWrite): void {
    if (open.restAttempted === true) this.#byFile.delete(file);
    else if (open.cut !== true) open.movedOn = true;
  }

  /**
   * The process crashed: a short write it had not gone on from, or whose rest it was writing (the
   * crash struck that write: the caller never went on from it), was cut by the crash, not left by
   * its caller; one it had gone on from is the caller's still.
   */
  crashed(): void {
    for (const open of this.#byFile.values()) if (!open.movedOn || open.restAttempted === true) open.cut = true;
  }

  /** `file` was truncated to `size`: a short write that stopped at or past it is moot. */
  truncated(file: FileState, size: number): void {
    const open = this.#byFile.get(file);
    if (open !== undefined && size <= open.gapAt) this.#byFile.delete(file);
  }

  /** The earliest short write its caller went on from unfinished, to a file that still has a name, if any. */
  get first(): UnfinishedWrite | undefined {
    return this.#earliest((open) => open.movedOn && open.restAttempted !== true && open.cut !== true);
  }

  /** The earliest short write a crash cut before its caller could write the rest, to a file that still has a name, if any. */
  get cut(): UnfinishedWrite | undefined {
    return this.#earliest((open) => open.cut === true);
  }

  #earliest(which: (open: OpenShortWrite) => boolean): UnfinishedWrite | undefined {
    let first: UnfinishedWrite | undefined;
    for (const [file, open] of this.#byFile) {
      if (which(open) && file.cacheLinks > 0 && (first === undefined || open.write.io < first.io)) first = open.write;
    }
    return first;
  }
}
