/**
 * Symbolic links in the facade agree with the real fs: the same operation sequences, through the
 * sync, callback and promise APIs, on a real temporary directory and on the simulated disk, give
 * the same results and the same error codes and syscalls. Links point at files, directories,
 * other links, nothing (dangling) and themselves (a loop); targets are relative or absolute (the
 * absolute ones written under each side's own root), and paths pass through links to directories.
 *
 * `cp` is compared on one tree below (Node's own checks before a copy differ between versions).
 *
 * Does not compare: timestamps, inode numbers, modes, the paths errors name (Node names a path
 * with a slash as written, the facade without it, links or not), or a link's size (`lstat` of a
 * link to an absolute target holds each side's own root).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { UnsupportedFsCallError } from '../../facade/errors.ts';
import { SimWorld } from '../../sim/world.ts';
import { call, expectSameOnRealAndSimulated, type Api } from './fs-call.ts';

type Op =
  | { kind: 'symlink'; target: string; absolute: boolean; name: string }
  | { kind: 'readlink' | 'lstat' | 'stat' | 'readFile' | 'unlink' | 'exists' | 'realpath' | 'mkdir' | 'rm' | 'rmdir' | 'readdir' | 'openExclusive' | 'access'; name: string }
  | { kind: 'writeFile' | 'appendFile'; name: string; data: string }
  | { kind: 'mkdirRecursive'; name: string }
  | { kind: 'readdirRecursive'; name: string; withFileTypes: boolean }
  | { kind: 'realpathNative'; name: string }
  | { kind: 'rename' | 'link' | 'copyFile'; name: string; to: string };

// d is a directory with a file; l* are the names links are made at (one inside d).
const places = ['a', 'd', 'd/c', 'la', 'ld', 'll', 'd/lc', 'missing'];
// Through a link to a directory, and through a name that may be a link to a file.
const names = [...places, 'ld/c', 'ld/lc', 'la/x', 'll/c', 'ld/'];
// No `..`: a link renamed (or one to `.`) would lead a `..` out of the real side's directory.
// The walk of `..` after a link is checked on fixed sequences below.
const targets = ['a', 'd', 'd/c', 'c', 'la', 'ld', 'll', 'missing', 'ld/c', '.'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('symlink' as const), target: fc.constantFrom(...targets), absolute: fc.boolean(), name: fc.constantFrom(...places) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('readlink' as const, 'lstat' as const, 'stat' as const, 'readFile' as const, 'unlink' as const, 'exists' as const,
        'realpath' as const, 'mkdir' as const, 'rm' as const, 'rmdir' as const, 'readdir' as const, 'openExclusive' as const, 'access' as const),
      name: fc.constantFrom(...names),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('writeFile' as const, 'appendFile' as const), name: fc.constantFrom(...names), data: fc.string({ maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mkdirRecursive' as const), name: fc.constantFrom('ld/n/m', 'll/n', 'la/n', 'd/lc/n', 'missing/n', 'ld', 'la', 'll', 'd/lc') }) },
  // With types only: without them Node walks into links to directories, and two links to `.`
  // make a tree of 2^40 names on either side (one loop is played below).
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readdirRecursive' as const), name: fc.constantFrom('.', 'ld', 'd'), withFileTypes: fc.constant(true) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('realpathNative' as const), name: fc.constantFrom(...names) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('rename' as const, 'link' as const, 'copyFile' as const), name: fc.constantFrom(...names), to: fc.constantFrom(...places) }) },
);

async function apply(base: string, api: Api, op: Op): Promise<unknown> {
  const at = (name: string): string => join(base, name);
  switch (op.kind) {
    case 'symlink':
      // The target's place is where the link is: `../a` from `d/lc` is `a`.
      return call(api, 'symlink', op.absolute ? join(base, op.name, '..', op.target) : op.target, at(op.name));
    case 'readlink': {
      const held = await call(api, 'readlink', at(op.name)) as string;
      return held.startsWith(base) ? `<root>${held.slice(base.length)}` : held;
    }
    case 'lstat':
    case 'stat': {
      const stats = await call(api, op.kind, at(op.name)) as fs.Stats;
      return { file: stats.isFile(), dir: stats.isDirectory(), link: stats.isSymbolicLink(), size: stats.isFile() ? stats.size : -1 };
    }
    case 'readFile':
      return call(api, 'readFile', at(op.name), 'utf8');
    case 'realpath':
      return (await call(api, 'realpath', at(op.name)) as string).slice(base.length);
    case 'readdir': {
      const entries = await call(api, 'readdir', at(op.name), { withFileTypes: true }) as fs.Dirent[];
      return entries.map((entry) => `${entry.name}:${entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : 'file'}`);
    }
    case 'openExclusive': {
      if (api === 'promise') return (await fs.promises.open(at(op.name), 'wx')).close();
      return call(api, 'close', await call(api, 'open', at(op.name), 'wx'));
    }
    case 'writeFile':
    case 'appendFile':
      return call(api, op.kind, at(op.name), op.data);
    case 'readdirRecursive': {
      const listed = await call(api, 'readdir', at(op.name), { recursive: true, withFileTypes: op.withFileTypes }) as Array<string | fs.Dirent>;
      return listed.map((entry) => (typeof entry === 'string' ? entry : `${entry.name}:${entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : 'file'}`));
    }
    case 'realpathNative': {
      const native = api === 'sync' ? fs.realpathSync.native(at(op.name)) : await new Promise<string>((resolve, reject) => fs.realpath.native(at(op.name), (error, found) => (error ? reject(error) : resolve(found))));
      return native.slice(base.length);
    }
    case 'mkdirRecursive': {
      const first = await call(api, 'mkdir', at(op.name), { recursive: true }) as string | undefined;
      return first?.slice(base.length) ?? null;
    }
    case 'rename':
    case 'link':
    case 'copyFile':
      return call(api, op.kind, at(op.name), at(op.to));
    default:
      return call(api, op.kind, at(op.name));
  }
}

async function playAll(base: string, ops: ReadonlyArray<readonly [Api, Op]>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [api, op] of ops) {
    try {
      out.push(await apply(base, api, op));
    } catch (error) {
      const e = error as { code?: string; syscall?: string };
      out.push(`${e.code}/${e.syscall}`);
    }
  }
  return out;
}

let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

const simRoot = '/powercut-facade-symlinks';

/** A file `a`, a directory `d` holding `d/c`, and links to each, one of them through another. */
const populate: ReadonlyArray<readonly [Api, Op]> = [
  ['sync', { kind: 'writeFile', name: 'a', data: 'a holds this' }],
  ['sync', { kind: 'mkdir', name: 'd' }],
  ['sync', { kind: 'writeFile', name: 'd/c', data: 'c holds this' }],
  ['sync', { kind: 'symlink', target: 'a', absolute: false, name: 'la' }],
  ['sync', { kind: 'symlink', target: 'd', absolute: true, name: 'ld' }],
  ['sync', { kind: 'symlink', target: 'ld', absolute: false, name: 'll' }],
];

const opsArb = fc.array(fc.tuple(fc.constantFrom<Api>('sync', 'callback', 'promise'), opArb), { maxLength: 20, size: 'max' });

/** Plays `ops` on a fresh real temporary directory and a fresh simulated root, and compares. */
async function expectAgreement(ops: ReadonlyArray<readonly [Api, Op]>): Promise<void> {
  await expectSameOnRealAndSimulated((base) => playAll(base, ops), simRoot, 'powercut-symlinks-');
}

describe('symbolic links: facade versus the real fs', () => {
  it('give the same results and errors on a tree with links to files, directories, links and nothing', async () => {
    await fc.assert(fc.asyncProperty(opsArb, (ops) => expectAgreement([...populate, ...ops])), { numRuns: 300 });
  });

  it('give the same results from an empty directory, links made as the sequence goes', async () => {
    await fc.assert(fc.asyncProperty(opsArb, (ops) => expectAgreement(ops)), { numRuns: 150 });
  });

  it('follow a link to a link to a directory, and loop to ELOOP as Linux does', async () => {
    await expectAgreement([...populate,
      ['sync', { kind: 'readFile', name: 'll/c' }],
      ['sync', { kind: 'symlink', target: 'missing', absolute: false, name: 'missing' }],
      ['sync', { kind: 'readFile', name: 'missing' }],
      ['sync', { kind: 'lstat', name: 'missing' }],
    ]);
    // A recursive listing of names walks into a link to a directory, and stops where a walk
    // would meet its 41st link (a link to `.` lists the tree 40 times over, as Node does).
    await expectAgreement([...populate,
      ['sync', { kind: 'readdirRecursive', name: '.', withFileTypes: false }],
      ['promise', { kind: 'readdirRecursive', name: 'ld', withFileTypes: false }],
      ['sync', { kind: 'symlink', target: '.', absolute: false, name: 'missing' }],
      ['sync', { kind: 'readdirRecursive', name: '.', withFileTypes: false }],
      ['callback', { kind: 'readdirRecursive', name: 'd', withFileTypes: false }],
      ['promise', { kind: 'readdirRecursive', name: '.', withFileTypes: true }],
    ]);
    // `..` after a link goes up from where the link led; after a missing name it fails.
    await expectAgreement([...populate,
      ['sync', { kind: 'symlink', target: '../a', absolute: false, name: 'd/lc' }],
      ['sync', { kind: 'readFile', name: 'ld/lc' }],
      ['sync', { kind: 'symlink', target: 'ld/../a', absolute: false, name: 'lu' }],
      ['sync', { kind: 'readFile', name: 'lu' }],
      ['sync', { kind: 'realpath', name: 'lu' }],
      ['sync', { kind: 'symlink', target: 'gone/../a', absolute: false, name: 'lg' }],
      ['sync', { kind: 'readFile', name: 'lg' }],
      ['sync', { kind: 'realpath', name: 'lg' }],
      ['sync', { kind: 'symlink', target: 'a/../a', absolute: false, name: 'lf' }],
      ['callback', { kind: 'stat', name: 'lf' }],
    ]);
    facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
    fs.symlinkSync('self', `${simRoot}/self`);
    expect(() => fs.readFileSync(`${simRoot}/self`)).toThrow(expect.objectContaining({ code: 'ELOOP', syscall: 'open' }));
    expect(fs.readlinkSync(`${simRoot}/self`)).toBe('self');
  });

  it('refuse O_NOFOLLOW on a link with ELOOP, and open what it leads to without it', async () => {
    const real = mkdtempSync(join(tmpdir(), 'powercut-nofollow-'));
    const play = (base: string): string[] => {
      fs.writeFileSync(`${base}/a`, 'a holds this');
      fs.symlinkSync('a', `${base}/la`);
      const outcome = (flags: number): string => {
        try {
          fs.closeSync(fs.openSync(`${base}/la`, flags));
          return 'opened';
        } catch (error) {
          return (error as { code: string }).code;
        }
      };
      return [outcome(fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW), outcome(fs.constants.O_RDONLY), outcome(fs.constants.O_NOFOLLOW | fs.constants.O_WRONLY)];
    };
    try {
      const viaReal = play(real);
      facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
      expect(play(simRoot)).toEqual(viaReal);
      expect(viaReal).toEqual(['ELOOP', 'opened', 'ELOOP']);
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});

describe('cp of a tree holding a symbolic link', () => {
  it('copies the link, its target made absolute unless verbatimSymlinks, as Node does', async () => {
    const real = mkdtempSync(join(tmpdir(), 'powercut-cp-links-'));
    const play = async (base: string): Promise<string[]> => {
      fs.mkdirSync(`${base}/src`);
      fs.writeFileSync(`${base}/src/a`, 'a');
      fs.symlinkSync('a', `${base}/src/la`);
      fs.cpSync(`${base}/src`, `${base}/copied`, { recursive: true });
      await fs.promises.cp(`${base}/src`, `${base}/verbatim`, { recursive: true, verbatimSymlinks: true });
      return [fs.readlinkSync(`${base}/copied/la`).replace(base, '<root>'), fs.readlinkSync(`${base}/verbatim/la`), fs.readFileSync(`${base}/copied/la`, 'utf8')];
    };
    try {
      const viaReal = await play(real);
      facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
      expect(await play(simRoot)).toEqual(viaReal);
      expect(viaReal).toEqual(['<root>/src/a', 'a', 'a']);
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});

describe('a symbolic link out of the simulated root', () => {
  it('is refused when a call walks through it, and never reaches the real disk', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
    const real = mkdtempSync(join(tmpdir(), 'powercut-outside-'));
    try {
      fs.symlinkSync(real, `${simRoot}/out`);
      fs.symlinkSync('../..', `${simRoot}/up`);
      expect(fs.readlinkSync(`${simRoot}/out`)).toBe(real);
      expect(() => fs.writeFileSync(`${simRoot}/out/x`, 'escaped')).toThrow(UnsupportedFsCallError);
      expect(() => fs.readdirSync(`${simRoot}/up`)).toThrow(/leads to \/, out of the simulated root/);
      expect(facade.core.unsupportedCalls.map((error) => error.call)).toEqual(['fs.open', 'fs.scandir']);
      facade.uninstall();
      facade = undefined;
      expect(fs.readdirSync(real)).toEqual([]);
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});
