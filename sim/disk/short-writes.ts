/**
 * Writes of the fs facade that landed short (`write(2)` returned less than it was given) and
 * whose rest nothing has written since: what a caller that ignores the count leaves behind, a
 * file with a torn end it may publish or read back. Facts for a violation's message (a torn file
 * is otherwise easily blamed on the power loss that showed it: a new npm user's atomically
 * seeds were told to fsync a directory).
 *
 * A short write counts only once the caller went on with its file without finishing it (an
 * fsync, a close, a write elsewhere, a rename): one the process died right after, before it
 * could write the rest, says nothing of the caller (Node's `writeFile` loop, cut by the crash).
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

/** The facade's unfinished short writes, one per file (its latest). */
export class ShortWrites {
  readonly #byFile = new Map<FileState, { readonly write: UnfinishedWrite; readonly gapAt: number; movedOn: boolean }>();

  /**
   * A facade write of `length` bytes at `position` in `file` is attempted, whatever it lands: one
   * that starts at or before where a short write stopped and reaches past it shows a caller that
   * looked at the count and wrote on (Node's `writeFile` loop), even if the disk then refuses it
   * with `ENOSPC`, which that caller is told of.
   */
  attempted(file: FileState, position: number, length: number): void {
    const open = this.#byFile.get(file);
    if (open !== undefined && position <= open.gapAt && open.gapAt < position + length) this.#byFile.delete(file);
  }

  /** A facade write of `length` bytes at `position` landed `written` of them in `file`. */
  landed(file: FileState, path: string, io: number, position: number, written: number, length: number): void {
    const open = this.#byFile.get(file);
    // A write that covers where the short one stopped finishes it (a caller that loops on the count).
    if (open !== undefined && position <= open.gapAt && open.gapAt < position + written) this.#byFile.delete(file);
    else if (open !== undefined) open.movedOn = true;
    if (written < length) this.#byFile.set(file, { write: { path, io, written, length }, gapAt: position + written, movedOn: false });
  }

  /** The caller did something else with `file` (fsync, close, rename): its short write, if any, is left as it is. */
  movedOn(file: FileState): void {
    const open = this.#byFile.get(file);
    if (open !== undefined) open.movedOn = true;
  }

  /** `file` was truncated to `size`: a short write that stopped at or past it is moot. */
  truncated(file: FileState, size: number): void {
    const open = this.#byFile.get(file);
    if (open !== undefined && size <= open.gapAt) this.#byFile.delete(file);
  }

  /** The earliest short write its caller went on from unfinished, to a file that still has a name, if any. */
  get first(): UnfinishedWrite | undefined {
    let first: UnfinishedWrite | undefined;
    for (const [file, { write, movedOn }] of this.#byFile) {
      if (movedOn && file.cacheLinks > 0 && (first === undefined || write.io < first.io)) first = write;
    }
    return first;
  }
}
