/**
 * `opendir` and `Dir` on simulated paths (facade/dir.ts): entries one by one through
 * `readSync`, `read` and `for await`, Node 20's errors for a closed Dir, Node 20's recursive
 * walk (including its one-batch limit per subdirectory), and Node's error shapes, each checked
 * against the real fs where the two can be compared.
 */
import fs from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { buildTree, treeScope } from './trees.ts';

const root = '/powercut-facade-dir';
const scope = treeScope('powercut-dir-');

/** Every entry of `dir` by readSync, as `parent/name`, relative to `base`; then closes it. */
function drain(base: string, dir: fs.Dir): string[] {
  const out: string[] = [];
  for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) out.push(join(relative(base, entry.parentPath), entry.name));
  dir.closeSync();
  return out;
}

describe('opendir on a simulated path', () => {
  it('hands out each entry once, with its kind and parent, then null', () => {
    scope.install(new SimWorld({ seed: 1 }), root);
    buildTree(root, ['b', 'a', 'd/c']);
    const dir = fs.opendirSync(root);
    expect(dir.path).toBe(root);
    const read = [dir.readSync(), dir.readSync(), dir.readSync()];
    expect(dir.readSync()).toBeNull();
    dir.closeSync();
    expect(read.map((entry) => entry?.name).sort()).toEqual(['a', 'b', 'd']);
    for (const entry of read) {
      expect(entry).toMatchObject({ parentPath: root, path: root });
      expect(entry?.isDirectory()).toBe(entry?.name === 'd');
    }
  });

  it('hands out entries in a hashed directory\'s order, as the real fs does: not name order, the same at every opendir of a run, another for another seed; readdir sorts, as Node\'s does', () => {
    const files = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const listing = (seed: number): string[][] => {
      scope.install(new SimWorld({ seed }), root);
      buildTree(root, files);
      const once = drain(root, fs.opendirSync(root));
      const twice = drain(root, fs.opendirSync(root));
      expect(fs.readdirSync(root)).toEqual(files);
      return [once, twice];
    };
    const [first, again] = listing(1);
    expect(first).not.toEqual(files);
    expect([...first!].sort()).toEqual(files);
    expect(again).toEqual(first);
    expect(listing(2)[0]).not.toEqual(first);
  });

  it('reads through callbacks and promises, and for await closes the Dir', async () => {
    scope.install(new SimWorld({ seed: 1 }), root);
    buildTree(root, ['a', 'b']);
    const dir = await new Promise<fs.Dir>((resolve, reject) => fs.opendir(root, (error, opened) => (error ? reject(error) : resolve(opened))));
    const viaCallback = await new Promise<fs.Dirent | null>((resolve, reject) => dir.read((error, entry) => (error ? reject(error) : resolve(entry))));
    const viaPromise = await dir.read();
    expect([viaCallback?.name, viaPromise?.name].sort()).toEqual(['a', 'b']);
    expect(await dir.read()).toBeNull();
    await dir.close();
    const names: string[] = [];
    const iterated = await fs.promises.opendir(root);
    for await (const entry of iterated) names.push(entry.name);
    expect(names).toEqual([viaCallback?.name, viaPromise?.name]);
    await expect(iterated.close()).rejects.toMatchObject({ code: 'ERR_DIR_CLOSED' });
  });

  it('closes the Dir when a for await loop stops early', async () => {
    scope.install(new SimWorld({ seed: 1 }), root);
    buildTree(root, ['a', 'b']);
    const dir = await fs.promises.opendir(root);
    for await (const entry of dir) if (entry.name === 'a') break;
    expect(() => dir.readSync()).toThrow(expect.objectContaining({ code: 'ERR_DIR_CLOSED' }));
  });

  it('refuses any use after close with Node\'s ERR_DIR_CLOSED, as the real fs does', async () => {
    const errorsOf = async (path: string): Promise<string[]> => {
      const dir = fs.opendirSync(path);
      dir.closeSync();
      const out: string[] = [];
      for (const use of [() => dir.closeSync(), () => dir.readSync(), () => void dir.read()]) {
        try {
          use();
        } catch (error) {
          out.push(String(error));
        }
      }
      out.push(await dir.close().then(() => 'closed', (error: Error) => String(error)));
      out.push(await new Promise<string>((resolve) => dir.close((error) => resolve(String(error)))));
      return out;
    };
    const real = await errorsOf(scope.realTree(['a']));
    scope.install(new SimWorld({ seed: 1 }), root);
    const sim = await errorsOf(root);
    expect(sim).toEqual(Array(5).fill('Error [ERR_DIR_CLOSED]: Directory handle was closed'));
    expect(sim).toEqual(real);
  });

  it('walks a recursive Dir breadth-first as entries are read, with the real fs\'s entries', () => {
    const files = ['a', 'd/c', 'd/e/f', 'k/l/x', 'k/q'];
    const realBase = scope.realTree(files);
    const real = drain(realBase, fs.opendirSync(realBase, { recursive: true }));
    scope.install(new SimWorld({ seed: 1 }), root);
    buildTree(root, files);
    const sim = drain(root, fs.opendirSync(root, { recursive: true }));
    // Breadth-first: the top's entries, then their children, then the grandchildren (each level in directory order).
    expect([sim.slice(0, 3).sort(), sim.slice(3, 7).sort(), sim.slice(7).sort()]).toEqual([['a', 'd', 'k'], ['d/c', 'd/e', 'k/l', 'k/q'], ['d/e/f', 'k/l/x']]);
    expect([...sim].sort()).toEqual([...real].sort());
  });

  it('lists only the first bufferSize entries of a subdirectory in a recursive Dir, as Node 20 does', () => {
    const files = Array.from({ length: 40 }, (_, i) => `s/f${String(i).padStart(2, '0')}`);
    const realBase = scope.realTree(files);
    const real = drain(realBase, fs.opendirSync(realBase, { recursive: true }));
    scope.install(new SimWorld({ seed: 1 }), root);
    buildTree(root, files);
    const sim = drain(root, fs.opendirSync(root, { recursive: true }));
    expect(sim).toHaveLength(1 + 32);
    expect(sim).toHaveLength(real.length);
    expect(drain(root, fs.opendirSync(root, { recursive: true, bufferSize: 64 }))).toHaveLength(1 + 40);
  });

  it('names the path in callback and promise errors but not in opendirSync\'s, as Node 20 does', async () => {
    const shapes = async (base: string): Promise<unknown[]> => {
      const missing = join(base, 'missing');
      const shape = (error: NodeJS.ErrnoException) => ({ code: error.code, syscall: error.syscall, path: error.path && relative(base, error.path), message: error.message.replace(base, '<base>') });
      const out: unknown[] = [];
      try {
        fs.opendirSync(missing);
      } catch (error) {
        out.push(shape(error as NodeJS.ErrnoException));
      }
      out.push(await new Promise((resolve) => fs.opendir(missing, (error) => resolve(shape(error!)))));
      out.push(await fs.promises.opendir(join(base, 'a')).catch(shape));
      return out;
    };
    const real = await shapes(scope.realTree(['a']));
    scope.install(new SimWorld({ seed: 1 }), root);
    buildTree(root, ['a']);
    const sim = await shapes(root);
    expect(sim[0]).toEqual({ code: 'ENOENT', syscall: 'opendir', path: undefined, message: 'ENOENT: no such file or directory, opendir' });
    expect(sim).toEqual(real);
  });

  it('refuses a bufferSize below 1 with ERR_OUT_OF_RANGE', () => {
    scope.install(new SimWorld({ seed: 1 }), root);
    expect(() => fs.opendirSync(root, { bufferSize: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });

  it('takes the listing in one readdir operation, which faults can hit', () => {
    const probe = new SimWorld({ seed: 1 });
    scope.install(probe, root);
    const before = probe.ioCount;
    drain(root, fs.opendirSync(root));
    expect(probe.ioCount).toBe(before + 1);
    const world = new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: before, kind: 'kill-9' }] }) });
    scope.install(world, root);
    expect(() => fs.opendirSync(root)).toThrow(expect.objectContaining({ name: 'ProcessCrashedError' }));
  });
});
