/**
 * `util.promisify` of the facade's callback functions gives what it gives for Node's own: the
 * facade's wrappers carry the same `util.promisify.custom` and argument-name symbols as Node's
 * functions (facade/install.ts `copySymbols`), so `promisify(fs.read)` resolves to
 * `{ bytesRead, buffer }` and `promisify(fs.exists)` to a boolean.
 * test/facade/differential-streams.test.ts compares promisified calls with the real fs.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-promisify';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** Every function of `fs` with the symbols on it, by name. */
function symbolsOfFs(): Map<string, Map<symbol, unknown>> {
  const out = new Map<string, Map<symbol, unknown>>();
  for (const [name, value] of Object.entries(fs)) {
    if (typeof value !== 'function') continue;
    const symbols = new Map(Object.getOwnPropertySymbols(value).map((key) => [key, (value as unknown as Record<symbol, unknown>)[key]] as const));
    if (symbols.size > 0) out.set(name, symbols);
  }
  return out;
}

describe('util.promisify of the facade callback functions', () => {
  it('finds on every fs function the symbols Node puts on its own', () => {
    const before = symbolsOfFs();
    // Node 20 marks at least these; the check below compares whatever the running Node marks.
    expect([...before.keys()]).toEqual(expect.arrayContaining(['exists', 'read', 'write', 'readv', 'writev']));
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(symbolsOfFs()).toEqual(before);
  });

  it('resolves promisify(fs.read) to { bytesRead, buffer } in each of Node\'s argument forms', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'abcdef');
    const fd = fs.openSync(`${root}/f`, 'r');
    const read = promisify(fs.read);
    const into = Buffer.alloc(3);
    expect(await read(fd, into, 0, 3, 1)).toEqual({ bytesRead: 3, buffer: into });
    expect(into.toString()).toBe('bcd');
    const given = Buffer.alloc(4);
    const withOptions = await read(fd, { buffer: given, position: 2 });
    expect(withOptions.bytesRead).toBe(4);
    expect(withOptions.buffer).toBe(given);
    const allocated = await (read as unknown as (fd: number) => Promise<{ bytesRead: number; buffer: Buffer }>)(fd);
    // No buffer given: Node reads into a new 16 KiB one, at the descriptor's position (still 0).
    expect(allocated.bytesRead).toBe(6);
    expect(allocated.buffer.length).toBe(16 * 1024);
    expect(allocated.buffer.subarray(0, 6).toString()).toBe('abcdef');
    fs.closeSync(fd);
  });

  it('resolves promisify(fs.write), fs.readv and fs.writev to Node\'s named results', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const fd = fs.openSync(`${root}/f`, 'w+');
    const data = Buffer.from('hello');
    expect(await promisify(fs.write)(fd, data, 0, 5, 0)).toEqual({ bytesWritten: 5, buffer: data });
    expect(await promisify(fs.write)(fd, '!', 5)).toEqual({ bytesWritten: 1, buffer: '!' });
    const gathered = [Buffer.from('ab'), Buffer.from('c')];
    expect(await promisify(fs.writev)(fd, gathered, 6)).toEqual({ bytesWritten: 3, buffer: gathered });
    const scattered = [Buffer.alloc(4), Buffer.alloc(5)];
    expect(await promisify(fs.readv)(fd, scattered, 0)).toEqual({ bytesRead: 9, buffers: scattered });
    expect(scattered.map(String)).toEqual(['hell', 'o!abc']);
    fs.closeSync(fd);
  });

  it('resolves promisify(fs.exists) to a boolean, also when promisified before the install', async () => {
    const early = promisify(fs.exists);
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'x');
    const late = promisify(fs.exists);
    expect(await late(`${root}/f`)).toBe(true);
    expect(await late(`${root}/missing`)).toBe(false);
    // Node's custom function calls `fs.exists` when it runs, so it reaches the facade.
    expect(await early(`${root}/f`)).toBe(true);
  });

  it('rejects with Node\'s error for a failing promisified call', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    await expect(promisify(fs.open)(`${root}/missing`, 'r')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    const closed = fs.openSync(`${root}/f`, 'w');
    fs.closeSync(closed);
    await expect(promisify(fs.read)(closed, Buffer.alloc(1), 0, 1, 0)).rejects.toMatchObject({ code: 'EBADF', syscall: 'read' });
  });
});
