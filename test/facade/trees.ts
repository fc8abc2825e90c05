/**
 * What the facade's directory tests share: a tree of files built the same way on the real disk
 * and on the simulated one, and the clean-up after each test (the facade uninstalled, the real
 * temporary directory removed).
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import type { SimWorld } from '../../sim/world.ts';

/** Creates each file (holding its name) and the directories on the way, under `base`. */
export function buildTree(base: string, files: readonly string[]): void {
  for (const file of files) {
    fs.mkdirSync(join(base, file, '..'), { recursive: true });
    fs.writeFileSync(join(base, file), file);
  }
}

/** One test's facade and real tree, both undone after the test. */
export interface TreeScope {
  /** Installs the facade (uninstalling the one this test installed before, if any). */
  install(world: SimWorld, root: string): InstalledFacade;
  /** A real temporary directory holding `files`. */
  realTree(files: readonly string[]): string;
}

/**
 * Registers the clean-up (afterEach) of the calling test file and returns the scope.
 * @param prefix - the name prefix of the real temporary directories
 */
export function treeScope(prefix: string): TreeScope {
  let facade: InstalledFacade | undefined;
  let realRoot: string | undefined;
  afterEach(() => {
    facade?.uninstall();
    facade = undefined;
    if (realRoot !== undefined) fs.rmSync(realRoot, { recursive: true, force: true });
    realRoot = undefined;
  });
  return {
    install(world, root) {
      facade?.uninstall();
      facade = installFacade(world, root);
      return facade;
    },
    realTree(files) {
      realRoot = fs.mkdtempSync(join(tmpdir(), prefix));
      buildTree(realRoot, files);
      return realRoot;
    },
  };
}
