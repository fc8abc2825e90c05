/**
 * The times `stat` shows on the simulated disk (facade/times.ts): they start at the simulated
 * clock's wall-clock epoch (the Date a library sees during a run), and move as Linux moves them.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../engine/ports/clock.ts';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { utimesArgumentMs } from '../../facade/times.ts';
import { wallClockEpochMs } from '../../sim/clock.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-times';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** A world with the facade bound, and a way to let virtual time pass. */
function bound(): { world: SimWorld; wait: (ms: number) => Promise<void> } {
  const world = new SimWorld({ seed: 1 });
  facade = installFacade(world, root);
  return {
    world,
    wait: async (ms) => {
      expect((await world.run(() => sleep(world.clock, ms))).outcome).toBe('done');
    },
  };
}

const timesOf = (stats: fs.Stats) => ({ atimeMs: stats.atimeMs, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, birthtimeMs: stats.birthtimeMs });

describe('file times on the simulated disk', () => {
  it('are the simulated clock from 2020-01-01 (the Date of a run), set when a file is created', async () => {
    const { world, wait } = bound();
    await wait(1500);
    fs.writeFileSync(`${root}/a`, 'x');
    const now = wallClockEpochMs + world.clock.now();
    expect(now).toBe(Date.UTC(2020, 0, 1) + 1500);
    const stats = fs.statSync(`${root}/a`);
    expect(timesOf(stats)).toEqual({ atimeMs: now, mtimeMs: now, ctimeMs: now, birthtimeMs: now });
    expect(stats.mtime).toEqual(new Date(now));
  });

  it('move mtime and ctime on a write, an O_TRUNC open and a truncation that changes the size, never on a read', async () => {
    const { wait } = bound();
    fs.writeFileSync(`${root}/a`, 'x');
    const born = fs.statSync(`${root}/a`).birthtimeMs;
    await wait(10);
    fs.readFileSync(`${root}/a`);
    expect(fs.statSync(`${root}/a`).mtimeMs).toBe(born);
    fs.appendFileSync(`${root}/a`, 'y');
    expect(timesOf(fs.statSync(`${root}/a`))).toEqual({ atimeMs: born, mtimeMs: born + 10, ctimeMs: born + 10, birthtimeMs: born });
    await wait(10);
    fs.truncateSync(`${root}/a`, 2);
    expect(fs.statSync(`${root}/a`).mtimeMs).toBe(born + 10);
    fs.truncateSync(`${root}/a`, 1);
    expect(fs.statSync(`${root}/a`).mtimeMs).toBe(born + 20);
    await wait(10);
    fs.closeSync(fs.openSync(`${root}/a`, 'w'));
    expect(fs.statSync(`${root}/a`).mtimeMs).toBe(born + 30);
  });

  it('are set by utimes, futimes and FileHandle.utimes (seconds, numeric strings or Dates), which move ctime to now', async () => {
    const { world, wait } = bound();
    fs.writeFileSync(`${root}/a`, 'x');
    await wait(5);
    const now = wallClockEpochMs + world.clock.now();
    fs.utimesSync(`${root}/a`, 1_000, new Date(2_000_500));
    expect(timesOf(fs.statSync(`${root}/a`))).toMatchObject({ atimeMs: 1_000_000, mtimeMs: 2_000_500, ctimeMs: now });
    const fd = fs.openSync(`${root}/a`, 'r');
    fs.futimesSync(fd, '3', 4.5);
    fs.closeSync(fd);
    expect(timesOf(fs.statSync(`${root}/a`))).toMatchObject({ atimeMs: 3_000, mtimeMs: 4_500 });
    const handle = await fs.promises.open(`${root}/a`, 'r');
    await handle.utimes(7, 8);
    await handle.close();
    expect(timesOf(fs.statSync(`${root}/a`))).toMatchObject({ atimeMs: 7_000, mtimeMs: 8_000 });
    expect(() => fs.utimesSync(`${root}/a`, {} as number, 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => fs.utimesSync(`${root}/missing`, 1, 1)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('move a directory\'s mtime when an entry is created, renamed or removed in it, and the ctime of a renamed or chmod-ed file', async () => {
    const { wait } = bound();
    fs.mkdirSync(`${root}/d`);
    const made = fs.statSync(`${root}/d`).mtimeMs;
    const dirMtime = () => fs.statSync(`${root}/d`).mtimeMs;
    await wait(10);
    fs.writeFileSync(`${root}/d/a`, 'x');
    expect(dirMtime()).toBe(made + 10);
    await wait(10);
    fs.renameSync(`${root}/d/a`, `${root}/d/b`);
    expect(dirMtime()).toBe(made + 20);
    expect(fs.statSync(`${root}/d/b`)).toMatchObject({ mtimeMs: made + 10, ctimeMs: made + 20 });
    await wait(10);
    fs.chmodSync(`${root}/d/b`, 0o600);
    expect(fs.statSync(`${root}/d/b`)).toMatchObject({ mtimeMs: made + 10, ctimeMs: made + 30 });
    await wait(10);
    fs.unlinkSync(`${root}/d/b`);
    expect(dirMtime()).toBe(made + 40);
    await wait(10);
    fs.mkdirSync(`${root}/d/e/f`, { recursive: true });
    expect(dirMtime()).toBe(made + 50);
    expect(fs.statSync(`${root}/d/e/f`).birthtimeMs).toBe(made + 50);
  });
});

describe('utimesArgumentMs', () => {
  it('reads times as Node does: seconds, numeric strings (the empty one is 0), Dates, and a negative number as now', () => {
    expect(utimesArgumentMs(1.5, 99)).toBe(1_500);
    expect(utimesArgumentMs('2', 99)).toBe(2_000);
    expect(utimesArgumentMs('', 99)).toBe(0);
    expect(utimesArgumentMs(new Date(123), 99)).toBe(123);
    expect(utimesArgumentMs(-1, 99)).toBe(99);
    expect(utimesArgumentMs('x', 99)).toBeUndefined();
    expect(utimesArgumentMs(Number.NaN, 99)).toBeUndefined();
    expect(utimesArgumentMs(undefined, 99)).toBeUndefined();
  });
});

describe('file times through a power loss', () => {
  /** A file `c` written (v1) and made durable at 1 s, then rewritten with O_TRUNC (v2) at 2 s, unsynced; then the power fails. */
  async function rewrittenThenPowerLoss(crashState: number): Promise<{ text: string; mtimeMs: number; ctimeMs: number; v1: number; v2: number }> {
    const { world, wait } = bound();
    await wait(1000);
    fs.writeFileSync(`${root}/c`, 'v1 and its tail');
    const fd = fs.openSync(`${root}/c`, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const dir = fs.openSync(root, 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
    const v1 = fs.statSync(`${root}/c`).mtimeMs;
    await wait(1000);
    fs.writeFileSync(`${root}/c`, 'v2');
    const v2 = fs.statSync(`${root}/c`).mtimeMs;
    world.crashNow('power-loss');
    world.restart({ crashState });
    const stats = fs.statSync(`${root}/c`);
    return { text: fs.readFileSync(`${root}/c`, 'utf8'), mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, v1, v2 };
  }

  it('go back with an O_TRUNC rewrite the power loss lost: the old bytes show the old mtime and ctime (ext4 and XFS journal them together)', async () => {
    const after = await rewrittenThenPowerLoss(1);
    expect(after.v2).toBe(after.v1 + 1000);
    expect(after.text).toBe('v1 and its tail');
    expect(after.mtimeMs).toBe(after.v1);
    expect(after.ctimeMs).toBe(after.v1);
  });

  it('stay with a rewrite the power loss kept', async () => {
    const after = await rewrittenThenPowerLoss(2);
    expect(after.text).toBe('v2');
    expect(after.mtimeMs).toBe(after.v2);
  });

  it('never show a time newer than the last change a seeded power loss kept, over many states', async () => {
    for (let crashState = 5; crashState < 45; crashState++) {
      const after = await rewrittenThenPowerLoss(crashState);
      if (after.text === 'v1 and its tail') expect(after.mtimeMs, `crash state ${crashState}`).toBe(after.v1);
      else expect(after.mtimeMs, `crash state ${crashState}: ${JSON.stringify(after.text)}`).toBe(after.v2);
      facade?.uninstall();
      facade = undefined;
    }
  });

  it('keep a time utimes set, whatever the power loss keeps of the data', async () => {
    const { world } = bound();
    fs.writeFileSync(`${root}/d`, 'x');
    const dir = fs.openSync(root, 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
    fs.utimesSync(`${root}/d`, 1234, 5678);
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(fs.statSync(`${root}/d`).mtimeMs).toBe(5678_000);
  });
});

