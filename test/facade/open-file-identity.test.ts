/**
 * What a descriptor and a name mean, on a real temporary folder and on the simulated disk alike:
 * `fstat` describes the open file whatever its name is now, a rename between two names of one
 * file does nothing, a directory counts its subdirectories in `nlink`, and a read or a write that
 * asks for more than its buffer holds fails before any I/O with Node's `ERR_OUT_OF_RANGE`
 * (thrown by the callback face, as Node throws it).
 */
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

type Case = (at: (name: string) => string) => Promise<unknown>;

const failure = (error: unknown): string => {
  const e = error as { name?: string; code?: string; message?: string };
  return `${e.name} ${e.code} ${e.code?.startsWith('ERR_') === true ? e.message : ''}`.trim();
};

const cases: Record<string, Case> = {
  'fstat after a rename, with another file under the old name': async (at) => {
    const fd = fs.openSync(at('f'), 'w');
    fs.writeSync(fd, 'abc');
    fs.renameSync(at('f'), at('g'));
    fs.writeFileSync(at('f'), 'a longer file');
    const open = fs.fstatSync(fd);
    const result = { size: open.size, nlink: open.nlink, sameAsG: open.ino === fs.statSync(at('g')).ino, sameAsF: open.ino === fs.statSync(at('f')).ino };
    fs.closeSync(fd);
    return result;
  },
  'FileHandle.stat after an unlink': async (at) => {
    const handle = await fs.promises.open(at('f'), 'w');
    await handle.write('abcd');
    await fs.promises.unlink(at('f'));
    const stat = await handle.stat();
    await handle.close();
    return { size: stat.size, nlink: stat.nlink, isFile: stat.isFile() };
  },
  'rename between two names of one file': async (at) => {
    fs.writeFileSync(at('a'), 'x');
    fs.linkSync(at('a'), at('b'));
    fs.renameSync(at('a'), at('b'));
    return { names: fs.readdirSync(at('')).sort(), nlink: fs.statSync(at('b')).nlink };
  },
  'a directory\'s nlink': async (at) => {
    fs.mkdirSync(at('d'));
    fs.mkdirSync(at('d/x'));
    fs.mkdirSync(at('d/y'));
    fs.writeFileSync(at('d/f'), '');
    return [fs.statSync(at('d')).nlink, fs.statSync(at('d/x')).nlink];
  },
  'writeSync and readSync beyond the buffer': async (at) => {
    const fd = fs.openSync(at('f'), 'w+');
    const out: string[] = [];
    for (const call of [
      () => fs.writeSync(fd, Buffer.alloc(5), 0, 10),
      () => fs.writeSync(fd, Buffer.alloc(5), 7),
      () => (fs.writeSync as unknown as (fd: number, buffer: Buffer, options: object) => number)(fd, Buffer.alloc(5), { offset: 2, length: 4 }),
      () => fs.writeSync(fd, Buffer.alloc(5), 0, -1),
      () => fs.readSync(fd, Buffer.alloc(5), 0, 10, 0),
      () => fs.readSync(fd, Buffer.alloc(5), -1, 1, 0),
      () => fs.readSync(fd, Buffer.alloc(5), { length: 9 }),
    ]) {
      try {
        out.push(`ok ${call()}`);
      } catch (error) {
        out.push(failure(error));
      }
    }
    fs.closeSync(fd);
    return { out, size: fs.statSync(at('f')).size };
  },
  'fs.read and fs.write beyond the buffer throw at once; FileHandle.read rejects': async (at) => {
    const fd = fs.openSync(at('f'), 'w+');
    const out: string[] = [];
    try {
      fs.read(fd, Buffer.alloc(5), 0, 10, 0, () => out.push('called back'));
    } catch (error) {
      out.push(`threw ${failure(error)}`);
    }
    try {
      fs.write(fd, Buffer.alloc(5), 0, 10, 0, () => out.push('called back'));
    } catch (error) {
      out.push(`threw ${failure(error)}`);
    }
    fs.closeSync(fd);
    const handle = await fs.promises.open(at('f'), 'r+');
    await handle.read(Buffer.alloc(5), 0, 10, 0).then(() => out.push('resolved'), (error: unknown) => out.push(`rejected ${failure(error)}`));
    await handle.close();
    return out;
  },
};

let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

async function outcome(root: string, run: Case): Promise<string> {
  const at = (name: string): string => (name === '' ? root : join(root, name));
  try {
    return JSON.stringify(await run(at));
  } catch (error) {
    return `failed: ${failure(error)}`;
  }
}

describe('descriptors and names, on the simulated disk as on the real one', () => {
  for (const [name, run] of Object.entries(cases)) {
    it(name, async () => {
      const real = mkdtempSync(join(tmpdir(), 'powercut-identity-'));
      try {
        const onReal = await outcome(real, run);
        facade = installFacade(new SimWorld({ seed: 1 }), '/powercut-identity');
        const onSim = await outcome('/powercut-identity', run);
        expect(onSim).toBe(onReal);
        expect(onReal).not.toMatch(/^failed/);
      } finally {
        facade?.uninstall();
        facade = undefined;
        rmSync(real, { recursive: true, force: true });
      }
    });
  }
});
