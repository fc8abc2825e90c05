/**
 * installFacade reaches every way code gets fs, routes only simulated paths to the simulated
 * disk, refuses what it does not simulate, and uninstalls cleanly.
 */
import fs, { existsSync, readFileSync as namedReadFileSync } from 'node:fs';
import { readFile as namedPromiseReadFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsupportedFsCallError } from '../../facade/errors.ts';
import { installFacade, installFacadeRoutes, removeFacadeRoutes, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';

const require = createRequire(import.meta.url);
const root = '/powercut-facade-install';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('installFacade', () => {
  it('serves CommonJS require, ESM default and named imports, and fs/promises from one disk', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    (require('fs') as typeof fs).writeFileSync(`${root}/a`, 'cjs');
    expect(namedReadFileSync(`${root}/a`, 'utf8')).toBe('cjs');
    expect(await namedPromiseReadFile(`${root}/a`, 'utf8')).toBe('cjs');
    expect(fs.readFileSync(`${root}/a`, 'utf8')).toBe('cjs');
    expect(world.inspect().get(`${root}/a`)).toEqual(new TextEncoder().encode('cjs'));
  });

  it('reaches a library that clones fs when it loads (graceful-fs)', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    delete require.cache[require.resolve('graceful-fs')];
    const gracefulFs = require('graceful-fs') as typeof fs;
    gracefulFs.writeFileSync(`${root}/g`, 'graceful');
    expect(fs.readFileSync(`${root}/g`, 'utf8')).toBe('graceful');
    expect(existsSync(`${root}/g`)).toBe(true);
  });

  it('passes paths outside the root to the real disk', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(fs.existsSync(new URL(import.meta.url).pathname)).toBe(true);
    expect(fs.existsSync(root)).toBe(true);
  });

  it('throws on an unsupported call on a simulated path instead of touching the real disk', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(() => (fs as unknown as { openAsBlob(path: string): unknown }).openAsBlob(`${root}/a`)).toThrow(UnsupportedFsCallError);
    expect(() => fs.renameSync('/tmp/x', `${root}/x`)).toThrow(/EXDEV/);
  });

  it('fails a rename across the root as Node fails one across devices: EXDEV thrown from renameSync, a rejection or a later callback from the asynchronous faces', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(() => fs.renameSync('/tmp/x', `${root}/x`)).toThrow(expect.objectContaining({ code: 'EXDEV', syscall: 'rename' }));
    // An EXDEV fallback written with .catch or in the callback must see the error there.
    const rejected = fs.promises.rename('/tmp/x', `${root}/x`);
    await expect(rejected).rejects.toMatchObject({ code: 'EXDEV', syscall: 'rename', path: '/tmp/x', dest: `${root}/x` });
    let calledBack: NodeJS.ErrnoException | null | undefined;
    fs.rename(`${root}/x`, '/tmp/x', (error) => {
      calledBack = error;
    });
    expect(calledBack).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calledBack).toMatchObject({ code: 'EXDEV' });
  });

  it('passes read streams of a real path or a real descriptor to the real fs', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const self = new URL(import.meta.url).pathname;
    const readAll = (stream: fs.ReadStream): Promise<string> => new Promise((resolve, reject) => {
      let text = '';
      stream.on('data', (chunk) => (text += String(chunk))).on('end', () => resolve(text)).on('error', reject);
    });
    const expected = namedReadFileSync(self, 'utf8');
    expect(await readAll(fs.createReadStream(self))).toBe(expected);
    expect(await readAll(fs.createReadStream(`${root}/ignored`, { fd: fs.openSync(self, 'r') }))).toBe(expected);
  });

  it('passes write streams of a real path or a real descriptor to the real fs', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const real = fs.mkdtempSync(join(tmpdir(), 'powercut-install-'));
    try {
      const written = (stream: fs.WriteStream, text: string): Promise<void> => new Promise((resolve, reject) => {
        stream.on('error', reject).on('close', () => resolve());
        stream.end(text);
      });
      await written(fs.createWriteStream(`${real}/by-path`), 'by path');
      await written(fs.createWriteStream(`${root}/ignored`, { fd: fs.openSync(`${real}/by-fd`, 'w') }), 'by fd');
      expect(namedReadFileSync(`${real}/by-path`, 'utf8')).toBe('by path');
      expect(namedReadFileSync(`${real}/by-fd`, 'utf8')).toBe('by fd');
      expect(world.inspect().has(`${root}/ignored`)).toBe(false);
    } finally {
      fs.rmSync(real, { recursive: true, force: true });
    }
  });

  it('gives errors the shape of Node\'s', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    let caught: NodeJS.ErrnoException | undefined;
    try {
      fs.openSync(`${root}/missing`, 'r');
    } catch (error) {
      caught = error as NodeJS.ErrnoException;
    }
    expect(caught).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: `${root}/missing` });
    expect(caught?.message).toBe(`ENOENT: no such file or directory, open '${root}/missing'`);
  });

  it('marks an injected fault and fsyncs a directory through a directory descriptor', () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: 2, kind: 'fsync-error' }] }) });
    facade = installFacade(world, root);
    const fd = fs.openSync(`${root}/f`, 'w');
    fs.writeSync(fd, 'x');
    expect(() => fs.fsyncSync(fd)).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'fsync', injected: true }));
    const dirFd = fs.openSync(root, 'r');
    fs.fsyncSync(dirFd);
    fs.closeSync(dirFd);
    expect(world.unsyncedCount).toBe(0);
  });

  it('writes through createWriteStream on a simulated path', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const stream = fs.createWriteStream(`${root}/log`);
    stream.write('one,');
    stream.end('two');
    await new Promise<void>((resolve, reject) => stream.on('close', () => resolve()).on('error', reject));
    expect(fs.readFileSync(`${root}/log`, 'utf8')).toBe('one,two');
  });

  it('keeps its routes after uninstall: the root then fails loudly, other paths reach the real fs', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const routed = fs.readFileSync;
    facade.uninstall();
    expect(fs.readFileSync).toBe(routed);
    expect(() => fs.writeFileSync(`${root}/late`, 'x')).toThrow(expect.objectContaining({ code: 'POWERCUT_NO_RUN' }));
    expect(() => fs.existsSync(root)).toThrow(expect.objectContaining({ code: 'POWERCUT_NO_RUN' }));
    expect(fs.readdirSync('/')).not.toContain(root.slice(1));
    expect(fs.readFileSync('package.json', 'utf8')).toContain('"name": "powercut"');
  });

  it('puts the real functions back when the routes are removed (no run bound)', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(() => removeFacadeRoutes()).toThrow(/no run is bound/);
    facade.uninstall();
    removeFacadeRoutes();
    expect(fs.readFileSync.name).toBe('readFileSync');
    installFacadeRoutes();
    expect(fs.readFileSync.name).toBe('facadeRoute');
  });
});
