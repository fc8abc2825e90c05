/**
 * Planted bugs for the regression corpus: a copy of engine/ in a temporary folder with one
 * source line changed, loaded with a dynamic import and wrapped under the engine contract the
 * way sim/adapters/reference.ts wraps the real engine. engine/ itself is never modified. The
 * copy is whole (errors and ports included): failures cross the contract as codes, and I/O
 * errors are recognised by name and code, so the copy's own classes work.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { engineDefinition } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';

const engineDir = resolve(import.meta.dirname, '../../engine');

/** One planted bug: a literal replacement in one engine file. */
export interface PlantedBug {
  readonly name: string;
  /** What the change breaks, in one sentence. */
  readonly description: string;
  /** The file, relative to engine/. */
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

/** The bugs the corpus was seeded from. */
export const plantedBugs: readonly PlantedBug[] = [
  {
    name: 'segment-no-dirsync',
    description: 'a new segment is renamed into place without fsyncing the directory',
    file: 'wal/segments.ts',
    find: 'await publishFile(fs, dir, temporary, path);',
    replace: 'await fs.rename(temporary, path);',
  },
  {
    name: 'stage-no-fsync',
    description: 'stageFile renames a temporary file into place without fsyncing its data first',
    file: 'files.ts',
    find: '      await handle.sync();\n',
    replace: '',
  },
  {
    name: 'enospc-cut-unsynced',
    description: 'the cut of a partial frame after ENOSPC is not fsynced before the segment is sealed (the fix of d6936b7 reverted)',
    file: 'store.ts',
    find: 'if (!this.activeDirty) return;',
    replace: 'if (this.durableLsn === this.writtenLsn) return;',
  },
  {
    name: 'enospc-resurrect',
    description: 'after ENOSPC the cut of a group\'s frames is not fsynced before the commits are rejected as absent (the fix of the finding enospc-resurrect reverted)',
    file: 'store.ts',
    find: '      await this.syncActive();\n    } catch {\n      // syncActive failed the store',
    replace: '    } catch {\n      // syncActive failed the store',
  },
  {
    name: 'failed-close-resolves',
    description: 'closing a failed store resolves like a clean close (the fix found by fsync-failure seed 430 reverted)',
    file: 'store.ts',
    find: 'is durable.\n    if (this.failure) throw this.failedError(\'absent\');',
    replace: 'is durable.',
  },
  {
    name: 'dir-sync-error-ignored',
    description: 'publishFile drops the EIO of the directory fsync after its rename',
    file: 'files.ts',
    find: '  await fs.rename(temporary, target);\n  await fs.syncDir(dir);\n}',
    replace: '  await fs.rename(temporary, target);\n  await fs.syncDir(dir).catch(() => undefined);\n}',
  },
  {
    name: 'write-error-ignored',
    description: 'a WAL write error other than ENOSPC is ignored and the commits are fsynced and acknowledged',
    file: 'store.ts',
    find: '    } catch (error) {\n      await this.handleWriteError(group, offset, error);\n      return;\n    }\n',
    replace: "    } catch (error) {\n      if (isIoError(error, 'ENOSPC')) {\n        await this.handleWriteError(group, offset, error);\n        return;\n      }\n    }\n",
  },
];

/** The planted bug called `name`; throws on an unknown name (a test bug). */
export function plantedBug(name: string): PlantedBug {
  const bug = plantedBugs.find((candidate) => candidate.name === name);
  if (!bug) throw new Error(`no planted bug called ${name}`);
  return bug;
}

/**
 * Copies engine/ to a temporary folder, applies `bug`, and loads the copy as an engine.
 * @throws Error if the line to change is not found exactly once (the engine changed under us)
 */
export async function loadPlanted(bug: PlantedBug): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), `powercut-planted-${bug.name}-`));
  cpSync(engineDir, dir, { recursive: true });
  // Without it the copy's .ts files load as CommonJS.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const target = join(dir, bug.file);
  const source = readFileSync(target, 'utf8');
  const at = source.indexOf(bug.find);
  if (at < 0 || source.indexOf(bug.find, at + 1) >= 0) throw new Error(`planted bug ${bug.name}: '${bug.find}' is not in engine/${bug.file} exactly once`);
  writeFileSync(target, source.slice(0, at) + bug.replace + source.slice(at + bug.find.length));
  const storeModule = (await import(pathToFileURL(join(dir, 'store.ts')).href)) as typeof import('../../engine/store.ts');
  const inspectModule = (await import(pathToFileURL(join(dir, 'inspect.ts')).href)) as typeof import('../../engine/inspect.ts');
  return engineDefinition(`planted:${bug.name}`, { Store: storeModule.Store, verify: inspectModule.verify });
}
