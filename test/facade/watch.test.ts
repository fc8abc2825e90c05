/**
 * Watchers on simulated paths (facade/watch.ts): `fs.watch` hears of every change the facade
 * makes, as inotify reports it, later and from a timer turn; `fs.watchFile` polls stat on the
 * clock; a crash silences the old process's watchers.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-watch';
let facade: InstalledFacade | undefined;
let world: SimWorld;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearInterval', 'clearTimeout'] });
  world = new SimWorld({ seed: 1 });
  facade = installFacade(world, root);
  fs.mkdirSync(`${root}/d`, { recursive: true });
});
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
  vi.useRealTimers();
});

/** The events a watcher of `path` hears while `act` runs, once the timers have turned. */
async function heard(path: string, act: () => void, options: fs.WatchOptions = {}): Promise<string[]> {
  const events: string[] = [];
  const watcher = fs.watch(path, options, (type, name) => events.push(`${type} ${String(name)}`));
  act();
  await vi.advanceTimersByTimeAsync(1);
  watcher.close();
  return events;
}

describe('fs.watch on a simulated directory', () => {
  it('hears a new file as rename, and writes to it as change, by the name in the directory', async () => {
    expect(await heard(`${root}/d`, () => {
      fs.writeFileSync(`${root}/d/a.json`, '{}');
      fs.appendFileSync(`${root}/d/a.json`, ' ');
    })).toEqual(['rename a.json', 'change a.json']);
  });

  it('hears the write-temporary-then-rename publication as Linux reports it', async () => {
    expect(await heard(`${root}/d`, () => {
      fs.writeFileSync(`${root}/d/a.json.tmp`, '{"v":2}');
      fs.renameSync(`${root}/d/a.json.tmp`, `${root}/d/a.json`);
    })).toEqual(['rename a.json.tmp', 'change a.json.tmp', 'rename a.json.tmp', 'rename a.json']);
  });

  it('hears unlink, mkdir and rmdir as rename, and nothing below a subdirectory unless recursive', async () => {
    fs.writeFileSync(`${root}/d/x`, '1');
    expect(await heard(`${root}/d`, () => {
      fs.unlinkSync(`${root}/d/x`);
      fs.mkdirSync(`${root}/d/sub`);
      fs.writeFileSync(`${root}/d/sub/deep`, '1');
      fs.rmSync(`${root}/d/sub`, { recursive: true });
    })).toEqual(['rename x', 'rename sub', 'rename sub']);
    expect(await heard(`${root}/d`, () => fs.mkdirSync(`${root}/d/sub/deeper`, { recursive: true }), { recursive: true })).toEqual(['rename sub']);
  });

  it('delivers nothing at once: a change is heard one timer turn later, never inside the call', () => {
    const events: string[] = [];
    const watcher = fs.watch(`${root}/d`, (type) => events.push(type));
    fs.writeFileSync(`${root}/d/a`, '1');
    expect(events).toEqual([]);
    watcher.close();
  });

  it('merges identical events in a row before they are delivered, as inotify does', async () => {
    fs.writeFileSync(`${root}/d/log`, '');
    expect(await heard(`${root}/d`, () => {
      for (let i = 0; i < 5; i++) fs.appendFileSync(`${root}/d/log`, `${i}\n`);
    })).toEqual(['change log']);
  });

  it('throws ENOENT for a missing path, and says nothing after close', async () => {
    expect(() => fs.watch(`${root}/missing`)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'watch' }));
    const events: string[] = [];
    const watcher = fs.watch(`${root}/d`, (type) => events.push(type));
    fs.writeFileSync(`${root}/d/a`, '1');
    watcher.close();
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual([]);
  });
});

describe('fs.watch on a simulated file', () => {
  it('hears writes and truncation of that path only', async () => {
    fs.writeFileSync(`${root}/d/a`, '1');
    fs.writeFileSync(`${root}/d/b`, '1');
    expect(await heard(`${root}/d/a`, () => {
      fs.writeFileSync(`${root}/d/b`, '2');
      fs.truncateSync(`${root}/d/a`, 0);
    })).toEqual(['change a']);
  });
});

describe('fs.promises.watch', () => {
  it('yields the events in order until the iterator is ended', async () => {
    const iterator = fs.promises.watch(`${root}/d`)[Symbol.asyncIterator]();
    fs.writeFileSync(`${root}/d/n`, '1');
    await vi.advanceTimersByTimeAsync(1);
    expect(await iterator.next()).toEqual({ value: { eventType: 'rename', filename: 'n' }, done: false });
    expect(await iterator.next()).toEqual({ value: { eventType: 'change', filename: 'n' }, done: false });
    await iterator.return!();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});

describe('fs.watchFile on a simulated file', () => {
  it('polls on the clock and calls back with the current and previous stats when the file changed', async () => {
    const calls: [number, number][] = [];
    fs.watchFile(`${root}/d/w`, { interval: 100 }, (current, previous) => calls.push([current.size, previous.size]));
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([]);
    fs.writeFileSync(`${root}/d/w`, 'abc');
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([[3, 0]]);
    fs.unwatchFile(`${root}/d/w`);
    fs.writeFileSync(`${root}/d/w`, 'abcdef');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toEqual([[3, 0]]);
  });
});

describe('watchers across a crash', () => {
  it('never fire for the process that died', async () => {
    const events: string[] = [];
    fs.watch(`${root}/d`, (type) => events.push(type));
    world.crashNow('kill-9');
    world.restart();
    fs.writeFileSync(`${root}/d/after`, '1');
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual([]);
  });
});
