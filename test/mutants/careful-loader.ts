/**
 * Loads a planted bug of the careful example engine (careful-catalogue.ts): copies
 * examples/careful-engine/ to a temporary directory, applies the patches, points the copy's two
 * imports of powercut (the engine contract and the port types) at the shipped modules, and
 * loads the copy as the CLI loads a user's `--engine` module. The example is never touched.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyPatch } from './loader.ts';
import type { Mutant } from './catalogue.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The shipped example engine. */
export const carefulDir = join(root, 'examples/careful-engine');

/** The copy's imports of powercut, as the example writes them, and the shipped module each names. */
const powercutImports: ReadonlyArray<readonly [string, string]> = [
  ["'../../sim/index.ts'", join(root, 'sim/index.ts')],
  ["'../../engine/ports/fs.ts'", join(root, 'engine/ports/fs.ts')],
];

let copyRoot: string | undefined;

/**
 * Writes the planted bug's copy of the example engine.
 * @returns the path of its `engine.ts`, for `--engine` or `loadSubject`
 * @throws StalePatternError when a pattern no longer matches exactly once
 */
export function writeCarefulCopy(mutant: Mutant): string {
  const sources = new Map<string, string>();
  for (const patch of mutant.patches) {
    const before = sources.get(patch.file) ?? readFileSync(join(carefulDir, patch.file), 'utf8');
    sources.set(patch.file, applyPatch(mutant.id, before, patch, { dir: 'examples/careful-engine', catalogue: 'test/mutants/careful-catalogue.ts' }));
  }
  copyRoot ??= join(tmpdir(), `powercut-careful-mutants-${process.pid}`);
  const target = join(copyRoot, mutant.id);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  writeFileSync(join(copyRoot, 'package.json'), '{ "type": "module" }\n');
  cpSync(carefulDir, target, { recursive: true });
  for (const [file, text] of sources) writeFileSync(join(target, file), text);
  for (const file of ['engine.ts', 'ports.ts']) {
    let text = readFileSync(join(target, file), 'utf8');
    for (const [written, shipped] of powercutImports) text = text.replace(written, `'${pathToFileURL(shipped).href}'`);
    writeFileSync(join(target, file), text);
  }
  return join(target, 'engine.ts');
}

/** Removes every copy this process wrote. */
export function removeCarefulCopies(): void {
  if (copyRoot) rmSync(copyRoot, { recursive: true, force: true });
}
