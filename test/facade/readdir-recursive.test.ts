/**
 * `readdir(path, { recursive: true })` on simulated paths (facade/readdir-recursive.ts) returns
 * what Node 20 returns on the real fs, in its order: breadth-first for `readdirSync` and callback
 * `readdir`, Node's stack walk for `fs.promises.readdir`. Each test builds the same tree on a
 * real temporary directory and on the simulated disk.
 */
import fs from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../sim/world.ts';
import { buildTree, treeScope } from './trees.ts';

const simRoot = '/powercut-facade-readdir-recursive';
const tree = ['a', 'd/c', 'd/e/f', 'd/g/y', 'k/l/x', 'k/q', 'z'];
const scope = treeScope('powercut-readdir-');

/** Runs `list` on the real tree and on the simulated one. */
async function onBoth<T>(list: (base: string) => Promise<T> | T): Promise<{ real: T; sim: T }> {
  const real = await list(scope.realTree(tree));
  scope.install(new SimWorld({ seed: 1 }), simRoot);
  buildTree(simRoot, tree);
  return { real, sim: await list(simRoot) };
}

const breadthFirst = ['a', 'd', 'k', 'z', 'd/c', 'd/e', 'd/g', 'k/l', 'k/q', 'd/e/f', 'd/g/y', 'k/l/x'];
const promiseOrder = ['a', 'd', 'k', 'z', 'k/l', 'k/q', 'k/l/x', 'd/c', 'd/e', 'd/g', 'd/g/y', 'd/e/f'];

describe('readdir with recursive', () => {
  it('lists breadth-first through readdirSync, as Node 20 does', async () => {
    const { real, sim } = await onBoth((base) => fs.readdirSync(base, { recursive: true }));
    expect(sim).toEqual(breadthFirst);
    expect(sim).toEqual(real);
  });

  it('lists breadth-first through callback readdir', async () => {
    const { real, sim } = await onBoth((base) => new Promise<string[]>((resolve, reject) => fs.readdir(base, { recursive: true }, (error, names) => (error ? reject(error) : resolve(names as string[])))));
    expect(sim).toEqual(breadthFirst);
    expect(sim).toEqual(real);
  });

  it('lists in Node\'s stack order through fs.promises.readdir: the last directory met is emptied first', async () => {
    const { real, sim } = await onBoth((base) => fs.promises.readdir(base, { recursive: true }));
    expect(sim).toEqual(promiseOrder);
    expect(sim).toEqual(real);
  });

  it('gives Dirents whose parentPath is the directory holding each entry', async () => {
    const show = (base: string, dirents: fs.Dirent[]): string[] => dirents.map((d) => `${relative(base, d.parentPath) || '.'}|${d.name}|${d.isDirectory() ? 'dir' : 'file'}|${d.path === d.parentPath}`);
    const { real, sim } = await onBoth(async (base) => [
      show(base, fs.readdirSync(base, { recursive: true, withFileTypes: true })),
      show(base, await fs.promises.readdir(base, { recursive: true, withFileTypes: true })),
    ]);
    expect(sim[0]!.slice(0, 5)).toEqual(['.|a|file|true', '.|d|dir|true', '.|k|dir|true', '.|z|file|true', 'd|c|file|true']);
    expect(sim).toEqual(real);
  });

  it('fails on a file as Node does: ENOTDIR, syscall scandir', async () => {
    const { real, sim } = await onBoth((base) => {
      try {
        return fs.readdirSync(join(base, 'a'), { recursive: true });
      } catch (error) {
        return (error as NodeJS.ErrnoException).code + '/' + (error as NodeJS.ErrnoException).syscall;
      }
    });
    expect(sim).toBe('ENOTDIR/scandir');
    expect(sim).toEqual(real);
  });
});
