/**
 * Short writes and EXDEV, the fs facade's own fault kinds (sim/types.ts `facadeFaultKinds`):
 * their exact effects on the returned count, the file, the descriptor position and the trace;
 * Node's whole-file calls and streams writing the rest; a full disk taking what fits before
 * `ENOSPC`; replay of the fired faults; and the engine's port, which promises whole writes and
 * never sees either kind. test/facade/differential-short-writes.test.ts compares the same rules
 * with the real fs.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld, type FaultProfile } from '../../sim/world.ts';

const root = '/powercut-facade-short';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** A world with the facade installed on it, tracing every event. */
function facadeWorld(faults: Partial<FaultProfile> = {}): SimWorld {
  const world = new SimWorld({ seed: 7, faults: noFaults(faults), trace: 'full' });
  facade = installFacade(world, root);
  return world;
}

const text = (length: number, from = 0): string => Array.from({ length }, (_, i) => String.fromCharCode(97 + ((from + i) % 26))).join('');

describe('a short-write fault', () => {
  it('lands the scheduled prefix, returns its length, moves the position by it and shows in the trace', () => {
    // I/O 0 is the open, 1 the first write.
    const world = facadeWorld({ scheduled: [{ io: 1, kind: 'short-write', arg: 5 }] });
    const fd = fs.openSync(`${root}/f`, 'w+');
    expect(fs.writeSync(fd, text(12))).toBe(5);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe(text(5));
    // The caller writes the rest at the descriptor's position, which moved by 5.
    expect(fs.writeSync(fd, text(7, 5))).toBe(7);
    fs.closeSync(fd);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe(text(12));
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'short-write', arg: 5 }]);
    expect(world.faultCounts['short-write']).toBe(1);
    expect(world.ioCoverage['append']!['short-write']).toBe(1);
    const events = world.trace.events.filter((event) => event.type !== 'note');
    expect(events.slice(1, 3).map((event) => `${event.type} ${event.name} ${event.detail}`)).toEqual([
      'fault short-write io=1 arg=5',
      'io write @0 len=12 short=5',
    ]);
  });

  it('brings a scheduled count out of range into [1, length - 1], and never shortens a 1-byte write', () => {
    const world = facadeWorld({ scheduled: [{ io: 1, kind: 'short-write', arg: 0 }, { io: 2, kind: 'short-write', arg: 99 }, { io: 3, kind: 'short-write', arg: 1 }] });
    const fd = fs.openSync(`${root}/f`, 'w');
    expect(fs.writeSync(fd, 'abcd')).toBe(1);
    expect(fs.writeSync(fd, 'efgh')).toBe(3);
    expect(fs.writeSync(fd, 'i')).toBe(1);
    fs.closeSync(fd);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe('aefgi');
    expect(world.faultsFired.map((fault) => fault.arg)).toEqual([1, 3]);
  });

  it('at a rate, stops a write that crosses a page boundary at one, and any other write anywhere short of its end', () => {
    const world = facadeWorld({ rates: { 'short-write': 1 } });
    const fd = fs.openSync(`${root}/f`, 'w');
    const counts = [10_000, 9_000, 300, 50].map((length) => fs.writeSync(fd, Buffer.alloc(length, 1), 0, length, 100));
    fs.closeSync(fd);
    expect(counts[0]! + 100).toSatisfy((end: number) => end === 4096 || end === 8192);
    expect(counts[1]! + 100).toSatisfy((end: number) => end === 4096 || end === 8192);
    expect(counts[2]).toBeGreaterThanOrEqual(1);
    expect(counts[2]).toBeLessThan(300);
    expect(counts[3]).toBeLessThan(50);
    expect(world.faultsFired.map((fault) => fault.kind)).toEqual(['short-write', 'short-write', 'short-write', 'short-write']);
  });

  it('gives fs.write, FileHandle.write and both writev the short count, in Node\'s result shapes', async () => {
    facadeWorld({ rates: { 'short-write': 1 } });
    const fd = fs.openSync(`${root}/f`, 'w+');
    const viaCallback = await new Promise<number>((resolve, reject) => fs.write(fd, 'abcdefgh', 0, 'utf8', (error, count) => (error ? reject(error) : resolve(count))));
    const viaWritev = fs.writevSync(fd, [Buffer.from('abcd'), Buffer.from('efgh')], 0);
    fs.closeSync(fd);
    const handle = await fs.promises.open(`${root}/f`, 'r+');
    const { bytesWritten } = await handle.write(Buffer.from('abcdefgh'), 0, 8, 0);
    const viaHandleWritev = (await handle.writev([Buffer.from('abcd'), Buffer.from('efgh')], 0)).bytesWritten;
    await handle.close();
    for (const count of [viaCallback, viaWritev, bytesWritten, viaHandleWritev]) {
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThan(8);
    }
  });

  it('is written through by writeFile, appendFile (every API) and copyFile, as Node\'s loop does: the file is whole, in several writes', async () => {
    const world = facadeWorld({ rates: { 'short-write': 1 } });
    const document = text(10_000);
    fs.writeFileSync(`${root}/sync`, document);
    fs.appendFileSync(`${root}/sync`, document);
    await fs.promises.writeFile(`${root}/promise`, document);
    await new Promise<void>((resolve, reject) => fs.writeFile(`${root}/callback`, document, (error) => (error ? reject(error) : resolve())));
    const handle = await fs.promises.open(`${root}/handle`, 'w');
    await handle.writeFile(document);
    await handle.close();
    fs.copyFileSync(`${root}/promise`, `${root}/copy`);
    for (const name of ['promise', 'callback', 'handle', 'copy']) expect(fs.readFileSync(`${root}/${name}`, 'utf8')).toBe(document);
    expect(fs.readFileSync(`${root}/sync`, 'utf8')).toBe(document + document);
    const writes = world.trace.events.filter((event) => event.type === 'io' && event.name === 'write' && event.path === `${root}/promise`);
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.at(-1)!.detail).toMatch(/ ok$/);
  });

  it('is written through by a write stream: every chunk lands whole, bytesWritten counts them all', async () => {
    facadeWorld({ rates: { 'short-write': 1 } });
    const stream = fs.createWriteStream(`${root}/s`);
    for (let i = 0; i < 5; i++) stream.write(text(3000, i));
    stream.end(text(10));
    await new Promise<void>((resolve, reject) => stream.on('close', resolve).on('error', reject));
    expect(stream.bytesWritten).toBe(5 * 3000 + 10);
    expect(fs.readFileSync(`${root}/s`, 'utf8')).toBe([0, 1, 2, 3, 4].map((i) => text(3000, i)).join('') + text(10));
  });

  it('replays exactly from the faults a rate fired, scheduled with every rate at zero', () => {
    const play = (faults: Partial<FaultProfile>): { digest: string; fired: unknown } => {
      const world = facadeWorld(faults);
      fs.writeFileSync(`${root}/a`, text(9000));
      const fd = fs.openSync(`${root}/a`, 'r+');
      fs.writeSync(fd, text(5000), 0, 'utf8');
      fs.closeSync(fd);
      facade!.uninstall();
      facade = undefined;
      return { digest: world.trace.digest(), fired: world.faultsFired };
    };
    const first = play({ rates: { 'short-write': 0.5 } });
    expect((first.fired as unknown[]).length).toBeGreaterThan(0);
    expect(play({ scheduled: first.fired as FaultProfile['scheduled'] })).toEqual(first);
  });
});

describe('a disk that fills part way', () => {
  it('lands what fits and returns its length; the next write fails with ENOSPC, injected', () => {
    const world = facadeWorld({ capacityBytes: 100, blockBytes: 1 });
    const fd = fs.openSync(`${root}/f`, 'w');
    expect(fs.writeSync(fd, text(60))).toBe(60);
    expect(fs.writeSync(fd, text(60))).toBe(40);
    expect(() => fs.writeSync(fd, 'x')).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'write', injected: true }));
    // Overwriting allocated bytes needs no space.
    expect(fs.writeSync(fd, 'Z', 0)).toBe(1);
    fs.closeSync(fd);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe(`Z${text(60).slice(1)}${text(40)}`);
    expect(world.space.usedBytes).toBe(100);
  });

  it('makes writeFile write what fits, then fail with ENOSPC, in every API', async () => {
    facadeWorld({ capacityBytes: 1000, blockBytes: 1 });
    const fails = expect.objectContaining({ code: 'ENOSPC', syscall: 'write' });
    expect(() => fs.writeFileSync(`${root}/sync`, text(1500))).toThrow(fails);
    expect(fs.statSync(`${root}/sync`).size).toBe(1000);
    fs.unlinkSync(`${root}/sync`);
    await expect(fs.promises.writeFile(`${root}/promise`, text(1500))).rejects.toEqual(fails);
    expect(fs.readFileSync(`${root}/promise`, 'utf8')).toBe(text(1000));
    fs.unlinkSync(`${root}/promise`);
    await expect(new Promise<void>((resolve, reject) => fs.appendFile(`${root}/callback`, text(1500), (error) => (error ? reject(error) : resolve())))).rejects.toEqual(fails);
    expect(fs.statSync(`${root}/callback`).size).toBe(1000);
  });

  it('under a disk-full fault lands the whole blocks it leaves and returns their length, instead of throwing', () => {
    // I/O 0 open, 1 the write that fills the disk, leaving one 4 KiB block.
    const world = facadeWorld({ scheduled: [{ io: 1, kind: 'disk-full', arg: 4096 }] });
    const fd = fs.openSync(`${root}/f`, 'w');
    expect(fs.writeSync(fd, text(5000))).toBe(4096);
    expect(() => fs.writeSync(fd, text(904, 4096))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    fs.closeSync(fd);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe(text(4096));
    expect(world.trace.events.filter((event) => event.type === 'io' && event.name === 'write').map((event) => event.detail)).toEqual(['@0 len=5000 short=4096', '@4096 len=904 ENOSPC']);
  });

  it('stops a write on a full disk at a block boundary, as ext4 does: an append at 4000 lands 96 bytes, a small rewrite lands whole or not at all', () => {
    // I/O 0 open, 1 write 4000 bytes, 2 the append the fault strikes (no block left).
    facadeWorld({ scheduled: [{ io: 2, kind: 'disk-full', arg: 0 }] });
    const fd = fs.openSync(`${root}/log`, 'w');
    expect(fs.writeSync(fd, text(4000))).toBe(4000);
    expect(fs.writeSync(fd, text(500, 4000))).toBe(96);
    fs.closeSync(fd);
    // Truncated, the file gives its block back, and a rewrite of fewer bytes takes it whole.
    fs.writeFileSync(`${root}/log`, text(635));
    expect(fs.readFileSync(`${root}/log`, 'utf8')).toBe(text(635));
    // A new file on the full disk is created, empty, and its first write finds no block.
    expect(() => fs.writeFileSync(`${root}/other`, 'x')).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'write' }));
    expect(fs.statSync(`${root}/other`).size).toBe(0);
  });

  it('leaves no unfinished short write when the caller wrote on and the full disk refused the rest (Node\'s writeFile loop), and one when it did not', () => {
    const world = facadeWorld({ capacityBytes: 1000, blockBytes: 1 });
    expect(() => fs.writeFileSync(`${root}/looped`, text(1500))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(world.unfinishedShortWrite).toBeUndefined();
    fs.unlinkSync(`${root}/looped`);
    const fd = fs.openSync(`${root}/once`, 'w');
    expect(fs.writeSync(fd, text(1500))).toBe(1000);
    fs.closeSync(fd);
    expect(world.unfinishedShortWrite).toMatchObject({ path: `${root}/once`, written: 1000, length: 1500 });
  });

  it('counts a short write only once the caller went on with the file (fsync, close, rename, a write elsewhere): one the process died right after says nothing of the caller', () => {
    const world = facadeWorld({ capacityBytes: 1000, blockBytes: 1 });
    const fd = fs.openSync(`${root}/cut`, 'w');
    expect(fs.writeSync(fd, text(1500))).toBe(1000);
    // The process dies here, before Node's writeFile loop could write the rest.
    expect(world.unfinishedShortWrite).toBeUndefined();
    fs.fsyncSync(fd);
    expect(world.unfinishedShortWrite).toMatchObject({ path: `${root}/cut`, written: 1000 });
    fs.closeSync(fd);
  });
});

describe('an exdev fault', () => {
  it('fails the facade\'s rename with EXDEV, injected, in Node\'s shape, and changes nothing', async () => {
    // I/O 0 the folder; 1-3 and 4-6: open, write, close of each file; 7 the rename out of the folder.
    const world = facadeWorld({ scheduled: [{ io: 7, kind: 'exdev' }] });
    fs.mkdirSync(`${root}/in`);
    fs.writeFileSync(`${root}/in/tmp`, 'new');
    fs.writeFileSync(`${root}/target`, 'old');
    let error: NodeJS.ErrnoException | undefined;
    try {
      fs.renameSync(`${root}/in/tmp`, `${root}/target`);
    } catch (caught) {
      error = caught as NodeJS.ErrnoException;
    }
    expect(error).toMatchObject({ code: 'EXDEV', errno: -18, syscall: 'rename', path: `${root}/in/tmp`, dest: `${root}/target`, injected: true });
    expect(error!.message).toBe(`EXDEV: cross-device link not permitted, rename '${root}/in/tmp' -> '${root}/target' (injected by powercut)`);
    expect(fs.readFileSync(`${root}/in/tmp`, 'utf8')).toBe('new');
    expect(fs.readFileSync(`${root}/target`, 'utf8')).toBe('old');
    expect(world.faultsFired).toEqual([{ io: 7, kind: 'exdev' }]);
    expect(world.ioCoverage['rename']!['exdev']).toBe(1);
    expect(world.trace.events.filter((event) => event.type === 'io' && event.name === 'rename').map((event) => event.detail)).toEqual(['EXDEV']);
  });

  it('fails the promise and callback forms the same way, at a rate, and never a rename within one folder, which one file system holds', async () => {
    facadeWorld({ rates: { exdev: 1 } });
    fs.mkdirSync(`${root}/in`);
    fs.writeFileSync(`${root}/in/tmp`, 'new');
    await expect(fs.promises.rename(`${root}/in/tmp`, `${root}/target`)).rejects.toMatchObject({ code: 'EXDEV', syscall: 'rename', injected: true });
    await expect(new Promise<void>((resolve, reject) => fs.rename(`${root}/in/tmp`, `${root}/x`, (e) => (e ? reject(e) : resolve())))).rejects.toMatchObject({ code: 'EXDEV' });
    expect(fs.readdirSync(root).sort()).toEqual(['in']);
    fs.renameSync(`${root}/in/tmp`, `${root}/in/renamed`);
    expect(fs.readdirSync(`${root}/in`)).toEqual(['renamed']);
  });

  it('keeps a missing parent ENOENT, as rename(2) resolves both parents before it compares their file systems', () => {
    facadeWorld({ rates: { exdev: 1 } });
    fs.mkdirSync(`${root}/in`);
    fs.writeFileSync(`${root}/in/tmp`, 'new');
    expect(() => fs.renameSync(`${root}/in/tmp`, `${root}/missing/target`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => fs.renameSync(`${root}/in/absent`, `${root}/target`)).toThrow(expect.objectContaining({ code: 'EXDEV' }));
  });
});

describe('the engine\'s port', () => {
  it('never sees a short write or EXDEV: its writes land whole and its renames succeed at rate 1', async () => {
    const world = new SimWorld({ seed: 3, faults: noFaults({ rates: { 'short-write': 1, exdev: 1 } }) });
    await world.run(async () => {
      await world.fs.mkdir('/e');
      const handle = await world.fs.open('/e/f', { create: true });
      await handle.write(0, new Uint8Array(10_000).fill(7));
      await handle.append(new Uint8Array(5000).fill(8));
      await handle.close();
      await world.fs.rename('/e/f', '/e/g');
    });
    expect(world.inspect().get('/e/g')?.length).toBe(15_000);
    expect(world.faultCounts['short-write']).toBe(0);
    expect(world.faultCounts.exdev).toBe(0);
  });
});
