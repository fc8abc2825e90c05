/**
 * Disk images (sim/disk/image.ts): a world exported to JSON and imported again is the same
 * machine. The property test runs random operation sequences (with fsync errors in every
 * failure mode, both directory orders, bit flips, damaged sectors, misdirected writes, lost names, a full disk,
 * cross-directory renames, writes through handles of unlinked files and power losses along the way), sends the image through JSON, and checks that
 * the same crash then leaves the original and the copy identical, in every crash state.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileHandle } from '../../engine/ports/fs.ts';
import type { DataOrder, DirOrder, NameSync } from '../../sim/disk/crash-policy.ts';
import { DiskImageError, type DiskImage } from '../../sim/disk/image.ts';
import { copyDisk } from '../../sim/disk/disk-copy.ts';
import { importDiskImage } from '../../sim/disk/image-reader.ts';
import { noFaults, SimWorld, type FsyncFailureMode } from '../../sim/world.ts';
import { filled } from './helpers.ts';

const paths = ['/a/f0', '/a/f1', '/b/f0', '/b/c/f1'];
const dirs = ['/a', '/b', '/b/c', '/a/c'];
/** Where a directory move takes `/b/c` and back (`/a/c` starts empty, so the first move replaces it). */
const moves = [['/b/c', '/a/c'], ['/a/c', '/b/c']] as const;

const opArb = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('open' as const), i: fc.nat(3) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('write' as const), i: fc.nat(3), offset: fc.nat(3000), length: fc.integer({ min: 1, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), i: fc.nat(3), size: fc.nat(4000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), i: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('sync' as const), i: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), i: fc.nat(3), j: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unlink' as const), i: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('syncDir' as const), d: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('moveDir' as const), m: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('list' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), kill: fc.boolean(), crashState: fc.nat(7) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

interface Machine {
  readonly seed: number;
  readonly mode: FsyncFailureMode;
  readonly dirOrder: DirOrder;
  readonly dataOrder: DataOrder;
  readonly nameSync: NameSync;
  readonly ops: readonly Op[];
}

const machineArb = fc.record({
  seed: fc.nat(1000),
  mode: fc.constantFrom<FsyncFailureMode>('ext4', 'btrfs', 'sticky'),
  ops: fc.array(opArb, { minLength: 5, maxLength: 40 }),
  dirOrder: fc.constantFrom<DirOrder>('journal', 'per-name'),
  dataOrder: fc.constantFrom<DataOrder>('posix', 'ordered'),
  nameSync: fc.constantFrom<NameSync>('directory', 'journal'),
});

/** Crash states: each named one, and a few seeded random ones. */
const crashStates = [0, 1, 2, 3, 4, 5, 917];

/** The machine's faults; `dirOrder` and `dataOrder` only where the disk is made (a copy keeps the disk's own). */
function faultsOf(mode: FsyncFailureMode, dirOrder: DirOrder = 'journal', dataOrder: DataOrder = 'posix', nameSync: NameSync = 'directory'): ReturnType<typeof noFaults> {
  return noFaults({
    dirOrder,
    dataOrder,
    nameSync,
    rates: {
      'fsync-error': 0.3, 'bit-flip': 0.1, 'disk-full': 0.03, 'read-error': 0.05,
      'misdirected-write': 0.15, 'sector-damage': 0.5, 'lost-entry': 0.6,
    },
    fsyncFailureMode: mode,
    sectorBytes: 512,
    capacityBytes: 64 * 1024,
    // Small blocks, so a filled disk still takes some writes, and images carry a block size other than the default.
    blockBytes: 512,
  });
}

/** Runs `ops` on a fresh world; errors the operations throw (injected or not) are ignored. */
async function build(machine: Machine): Promise<SimWorld> {
  const world = new SimWorld({ seed: machine.seed, faults: faultsOf(machine.mode, machine.dirOrder, machine.dataOrder, machine.nameSync) });
  const handles = new Map<number, FileHandle>();
  for (const dir of dirs) await world.fs.mkdir(dir);
  let fill = 0;
  for (const op of machine.ops) {
    const i = 'i' in op ? op.i : -1;
    const path = paths[i] ?? '';
    const handle = async (): Promise<FileHandle> => handles.get(i) ?? world.fs.open(path, { create: true });
    try {
      switch (op.op) {
        case 'open':
          handles.set(op.i, await world.fs.open(path, { create: true }));
          break;
        case 'write':
          await (await handle()).write(op.offset, filled(op.length, 1 + (fill++ % 254)));
          break;
        case 'truncate':
          await (await handle()).truncate(op.size);
          break;
        case 'read':
          await (await handle()).read(0, 5000);
          break;
        case 'sync':
          await (await handle()).sync();
          break;
        case 'rename':
          await world.fs.rename(path, paths[op.j]!);
          break;
        case 'unlink':
          await world.fs.unlink(path);
          break;
        case 'syncDir':
          await world.fs.syncDir(dirs[op.d]!);
          break;
        case 'moveDir':
          await world.fs.rename(moves[op.m]![0], moves[op.m]![1]);
          break;
        case 'list':
          // The one directory that can hold two names, the least a lost entry needs.
          await world.fs.readdir('/a');
          break;
        case 'crash':
          world.crashNow(op.kill ? 'kill-9' : 'power-loss');
          world.restart({ crashState: op.crashState });
          handles.clear();
          break;
      }
    } catch (error) {
      if (!(error instanceof Error && 'code' in error)) throw error;
    }
  }
  return world;
}

/**
 * Everything observable about a world's disk, read from the disk itself rather than through the
 * image writer (a field the writer dropped would otherwise vanish from both sides): what reads
 * see, what the platter holds, unsynced records, media faults, broken syncs and space; plus the
 * image, for the directory logs.
 */
function observe(world: SimWorld): string {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
  const files = [...world.kernel.disk.files()].map(([path, file]) => ({
    path,
    id: file.id,
    visible: hex(world.inspect().get(path)!),
    durable: hex(file.durable.view()),
    // A record's modification number is the process's (facade times), not the disk's: images leave it out.
    pending: file.pending.map((record) => {
      if (record.kind !== 'write') {
        const { seq: _seq, ...truncate } = record;
        return truncate;
      }
      const { misdirect, seq: _seq, ...write } = record;
      return { ...write, data: hex(file.dataOf(record)), ...(misdirect ? { misdirect: { file: misdirect.file.id, offset: misdirect.offset, durable: hex(misdirect.file.durable.view()) } } : {}) };
    }),
    syncBroken: file.syncBroken,
    forgotten: file.forgotten,
    badBits: [...(file.badBits ?? [])],
    badSectors: [...(file.badSectors ?? [])],
  }));
  const { usedBytes, capacityBytes } = world.space;
  // One string: comparing it is much faster than a deep comparison of the same objects.
  return JSON.stringify({ files, usedBytes, capacityBytes: String(capacityBytes), ioCount: world.ioCount, unsynced: world.unsyncedCount, image: world.exportImage() }, null, 1);
}

describe('disk images', () => {
  it('keep what a failed ext4 fsync forgot, so a write to that page after the image makes it pending again as before it', async () => {
    const make = async (): Promise<SimWorld> => {
      const world = new SimWorld({ seed: 3, faults: noFaults({ scheduled: [{ io: 3, kind: 'fsync-error' }], fsyncFailureMode: 'ext4' }) });
      // I/O: 0 mkdir, 1 open, 2 write, 3 sync (fails)
      await world.fs.mkdir('/a');
      const file = await world.fs.open('/a/f', { create: true });
      await file.write(0, filled(100, 7));
      await file.sync().catch(() => undefined);
      return world;
    };
    const original = await make();
    const image = JSON.parse(JSON.stringify(original.exportImage())) as DiskImage;
    expect(image.disk.files.map((file) => file.forgotten)).toEqual([[[0, 100]]]);
    const copy = new SimWorld({ seed: 3, image });
    expect(copy.exportImage()).toEqual(image);
    for (const world of [original, copy]) {
      const file = await world.fs.open('/a/f');
      await file.write(200, filled(10, 8));
      await file.sync();
      world.crashNow('power-loss');
      world.restart({ crashState: 3 }); // keeps the names, and no unsynced data
    }
    expect([...copy.inspect().values()].map((bytes) => bytes.subarray(0, 100))).toEqual([filled(100, 7)]);
    expect(observe(copy)).toEqual(observe(original));
  });

  it('give the same disk after the same crash, in every crash state, as the world they came from', async () => {
    // What the runs reached, so the property is known not to be vacuous.
    const seen = { broken: false, badBits: false, badSectors: false, misdirected: false, lost: false, full: false, sharedTxn: false, pendingDirMove: false, outOfOrder: false };
    await fc.assert(
      fc.asyncProperty(machineArb, async (machine) => {
        const built = await build(machine);
        const image = JSON.parse(JSON.stringify(built.exportImage())) as DiskImage;
        seen.broken ||= [...built.kernel.disk.files()].some(([, file]) => file.syncBroken);
        seen.badBits ||= [...built.kernel.disk.files()].some(([, file]) => file.badBits !== undefined);
        seen.badSectors ||= [...built.kernel.disk.files()].some(([, file]) => file.badSectors !== undefined) && built.faultCounts['sector-damage'] > 0;
        seen.misdirected ||= [...built.kernel.disk.files()].some(([, file]) => file.pending.some((record) => record.kind === 'write' && record.misdirect !== undefined));
        seen.lost ||= built.faultCounts['lost-entry'] > 0;
        seen.full ||= built.space.capacityBytes < 64 * 1024;
        seen.sharedTxn ||= image.disk.txns.some((txn) => txn.committed);
        seen.pendingDirMove ||= image.disk.txns.some((txn) => !txn.committed && txn.sets.some((set) => 'movedDir' in set));
        expect(new SimWorld({ seed: machine.seed, image }).exportImage()).toEqual(image);
        for (const kind of ['kill-9', 'power-loss'] as const) {
          for (const crashState of kind === 'kill-9' ? [0] : crashStates) {
            const original = await build(machine);
            const copy = new SimWorld({ seed: machine.seed, faults: faultsOf(machine.mode), image });
            for (const world of [original, copy]) {
              world.crashNow(kind);
              world.restart({ crashState });
            }
            expect(observe(copy)).toEqual(observe(original));
            if (kind === 'power-loss') expect(copy.lastPowerLoss).toEqual(original.lastPowerLoss);
            seen.outOfOrder ||= original.lastPowerLoss?.outOfOrder !== undefined;
            // A second power loss that keeps nothing unsynced shows what the platter held.
            for (const world of [original, copy]) {
              world.crashNow('power-loss');
              world.restart({ crashState: 1 });
            }
            expect(observe(copy)).toEqual(observe(original));
          }
        }
      }),
      { numRuns: 60 },
    );
    expect(seen).toEqual({ broken: true, badBits: true, badSectors: true, misdirected: true, lost: true, full: true, sharedTxn: true, pendingDirMove: true, outOfOrder: true });
  });

  it('as in-memory copies (copyOfDisk, for second looks), give the same disk after the same crash, in every crash state, and share nothing with the world they came from', async () => {
    await fc.assert(
      fc.asyncProperty(machineArb, async (machine) => {
        const built = await build(machine);
        const before = observe(built);
        for (const crashState of crashStates) {
          const original = await build(machine);
          const copy = new SimWorld({ seed: machine.seed, faults: faultsOf(machine.mode), diskCopy: built.copyOfDisk() });
          for (const world of [original, copy]) {
            world.crashNow('power-loss');
            world.restart({ crashState });
          }
          expect(observe(copy)).toEqual(observe(original));
          expect(copy.settledFingerprint()).toBe(original.settledFingerprint());
          // The copy's own writes and syncs never reach the world it was copied from.
          copy.setFaultsEnabled(false);
          await copy.fs.mkdir('/z');
          const handle = await copy.fs.open('/z/new', { create: true });
          await handle.write(0, filled(100, 7));
          await handle.sync();
          await copy.fs.syncDir('/z');
        }
        expect(observe(built)).toEqual(before);
      }),
      { numRuns: 30 },
    );
  });

  it('fingerprint what a settled disk holds: another byte, another name or another file gives another fingerprint', async () => {
    /** A world whose file `/a/name` holds `length` bytes `byte`, written, synced and settled by a power loss. */
    const settledWorld = async (name: string, byte: number, length: number, world = new SimWorld({ seed: 3 })): Promise<SimWorld> => {
      if (world.entryKind('/a') === undefined) await world.fs.mkdir('/a');
      const handle = await world.fs.open(`/a/${name}`, { create: true });
      await handle.write(0, filled(length, byte));
      await handle.sync();
      await world.fs.syncDir('/a');
      world.crashNow('power-loss');
      world.restart({ crashState: 0 });
      return world;
    };
    const settled = async (name: string, byte: number, length: number): Promise<string> => (await settledWorld(name, byte, length)).settledFingerprint();
    const base = await settled('f', 1, 10);
    expect(await settled('f', 1, 10)).toBe(base);
    expect(await settled('f', 2, 10)).not.toBe(base);
    expect(await settled('g', 1, 10)).not.toBe(base);
    expect(await settled('f', 1, 11)).not.toBe(base);
    expect(await settled('f', 1, 9)).not.toBe(base);
    // A file's hash is kept by its storage: the same world changed after a fingerprint (same
    // name, same size, another byte) fingerprints as a world that held that byte all along.
    const world = await settledWorld('f', 1, 10);
    expect(world.settledFingerprint()).toBe(base);
    await settledWorld('f', 2, 10, world);
    expect(world.settledFingerprint()).toBe(await settled('f', 2, 10));
  });

  it('keep unsynced data unsynced: a power loss in the next world can still lose it', async () => {
    const first = new SimWorld({ seed: 3 });
    first.createDirectory('/d');
    const file = await first.fs.open('/d/f', { create: true });
    await file.write(0, filled(10, 7));
    await file.sync();
    await first.fs.syncDir('/d');
    await file.write(0, filled(10, 8));
    first.restart();
    const second = new SimWorld({ seed: 3, image: first.exportImage() });
    expect(second.inspect().get('/d/f')).toEqual(filled(10, 8));
    second.crashNow('power-loss');
    second.restart({ crashState: 1 });
    expect(second.inspect().get('/d/f')).toEqual(filled(10, 7));
  });

  it('carry the global I/O index, so that a fault scheduled by index fires in the next world', async () => {
    const first = new SimWorld({ seed: 1 });
    await first.fs.mkdir('/d');
    await (await first.fs.open('/d/f', { create: true })).close();
    first.restart();
    const io = first.ioCount;
    const second = new SimWorld({ seed: 1, image: first.exportImage(), faults: noFaults({ scheduled: [{ io: io + 1, kind: 'fsync-error' }] }) });
    const file = await second.fs.open('/d/f');
    await expect(file.sync()).rejects.toMatchObject({ code: 'EIO', injected: true });
    expect(second.faultsFired).toEqual([{ io: io + 1, kind: 'fsync-error' }]);
  });

  it('draw fresh fault streams in each incarnation', async () => {
    const draws = async (world: SimWorld): Promise<number[]> => {
      await world.fs.mkdir('/d');
      const file = await world.fs.open('/d/f', { create: true });
      const failed: number[] = [];
      for (let i = 0; i < 40; i++) await file.sync().catch(() => failed.push(i));
      return failed;
    };
    const faults = noFaults({ rates: { 'fsync-error': 0.3 } });
    const first = new SimWorld({ seed: 5, faults });
    const firstFailures = await draws(first);
    first.restart();
    const second = new SimWorld({ seed: 5, faults, image: first.exportImage() });
    const again = new SimWorld({ seed: 5, faults, image: first.exportImage() });
    const secondFailures = await draws(second);
    expect(secondFailures).not.toEqual(firstFailures);
    expect(await draws(again)).toEqual(secondFailures);
  });

  it('draw fresh named streams in each incarnation (mkdtemp names, crash states), the same for the same image', () => {
    const first = new SimWorld({ seed: 5 });
    first.restart();
    const second = new SimWorld({ seed: 5, image: first.exportImage() });
    second.restart();
    const third = new SimWorld({ seed: 5, image: second.exportImage() });
    const values = (world: SimWorld): number[] => Array.from({ length: 4 }, () => world.stream('facade-mkdtemp').int(1 << 30));
    expect(values(second)).not.toEqual(values(first));
    expect(values(third)).not.toEqual(values(second));
    expect(values(new SimWorld({ seed: 5, image: first.exportImage() }))).toEqual(values(second));
  });

  describe('refuse a malformed image with a one-line DiskImageError', () => {
    const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(new SimWorld({ seed: 1 }).exportImage())) as Record<string, unknown>;
    const withFile = (): Record<string, unknown> => {
      const image = valid() as { disk: { files: unknown[]; dirs: Array<{ path: string; cache: unknown[] }>; nextFileId: number } };
      image.disk.files.push({ id: 1, durable: '', cache: 'AAEC', journal: 'AAEC', pending: [{ kind: 'write', offset: 0, start: 0, length: 3 }], syncBroken: false, badBits: [] });
      image.disk.nextFileId = 2;
      image.disk.dirs.find((dir) => dir.path === '/')!.cache.push({ name: 'f', file: 1 });
      return image as unknown as Record<string, unknown>;
    };
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['not an object', () => [], /\(root\) must be an object/],
      ['another format', () => ({ ...valid(), format: 'zip' }), /format must be "powercut-disk-image", found "zip"/],
      ['another version', () => ({ ...valid(), version: 2 }), /version 2 is not supported \(this build reads version 1\)/],
      ['a missing field', () => ({ ...valid(), machine: { ioCount: 0, incarnation: 0 } }), /machine\.powerLossCount is missing/],
      ['an unknown field', () => ({ ...valid(), extra: 1 }), /\(root\)\.extra is not an image field/],
      ['an unknown directory order', () => {
        const image = valid() as { disk: Record<string, unknown> };
        image.disk['dirOrder'] = 'journal';
        return image;
      }, /disk\.dirOrder must be "per-name" or absent, found "journal"/],
      ['an unknown data order', () => {
        const image = valid() as { disk: Record<string, unknown> };
        image.disk['dataOrder'] = 'posix';
        return image;
      }, /disk\.dataOrder must be "ordered" or absent, found "posix"/],
      ['an unknown name sync', () => {
        const image = valid() as { disk: Record<string, unknown> };
        image.disk['nameSync'] = 'directory';
        return image;
      }, /disk\.nameSync must be "journal" or absent, found "directory"/],
      ['a negative counter', () => ({ ...valid(), machine: { ioCount: -1, incarnation: 0, powerLossCount: 0 } }), /machine\.ioCount must be an integer >= 0, found -1/],
      ['bad base64', () => {
        const image = withFile() as { disk: { files: Array<{ cache: string }> } };
        image.disk.files[0]!.cache = 'not base64!';
        return image;
      }, /disk\.files\[0\]\.cache must be base64/],
      ['a pending write past its journal', () => {
        const image = withFile() as { disk: { files: Array<{ pending: Array<{ length: number }> }> } };
        image.disk.files[0]!.pending[0]!.length = 4;
        return image;
      }, /disk\.files\[0\]\.pending\[0\] reaches past the end of the journal \(3 bytes\)/],
      ['an entry naming a missing file', () => {
        const image = withFile() as { disk: { files: unknown[] } };
        image.disk.files = [];
        return image;
      }, /names file 1, which disk\.files does not hold/],
      ['a missing root directory', () => {
        const image = valid() as { disk: { dirs: Array<{ path: string }> } };
        image.disk.dirs = image.disk.dirs.filter((dir) => dir.path !== '.');
        return image;
      }, /disk\.dirs must include the root "\."/],
    ];
    for (const [what, make, message] of cases) {
      it(`refuses ${what}`, () => {
        let caught: unknown;
        try {
          importDiskImage(make());
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(DiskImageError);
        expect((caught as Error).message).toMatch(message);
        expect((caught as Error).message).not.toContain('\n');
      });
    }

    it('carries the disk\'s orders and name sync, which only the machine that made the disk chose', () => {
      const image = new SimWorld({ seed: 1, faults: noFaults({ dirOrder: 'per-name', dataOrder: 'ordered', nameSync: 'journal' }) }).exportImage();
      const { disk } = importDiskImage(JSON.parse(JSON.stringify(image)));
      expect([disk.dirOrder, disk.dataOrder, disk.nameSync]).toEqual(['per-name', 'ordered', 'journal']);
      // A second look's copy of the disk keeps them too.
      const copied = copyDisk(disk);
      expect([copied.dirOrder, copied.dataOrder, copied.nameSync]).toEqual(['per-name', 'ordered', 'journal']);
      const plain = importDiskImage(JSON.parse(JSON.stringify(new SimWorld({ seed: 1 }).exportImage()))).disk;
      expect([plain.dirOrder, plain.dataOrder, plain.nameSync]).toEqual(['journal', 'posix', 'directory']);
    });

    it('accepts the hand-made image the refusals start from', () => {
      expect(importDiskImage(withFile()).disk.usedBytes).toBe(4096); // 3 bytes take a whole block
    });

    it('refuses it in the SimWorld constructor too', () => {
      expect(() => new SimWorld({ seed: 1, image: { ...valid(), version: 9 } as unknown as DiskImage })).toThrow(DiskImageError);
    });
  });
});
