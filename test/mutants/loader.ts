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
export function applyPatch(mutantId: string, source: string, patch: Patch, where = { dir: 'engine', catalogue: 'test/mutants/catalogue.ts' }): string {
  const count = countMatches(source, patch.find);
  if (count !== 1) {
    throw new StalePatternError(
      `mutant ${mutantId}: pattern ${String(patch.find).slice(0, 120)} matches ${count} times in ${where.dir}/${patch.file} (expected exactly once); update ${where.catalogue} to follow it`,
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

/** Where a mutant's copy takes what it shares with the runner, and the runner's wrapper. */
export const mutantBuilds = ['source', 'compiled'] as const;
/** One of {@link mutantBuilds}. */
export type MutantBuild = (typeof mutantBuilds)[number];

/** The compiled build's directory (`npm run build`), beside `engineDir`. */
const distDir = resolve(engineDir, '../dist');

/** The module a shared engine file is taken from: the source, or its compiled form in `dist/`. */
function sharedModule(file: string, build: MutantBuild): string {
  return pathToFileURL(build === 'source' ? join(engineDir, file) : join(distDir, 'engine', file.replace(/\.ts$/, '.js'))).href;
}

/**
 * Writes the mutant's engine copy and returns its directory.
 * @param build - whether the copy shares the source's modules with a runner run from source
 * (tests), or the compiled build's with a compiled runner (the benchmarks, as the CLI runs)
 */
export function writeMutantCopy(mutant: Mutant, build: MutantBuild = 'source'): string {
  const sources = patchedSources(mutant);
  copyRoot ??= join(tmpdir(), `powercut-mutants-${process.pid}`);
  const target = join(copyRoot, mutant.id, 'engine');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  // Outside the repository no package.json says the copy is ESM; without one it loads as CommonJS.
  writeFileSync(join(copyRoot, 'package.json'), '{ "type": "module" }\n');
  cpSync(engineDir, target, { recursive: true, filter: (src) => !src.startsWith(join(engineDir, 'node')) });
  for (const file of sharedFiles) writeFileSync(join(target, file), `export * from '${sharedModule(file, build)}';\n`);
  for (const [file, text] of sources) writeFileSync(join(target, file), text);
  return target;
}

/** Removes every copy this process wrote. */
export function removeMutantCopies(): void {
  if (copyRoot) rmSync(copyRoot, { recursive: true, force: true });
}

/**
 * Loads the mutant's engine copy as an engine (the same definition as the shipped engine's).
 * The copy is TypeScript, loaded as the CLI loads a user's TypeScript engine.
 * @param build - `compiled`: for a runner imported from `dist/` (bench/mutant-rates.ts), which
 * needs `npm run build` first; the engine definition is then the compiled adapter's
 */
export async function loadMutant(mutant: Mutant, build: MutantBuild = 'source'): Promise<Engine> {
  const dir = writeMutantCopy(mutant, build);
  const define = build === 'source'
    ? engineDefinition
    : ((await import(pathToFileURL(join(distDir, 'sim/adapters/reference.js')).href)) as { engineDefinition: typeof engineDefinition }).engineDefinition;
  const storeModule = (await import(pathToFileURL(join(dir, 'store.ts')).href)) as EngineBuild;
  const inspectModule = (await import(pathToFileURL(join(dir, 'inspect.ts')).href)) as EngineBuild;
  return define(`mutant-${mutant.id}`, { Store: storeModule.Store, verify: inspectModule.verify });
}
