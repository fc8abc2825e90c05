/**
 * How a real-disk child process starts. Compiled (dist/), it runs the compiled child and needs no
 * loader: a user's TypeScript engine gets tsx when it is loaded (subjects/typescript.ts). From
 * source (powercut's checkout and tests), the child itself is TypeScript and runs through tsx.
 *
 * tsx is resolved from powercut's own install, as bin/powercut.mjs does, never from the working
 * directory: `--import tsx` would look for tsx where the user runs powercut, and fail there
 * ("Cannot find package 'tsx'") in any folder that does not have it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildArgs } from './protocol.ts';

/** Whether this copy runs from its TypeScript source. */
const fromSource = import.meta.url.endsWith('.ts');

/** A child's entry point (`child`, `target-child`): next to this file, in the same form. */
function scriptOf(name: string): string {
  return fileURLToPath(new URL(fromSource ? `./${name}.ts` : `./${name}.js`, import.meta.url));
}

/** The Node options a child needs to run powercut's TypeScript: tsx, found from this package. */
export function childExecArgv(): string[] {
  if (!fromSource) return [];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx];
}

/**
 * Forks one of the real-disk children next to this file. Messages use the `advanced`
 * serialization (structured clone), so values cross as `Uint8Array`, `Map` or `Set`, not as text.
 * @param name - the child's file name without extension
 * @param argv - its arguments
 */
export function forkScript(name: 'child' | 'target-child', argv: readonly string[] = []): ChildProcess {
  return fork(scriptOf(name), [...argv], {
    execArgv: childExecArgv(),
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}

/**
 * Forks the engine child (child.ts) with its arguments.
 * @param args - what the child opens, passed as its one argument in JSON
 */
export function forkChild(args: ChildArgs): ChildProcess {
  return forkScript('child', [JSON.stringify(args)]);
}
