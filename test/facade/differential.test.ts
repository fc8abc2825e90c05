/**
 * The facade agrees with the real fs: the same operation sequence, through the sync, callback
 * and promise APIs (chosen per operation), gives the same results and the same error codes and
 * syscalls on a real temporary directory and on the simulated disk (faults off).
 *
 * Does not compare: timestamps, inode numbers, modes, or error paths (the roots differ).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

type Api = 'sync' | 'callback' | 'promise';
type Op =
  | { kind: 'writeFile' | 'appendFile'; name: string; data: string }
  | { kind: 'readFile' | 'unlink' | 'stat' | 'exists' | 'readdir' | 'realpath' | 'mkdir'; name: string }
  | { kind: 'mkdirRecursive'; name: string }
  | { kind: 'rename' | 'copyFile'; name: string; to: string }
  | { kind: 'truncate'; name: string; length: number }
  | { kind: 'pwrite'; name: string; data: string; position: number }
  | { kind: 'openExclusive'; name: string };

const files = ['a', 'b', 'd/c', 'd/e/f'];
const dirs = ['d', 'd/e'];
const names = [...files, ...dirs];
const dataArb = fc.string({ maxLength: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('writeFile' as const, 'appendFile' as const), name: fc.constantFrom(...names), data: dataArb }),
  fc.record({ kind: fc.constantFrom('readFile' as const, 'unlink' as const, 'stat' as const, 'exists' as const, 'readdir' as const, 'realpath' as const), name: fc.constantFrom(...names) }),
  // Only directory names become directories: the simulated disk never renames or removes one.
  fc.record({ kind: fc.constantFrom('mkdir' as const, 'mkdirRecursive' as const), name: fc.constantFrom(...dirs) }),
  fc.record({ kind: fc.constantFrom('rename' as const, 'copyFile' as const), name: fc.constantFrom(...files), to: fc.constantFrom(...names) }),
  fc.record({ kind: fc.constant('truncate' as const), name: fc.constantFrom(...names), length: fc.nat(60) }),
  fc.record({ kind: fc.constant('pwrite' as const), name: fc.constantFrom(...names), data: dataArb, position: fc.nat(50) }),
  fc.record({ kind: fc.constant('openExclusive' as const), name: fc.constantFrom(...names) }),
);

/** Calls `fs.<name>` through `api`, returning its result. */
function call(api: Api, name: string, ...args: unknown[]): Promise<unknown> {
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  const p = fs.promises as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  if (api === 'sync') return Promise.resolve().then(() => f[`${name}Sync`]!(...args));
  if (api === 'promise' && name !== 'exists') return p[name]!(...args);
  return new Promise((resolve, reject) => {
    if (name === 'exists') f.exists!(...args, (found: boolean) => resolve(found));
    else f[name]!(...args, (error: Error | null, value: unknown) => (error ? reject(error) : resolve(value)));
  });
}

async function apply(base: string, api: Api, op: Op): Promise<unknown> {
  const at = (name: string): string => join(base, name);
  switch (op.kind) {
    case 'writeFile':
    case 'appendFile':
      return call(api, op.kind, at(op.name), op.data);
    case 'readFile':
      return call(api, 'readFile', at(op.name), 'utf8');
    case 'stat': {
      const stats = await call(api, 'stat', at(op.name)) as fs.Stats;
      return { file: stats.isFile(), dir: stats.isDirectory(), size: stats.isFile() ? stats.size : -1 };
    }
    case 'exists':
    case 'unlink':
    case 'readdir':
      return call(api, op.kind, at(op.name));
    case 'realpath':
      return (await call(api, 'realpath', at(op.name)) as string).slice(base.length);
    case 'mkdir':
      return call(api, 'mkdir', at(op.name));
    case 'mkdirRecursive': {
      const first = await call(api, 'mkdir', at(op.name), { recursive: true }) as string | undefined;
      return first?.slice(base.length);
    }
    case 'rename':
    case 'copyFile':
      return call(api, op.kind, at(op.name), at(op.to));
    case 'truncate':
      return call(api, 'truncate', at(op.name), op.length);
    case 'pwrite': {
      const fd = fs.openSync(at(op.name), 'r+');
      try {
        return fs.writeSync(fd, op.data, op.position, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    }
    case 'openExclusive': {
      const fd = fs.openSync(at(op.name), 'wx');
      fs.closeSync(fd);
      return 'created';
    }
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

describe('facade versus the real fs', () => {
  it('gives the same results and errors on the same operation sequences', async () => {
    const simRoot = '/powercut-facade-differential';
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom<Api>('sync', 'callback', 'promise'), opArb), { maxLength: 25 }), async (ops) => {
      const real = mkdtempSync(join(tmpdir(), 'powercut-diff-'));
      try {
        facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
        const viaReal = await playAll(real, ops);
        const viaSim = await playAll(simRoot, ops);
        facade.uninstall();
        facade = undefined;
        expect(viaSim).toEqual(viaReal);
      } finally {
        rmSync(real, { recursive: true, force: true });
      }
    }), { numRuns: 200 });
  });
});
