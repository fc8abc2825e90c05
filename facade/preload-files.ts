/**
 * The two files the preload keeps on the real disk: the disk image (format in
 * sim/disk/image.ts) and the status a child process leaves for its parent. Both are written
 * whole to a temporary name and renamed over the old one, so a reader never sees half a file.
 *
 * The real `fs` functions are captured when this module loads, which is before the preload
 * installs the facade: a program under test may wrap or replace `fs` later, and the preload's
 * own files must not depend on what it does.
 */
import fs from 'node:fs';
import { DiskImageError, type DiskImage } from '../sim/index.ts';
import type { ScheduledFault } from '../sim/index.ts';

const real = {
  readFileSync: fs.readFileSync,
  writeFileSync: fs.writeFileSync,
  renameSync: fs.renameSync,
};

/** The status file's format name. */
export const preloadStatusFormat = 'powercut-preload-status';

/** What a child process under the preload reports when it ends. */
export interface PreloadStatus {
  readonly format: typeof preloadStatusFormat;
  readonly version: 1;
  /** `normal-exit`: the process ended on its own (any exit code); otherwise the simulated crash that ended it. */
  readonly outcome: 'normal-exit' | 'kill-9' | 'power-loss';
  /** The exit code of a normal exit; null after a crash (the process was killed). */
  readonly exitCode: number | null;
  readonly seed: number;
  /** This process's incarnation number. */
  readonly incarnation: number;
  /** The global I/O index of this process's first operation. */
  readonly ioFirst: number;
  /** The global I/O index after its last operation. */
  readonly ioCount: number;
  /** Faults fired in this process; as `scheduled` (from the same starting image) they replay it. */
  readonly faultsFired: readonly ScheduledFault[];
  /** The crash state applied after a power loss; null otherwise. */
  readonly crashState: number | null;
  /** Digest of this process's trace (I/O, faults, crash, restart). */
  readonly traceDigest: string;
}

/**
 * Reads a disk image file.
 * @param path - the real path
 * @returns the parsed image (checked later, by the world), or undefined when there is no file
 * @throws {@link DiskImageError} when the file cannot be read or is not JSON
 */
export function readImageFile(path: string): unknown {
  let text: string;
  try {
    text = real.readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new DiskImageError(`cannot read the disk image (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DiskImageError(`the disk image is not valid JSON (${(error as Error).message})`);
  }
}

/** Writes a disk image file, atomically (temporary file, then rename). */
export function writeImageFile(path: string, image: DiskImage): void {
  writeWhole(path, JSON.stringify(image));
}

/** Writes a status file, atomically. */
export function writeStatusFile(path: string, status: PreloadStatus): void {
  writeWhole(path, `${JSON.stringify(status, null, 2)}\n`);
}

/**
 * Reads a status file.
 * @returns the status, or undefined when the child left none (it never started the preload,
 * or a real signal killed it)
 */
export function readStatusFile(path: string): PreloadStatus | undefined {
  let text: string;
  try {
    text = real.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const status = JSON.parse(text) as PreloadStatus;
  return status.format === preloadStatusFormat ? status : undefined;
}

function writeWhole(path: string, text: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  real.writeFileSync(temporary, text);
  real.renameSync(temporary, path);
}
