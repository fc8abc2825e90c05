/**
 * Short writes and EXDEV against the real fs, where the real fs can show them.
 *
 * Short writes: a real file whose size is limited (`prlimit --fsize=L`, RLIMIT_FSIZE) takes a
 * write that would cross L as `write(2)` takes one on a disk filling up: the bytes up to L land
 * and the call returns their count; a write at or past L fails (EFBIG; Node ignores SIGXFSZ).
 * A simulated disk of L bytes holding one file, counted in bytes (`blockBytes: 1`), follows the
 * same rule (failing with ENOSPC). So
 * the same operation sequences (test/facade/fixtures/limited-writes.mjs: `write`, `writev`,
 * `writeFile`, `appendFile` and write streams through the sync, callback and promise APIs, and
 * `ftruncate`) are played in a child process under the limit and here on the facade, and must
 * return the same counts and events and leave the same bytes after every operation, with EFBIG
 * read as ENOSPC. This shows that a short count, the position after it, and Node's own loops
 * (`writeFile`, streams) behave on the facade as on a real partial write.
 *
 * EXDEV: a real rename from one file system to another (/tmp to /dev/shm, when they differ)
 * fails with the same error shape as the facade's injected one, and neither changes a file.
 *
 * Does not compare: error messages (EFBIG's and ENOSPC's differ), and paths.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
// @ts-expect-error -- a plain ES module without types, shared with the child process
import { play } from './fixtures/limited-writes.mjs';

type Api3 = 'sync' | 'callback' | 'promise';
type Op =
  | { kind: 'write'; api: Api3; length: number; position: number | null }
  | { kind: 'writev'; api: 'sync' | 'promise'; lengths: number[]; position: number | null }
  | { kind: 'writeFile'; api: Api3; length: number; flag: 'w' | 'a' }
  | { kind: 'stream'; flags: 'w' | 'a' | 'r+'; chunks: number[]; start: number | undefined }
  | { kind: 'truncate'; length: number };

const lengthArb = fc.integer({ min: 0, max: 2500 });
const positionArb = fc.option(fc.integer({ min: 0, max: 3000 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('write' as const), api: fc.constantFrom<Api3>('sync', 'callback', 'promise'), length: lengthArb, position: positionArb }), weight: 3 },
  fc.record({ kind: fc.constant('writev' as const), api: fc.constantFrom('sync' as const, 'promise' as const), lengths: fc.array(lengthArb, { minLength: 1, maxLength: 3 }), position: positionArb }),
  { arbitrary: fc.record({ kind: fc.constant('writeFile' as const), api: fc.constantFrom<Api3>('sync', 'callback', 'promise'), length: lengthArb, flag: fc.constantFrom('w' as const, 'a' as const) }), weight: 2 },
  fc.record({ kind: fc.constant('stream' as const), flags: fc.constantFrom('w' as const, 'a' as const, 'r+' as const), chunks: fc.array(lengthArb, { minLength: 1, maxLength: 4 }), start: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('truncate' as const), length: fc.integer({ min: 0, max: 4000 }) }),
);
/** File size limits (bytes): the disk's capacity on the facade, RLIMIT_FSIZE on the real fs. */
const limits = [700, 1500, 2600, 4096] as const;
const casesPerLimit = 25;

const hasPrlimit = ((): boolean => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** What the real fs does: every case of one limit played in a child process under it. */
function playReal(limitBytes: number, cases: readonly Op[][]): unknown[] {
  const dir = fs.mkdtempSync(join(tmpdir(), 'powercut-limited-'));
  try {
    fs.writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    const out = execFileSync('prlimit', [`--fsize=${limitBytes}`, process.execPath, 'test/facade/fixtures/limited-writes.mjs', join(dir, 'cases.json'), join(dir, 'run')], { encoding: 'utf8' });
    return JSON.parse(out) as unknown[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** What the facade does: each case on a fresh simulated disk of `limitBytes`. */
async function playSimulated(limitBytes: number, cases: readonly Op[][]): Promise<unknown[]> {
  const root = '/powercut-facade-limited';
  const out: unknown[] = [];
  for (const ops of cases) {
    facade = installFacade(new SimWorld({ seed: 1, faults: noFaults({ capacityBytes: limitBytes, blockBytes: 1 }) }), root);
    out.push(await play(`${root}/case`, ops));
    facade.uninstall();
    facade = undefined;
  }
  return out;
}

describe('short writes: the facade on a full disk versus a real file at its size limit', () => {
  // Never skipped: without the real side there is nothing to compare, so say so and fail.
  beforeAll(() => {
    if (!hasPrlimit) throw new Error('this test needs prlimit (util-linux) to give a real file a size limit');
  });
  it.each(limits)('return the same counts and stream events, and leave the same bytes, with a limit of %i bytes', async (limitBytes) => {
    const cases = fc.sample(fc.array(opArb, { minLength: 1, maxLength: 8 }), { seed: limitBytes, numRuns: casesPerLimit });
    const real = playReal(limitBytes, cases);
    const simulated = await playSimulated(limitBytes, cases);
    const asEnospc = JSON.parse(JSON.stringify(real).replaceAll('EFBIG/', 'ENOSPC/')) as unknown[];
    for (const [i, ops] of cases.entries()) expect({ ops, results: simulated[i] }).toEqual({ ops, results: asEnospc[i] });
    // The cases reach what they are about: short counts, and failures once the limit is reached.
    expect(JSON.stringify(real)).toContain('EFBIG/write');
    const shortCounts = cases.flatMap((ops, i) => ops.filter((op, k) => {
      const result = (real[i] as [unknown, string][])[k]![0];
      return op.kind === 'write' && typeof result === 'number' && result > 0 && result < op.length;
    }));
    expect(shortCounts.length).toBeGreaterThan(0);
  });
});

const devShm = '/dev/shm';
const acrossFileSystems = ((): boolean => {
  try {
    return fs.statSync(devShm).dev !== fs.statSync(tmpdir()).dev;
  } catch {
    return false;
  }
})();

describe('EXDEV: an injected one versus a real rename across file systems', () => {
  beforeAll(() => {
    if (!acrossFileSystems) throw new Error('this test needs the temporary folder and /dev/shm on different file systems');
  });
  it('has the same code, errno, syscall and message shape, and changes neither file', () => {
    const from = fs.mkdtempSync(join(tmpdir(), 'powercut-exdev-'));
    const to = fs.mkdtempSync(join(devShm, 'powercut-exdev-'));
    const errorOf = (body: () => void): NodeJS.ErrnoException => {
      try {
        body();
      } catch (error) {
        return error as NodeJS.ErrnoException;
      }
      throw new Error('no error');
    };
    const shape = (error: NodeJS.ErrnoException, a: string, b: string) => ({
      code: error.code, errno: error.errno, syscall: error.syscall, path: error.path === a, dest: (error as { dest?: string }).dest === b,
      message: error.message.replace(` '${a}' -> '${b}'`, ' A -> B').replace(' (injected by powercut)', ''),
    });
    try {
      fs.writeFileSync(join(from, 'tmp'), 'new');
      fs.writeFileSync(join(to, 'target'), 'old');
      const real = errorOf(() => fs.renameSync(join(from, 'tmp'), join(to, 'target')));
      const realAfter = [fs.readFileSync(join(from, 'tmp'), 'utf8'), fs.readFileSync(join(to, 'target'), 'utf8')];
      const root = '/powercut-facade-exdev';
      facade = installFacade(new SimWorld({ seed: 1, faults: noFaults({ rates: { exdev: 1 } }) }), root);
      // From one folder to another, as only such a rename can cross file systems.
      fs.mkdirSync(`${root}/in`);
      fs.writeFileSync(`${root}/in/tmp`, 'new');
      fs.writeFileSync(`${root}/target`, 'old');
      const injected = errorOf(() => fs.renameSync(`${root}/in/tmp`, `${root}/target`));
      const simulatedAfter = [fs.readFileSync(`${root}/in/tmp`, 'utf8'), fs.readFileSync(`${root}/target`, 'utf8')];
      expect(shape(injected, `${root}/in/tmp`, `${root}/target`)).toEqual(shape(real, join(from, 'tmp'), join(to, 'target')));
      expect(simulatedAfter).toEqual(realAfter);
      expect(realAfter).toEqual(['new', 'old']);
    } finally {
      facade?.uninstall();
      facade = undefined;
      fs.rmSync(from, { recursive: true, force: true });
      fs.rmSync(to, { recursive: true, force: true });
    }
  });
});
