/**
 * `mkdtemp` on the simulated disk: creates the directory `prefix` + six characters and returns
 * its path, as Node (libuv, `mkdtemp(3)`) does.
 *
 * Determinism: the six characters come from the world's seeded stream `facade-mkdtemp`, never
 * from `Math.random`, so the same seed creates the same names in every run, and drawing them
 * changes no other stream (workload, faults, latency). One stream serves a whole installation,
 * so successive calls get successive names.
 *
 * A name that is taken is drawn again, as `mkdtemp(3)` retries on `EEXIST`; looking a name up
 * costs no I/O operation, so only the `mkdir` that succeeds or fails for another reason is one.
 */
import { Buffer } from 'node:buffer';
import type { Rng } from '../sim/index.ts';
import { encodingOf, type FacadeCore } from './core.ts';
import { nodeError, type NodeFsError } from './errors.ts';

/** The characters `mkdtemp(3)` draws from. */
const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** How many characters follow the prefix. */
export const mkdtempSuffixLength = 6;
/**
 * How many names to try before giving up with `EEXIST`. glibc tries 62³; far fewer suffice
 * here, since a collision needs the same seeded draw, and the bound keeps a bug from looping.
 */
export const mkdtempAttemptsMax = 100;

/** The seeded source of `mkdtemp` suffixes. */
export class TempNameSource {
  /** @param rng - the stream to draw from (the world's `facade-mkdtemp`) */
  constructor(private readonly rng: Rng) {}

  /** The next six-character suffix. */
  next(): string {
    let suffix = '';
    for (let i = 0; i < mkdtempSuffixLength; i++) suffix += suffixAlphabet[this.rng.int(suffixAlphabet.length)];
    return suffix;
  }
}

/**
 * Creates a uniquely named directory.
 * @param prefix - the absolute prefix (a directory path ending in `/`, or a path plus the start
 * of a name), under the simulated root
 * @param options - `encoding` (`'buffer'` returns a Buffer), as a string or `{ encoding }`
 * @returns the new directory's path
 * @throws NodeFsError ENOENT, ENOTDIR (syscall `mkdtemp`, path `prefix` + `XXXXXX`, as Node
 * reports it), EEXIST after {@link mkdtempAttemptsMax} taken names
 */
export function mkdtempSync(core: FacadeCore, names: TempNameSource, prefix: string, options?: unknown): string | Buffer {
  const template = `${prefix}${'X'.repeat(mkdtempSuffixLength)}`;
  for (let attempt = 0; attempt < mkdtempAttemptsMax; attempt++) {
    const path = `${prefix}${names.next()}`;
    try {
      core.mkdirSync(path);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EEXIST') continue;
      if (typeof code === 'string' && 'syscall' in (error as object)) {
        throw nodeError(code, 'mkdtemp', template, undefined, (error as NodeFsError).injected === true);
      }
      throw error;
    }
    return (encodingOf(options) as string | undefined) === 'buffer' ? Buffer.from(path) : path;
  }
  throw nodeError('EEXIST', 'mkdtemp', template);
}
