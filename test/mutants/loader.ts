/**
 * Loads a mutant: copies `engine/` (without `engine/node/`) to a temporary directory, applies
 * the mutant's patches to the copy, imports the copy's `store.ts` and `inspect.ts`, and wraps
 * them as a system under test exactly as sim/adapters/reference.ts wraps the shipped engine.
 * The shipped engine is never touched.
 *
 * The copy's `errors.ts` and `ports/*.ts` are not copied but re-export the shipped modules: the
 * runner tells detected damage (`CorruptionError`), a failed store (`StoreError`) and injected
 * I/O errors (`IoError`) apart with `instanceof`, which only works if the copy and the runner
 * share those classes. A mutant may not patch those files (the loader refuses).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Engine } from '../../sim/engine-contract.ts';
import { engineDefinition, type EngineBuild } from '../../sim/adapters/reference.ts';
import type { Mutant, Patch } from './catalogue.ts';

/** The shipped engine directory. */
export const engineDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../engine');

/** Engine files shared with the runner instead of copied (class identity, see the module comment). */
const sharedFiles = ['errors.ts', 'ports/fs.ts', 'ports/clock.ts'] as const;

/** A pattern that does not match exactly once: the catalogue no longer follows the engine. */
export class StalePatternError extends Error {
  override readonly name = 'StalePatternError';
}

function countMatches(source: string, find: string | RegExp): number {
  if (typeof find === 'string') return source.split(find).length - 1;
  const global = new RegExp(find.source, find.flags.includes('g') ? find.flags : `${find.flags}g`);
  return [...source.matchAll(global)].length;
}

/**
 * Applies one patch to a source text.
 * @throws StalePatternError unless the pattern matches exactly once
 */
export function applyPatch(mutantId: string, source: string, patch: Patch): string {
  const count = countMatches(source, patch.find);
  if (count !== 1) {
    throw new StalePatternError(
      `mutant ${mutantId}: pattern ${String(patch.find).slice(0, 120)} matches ${count} times in engine/${patch.file} (expected exactly once); update test/mutants/catalogue.ts to follow the engine`,
    );
  }
  // A function replacement keeps `$` in the replacement text literal.
  return source.replace(patch.find, () => patch.replace);
}

/** The patched sources of a mutant, by engine-relative path. @throws StalePatternError */
export function patchedSources(mutant: Mutant): Map<string, string> {
  const sources = new Map<string, string>();
  for (const patch of mutant.patches) {
    if ((sharedFiles as readonly string[]).includes(patch.file) || patch.file.startsWith('node/')) {
      throw new Error(`mutant ${mutant.id}: engine/${patch.file} is shared with the runner and cannot be mutated`);
    }
    const path = join(engineDir, patch.file);
    if (!existsSync(path)) throw new StalePatternError(`mutant ${mutant.id}: engine/${patch.file} no longer exists`);
    const before = sources.get(patch.file) ?? readFileSync(path, 'utf8');
    sources.set(patch.file, applyPatch(mutant.id, before, patch));
  }
  return sources;
}

let copyRoot: string | undefined;

/** Writes the mutant's engine copy and returns its directory. */
export function writeMutantCopy(mutant: Mutant): string {
  const sources = patchedSources(mutant);
  copyRoot ??= join(tmpdir(), `powercut-mutants-${process.pid}`);
  const target = join(copyRoot, mutant.id, 'engine');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  // Outside the repository no package.json says the copy is ESM; without one it loads as CommonJS.
  writeFileSync(join(copyRoot, 'package.json'), '{ "type": "module" }\n');
  cpSync(engineDir, target, { recursive: true, filter: (src) => !src.startsWith(join(engineDir, 'node')) });
  for (const file of sharedFiles) {
    const original = pathToFileURL(join(engineDir, file)).href;
    writeFileSync(join(target, file), `export * from '${original}';\n`);
  }
  for (const [file, text] of sources) writeFileSync(join(target, file), text);
  return target;
}

/** Removes every copy this process wrote. */
export function removeMutantCopies(): void {
  if (copyRoot) rmSync(copyRoot, { recursive: true, force: true });
}

/** Loads the mutant's engine copy as an engine (the same definition as the shipped engine's). */
export async function loadMutant(mutant: Mutant): Promise<Engine> {
  const dir = writeMutantCopy(mutant);
  const storeModule = (await import(pathToFileURL(join(dir, 'store.ts')).href)) as EngineBuild;
  const inspectModule = (await import(pathToFileURL(join(dir, 'inspect.ts')).href)) as EngineBuild;
  return engineDefinition(`mutant-${mutant.id}`, { Store: storeModule.Store, verify: inspectModule.verify });
}
