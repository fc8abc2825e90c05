/**
 * The synchronous port (sim/disk/sync-port.ts) is the simulator's asynchronous port with the
 * promise taken off: on the same seed, faults and operation sequence, both leave the same trace
 * digest, the same faults fired, the same results and the same disk.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIoError, type FileHandle } from '../../engine/ports/fs.ts';
import { ProcessCrashedError, SyncFileSystem, type SyncFile } from '../../sim/disk/sync-port.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';

type Op =
  | { kind: 'open'; name: number; create: boolean; truncate: boolean }
  | { kind: 'write'; handle: number; position: number; length: number; fill: number }
  | { kind: 'append'; handle: number; length: number; fill: number }
  | { kind: 'read'; handle: number; position: number; length: number }
  | { kind: 'sync'; handle: number }
  | { kind: 'truncate'; handle: number; size: number }
  | { kind: 'close'; handle: number }
  | { kind: 'rename'; from: number; to: number }
  | { kind: 'unlink'; name: number }
  | { kind: 'readdir' }
  | { kind: 'syncDir' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('open' as const), name: fc.nat(3), create: fc.boolean(), truncate: fc.boolean() }),
  fc.record({ kind: fc.constant('write' as const), handle: fc.nat(4), position: fc.nat(9000), length: fc.nat(9000), fill: fc.nat(255) }),
  fc.record({ kind: fc.constant('append' as const), handle: fc.nat(4), length: fc.nat(5000), fill: fc.nat(255) }),
  fc.record({ kind: fc.constant('read' as const), handle: fc.nat(4), position: fc.nat(9000), length: fc.nat(9000) }),
  fc.record({ kind: fc.constant('sync' as const), handle: fc.nat(4) }),
  fc.record({ kind: fc.constant('truncate' as const), handle: fc.nat(4), size: fc.nat(12000) }),
  fc.record({ kind: fc.constant('close' as const), handle: fc.nat(4) }),
  fc.record({ kind: fc.constant('rename' as const), from: fc.nat(3), to: fc.nat(3) }),
  fc.record({ kind: fc.constant('unlink' as const), name: fc.nat(3) }),
  fc.constant({ kind: 'readdir' as const }),
  fc.constant({ kind: 'syncDir' as const }),
);

const path = (n: number): string => `/d/f${n}`;

/** One operation, the same way on both ports; `call` awaits for the async port only. */
interface Port {
  open(path: string, create: boolean, truncate: boolean): Promise<unknown>;
  run(op: Op, handle: unknown): Promise<unknown>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(): Promise<string[]>;
  syncDir(): Promise<void>;
}

function asyncPort(world: SimWorld): Port {
  return {
    open: (p, create, truncate) => world.fs.open(p, { create, truncate }),
    async run(op, handle) {
      const h = handle as FileHandle;
      switch (op.kind) {
        case 'write': return h.write(op.position, new Uint8Array(op.length).fill(op.fill));
        case 'append': return h.append(new Uint8Array(op.length).fill(op.fill));
        case 'read': return [...await h.read(op.position, op.length)].join(',');
        case 'sync': return h.sync();
        case 'truncate': return h.truncate(op.size);
        case 'close': return h.close();
        default: throw new Error('not a handle op');
      }
    },
    rename: (from, to) => world.fs.rename(from, to),
    unlink: (p) => world.fs.unlink(p),
    readdir: () => world.fs.readdir('/d'),
    syncDir: () => world.fs.syncDir('/d'),
  };
}

function syncPort(world: SimWorld): Port {
  const port = new SyncFileSystem(world.kernel);
  return {
    open: async (p, create, truncate) => port.open(p, { create, truncate }),
    async run(op, handle) {
      const h = handle as SyncFile;
      switch (op.kind) {
        case 'write': return h.write(op.position, new Uint8Array(op.length).fill(op.fill));
        case 'append': {
          const position = h.file.size;
          h.write(position, new Uint8Array(op.length).fill(op.fill), 'append');
          return position;
        }
        case 'read': return [...h.read(op.position, op.length)].join(',');
        case 'sync': return h.sync();
        case 'truncate': return h.truncate(op.size);
        case 'close': return h.close();
        default: throw new Error('not a handle op');
      }
    },
    rename: async (from, to) => port.rename(from, to),
    unlink: async (p) => port.unlink(p),
    readdir: async () => port.readdir('/d'),
    syncDir: async () => port.syncDir('/d'),
  };
}

async function play(seed: number, ops: readonly Op[], make: (world: SimWorld) => Port) {
  const world = new SimWorld({
    seed,
    faults: noFaults({ rates: { 'fsync-error': 0.05, 'disk-full': 0.05, 'read-error': 0.05, 'bit-flip': 0.05, 'kill-9': 0.01, 'power-loss': 0.01 }, capacityBytes: 40_000 }),
  });
  world.kernel.disk.mkdir('/d');
  const port = make(world);
  const results: unknown[] = [];
  const outcome = await world.run(async () => {
    const handles: unknown[] = [];
    for (const op of ops) {
      try {
        if (op.kind === 'open') handles.push(await port.open(path(op.name), op.create, op.truncate));
        else if (op.kind === 'rename') results.push(await port.rename(path(op.from), path(op.to)));
        else if (op.kind === 'unlink') results.push(await port.unlink(path(op.name)));
        else if (op.kind === 'readdir') results.push((await port.readdir()).join(','));
        else if (op.kind === 'syncDir') results.push(await port.syncDir());
        else if (handles.length > 0) results.push(await port.run(op, handles[op.handle % handles.length]));
      } catch (error) {
        if (error instanceof ProcessCrashedError) throw error;
        if (!isIoError(error)) throw error;
        results.push(`${error.code}${error.injected ? '!' : ''}`);
      }
    }
  });
  return { outcome: outcome.outcome, results, digest: world.trace.digest(), fired: world.faultsFired, disk: [...world.inspect()].map(([p, b]) => `${p}:${b.join('.')}`) };
}

describe('synchronous port', () => {
  it('leaves the same trace digest, faults, results and disk as the asynchronous port', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(1_000_000), fc.array(opArb, { maxLength: 40 }), async (seed, ops) => {
      const viaAsync = await play(seed, ops, asyncPort);
      const viaSync = await play(seed, ops, syncPort);
      expect(viaSync).toEqual(viaAsync);
    }), { numRuns: 150 });
  });

  it('throws ProcessCrashedError at a crash and on every later call of the dead incarnation', () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: 1, kind: 'kill-9' }] }) });
    const port = new SyncFileSystem(world.kernel);
    port.mkdir('/x');
    expect(() => port.open('/x/a', { create: true })).toThrow(ProcessCrashedError);
    expect(world.crashed).toBe('kill-9');
    expect(() => port.readdir('/x')).toThrow(ProcessCrashedError);
  });
});

describe('rmdir (the synchronous port, for Node\'s fs)', () => {
  it('removes an empty directory and refuses a full one, a file and a missing path with their codes', () => {
    const port = new SyncFileSystem(new SimWorld({ seed: 1 }).kernel);
    port.mkdir('/x/y');
    port.open('/x/y/a', { create: true }).close();
    expect(() => port.rmdir('/x/y')).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(() => port.rmdir('/x/y/a')).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => port.rmdir('/x/z')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    port.unlink('/x/y/a');
    port.rmdir('/x/y');
    expect(port.readdir('/x')).toEqual([]);
    expect(() => port.readdir('/x/y')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    port.mkdir('/x/y');
    expect(port.readdir('/x/y')).toEqual([]);
  });

  it('is pending in its parent, after the directory\'s own pending operations: a power loss keeps a prefix of each log, so the directory may come back, with what a prefix of its unlinks and renames out left, and never both renamed out and still in it', () => {
    const seen = new Set<string>();
    for (let crashState = 0; crashState < 24; crashState++) {
      const world = new SimWorld({ seed: 1, faults: noFaults() });
      const port = new SyncFileSystem(world.kernel);
      port.mkdir('/x/y');
      port.syncDir('/x');
      port.open('/x/y/a', { create: true }).close();
      port.open('/x/y/b', { create: true }).close();
      port.syncDir('/x/y');
      port.unlink('/x/y/a');
      port.rename('/x/y/b', '/x/c');
      port.rmdir('/x/y');
      world.crashNow('power-loss');
      world.restart({ crashState });
      const after = new SyncFileSystem(world.kernel);
      const inX = after.readdir('/x');
      const inY = inX.includes('y') ? after.readdir('/x/y') : [];
      seen.add(`${inX.join()}|${inY.join()}`);
      // The rename is one operation: b is in y or at c, never both, never neither.
      expect(inY.includes('b')).toBe(!inX.includes('c'));
      // The unlink of a came first: a is back only with b.
      if (inY.includes('a')) expect(inY).toContain('b');
      // The removal came last: kept, it kept the rename (both in /x's log, in order).
      if (!inX.includes('y')) expect(inX).toEqual(['c']);
      // Crash state 1 keeps no unsynced directory operation, 2 keeps them all.
      if (crashState === 1) expect([inX, inY]).toEqual([['y'], ['a', 'b']]);
      if (crashState === 2) expect([inX, inY]).toEqual([['c'], []]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });
});
