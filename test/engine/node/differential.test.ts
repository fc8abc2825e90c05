import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IoError, joinPath } from '../../../engine/ports/fs.ts';
import type { FileHandle, FileSystem } from '../../../engine/ports/fs.ts';
import { memory, realDisk } from './backends.ts';
import { noFaults, SimWorld } from '../../../sim/world.ts';

/**
 * Differential test: the same random sequence of port operations, run through NodeFileSystem on
 * the real disk, NodeFileSystem on memfs, and the simulator's file system with faults off, must
 * give the same observable results (return values, error codes, and the final tree with its
 * contents). This is what lets tests on memfs speak for the real disk, and what makes the
 * simulated disk a faithful stand-in for it. It does not compare durability, which no backend
 * shows without a crash (the simulator's crash model has its own tests in test/sim/).
 *
 * File names and directory names are kept apart (no file is opened, renamed or unlinked where a
 * directory may be, and the reverse): the engine never confuses them, and memfs diverges from
 * Linux there in ways not worth patching (it renames a directory over a file, and answers ENOENT
 * where Linux says ENOTDIR for a path through a file).
 */

const names = ['a', 'b', 'd/x', 'd/y', 'e/f/z'] as const;
const dirs = ['.', 'd', 'e', 'e/f'] as const;
const slotCount = 3;

type Command =
  | { op: 'open'; slot: number; name: string; create: boolean; exclusive: boolean; truncate: boolean }
  | { op: 'write'; slot: number; position: number; data: number[] }
  | { op: 'append'; slot: number; data: number[] }
  | { op: 'read'; slot: number; position: number; length: number }
  | { op: 'size' | 'sync' | 'datasync' | 'close'; slot: number }
  | { op: 'truncate'; slot: number; size: number }
  | { op: 'rename'; from: string; to: string }
  | { op: 'unlink' | 'exists'; name: string }
  | { op: 'mkdir' | 'readdir' | 'syncDir' | 'rmdir'; dir: string };

const slot = fc.nat({ max: slotCount - 1 });
const name = fc.constantFrom(...names);
const dir = fc.constantFrom(...dirs);
const data = fc.array(fc.nat({ max: 255 }), { maxLength: 40 });
const position = fc.nat({ max: 80 });

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('open' as const), slot, name,
    create: fc.boolean(), exclusive: fc.boolean(), truncate: fc.boolean(),
  }),
  fc.record({ op: fc.constant('write' as const), slot, position, data }),
  fc.record({ op: fc.constant('append' as const), slot, data }),
  fc.record({ op: fc.constant('read' as const), slot, position, length: fc.nat({ max: 60 }) }),
  fc.record({ op: fc.constantFrom('size' as const, 'sync' as const, 'datasync' as const, 'close' as const), slot }),
  fc.record({ op: fc.constant('truncate' as const), slot, size: position }),
  fc.record({ op: fc.constant('rename' as const), from: name, to: name }),
  fc.record({ op: fc.constantFrom('unlink' as const, 'exists' as const), name }),
  fc.record({ op: fc.constantFrom('mkdir' as const, 'readdir' as const, 'syncDir' as const), dir }),
  // Never the root itself: the real side would remove its temporary folder.
  fc.record({ op: fc.constant('rmdir' as const), dir: fc.constantFrom(...dirs.filter((d) => d !== '.'), 'a') }),
);

/** Runs `commands` on `fs` under `root` and returns one line per observable result. */
async function observe(fs: FileSystem, root: string, commands: readonly Command[]): Promise<string[]> {
  const at = (relative: string): string => (relative === '.' ? root : joinPath(root, relative));
  const handles: Array<FileHandle | undefined> = new Array<FileHandle | undefined>(slotCount);
  const log: string[] = [];
  for (const c of commands) {
    let outcome: string;
    try {
      outcome = await run(c);
    } catch (error) {
      if (!(error instanceof IoError)) throw error;
      outcome = `error ${error.code}`;
    }
    log.push(`${JSON.stringify(c)} -> ${outcome}`);
  }
  for (const handle of handles) await handle?.close();
  log.push(...(await tree(fs, root, '.')));
  return log;

  async function run(c: Command): Promise<string> {
    if ('slot' in c && c.op !== 'open' && handles[c.slot] === undefined) return 'no handle';
    switch (c.op) {
      case 'open': {
        const handle = await fs.open(at(c.name), c);
        await handles[c.slot]?.close();
        handles[c.slot] = handle;
        return 'ok';
      }
      case 'write': await handles[c.slot]!.write(c.position, Uint8Array.from(c.data)); return 'ok';
      case 'append': return String(await handles[c.slot]!.append(Uint8Array.from(c.data)));
      case 'read': return Array.from(await handles[c.slot]!.read(c.position, c.length)).join(',');
      case 'size': return String(await handles[c.slot]!.size());
      case 'truncate': await handles[c.slot]!.truncate(c.size); return 'ok';
      case 'sync': await handles[c.slot]!.sync(); return 'ok';
      case 'datasync': await handles[c.slot]!.datasync(); return 'ok';
      case 'close': {
        const handle = handles[c.slot]!;
        handles[c.slot] = undefined;
        await handle.close();
        return 'ok';
      }
      case 'rename': await fs.rename(at(c.from), at(c.to)); return 'ok';
      case 'unlink': await fs.unlink(at(c.name)); return 'ok';
      case 'exists': return String(await fs.exists(at(c.name)));
      case 'mkdir': await fs.mkdir(at(c.dir)); return 'ok';
      case 'rmdir': await fs.rmdir(at(c.dir)); return 'ok';
      case 'readdir': return (await fs.readdir(at(c.dir))).join(',');
      case 'syncDir': await fs.syncDir(at(c.dir)); return 'ok';
    }
  }
}

/** Every file under `relative` with its bytes, and every directory, in readdir order. */
async function tree(fs: FileSystem, root: string, relative: string): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await fs.readdir(relative === '.' ? root : joinPath(root, relative))) {
    const child = relative === '.' ? entry : `${relative}/${entry}`;
    try {
      const file = await fs.open(joinPath(root, child));
      const size = await file.size();
      lines.push(`file ${child}: ${Array.from(await file.read(0, size)).join(',')}`);
      await file.close();
    } catch (error) {
      if (!(error instanceof IoError && error.code === 'EISDIR')) throw error;
      lines.push(`dir ${child}`);
      lines.push(...(await tree(fs, root, child)));
    }
  }
  return lines;
}

describe('the file-system port on the real disk, on memfs and in the simulator', () => {
  it('gives identical observable results for random sequences of port operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), fc.nat(), async (commands, seed) => {
        const disk = await realDisk();
        const mem = await memory();
        const world = new SimWorld({ seed, faults: noFaults() });
        try {
          const onDisk = await observe(disk.fs, disk.root, commands);
          const inMemory = await observe(mem.fs, mem.root, commands);
          await world.fs.mkdir('/root');
          const simulated = await observe(world.fs, '/root', commands);
          expect(inMemory).toEqual(onDisk);
          expect(simulated).toEqual(onDisk);
        } finally {
          await disk.cleanup();
          await mem.cleanup();
        }
      }),
      { numRuns: Number(process.env.DIFFERENTIAL_RUNS ?? 150) },
    );
  });
});
